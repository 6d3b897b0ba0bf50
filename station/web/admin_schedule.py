"""The administrator's schedule page of an exam: its time zone, when the results are
published and the windows of contestations and rescan requests (the profile's, or the
exam's own). Times are entered and shown in the exam's time zone; the station keeps UTC."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from omr.scoring.profiles import load_profile
from omr.vocabulary.reasons import Reason
from station.dependencies import SessionDep
from station.errors import StationError
from station.services import deadlines
from station.services.exams import get_exam
from station.web.admin import require_admin, settle
from station.web.deps import PageLogin, PostLogin, templates
from station.words import WINDOW_KINDS

router = APIRouter(prefix="/admin/exams/{exam_id}", include_in_schema=False)
MOMENTS = ("opens", "closes")


@router.get("/schedule", response_class=HTMLResponse)
def schedule_page(
    request: Request, exam_id: int, session: SessionDep, login: PageLogin, mesaj: str = ""
) -> Response:
    require_admin(login)
    exam = get_exam(session, exam_id)
    schedule = deadlines.current_schedule(session, exam=exam)
    return templates.TemplateResponse(
        request,
        "admin_schedule.html",
        {
            "login": login,
            "exam": exam,
            "message": mesaj,
            "published": deadlines.published_wall(session, exam=exam),
            "windows": {
                kind: deadlines.window_of(session, exam=exam, kind=kind) for kind in WINDOW_KINDS
            },
            "profile_windows": load_profile(exam.profile).windows,
            "own": (schedule.windows or {}) if schedule is not None else {},
            "bounds": {
                kind: deadlines.bounds_of(session, exam=exam, kind=kind) for kind in WINDOW_KINDS
            },
            "zones": sorted(available_timezones()),
        },
    )


@router.post("/time-zone")
def set_time_zone(
    exam_id: int, session: SessionDep, login: PostLogin, time_zone: Annotated[str, Form()]
) -> Response:
    require_admin(login)
    exam = get_exam(session, exam_id)

    def step() -> str:
        deadlines.set_time_zone(session, exam=exam, zone=time_zone.strip(), actor=login.user)
        return f"orele examenului se arată acum în fusul orar {exam.time_zone}"

    return settle(session, f"/admin/exams/{exam_id}/schedule", step)


def _number(form: FormData, field: str, what: str, *, whole: bool = False) -> float:
    """A window's count of days (``whole``) or hours; empty is none.

    Raises
    ------
    StationError
        ``windows_invalid``.
    """
    text = str(form.get(field) or "").strip().replace(",", ".")
    if not text:
        return 0
    if not re.fullmatch(r"\d+" if whole else r"\d+(\.\d+)?", text):
        kind = "un număr întreg" if whole else "un număr"
        raise StationError(Reason.WINDOWS_INVALID, problem=f"{what}: „{text}” nu este {kind}")
    return float(text)


def _windows(form: FormData) -> dict[str, Any] | None:
    """The exam's own windows from the form (a kind left unticked keeps the profile's).

    Raises
    ------
    StationError
        ``windows_invalid``.
    """
    own = {}
    for kind, words in WINDOW_KINDS.items():
        if form.get(f"{kind}_own") != "da":
            continue
        window: dict[str, Any] = {"step": form.get(f"{kind}_step") or "filing"}
        for moment in MOMENTS:
            field = f"{kind}_{moment}"
            window[moment] = {
                "days": int(_number(form, f"{field}_days", f"{words}: zilele", whole=True)),
                "hours": _number(form, f"{field}_hours", f"{words}: orele"),
                "at": str(form.get(f"{field}_at") or "").strip() or None,
            }
        own[kind] = window
    return own or None


@router.post("/schedule")
async def set_schedule(
    request: Request,
    exam_id: int,
    session: SessionDep,
    login: PostLogin,
    published_at: Annotated[datetime, Form()],
) -> Response:
    """When the results are published (the exam's wall-clock time) and the windows."""
    require_admin(login)
    exam = get_exam(session, exam_id)
    form = await request.form()

    def step() -> str:
        deadlines.set_schedule(
            session, exam=exam, published_at=published_at, windows=_windows(form), actor=login.user
        )
        return "programul examenului a fost înregistrat"

    return settle(session, f"/admin/exams/{exam_id}/schedule", step)
