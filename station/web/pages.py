"""Login, the list of rooms and the live room view with its upload form."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.dependencies import Client, SessionDep, SettingsDep, ThrottleDep, WorkerDep
from station.downloads import bundle_response, minutes_response
from station.errors import StationError
from station.services.access import visible_room
from station.services.exams import open_key
from station.services.export import export_room
from station.services.intake import take_uploads
from station.services.rooms import room_summary
from station.services.users import authenticate, close_session, open_session
from station.services.worker import ReadingWorker
from station.storage.models import AuthSession, Room
from station.uploads import upload_streams
from station.web.deps import COOKIE, PageLogin, PostLogin, require_worker, templates

router = APIRouter(include_in_schema=False)


def back(url: str, message: str = "") -> RedirectResponse:
    """Redirect after a form post (303), with a message for the next page."""
    target = f"{url}?{urlencode({'mesaj': message})}" if message else url
    return RedirectResponse(target, status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return templates.TemplateResponse(request, "login.html", {"error": None})


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    client: Client,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    try:
        user = authenticate(
            session, username=username, password=password, throttle=throttle, client=client
        )
    except StationError as error:
        return templates.TemplateResponse(
            request, "login.html", {"error": str(error)}, status_code=error.status_code
        )
    token, _ = open_session(session, user=user, kind="cookie", hours=settings.session_hours)
    session.commit()
    response = back(f"/rooms/{user.room_id}" if user.room_id else "/")
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", max_age=int(settings.session_hours * 3600)
    )
    return response


@router.post("/logout")
def logout(session: SessionDep, login: PostLogin) -> Response:
    close_session(session, login=login)
    session.commit()
    response = back("/login")
    response.delete_cookie(COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, login: PageLogin) -> Response:
    user = login.user
    query = select(Room).order_by(Room.exam_id, Room.code)
    if user.role == "room_head":
        query = query.where(Room.id == user.room_id)
    return templates.TemplateResponse(
        request, "home.html", {"login": login, "rooms": list(session.scalars(query))}
    )


@router.get("/rooms/{room_id}", response_class=HTMLResponse)
def room_page(
    request: Request,
    room_id: int,
    session: SessionDep,
    login: PageLogin,
    worker: WorkerDep,
    mesaj: str = "",
) -> Response:
    context = _live(session, login, worker, room_id)
    return templates.TemplateResponse(request, "room.html", {**context, "message": mesaj})


@router.get("/rooms/{room_id}/live", response_class=HTMLResponse)
def room_live(
    request: Request, room_id: int, session: SessionDep, login: PageLogin, worker: WorkerDep
) -> Response:
    """The room's live part alone (progress, counts, sheets), refreshed in place."""
    context = _live(session, login, worker, room_id)
    return templates.TemplateResponse(request, "room_live.html", context)


def _live(session: Session, login: AuthSession, worker: ReadingWorker, room_id: int) -> dict:
    """What the room's live part shows: the summary and the file being read."""
    summary = room_summary(session, room=visible_room(session, user=login.user, room_id=room_id))
    return {
        "login": login,
        "summary": summary,
        "reading": summary.unread > 0,  # a scan being read has no reading yet
        "in_hand": worker.reading_in(room_id),
    }


@router.post("/rooms/{room_id}/scans")
async def upload(
    room_id: int,
    files: list[UploadFile],
    session: SessionDep,
    settings: SettingsDep,
    worker: WorkerDep,
    login: PostLogin,
) -> Response:
    require_worker(login)
    room = visible_room(session, user=login.user, room_id=room_id)
    _, scans, refusals = take_uploads(
        session,
        settings=settings,
        room=room,
        files=upload_streams(files, settings),
        actor=login.user,
        submit=worker.submit,
    )
    message = f"{len(scans)} fișier(e) primite" + "".join(f"; {r.error.message}" for r in refusals)
    return back(f"/rooms/{room_id}", message)


@router.post("/rooms/{room_id}/key/open")
def open_room_key(room_id: int, session: SessionDep, login: PostLogin) -> Response:
    require_worker(login)
    open_key(
        session, room=visible_room(session, user=login.user, room_id=room_id), actor=login.user
    )
    session.commit()
    return back(f"/rooms/{room_id}", "grila a fost deschisă")


@router.get("/rooms/{room_id}/proces-verbal.pdf")
def minutes(room_id: int, session: SessionDep, login: PageLogin) -> Response:
    return minutes_response(
        room_summary(session, room=visible_room(session, user=login.user, room_id=room_id))
    )


@router.post("/rooms/{room_id}/export")
def export(room_id: int, session: SessionDep, settings: SettingsDep, login: PostLogin) -> Response:
    bundle = export_room(
        session,
        room=visible_room(session, user=login.user, room_id=room_id),
        settings=settings,
        actor=login.user,
    )
    session.commit()
    return bundle_response(bundle)
