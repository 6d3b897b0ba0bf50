"""Rescan requests: filed → rescanned → decided (RULES §2, art. 16 (2)).

A rescan is a new scan of the same physical sheet, read with the exam's template into a
new reading that points at the original (``Reading.supersedes_id``); the original stays
as it was and remains the sheet of the room. The committee's decision to correct the
sheet is recorded as decisions on the original's bubbles, so every score, slip and
export replays it.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from omr.committee.rescan import BubbleChange, compare_readings
from omr.scoring.profiles import load_profile
from omr.scoring.results import SheetScore
from omr.scoring.score import ReadingPage, score_sheet
from omr.vocabulary.errors import OmrError
from omr.vocabulary.reasons import Reason
from omr.vocabulary.states import DECIDED_STATES, MarkState, PageStatus
from station.config import Settings
from station.errors import StationError, not_found
from station.services import audit
from station.services.candidates import sheets_of
from station.services.deadlines import check_window
from station.services.exams import answer_key, opened_key
from station.services.intake import check_file_name, check_size, new_batch, receive_file
from station.services.publishing import amend_publication
from station.services.reading import add_reading, overlay_name, read_pages
from station.services.rooms import rooms_of_exam
from station.services.sheets import (
    SheetView,
    get_reading,
    latest_decisions,
    reading_page,
    sheet_view,
)
from station.storage.committee import RescanDecision, RescanRequest, RescanResult
from station.storage.models import RESCAN, Candidate, Decision, Exam, Reading, User
from station.words import RESCAN_OUTCOMES

COMMITTEE_NOTE = "comisia, rescanarea"  # how the committee's corrections are noted
OUTCOMES = RESCAN_OUTCOMES  # the committee's decisions, and their Romanian names


@dataclass
class RescanView:
    """A request with both readings side by side: differences, scores, decisions."""

    request: RescanRequest
    original: SheetView
    result: RescanResult | None
    decision: RescanDecision | None
    changes: list[BubbleChange]
    score_after: SheetScore | None

    @property
    def state(self) -> str:
        """filed, rescanned or decided."""
        if self.decision is not None:
            return "decided"
        return "rescanned" if self.result is not None else "filed"


def _live_sheet(session: Session, exam: Exam, number: str) -> Reading:
    candidate = session.scalars(
        select(Candidate).where(Candidate.exam_id == exam.id, Candidate.number == number)
    ).first()
    if candidate is None:
        raise not_found(f"candidatul {number}")
    live = [
        view
        for reading in sheets_of(session, candidate=candidate)
        if (view := sheet_view(session, reading=reading)).status != "annulled"
    ]
    if not live:
        raise StationError(Reason.SHEET_NOT_SCANNED, status_code=409, candidate=number)
    return live[-1].reading


def file_request(
    session: Session,
    *,
    exam: Exam,
    sheet_id: int | None,
    candidate: str | None,
    reason: str,
    now: datetime,
    actor: User,
) -> RescanRequest:
    """File a rescan request for a sheet, named by its id or by the candidate's number.

    Raises
    ------
    StationError
        ``not_found``, ``sheet_not_scanned``, ``sheet_rejected``, ``sheet_unidentified``,
        ``reason_missing``, ``outside_window``, ``schedule_missing``.
    """
    if not reason.strip():
        raise StationError(Reason.REASON_MISSING, what="cererea de rescanare")
    if sheet_id is not None:
        reading = get_reading(session, sheet_id)
        if reading.room_id not in {room.id for room in rooms_of_exam(session, exam_id=exam.id)}:
            raise not_found(f"foaia {sheet_id} în examenul {exam.code}")
    elif candidate:
        reading = _live_sheet(session, exam, candidate)
    else:
        raise StationError(Reason.SHEET_NOT_NAMED)
    view = sheet_view(session, reading=reading)
    if view.status == PageStatus.REJECTED:
        raise StationError(Reason.SHEET_REJECTED, status_code=409, sheet=reading.id)
    if view.candidate is None:
        raise StationError(Reason.SHEET_UNIDENTIFIED, status_code=409, sheet=reading.id)
    number = view.candidate.number
    exception = check_window(session, exam=exam, kind="rescan", candidate=number, now=now)
    request = RescanRequest(
        exam_id=exam.id,
        reading_id=reading.id,
        candidate=number,
        reason=reason.strip(),
        filed_at=now,
        exception_id=exception.id if exception else None,
        filed_by=actor.id,
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="rescan.file",
        entity=f"rescan:{request.id}",
        after={"sheet": reading.id, "candidate": number, "reason": request.reason},
    )
    return request


def get_request(session: Session, request_id: int) -> RescanRequest:
    """The request, or a 404 refusal."""
    request = session.get(RescanRequest, request_id)
    if request is None:
        raise not_found(f"cererea de rescanare {request_id}")
    return request


def requests_of(session: Session, *, exam: Exam) -> list[RescanRequest]:
    """The exam's requests, in filing order."""
    return list(
        session.scalars(
            select(RescanRequest).where(RescanRequest.exam_id == exam.id).order_by(RescanRequest.id)
        )
    )


