"""The administrator's set-up pages for an exam: the exam, its rooms and room heads, the
candidate list (with a preview of each line) and the sealed key. Each page calls the
services the API calls; a refusal comes back to the page as its Romanian message."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select

from omr.scoring.profiles import load_profile, profiles_dir
from omr.vocabulary.errors import OmrError
from station.dependencies import SessionDep, SettingsDep
from station.errors import forbidden
from station.schemas import ExamCreate, RoomCreate, UserCreate
from station.services import exams
from station.services.deadlines import published_wall, windows_in_force
from station.services.rooms import chosen_room, rooms_of_exam
from station.storage.models import AnswerKeyVersion, AuthSession, Candidate, Exam, User
from station.uploads import read_upload
from station.web.admin import attempt, new_user, require_admin, settle
from station.web.deps import PageLogin, PostLogin, templates
from station.words import counted

router = APIRouter(prefix="/admin", include_in_schema=False)


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

    def step() -> tuple[str, str]:
        exam = exams.create_exam(session, **body.model_dump(), actor=login.user)
        return f"/admin/exams/{exam.id}", f"examenul {exam.code} a fost creat"

    return settle(session, "/admin/exams", step)


def _exam_context(session: SessionDep, login: AuthSession, exam: Exam) -> dict:
    rooms = rooms_of_exam(session, exam_id=exam.id)
    heads = {
        user.room_id: user
        for user in session.scalars(
            select(User)
            .where(User.role == "room_head", User.disabled_at.is_(None))
            .order_by(User.id)
        )
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
        "published": published_wall(session, exam=exam),
        "windows": windows_in_force(session, exam=exam),
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

    def step() -> str:
        room = exams.add_room(session, exam=exam, code=body.code, name=body.name, actor=login.user)
        return f"sala {room.code} a fost adăugată"

    return settle(session, f"/admin/exams/{exam_id}", step)


@router.post("/exams/{exam_id}/room-heads")
def add_room_head(
    exam_id: int, session: SessionDep, login: PostLogin, body: Annotated[UserCreate, Form()]
) -> Response:
    """A room head for a room of this exam (a new user of role ``room_head``)."""
    require_admin(login)
    exam = exams.get_exam(session, exam_id)
    room = chosen_room(session, body.room_id)
    if room is None or room.exam_id != exam.id or body.role != "room_head":
        raise forbidden(f"aici se creează doar șefii sălilor examenului {exam.code}")

    def step() -> str:
        user = new_user(session, body, login.user)
        return f"{user.full_name} este șeful sălii {room.code}"

    return settle(session, f"/admin/exams/{exam_id}", step)


@router.post("/exams/{exam_id}/candidates/preview", response_class=HTMLResponse)
async def preview_candidates(
    request: Request,
    exam_id: int,
    file: UploadFile,
    session: SessionDep,
    settings: SettingsDep,
    login: PostLogin,
) -> Response:
    """What the import would do, line by line (its own checks); nothing is stored yet."""
    require_admin(login)
    exam = exams.get_exam(session, exam_id)
    data = await read_upload(file, settings)
    name = file.filename or "candidati.csv"
    lines = attempt(
        f"/admin/exams/{exam_id}",
        lambda: exams.check_candidates(session, exam=exam, csv_bytes=data, file=name),
    )
    if isinstance(lines, RedirectResponse):
        return lines
    return templates.TemplateResponse(
        request,
        "admin_candidates.html",
        {
            "login": login,
            "exam": exam,
            "lines": lines,
            "refused": [line for line in lines if line.refusal is not None],
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
    file: Annotated[str, Form()] = "candidati.csv",
) -> Response:
    """Import the list previewed (the same text, sent back by the preview page)."""
    require_admin(login)
    exam = exams.get_exam(session, exam_id)

    def step() -> str:
        added = exams.import_candidates(
            session, exam=exam, csv_bytes=text.encode("utf-8"), actor=login.user, file=file
        )
        return counted(len(added), "un candidat importat", "candidați importați")

    return settle(session, f"/admin/exams/{exam_id}", step)


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
    document = await read_upload(file, settings)

    def step() -> str:
        version = exams.load_key(session, exam=exam, document=document, actor=login.user)
        return f"grila sigilată nr. {version.number} a fost încărcată"

    return settle(session, f"/admin/exams/{exam_id}", step)
