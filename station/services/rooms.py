"""The room at a glance: the queue of sheets, counts, progress and who is present."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omr.vocabulary.reasons import Reason
from station.errors import not_found
from station.services.exams import opened_key
from station.services.reading import pending_scans
from station.services.sheets import SheetView, room_sheets, told
from station.storage.models import RESCAN, Candidate, Refusal, Room, Scan


@dataclass
class RoomSummary:
    """The live view of a room (also what the proces-verbal reports)."""

    room: Room
    sheets: list[SheetView]
    refusals: list[Refusal]
    candidates: list[Candidate]
    received: int  # files received in the room (a committee's rescan is not one)
    unread: int  # files waiting for the reader
    key_opened: bool

    @property
    def counts(self) -> dict[str, int]:
        """Sheets per status (final, waiting, sealed, rejected, annulled)."""
        return dict(Counter(sheet.status for sheet in self.sheets))

    @property
    def progress(self) -> int:
        """The share of received files already read, in percent."""
        return (
            100 if not self.received else round(100 * (self.received - self.unread) / self.received)
        )

    @property
    def pages_read(self) -> int:
        """The pages read in the room (each is a sheet, a refused page included)."""
        return len(self.sheets)

    def pages_told(self, code: str) -> int:
        """The pages read whose reading tells of ``code`` (a :class:`Reason`'s): what the
        scanner does to every page (a streak from its glass, a resolution under 150 dpi, a
        soft scan; a thresholding mode, whose pages are refused) is told once for the
        room."""
        reason = Reason(code)
        return sum(told(sheet.reading, reason) for sheet in self.sheets)

    def last_told(self, code: str) -> bool:
        """Whether the page read last tells of ``code`` (the sheets are in reading order)."""
        return bool(self.sheets) and told(self.sheets[-1].reading, Reason(code))

    def sheet_of(self, candidate: Candidate) -> SheetView | None:
        """The candidate's live sheet (not annulled), if any."""
        return next(
            (
                s
                for s in self.sheets
                if s.candidate is not None
                and s.candidate.id == candidate.id
                and s.status != "annulled"
            ),
            None,
        )

    @property
    def present(self) -> list[Candidate]:
        """Candidates with at least one sheet."""
        seen = {s.candidate.id for s in self.sheets if s.candidate is not None}
        return [c for c in self.candidates if c.id in seen]

    @property
    def absent(self) -> list[Candidate]:
        """Candidates without any sheet."""
        present = {c.id for c in self.present}
        return [c for c in self.candidates if c.id not in present]


def get_room(session: Session, room_id: int) -> Room:
    """The room, or a 404 refusal."""
    room = session.get(Room, room_id)
    if room is None:
        raise not_found(f"sala {room_id}")
    return room


def chosen_room(session: Session, room_id: int | None) -> Room | None:
    """The room chosen by its id (None: no room chosen), or a 404 refusal."""
    return None if room_id is None else get_room(session, room_id)


def room_summary(session: Session, *, room: Room) -> RoomSummary:
    """Everything the room view shows."""
    received = (
        session.scalar(
            select(func.count(Scan.id)).where(Scan.room_id == room.id, Scan.source != RESCAN)
        )
        or 0
    )
    unread = len(pending_scans(session, room_id=room.id))
    return RoomSummary(
        room=room,
        sheets=room_sheets(session, room=room),
        refusals=list(
            session.scalars(select(Refusal).where(Refusal.room_id == room.id).order_by(Refusal.id))
        ),
        candidates=list(
            session.scalars(
                select(Candidate).where(Candidate.room_id == room.id).order_by(Candidate.number)
            )
        ),
        received=received,
        unread=unread,
        key_opened=opened_key(session, room=room) is not None,
    )


def rooms_of_exam(session: Session, *, exam_id: int) -> list[Room]:
    """The rooms of an exam."""
    return list(session.scalars(select(Room).where(Room.exam_id == exam_id).order_by(Room.code)))