def day_views(session: Session, *, exam: Exam, day: date) -> list[RescanView]:
    """The requests rescanned on ``day`` (or filed that day, when not yet rescanned)."""
    views = [rescan_view(session, request=r) for r in requests_of(session, exam=exam)]
    return [
        view
        for view in views
        if (view.result.rescanned_at if view.result else view.request.filed_at).date() == day
    ]


def _one(session: Session, table: type, request: RescanRequest):  # noqa: ANN202
    return session.scalars(select(table).where(table.request_id == request.id)).first()


def rescan_view(session: Session, *, request: RescanRequest) -> RescanView:
    """The request with the original and the rescan side by side."""
    original = sheet_view(session, reading=request.reading)
    result = _one(session, RescanResult, request)
    changes: list[BubbleChange] = []
    after = None
    if result is not None:
        changes = compare_readings(
            reading_page(request.reading, request.candidate),
            reading_page(result.reading, request.candidate),
        )
        after = _score_with(session, original, _rescan_bubbles(changes))
    return RescanView(
        request=request,
        original=original,
        result=result,
        decision=_one(session, RescanDecision, request),
        changes=changes,
        score_after=after,
    )


def _rescan_bubbles(changes: list[BubbleChange]) -> dict[tuple[int, str], str]:
    return {(c.question, c.option): c.after for c in changes if c.after != MarkState.UNCLEAR}


def _score_with(
    session: Session, view: SheetView, bubbles: dict[tuple[int, str], str]
) -> SheetScore | None:
    """The sheet's score with ``bubbles`` decided on top of the room's decisions."""
    key = opened_key(session, room=view.room)
    if key is None:
        return None
    profile = load_profile(view.room.exam.profile)
    decisions = {(d.question, d.option): d.state for d in view.decisions} | bubbles
    page = reading_page(view.reading, view.candidate.number if view.candidate else None)
    return score_sheet(page, answer_key(key, profile), profile, decisions)


def _check_resolving(session: Session, request: RescanRequest, now: datetime) -> None:
    """Refuse to resolve a request outside the window that bounds resolving, if any."""
    exam = session.get(Exam, request.exam_id)
    check_window(
        session, exam=exam, kind="rescan", candidate=request.candidate, now=now, step="resolving"
    )


def rescan(
    session: Session,
    *,
    settings: Settings,
    request: RescanRequest,
    name: str,
    data: bytes,
    now: datetime,
    actor: User,
) -> RescanResult:
    """Read the new scan of the request's sheet and link it to the original.

    The scan is read before anything is stored: a rescan of another sheet (serial,
    candidate, template or exam mismatch) or an unreadable one is refused and leaves
    no trace but the audit entry of the refusal.

    Raises
    ------
    StationError
        ``rescan_done`` (409), ``outside_resolving_window`` (409), ``file_name_invalid``,
        ``file_too_large``,
        ``rescan_mismatch``, ``rescan_unreadable``, ``duplicate_file``.
    """
    if _one(session, RescanResult, request) is not None:
        raise StationError(Reason.RESCAN_DONE, status_code=409, request=request.id)
    _check_resolving(session, request, now)
    check_file_name(name)
    check_size(len(data), settings)
    original = sheet_view(session, reading=request.reading)
    room = original.room
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        pages = list(read_pages(path, room.exam, max_pages=settings.max_pages_per_file))
    page, placed = pages[0]
    try:
        if len(pages) != 1:
            raise StationError(
                Reason.RESCAN_MISMATCH, field="numărul de pagini", found=len(pages), expected=1
            )
        candidate = request.candidate if page.candidate is None else page.candidate
        compare_readings(
            reading_page(request.reading, request.candidate),
            ReadingPage.model_validate({**page.as_dict(), "candidate": candidate}),
        )
    except OmrError as error:
        audit.record(
            session,
            actor=actor,
            action="rescan.refuse",
            entity=f"rescan:{request.id}",
            after={"name": name, "reason": error.reason, "message": error.message},
        )
        session.commit()
        # the comparison's English message is kept (tests assert it)
        raise StationError(error.problem, status_code=409, language="en") from None
    batch = new_batch(session, room=room, source=RESCAN, actor=actor)
    scan = receive_file(
        session,
        settings=settings,
        batch=batch,
        room=room,
        received=(name, io.BytesIO(data), len(data)),
        actor=actor,
    )
    reading = add_reading(
        session,
        scan=scan,
        room=room,
        page=page,
        overlay=overlay_name(scan, page, placed=placed),
        supersedes=request.reading,
    )
    result = RescanResult(
        request_id=request.id, reading_id=reading.id, rescanned_by=actor.id, rescanned_at=now
    )
    session.add(result)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="rescan.scan",
        entity=f"rescan:{request.id}",
        after={
            "scan": scan.id,
            "reading": reading.id,
            "status": reading.status,
            "document": audit.reading_hash(reading),
        },
    )
    return result


