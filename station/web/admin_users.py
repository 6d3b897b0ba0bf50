"""The administrator's users page: create users with their roles, give a user another
role or move a room head to another room, disable a user. The pages call the services
the API calls; a refusal comes back to the page as its Romanian message."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from station.dependencies import SessionDep
from station.schemas import UserChange, UserCreate
from station.services import users
from station.services.rooms import chosen_room, rooms_of_exam
from station.storage.models import Exam, User
from station.web.admin import new_user, require_admin, settle
from station.web.deps import PageLogin, PostLogin, confirmed, templates
from station.words import ROLES

router = APIRouter(prefix="/admin/users", include_in_schema=False)
URL = "/admin/users"


@router.get("", response_class=HTMLResponse)
def users_page(
    request: Request, session: SessionDep, login: PageLogin, mesaj: str = ""
) -> Response:
    require_admin(login)
    rooms = [
        room
        for exam in session.scalars(select(Exam).order_by(Exam.id))
        for room in rooms_of_exam(session, exam_id=exam.id)
    ]
    return templates.TemplateResponse(
        request,
        "admin_users.html",
        {
            "login": login,
            "users": list(session.scalars(select(User).order_by(User.id))),
            "rooms": rooms,
            "message": mesaj,
        },
    )


@router.post("")
def add_user(
    session: SessionDep, login: PostLogin, body: Annotated[UserCreate, Form()]
) -> Response:
    require_admin(login)

    def step() -> str:
        return f"utilizatorul {new_user(session, body, login.user).username} a fost creat"

    return settle(session, URL, step)


@router.post("/{user_id}/role")
def change_user(
    user_id: int, session: SessionDep, login: PostLogin, body: Annotated[UserChange, Form()]
) -> Response:
    """Another role, or (for a room head) another room."""
    require_admin(login)
    user = users.get_user(session, user_id)
    room = chosen_room(session, body.room_id)

    def step() -> str:
        users.change_user(session, user=user, role=body.role, room=room, actor=login.user)
        where = f", sala {room.exam.code} / {room.code}" if room else ""
        return f"utilizatorul {user.username}: {ROLES[user.role]}{where}"

    return settle(session, URL, step)


@router.post("/{user_id}/disable")
def disable_user(
    user_id: int,
    session: SessionDep,
    login: PostLogin,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Disable a user (asks for a ticked confirmation): their logins end."""
    require_admin(login)
    user = users.get_user(session, user_id)

    def step() -> str:
        confirmed(confirm, f"dezactivarea utilizatorului {user.username}")
        users.disable_user(session, user=user, actor=login.user)
        return f"utilizatorul {user.username} a fost dezactivat"

    return settle(session, URL, step)
