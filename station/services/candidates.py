"""Which candidate a sheet belongs to: matched from the sheet, or picked from the room list.

A candidate has at most one live (not annulled) sheet; a sheet linked to a candidate
whose earlier sheet was annulled is that sheet's replacement.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from omr.vocabulary.reasons import Reason
from omr.vocabulary.states import PageStatus
from station.errors import StationError
from station.services import audit
from station.services.phases import check_unlocked
from station.storage.models import Annulment, Candidate, CandidateLink, Reading, Room, User


def current_link(session: Session, *, reading: Reading) -> CandidateLink | None:
    """The newest candidate link of a sheet."""
    return session.scalars(
        select(CandidateLink)
        .where(CandidateLink.reading_id == reading.id)
        .order_by(CandidateLink.id.desc())
        .limit(1)
    ).first()


def sheets_of(session: Session, *, candidate: Candidate) -> list[Reading]:
    """The sheets whose current link names ``candidate``, oldest first."""
    linked = select(CandidateLink.reading_id).where(CandidateLink.candidate_id == candidate.id)
    readings = session.scalars(select(Reading).where(Reading.id.in_(linked)).order_by(Reading.id))
    return [
        reading
        for reading in readings
        if (link := current_link(session, reading=reading)) and link.candidate_id == candidate.id
    ]


def _annulled(session: Session, reading: Reading) -> bool:
    return (
        session.scalars(select(Annulment.id).where(Annulment.reading_id == reading.id)).first()
        is not None
    )


def _link(
    session: Session,
    *,
    reading: Reading,
    candidate: Candidate,
    method: str,
    actor: User | None,
    reason: str = "",
) -> CandidateLink:
    earlier = [r for r in sheets_of(session, candidate=candidate) if r.id != reading.id]
    live = [r for r in earlier if not _annulled(session, r)]
    if live:
        raise StationError(
            Reason.CANDIDATE_HAS_SHEET,
            status_code=409,
            candidate=candidate.number,
            sheet=live[0].id,
        )
    previous = current_link(session, reading=reading)
    link = CandidateLink(
        reading_id=reading.id,
        candidate_id=candidate.id,
        method=method,
        replaces_reading_id=earlier[-1].id if earlier else None,
        linked_by=actor.id if actor else None,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="sheet.candidate",
        entity=f"sheet:{reading.id}",
        before={"candidate": previous.candidate.number} if previous else None,
        after={
            "candidate": candidate.number,
            "method": method,
            "replaces": link.replaces_reading_id,
            **({"reason": reason} if reason else {}),
        },
    )
    return link


def find_candidate(session: Session, *, room: Room, number: str) -> Candidate | None:
    """The candidate of the room's exam with ``number``."""
    return session.scalars(
        select(Candidate).where(Candidate.exam_id == room.exam_id, Candidate.number == number)
    ).first()


def auto_link(session: Session, *, reading: Reading, room: Room, number: str | None) -> None:
    """Link a new reading to the candidate read from it when that is unambiguous.

    The candidate must be on this room's list and have no live sheet; otherwise the room
    head picks the candidate on the sheet page.
    """
    if number is None or reading.status == PageStatus.REJECTED:
        return
    candidate = find_candidate(session, room=room, number=number)
    if candidate is None or candidate.room_id != room.id:
        return
    try:
        _link(session, reading=reading, candidate=candidate, method="read", actor=None)
    except StationError:
        return


def pick_candidate(
    session: Session, *, reading: Reading, number: str, actor: User, reason: str = ""
) -> CandidateLink:
    """A person links a sheet to a candidate of the room list (``reason``: why, recorded
    in the audit chain).

    Raises
    ------
    StationError
        ``exam_locked`` (409), ``candidate_unknown``, ``candidate_other_room``,
        ``candidate_has_sheet``, ``sheet_annulled``, ``sheet_rejected``.
    """
    room = session.get(Room, reading.room_id)
    check_unlocked(session, exam=room.exam, action="alegerea candidatului foii")
    candidate = find_candidate(session, room=room, number=number.strip())
    if candidate is None:
        raise StationError(Reason.CANDIDATE_UNKNOWN, candidate=number)
    if candidate.room_id != room.id:
        raise StationError(Reason.CANDIDATE_OTHER_ROOM, candidate=number, room=room.code)
    if reading.status == PageStatus.REJECTED:
        raise StationError(Reason.SHEET_REJECTED, status_code=409, sheet=reading.id)
    if _annulled(session, reading):
        raise StationError(Reason.SHEET_ANNULLED, status_code=409)
    return _link(
        session,
        reading=reading,
        candidate=candidate,
        method="picked",
        actor=actor,
        reason=reason.strip(),
    )
