"""A sheet as the room head sees it: reading, candidate, decisions, annulment and score.

The score is computed, never stored: :func:`omr.scoring.score.score_sheet` over the stored
marks, the opened key and the people's decisions (a pure function, replayed after any
change). A sheet is ``final`` only when no doubt is left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, defer

from omr.scoring.keys import AnswerKey
from omr.scoring.profiles import Profile, load_profile
from omr.scoring.results import SheetScore
from omr.scoring.score import ReadingPage, score_sheet
from omr.vocabulary.errors import OmrError
from omr.vocabulary.reasons import Problem, Reason
from omr.vocabulary.states import DECIDED_STATES, MarkState, PageStatus
from station.errors import StationError, not_found
from station.services import audit
from station.services.exams import answer_key, opened_key
from station.services.phases import check_unlocked
from station.storage.models import (
    Annulment,
    Candidate,
    CandidateLink,
    Decision,
    InkKept,
    Reading,
    Room,
    User,
)
from station.words import SHEET_STATUSES


@dataclass
class SheetView:
    """Everything the sheet page, the slip and the export need about one sheet."""

    reading: Reading
    room: Room
    candidate: Candidate | None
    link_method: str | None
    annulment: Annulment | None
    decisions: list[Decision]  # the newest decision of each bubble
    score: SheetScore | None  # None while the key is sealed, or for a rejected sheet
    status: str
    doubts: list[str] = field(default_factory=list)
    hidden: str = ""  # why no score is shown (a sealed key, a variant the key lacks)
    ink_in_doubt: bool = False  # in ink of another colour, and nobody kept it yet

    @property
    def label(self) -> str:
        """The status in Romanian."""
        return SHEET_STATUSES[self.status]

    @property
    def warnings(self) -> list[str]:
        """The reader's warnings about the page, in Romanian."""
        return [Problem.from_dict(w).message_ro for w in self.reading.summary.get("warnings", [])]

    @property
    def answers(self) -> list[tuple[int, dict[str, str]]]:
        """The marks as read, in question order (1, 2, …, 10, not 1, 10, 2)."""
        answers = self.reading.summary.get("answers", {})
        return sorted(((int(q), marks) for q, marks in answers.items()), key=lambda i: i[0])

    @property
    def unclear(self) -> list[tuple[int, str]]:
        """The bubbles the reader left unclear, as (question, option)."""
        return [
            (question, option)
            for question, marks in self.answers
            for option, state in marks.items()
            if state == MarkState.UNCLEAR
        ]


def get_reading(session: Session, reading_id: int) -> Reading:
    """The reading, or a 404 refusal."""
    reading = session.get(Reading, reading_id)
    if reading is None:
        raise not_found(f"foaia {reading_id}")
    return reading


def latest_decisions(session: Session, *, reading: Reading) -> list[Decision]:
    """The newest decision of each bubble of a sheet."""
    return _newest(
        session.scalars(
            select(Decision).where(Decision.reading_id == reading.id).order_by(Decision.id)
        )
    )


def _newest(decisions: Iterable[Decision]) -> list[Decision]:
    """The newest of each bubble's decisions (given oldest first), in bubble order."""
    newest = {(decision.question, decision.option): decision for decision in decisions}
    return [newest[bubble] for bubble in sorted(newest)]


def _annulment(session: Session, reading: Reading) -> Annulment | None:
    return session.scalars(select(Annulment).where(Annulment.reading_id == reading.id)).first()


@dataclass
class _Around:
    """What sheets need beyond their readings, fetched once for all of them (a fixed number
    of queries however many sheets): links, annulments, decisions, inks kept, the key."""

    links: dict[int, CandidateLink]  # the newest link of each sheet
    annulments: dict[int, Annulment]
    decisions: dict[int, list[Decision]]  # the newest decision of each bubble, in order
    ink_kept: set[int]
    key: AnswerKey | str | None  # the opened key; why it cannot score; None while sealed


def _around(session: Session, room: Room, readings: Select | list[int]) -> _Around:
    """What the sheets ``readings`` (ids, or a query of them) of ``room`` need."""
    links: dict[int, CandidateLink] = {}
    for link in session.scalars(
        select(CandidateLink)
        .where(CandidateLink.reading_id.in_(readings))
        .order_by(CandidateLink.id)
    ):
        links[link.reading_id] = link
    decisions: dict[int, list[Decision]] = {}
    for decision in session.scalars(
        select(Decision).where(Decision.reading_id.in_(readings)).order_by(Decision.id)
    ):
        decisions.setdefault(decision.reading_id, []).append(decision)
    annulments = session.scalars(select(Annulment).where(Annulment.reading_id.in_(readings)))
    kept = session.scalars(select(InkKept.reading_id).where(InkKept.reading_id.in_(readings)))
    return _Around(
        links=links,
        annulments={annulment.reading_id: annulment for annulment in annulments},
        decisions={sheet: _newest(oldest_first) for sheet, oldest_first in decisions.items()},
        ink_kept=set(kept),
        key=_scoring_key(session, room),
    )


