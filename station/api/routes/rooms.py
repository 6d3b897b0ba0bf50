"""A room: its live status, candidate list, key opening, proces-verbal and exports."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select

from station.api.deps import AnyRole, Exporter, RoomWorker
from station.api.present import room_status
from station.dependencies import SessionDep, SettingsDep
from station.downloads import bundle_response, minutes_response
from station.errors import not_found
from station.schemas import CandidatePublic, ExportPublic, KeyOpeningPublic, RoomStatus
from station.services.access import visible_room
from station.services.exams import open_key
from station.services.export import export_room
from station.services.rooms import room_summary
from station.storage.models import Candidate, Export, KeyOpening, User

router = APIRouter(tags=["rooms"])


@router.get("/rooms/{room_id}", response_model=RoomStatus)
def read_room(room_id: int, session: SessionDep, user: AnyRole) -> RoomStatus:
    """The live room view: queue with statuses, counts and reading progress."""
    summary = room_summary(session, room=visible_room(session, user=user, room_id=room_id))
    return room_status(summary, reading_now=summary.unread > 0)


@router.get("/rooms/{room_id}/candidates", response_model=list[CandidatePublic])
def list_candidates(room_id: int, session: SessionDep, user: AnyRole) -> list[Candidate]:
    """The room's candidate list."""
    room = visible_room(session, user=user, room_id=room_id)
    return list(
        session.scalars(
            select(Candidate).where(Candidate.room_id == room.id).order_by(Candidate.number)
        )
    )


@router.post("/rooms/{room_id}/key/open", response_model=KeyOpeningPublic, status_code=201)
def open_room_key(room_id: int, session: SessionDep, user: RoomWorker) -> KeyOpening:
    """Open the sealed key once all sheets are collected: scores are shown from now on."""
    opening = open_key(session, room=visible_room(session, user=user, room_id=room_id), actor=user)
    session.commit()
    return opening


@router.get("/rooms/{room_id}/proces-verbal.pdf", response_class=Response)
def room_minutes(room_id: int, session: SessionDep, user: AnyRole) -> Response:
    """The room's proces-verbal (PDF)."""
    return minutes_response(
        room_summary(session, room=visible_room(session, user=user, room_id=room_id))
    )


@router.post("/rooms/{room_id}/exports", response_model=ExportPublic, status_code=201)
def export(room_id: int, session: SessionDep, settings: SettingsDep, user: Exporter) -> Export:
    """Sign and store the room's results bundle for the committee."""
    bundle = export_room(
        session,
        room=visible_room(session, user=user, room_id=room_id),
        settings=settings,
        actor=user,
    )
    session.commit()
    return bundle


def _export_for(session: SessionDep, user: User, export_id: int) -> Export:
    bundle = session.get(Export, export_id)
    if bundle is None:
        raise not_found(f"exportul {export_id}")
    visible_room(session, user=user, room_id=bundle.room_id)
    return bundle


@router.get("/exports/{export_id}.json", response_class=Response)
def export_json(export_id: int, session: SessionDep, user: AnyRole) -> Response:
    """The signed bundle: ``omr rank`` reads it as a results file."""
    return bundle_response(_export_for(session, user, export_id))


@router.get("/exports/{export_id}.csv", response_class=Response)
def export_csv(export_id: int, session: SessionDep, user: AnyRole) -> Response:
    """The bundle's results as CSV (its sha256 is signed in the JSON)."""
    return bundle_response(_export_for(session, user, export_id), csv=True)
