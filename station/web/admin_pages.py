"""The administrator's set-up pages: exams, their rooms and room heads, the candidate
list (with a preview of each line), the sealed key and the users. Each page calls the
services the API calls; a refusal comes back to the page as its Romanian message."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import func, select

from omr.scoring.profiles import load_profile, profiles_dir
from omr.vocabulary.errors import OmrError
from station.dependencies import SessionDep, SettingsDep
from station.errors import StationError, forbidden
from station.schemas import ExamCreate, RoomCreate, UserCreate
from station.services import deadlines, exams
from station.services.rooms import get_room, rooms_of_exam
from station.services.users import create_user
from station.storage.models import AnswerKeyVersion, AuthSession, Candidate, Exam, User
from station.uploads import read_upload
from station.web.deps import PageLogin, PostLogin, templates
from station.web.pages import back

router = APIRouter(prefix="/admin", include_in_schema=False)


def require_admin(login: AuthSession) -> None:
    """Only administrators set up exams and users.

    Raises
    ------
    StationError
        ``forbidden`` (403).
    """
    if login.user.role != "admin":
        raise forbidden("doar administratorul pregătește examenele și utilizatorii")


def _user(**fields: str) -> UserCreate:
    """The user form as the API's body (an empty room is no room).

    Raises
    ------
    RequestValidationError
        Refused as ``request_invalid``, naming the field.
    """
    if not fields.get("room_id"):
        fields.pop("room_id", None)
    try:
        return UserCreate.model_validate(fields)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
        ) from None


def _choices() -> list[tuple[str, list[str]]]:
    """Each profile of the package with the templates it reads."""
    found = []
    for path in sorted(profiles_dir().glob("*.yaml")):
        try:
            found.append((path.stem, list(load_profile(path.stem).templates)))
        except OmrError:
            continue
    return found


@router.get("/exams", response_class=HTMLResponse)
def exams_page(
    request: Request, session: SessionDep, login: PageLogin, mesaj: str = ""
) -> Response:
    require_admin(login)
    listed = list(session.scalars(select(Exam).order_by(Exam.id)))
    counts = {
        exam_id: count
        for exam_id, count in session.execute(
            select(Candidate.exam_id, func.count(Candidate.id)).group_by(Candidate.exam_id)
        )
    }
    return templates.TemplateResponse(
        request,
        "admin_exams.html",
        {
            "login": login,
            "exams": listed,
            "counts": counts,
            "choices": _choices(),
            "message": mesaj,
        },
    )


@router.post("/exams")
def create_exam(
    session: SessionDep, login: PostLogin, body: Annotated[ExamCreate, Form()]
) -> Response:
    require_admin(login)
    try:
        exam = exams.create_exam(session, **body.model_dump(), actor=login.user)
    except StationError as error:
        return back("/admin/exams", error.message)
    session.commit()
    return back(f"/admin/exams/{exam.id}", f"examenul {exam.code} a fost creat")


def _exam_context(session: SessionDep, login: AuthSession, exam: Exam) -> dict:
    rooms = rooms_of_exam(session, exam_id=exam.id)
    heads = {
        user.room_id: user
        for user in session.scalars(select(User).where(User.role == "room_head").order_by(User.id))
    }
    candidates = list(
        session.scalars(
            select(Candidate).where(Candidate.exam_id == exam.id).order_by(Candidate.number)
        )
    )
    keys = list(
        session.scalars(
            select(AnswerKeyVersion)
            .where(AnswerKeyVersion.exam_id == exam.id)
            .order_by(AnswerKeyVersion.number)
        )
    )
    per_room = {room.id: sum(1 for c in candidates if c.room_id == room.id) for room in rooms}
    return {
        "login": login,
        "exam": exam,
        "rooms": rooms,
        "heads": heads,
        "per_room": per_room,
        "room_codes": {room.id: room.code for room in rooms},
        "candidates": candidates,
        "keys": keys,
        "schedule": deadlines.current_schedule(session, exam=exam),
    }


@router.get("/exams/{exam_id}", response_class=HTMLResponse)
def exam_page(
    request: Request, exam_id: int, session: SessionDep, login: PageLogin, mesaj: str = ""
) -> Response:
    require_admin(login)
    context = _exam_context(session, login, exams.get_exam(session, exam_id))
    return templates.TemplateResponse(request, "admin_exam.html", {**context, "message": mesaj})


@router.post("/exams/{exam_id}/rooms")
def add_room(
    exam_id: int, session: SessionDep, login: PostLogin, body: Annotated[RoomCreate, Form()]
) -> Response:
    require_admin(login)
    exam = exams.get_exam(session, exam_id)
    try:
        room = exams.add_room(session, exam=exam, code=body.code, name=body.name, actor=login.user)
    except StationError as error:
        return back(f"/admin/exams/{exam_id}", error.message)
    session.commit()
    return back(f"/admin/exams/{exam_id}", f"sala {room.code} a fost adăugată")


@router.post("/exams/{exam_id}/room-heads")
def add_room_head(
    exam_id: int,
    session: SessionDep,
    login: PostLogin,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    room_id: Annotated[str, Form()],
    full_name: Annotated[str, Form()] = "",
) -> Response:
    """A room head for a room of this exam (a new user of role ``room_head``)."""
    require_admin(login)
    body = _user(
        username=username, password=password, full_name=full_name, role="room_head", room_id=room_id
    )
    exam = exams.get_exam(session, exam_id)
    url = f"/admin/exams/{exam_id}"
    room = get_room(session, body.room_id) if body.room_id is not None else None
    if room is not None and room.exam_id != exam.id:
        raise forbidden(f"sala {room.code} nu este a examenului {exam.code}")
    try:
        user = create_user(
            session,
            username=body.username,
            password=body.password,
            role="room_head",
            full_name=body.full_name,
            room=room,
            actor=login.user,
        )
    except StationError as error:
        return back(url, error.message)
    session.commit()
    return back(url, f"{user.full_name} este șeful sălii {room.code}")


@router.post("/exams/{exam_id}/candidates/preview", response_class=HTMLResponse)
async def preview_candidates(
    request: Request,
    exam_id: int,
    file: UploadFile,
    session: SessionDep,
    settings: SettingsDep,
    login: PostLogin,
) -> Response:
    """What the import would do, line by line; nothing is stored yet."""
    require_admin(login)
    exam = exams.get_exam(session, exam_id)
    data = await read_upload(file, settings)
    name = file.filename or "candidati.csv"
    try:
        lines = exams.preview_candidates(session, exam=exam, csv_bytes=data, file=name)
    except StationError as error:
        return back(f"/admin/exams/{exam_id}", error.message)
    return templates.TemplateResponse(
        request,
        "admin_candidates.html",
        {
            "login": login,
            "exam": exam,
            "lines": lines,
            "refused": [line for line in lines if line.refusal],
            "text": data.decode("utf-8-sig"),
            "file": name,
        },
    )


@router.post("/exams/{exam_id}/candidates")
def import_candidates(
    exam_id: int,
    session: SessionDep,
    login: PostLogin,
    text: Annotated[str, Form()],
) -> Response:
    """Import the list previewed (the same text, sent back by the preview page)."""
    require_admin(login)
    exam = exams.get_exam(session, exam_id)
    try:
        added = exams.import_candidates(
            session, exam=exam, csv_bytes=text.encode("utf-8"), actor=login.user
        )
    except StationError as error:
        return back(f"/admin/exams/{exam_id}", error.message)
    session.commit()
    return back(f"/admin/exams/{exam_id}", f"{len(added)} candidați importați")


@router.post("/exams/{exam_id}/key")
async def load_key(
    exam_id: int,
    file: UploadFile,
    session: SessionDep,
    settings: SettingsDep,
    login: PostLogin,
) -> Response:
    """Load the sealed key (``omr.key/1`` JSON)."""
    require_admin(login)
    exam = exams.get_exam(session, exam_id)
    try:
        version = exams.load_key(
            session, exam=exam, document=await read_upload(file, settings), actor=login.user
        )
    except StationError as error:
        return back(f"/admin/exams/{exam_id}", error.message)
    session.commit()
    return back(f"/admin/exams/{exam_id}", f"grila sigilată nr. {version.number} a fost încărcată")


@router.post("/exams/{exam_id}/schedule")
def set_schedule(
    exam_id: int,
    session: SessionDep,
    login: PostLogin,
    published_at: Annotated[datetime, Form()],
) -> Response:
    """When the results are published (the exam's wall-clock time); the profile's windows."""
    require_admin(login)
    exam = exams.get_exam(session, exam_id)
    try:
        deadlines.set_schedule(
            session, exam=exam, published_at=published_at, windows=None, actor=login.user
        )
    except StationError as error:
        return back(f"/admin/exams/{exam_id}", error.message)
    session.commit()
    return back(f"/admin/exams/{exam_id}", "programul examenului a fost înregistrat")


@router.get("/users", response_class=HTMLResponse)
def users_page(
    request: Request, session: SessionDep, login: PageLogin, mesaj: str = ""
) -> Response:
    require_admin(login)
    users = list(session.scalars(select(User).order_by(User.id)))
    rooms = [
        room
        for exam in session.scalars(select(Exam).order_by(Exam.id))
        for room in rooms_of_exam(session, exam_id=exam.id)
    ]
    return templates.TemplateResponse(
        request,
        "admin_users.html",
        {"login": login, "users": users, "rooms": rooms, "message": mesaj},
    )


@router.post("/users")
def add_user(
    session: SessionDep,
    login: PostLogin,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    full_name: Annotated[str, Form()] = "",
    room_id: Annotated[str, Form()] = "",
) -> Response:
    require_admin(login)
    body = _user(
        username=username, password=password, full_name=full_name, role=role, room_id=room_id
    )
    room = get_room(session, body.room_id) if body.room_id is not None else None
    try:
        user = create_user(
            session,
            username=body.username,
            password=body.password,
            role=body.role,
            full_name=body.full_name,
            room=room,
            actor=login.user,
        )
    except StationError as error:
        return back("/admin/users", error.message)
    session.commit()
    return back("/admin/users", f"utilizatorul {user.username} a fost creat")