def _bubbles_by_hand(
    view: RescanView, bubbles: list[dict[str, object]]
) -> dict[tuple[int, str], str]:
    answers = view.original.reading.summary["answers"]
    chosen: dict[tuple[int, str], str] = {}
    for bubble in bubbles:
        question, option, state = int(bubble["question"]), str(bubble["option"]), bubble["state"]
        if option not in answers.get(str(question), {}) or state not in DECIDED_STATES:
            raise StationError(
                Reason.BUBBLE_INVALID,
                bubble=f"{question}{option} → {state}",
                problem="foaia nu are această bulă sau starea nu este una din "
                + ", ".join(DECIDED_STATES),
            )
        chosen[(question, option)] = str(state)
    return chosen


def decide(
    session: Session,
    *,
    request: RescanRequest,
    outcome: str,
    reason: str,
    bubbles: list[dict[str, object]],
    members: list[str],
    now: datetime,
    actor: User,
) -> RescanDecision:
    """Record the committee's decision; a correction becomes decisions on the original,
    and, after the final key's publication, a row of its changes table to republish.

    Raises
    ------
    StationError
        ``rescan_missing``, ``outside_resolving_window`` (409), ``rescan_decided`` (409),
        ``members_missing``,
        ``reason_missing``, ``outcome_invalid``, ``rescan_unclear``, ``bubble_invalid``.
    """
    view = rescan_view(session, request=request)
    if view.result is None:
        raise StationError(Reason.RESCAN_MISSING, status_code=409)
    _check_resolving(session, request, now)
    if view.decision is not None:
        raise StationError(Reason.RESCAN_DECIDED, status_code=409, request=request.id)
    members = [member.strip() for member in members if member.strip()]
    if not members:
        raise StationError(Reason.MEMBERS_MISSING)
    if outcome not in OUTCOMES:
        raise StationError(Reason.OUTCOME_INVALID, what="decizia", options=", ".join(OUTCOMES))
    if outcome != "keep" and not reason.strip():
        raise StationError(Reason.REASON_MISSING, what="o corectare")
    chosen: dict[tuple[int, str], str] = {}
    if outcome == "rescan":
        unclear = [f"{c.question}{c.option}" for c in view.changes if c.after == MarkState.UNCLEAR]
        if unclear:
            raise StationError(Reason.RESCAN_UNCLEAR, bubbles=", ".join(unclear))
        chosen = _rescan_bubbles(view.changes)
    elif outcome == "by_hand":
        chosen = _bubbles_by_hand(view, bubbles)
    after = _score_with(session, view.original, chosen)
    recorded = _record_bubbles(
        session, view, chosen, f"{COMMITTEE_NOTE} #{request.id}: {reason}", actor
    )
    amend_publication(
        session,
        before=view.original,
        after=sheet_view(session, reading=view.original.reading),
        act=f"rescanarea #{request.id}",
        actor=actor,
    )
    decision = RescanDecision(
        request_id=request.id,
        outcome=outcome,
        reason=reason.strip(),
        bubbles=[{"question": q, "option": o, "state": s} for (q, o), s in sorted(chosen.items())],
        members=members,
        score_before=_total(view.original.score),
        score_after=_total(after),
        decided_by=actor.id,
        decided_at=now,
    )
    session.add(decision)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="rescan.decide",
        entity=f"rescan:{request.id}",
        before={"score": decision.score_before},
        after={
            "outcome": outcome,
            "reason": decision.reason,
            "bubbles": decision.bubbles,
            "members": members,
            "score": decision.score_after,
            "decisions": [{"id": d.id, "hash": audit.decision_hash(d)} for d in recorded],
        },
    )
    return decision


def _total(score: SheetScore | None) -> str | None:
    if score is None:
        return None
    return str(score.total if score.total is not None else score.provisional_total)


def _record_bubbles(
    session: Session,
    view: RescanView,
    chosen: dict[tuple[int, str], str],
    note: str,
    actor: User,
) -> list[Decision]:
    """Record the committee's bubbles as decisions on the original sheet."""
    reading = view.original.reading
    previous = {(d.question, d.option): d for d in latest_decisions(session, reading=reading)}
    decisions = []
    for (question, option), state in sorted(chosen.items()):
        earlier = previous.get((question, option))
        decisions.append(
            Decision(
                reading_id=reading.id,
                question=question,
                option=option,
                state=state,
                note=note,
                supersedes_id=earlier.id if earlier else None,
                decided_by=actor.id,
            )
        )
    session.add_all(decisions)
    session.flush()
    return decisions