def _scoring_key(session: Session, room: Room) -> AnswerKey | str | None:
    """The room's opened key, validated once for all its sheets (None while sealed; why it
    cannot score, when it does not validate)."""
    version = opened_key(session, room=room)
    if version is None:
        return None
    try:
        return answer_key(version, _profile(room.exam.profile))
    except OmrError as error:
        return _cannot_score(error)


def sheet_view(session: Session, *, reading: Reading) -> SheetView:
    """Assemble the sheet and score it with the opened key (if any)."""
    room = session.get(Room, reading.room_id)
    return _view(reading, room, _around(session, room, [reading.id]))


def _view(reading: Reading, room: Room, around: _Around) -> SheetView:
    """The sheet ``reading`` of ``room``, scored with the opened key (if any)."""
    link = around.links.get(reading.id)
    candidate = link.candidate if link else None
    view = SheetView(
        reading=reading,
        room=room,
        candidate=candidate,
        link_method=link.method if link else None,
        annulment=around.annulments.get(reading.id),
        decisions=around.decisions.get(reading.id, []),
        score=None,
        status=PageStatus.REJECTED,
    )
    if reading.status == PageStatus.REJECTED:
        view.doubts = [
            Problem.from_dict(reason).message_ro for reason in reading.summary["reasons"]
        ]
        return view
    if view.annulment is not None:
        view.status = "annulled"
        return view
    problem = None
    if around.key is None:
        view.hidden = "grila este încă sigilată"
    elif isinstance(around.key, str):
        problem = around.key
    else:
        view.score, problem = _score(view, around.key)
    decided = {(d.question, d.option) for d in view.decisions}
    undecided = [f"{q}{o}" for q, o in view.unclear if (q, o) not in decided]
    if view.score is not None:  # a bubble of an annulled question holds nothing
        undecided = [f"{bubble.question}{bubble.option}" for bubble in view.score.pending]
    if undecided:
        view.doubts.append(f"bule neclare fără decizie: {', '.join(undecided)}")
    if candidate is None:
        view.doubts.append("candidatul nu este identificat: alegeți-l din lista sălii")
    view.ink_in_doubt = other_ink(reading) and reading.id not in around.ink_kept
    if view.ink_in_doubt:
        view.doubts.append(
            "cerneală de altă culoare decât cea cerută (posibil semn distinctiv): anulați "
            "foaia și dați candidatului o foaie nouă, sau păstrați-o cu motivul"
        )
    if problem:
        view.hidden = problem
        view.doubts.append(problem)
    view.status = "waiting" if view.doubts else ("final" if view.score else "sealed")
    return view


def told(reading: Reading, code: Reason) -> bool:
    """Whether the reader told of ``code`` on the page: among its warnings, or (a page
    refused for it) its reasons."""
    told = [*reading.summary.get("warnings", []), *reading.summary.get("reasons", [])]
    return any(problem.get("code") == code for problem in told)


def other_ink(reading: Reading) -> bool:
    """Whether the reader saw ink of another colour than the exam's (art. 34 (3))."""
    return told(reading, Reason.INK_COLOUR)


def _ink_in_doubt(session: Session, reading: Reading) -> bool:
    """Whether the sheet is in ink of another colour and nobody kept it yet."""
    kept = session.scalars(select(InkKept).where(InkKept.reading_id == reading.id)).first()
    return other_ink(reading) and kept is None


def keep_ink(session: Session, *, reading: Reading, reason: str, actor: User) -> InkKept:
    """Keep a sheet in ink of another colour, for a reason (the room head's decision;
    the other is :func:`annul`).

    Raises
    ------
    StationError
        ``exam_locked`` (409), ``sheet_rejected``, ``sheet_annulled``, ``ink_not_in_doubt``
        (409), ``reason_missing``.
    """
    _check_open(session, reading, "păstrarea foii scrise cu altă cerneală")
    if not _ink_in_doubt(session, reading):
        raise StationError(Reason.INK_NOT_IN_DOUBT, status_code=409, sheet=reading.id)
    if not reason.strip():
        raise StationError(Reason.REASON_MISSING, what="păstrarea foii")
    kept = InkKept(reading_id=reading.id, reason=reason.strip(), kept_by=actor.id)
    session.add(kept)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="sheet.keep_ink",
        entity=f"sheet:{reading.id}",
        after={"kept": True, "reason": kept.reason},
    )
    return kept


