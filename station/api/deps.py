"""API dependencies: the bearer token's user and role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from omr.vocabulary.reasons import Reason
from station.dependencies import SessionDep
from station.errors import StationError, forbidden
from station.services.users import find_session
from station.storage.models import User

bearer_scheme = HTTPBearer(auto_error=False)


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
