"""From service views to API schemas."""

from __future__ import annotations

from station.schemas import (
    DecisionPublic,
    RefusalPublic,
    RoomPublic,
    RoomStatus,
    SheetPublic,
    SheetRow,
)
from station.services.rooms import RoomSummary
from station.services.sheets import SheetView


def sheet_row(view: SheetView) -> SheetRow:
    """A sheet in the room's queue."""
    score = view.score
    return SheetRow(
        id=view.reading.id,
        file=view.reading.scan.original_name,
        page=view.reading.page,
        serial=view.reading.serial,
        status=view.status,
        label=view.label,
        candidate=view.candidate.number if view.candidate else None,
        total=str(score.total) if score and score.total is not None else None,
        doubts=view.doubts,
    )


def sheet_public(view: SheetView) -> SheetPublic:
    """A sheet with its reading, decisions and score."""
    summary = view.reading.summary
    return SheetPublic(
        **sheet_row(view).model_dump(),
        room_id=view.room.id,
        reading_status=view.reading.status,
        reasons=summary["reasons"],
        warnings=summary["warnings"],
        link_method=view.link_method,
        unclear=[f"{q}{o}" for q, o in view.unclear],
        decisions=[
            DecisionPublic(
                question=d.question,
                option=d.option,
                state=d.state,
                note=d.note,
                decided_by=d.user.username,
                decided_at=d.decided_at,
            )
            for d in view.decisions
        ],
        annulment=view.annulment.reason if view.annulment else None,
        score_hidden=view.score is None and view.status in ("sealed", "waiting"),
        score=view.score.model_dump(mode="json") if view.score else None,
    )


def room_status(summary: RoomSummary, *, reading_now: bool) -> RoomStatus:
    """The live room view."""
    return RoomStatus(
        room=RoomPublic.model_validate(summary.room),
        key_opened=summary.key_opened,
        received=summary.received,
        unread=summary.unread,
        progress=summary.progress,
        reading_now=reading_now,
        counts=summary.counts,
        sheets=[sheet_row(view) for view in summary.sheets],
        refused=[RefusalPublic.model_validate(r) for r in summary.refusals],
        present=[c.number for c in summary.present],
        absent=[c.number for c in summary.absent],
    )