@lru_cache(maxsize=16)
def _profile(name: str) -> Profile:
    """An exam's profile, parsed once (not once for each sheet of every room view: the
    shipped profiles do not change while the station runs)."""
    return load_profile(name)


def _score(view: SheetView, key: AnswerKey) -> tuple[SheetScore | None, str | None]:
    profile = _profile(view.room.exam.profile)
    page = reading_page(view.reading, view.candidate.number if view.candidate else None)
    decisions = {(d.question, d.option): d.state for d in view.decisions}
    try:
        return score_sheet(page, key, profile, decisions), None
    except OmrError as error:
        return None, _cannot_score(error)


def reading_page(reading: Reading, candidate: str | None) -> ReadingPage:
    """What scoring reads of a stored reading (its summary), for ``candidate``."""
    return ReadingPage.model_validate({**reading.summary, "candidate": candidate})


def _cannot_score(error: OmrError) -> str:
    """Why a sheet has no score, in Romanian."""
    return f"nu se poate puncta: {error.problem.message_ro}"


def _check_open(session: Session, reading: Reading, action: str) -> None:
    check_unlocked(session, exam=session.get(Room, reading.room_id).exam, action=action)
    if reading.status == PageStatus.REJECTED:
        raise StationError(Reason.SHEET_REJECTED, status_code=409, sheet=reading.id)
    if _annulment(session, reading) is not None:
        raise StationError(Reason.SHEET_ANNULLED, status_code=409)


def decide(
    session: Session,
    *,
    reading: Reading,
    question: int,
    option: str,
    state: str,
    note: str,
    actor: User,
) -> Decision:
    """Record a person's decision on an ``unclear`` bubble (a new row; the reading stays).

    Raises
    ------
    StationError
        ``exam_locked`` (409), ``decision_state_invalid``, ``bubble_not_unclear``,
        ``sheet_rejected``, ``sheet_annulled``.
    """
    _check_open(session, reading, "decizia asupra unei bule")
    if state not in DECIDED_STATES:
        raise StationError(Reason.DECISION_STATE_INVALID, states=", ".join(DECIDED_STATES))
    read = reading.summary["answers"].get(str(question), {}).get(option)
    if read != MarkState.UNCLEAR:
        shown = f"citită „{read}”" if read else "inexistentă"
        raise StationError(Reason.BUBBLE_NOT_UNCLEAR, bubble=f"{question}{option}", shown=shown)
    previous = next(
        (
            d
            for d in latest_decisions(session, reading=reading)
            if (d.question, d.option) == (question, option)
        ),
        None,
    )
    decision = Decision(
        reading_id=reading.id,
        question=question,
        option=option,
        state=state,
        note=note,
        supersedes_id=previous.id if previous else None,
        decided_by=actor.id,
    )
    session.add(decision)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="sheet.decide",
        entity=f"sheet:{reading.id}",
        before={
            "bubble": f"{question}{option}",
            "state": previous.state if previous else MarkState.UNCLEAR,
        },
        after={
            "bubble": f"{question}{option}",
            "state": state,
            "note": note,
            "decision": decision.id,
            "hash": audit.decision_hash(decision),
        },
    )
    return decision


def annul(session: Session, *, reading: Reading, reason: str, actor: User) -> Annulment:
    """Annul a sheet for a distinctive sign; the candidate's next sheet replaces it.

    Raises
    ------
    StationError
        ``exam_locked`` (409), ``annulment_reason_missing``, ``sheet_rejected``,
        ``sheet_annulled``.
    """
    _check_open(session, reading, "anularea foii")
    if not reason.strip():
        raise StationError(Reason.ANNULMENT_REASON_MISSING)
    annulment = Annulment(reading_id=reading.id, reason=reason.strip(), annulled_by=actor.id)
    session.add(annulment)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="sheet.annul",
        entity=f"sheet:{reading.id}",
        before={"status": reading.status},
        after={"annulled": True, "reason": reason.strip()},
    )
    return annulment


def room_sheets(session: Session, *, room: Room) -> list[SheetView]:
    """Every sheet of the room, in scanning order (a committee's rescan is not a sheet),
    in a fixed number of queries and without the readings' documents (their summaries
    are all a room view reads)."""
    live = (Reading.room_id == room.id, Reading.supersedes_id.is_(None))
    readings = session.scalars(
        select(Reading).where(*live).options(defer(Reading.document)).order_by(Reading.id)
    ).all()
    around = _around(session, room, select(Reading.id).where(*live))
    return [_view(reading, room, around) for reading in readings]
