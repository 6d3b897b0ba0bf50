"""Who may see what: a room head sees only their own room and its sheets."""

from __future__ import annotations

from sqlalchemy.orm import Session

from station.errors import forbidden
from station.services import sheets
from station.services.rooms import get_room
from station.services.sheets import SheetView
from station.storage.models import Room, User


def check_room(*, user: User, room: Room) -> Room:
    """``room`` when ``user`` may see it: a room head sees only their own room.

    Raises
    ------
    StationError
        ``forbidden`` (403).
    """
    if user.role == "room_head" and user.room_id != room.id:
        raise forbidden(f"sala {room.code} nu este sala dumneavoastră")
    return room


def visible_room(session: Session, *, user: User, room_id: int) -> Room:
    """The room ``room_id`` as ``user`` may see it."""
    return check_room(user=user, room=get_room(session, room_id))


def visible_sheet(session: Session, *, user: User, sheet_id: int) -> SheetView:
    """The sheet as ``user`` may see it (a room head: their room's sheets only)."""
    reading = sheets.get_reading(session, sheet_id)
    check_room(user=user, room=session.get(Room, reading.room_id))
    return sheets.sheet_view(session, reading=reading)
