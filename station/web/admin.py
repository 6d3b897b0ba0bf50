"""What the administrator's set-up pages share: the role they need, one step of set-up
done (or refused) and reported back, a user created from a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from station.errors import StationError, forbidden
from station.schemas import UserCreate
from station.services.rooms import chosen_room
from station.services.users import create_user
from station.storage.models import AuthSession, User
from station.web.pages import back

# What a set-up step tells the administrator: a message (shown on the page it came
# from) or the page to go to and its message.
Outcome = str | tuple[str, str]
T = TypeVar("T")


def require_admin(login: AuthSession) -> None:
    """Only administrators set up exams and users.

    Raises
    ------
    StationError
        ``forbidden`` (403).
    """
    if login.user.role != "admin":
        raise forbidden("doar administratorul pregătește examenele și utilizatorii")


def attempt(url: str, step: Callable[[], T]) -> T | RedirectResponse:
    """What ``step`` (service calls) returns, or, refused, the way back to the page at
    ``url`` showing the refusal's Romanian message."""
    try:
        return step()
    except StationError as error:
        return back(url, error.message)


def settle(session: Session, url: str, step: Callable[[], Outcome]) -> RedirectResponse:
    """Run one set-up ``step``, commit it and go where it says with its message; refused,
    nothing is committed and the page at ``url`` shows the refusal."""
    outcome = attempt(url, step)
    if isinstance(outcome, RedirectResponse):
        return outcome
    session.commit()
    return back(url, outcome) if isinstance(outcome, str) else back(*outcome)


def new_user(session: Session, body: UserCreate, actor: User) -> User:
    """The user a form asks for (the service the API calls)."""
    room = chosen_room(session, body.room_id)
    return create_user(session, **body.model_dump(exclude={"room_id"}), room=room, actor=actor)
