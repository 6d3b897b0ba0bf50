"""Dependencies: settings, a storage session, the current user and role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from omr.vocabulary.reasons import Reason
from station.config import Settings
from station.errors import StationError, forbidden
from station.services.rooms import get_room
from station.services.users import find_session
from station.services.worker import ReadingWorker
from station.storage.models import Room, User

bearer_scheme = HTTPBearer(auto_error=False)


def get_settings(request: Request) -> Settings:
    """The app's settings (tests override this dependency)."""
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """A storage session for one request; routes commit what they change."""
    with request.app.state.sessions() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_current_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> User:
    """The user of the bearer token.

    Raises
    ------
    StationError
        ``not_authenticated`` (401).
    """
    login = credentials and find_session(session, token=credentials.credentials, kind="token")
    if not login:
        raise StationError(Reason.NOT_AUTHENTICATED, status_code=401, how="token Bearer")
    return login.user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: str) -> Callable[[User], User]:
    """A dependency that lets through only users of ``roles``."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise forbidden(f"rolul {user.role} nu are voie să facă această acțiune")
        return user

    return check


AnyRole = Annotated[User, Depends(require_role("room_head", "committee", "admin"))]
Admin = Annotated[User, Depends(require_role("admin"))]
RoomWorker = Annotated[User, Depends(require_role("room_head", "admin"))]
Exporter = Annotated[User, Depends(require_role("room_head", "committee", "admin"))]


def check_room(user: User, room: Room) -> Room:
    """``room`` when ``user`` may see it: a room head sees only their own room.

    Raises
    ------
    StationError
        ``forbidden`` (403).
    """
    if user.role == "room_head" and user.room_id != room.id:
        raise forbidden(f"sala {room.code} nu este sala dumneavoastră")
    return room


def room_for(session: Session, user: User, room_id: int) -> Room:
    """The room ``room_id`` as ``user`` may see it."""
    return check_room(user, get_room(session, room_id))


def get_worker(request: Request) -> ReadingWorker:
    """The reading worker that reads stored scans."""
    return request.app.state.worker


WorkerDep = Annotated[ReadingWorker, Depends(get_worker)]
