"""Users: the administrator creates them; everyone may see themselves."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from station.api.deps import Admin, AnyRole
from station.dependencies import SessionDep, ThrottleDep
from station.schemas import LockoutPublic, UserChange, UserCreate, UserPublic
from station.services.rooms import chosen_room
from station.services.throttle import Lockout
from station.services.users import change_user, create_user, disable_user, get_user
from station.storage.models import User

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserPublic)
def read_me(user: AnyRole) -> User:
    """The logged-in user."""
    return user


@router.get("/lockouts", response_model=list[LockoutPublic])
def list_lockouts(throttle: ThrottleDep, _: Admin) -> list[Lockout]:
    """The accounts and clients locked out now by failed logins."""
    return throttle.lockouts()


@router.get("", response_model=list[UserPublic])
def list_users(session: SessionDep, _: Admin) -> list[User]:
    """Every user."""
    return list(session.scalars(select(User).order_by(User.id)))


@router.post("", response_model=UserPublic, status_code=201)
def add_user(body: UserCreate, session: SessionDep, admin: Admin) -> User:
    """Create a user (a room head names their room)."""
    room = chosen_room(session, body.room_id)
    user = create_user(
        session,
        username=body.username,
        password=body.password,
        role=body.role,
        full_name=body.full_name,
        room=room,
        actor=admin,
    )
    session.commit()
    return user


@router.put("/{user_id}/role", response_model=UserPublic)
def set_role(user_id: int, body: UserChange, session: SessionDep, admin: Admin) -> User:
    """Give a user a role and, for a room head, a room (a room head moves between rooms)."""
    room = chosen_room(session, body.room_id)
    user = change_user(
        session, user=get_user(session, user_id), role=body.role, room=room, actor=admin
    )
    session.commit()
    return user


@router.post("/{user_id}/disable", response_model=UserPublic)
def disable(user_id: int, session: SessionDep, admin: Admin) -> User:
    """Disable a user: their logins end, the account no longer logs in."""
    user = disable_user(session, user=get_user(session, user_id), actor=admin)
    session.commit()
    return user
