"""The sheet page: overlay, marks, score, candidate, decisions and annulment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from omr.vocabulary.reasons import Reason
from station.dependencies import SessionDep, SettingsDep
from station.downloads import overlay_response, slip_response
from station.errors import StationError
from station.services import candidates, sheets
from station.services.access import visible_sheet
from station.services.bubbles import bubble_crop, doubts
from station.services.rooms import room_summary
from station.storage.models import AuthSession
from station.web.deps import (
    PageLogin,
    PostLogin,
    confirmed,
    question_number,
    require_worker,
    templates,
)
from station.web.pages import back

router = APIRouter(include_in_schema=False)


@router.get("/sheets/{sheet_id}", response_class=HTMLResponse)
def sheet_page(
    request: Request, sheet_id: int, session: SessionDep, login: PageLogin, mesaj: str = ""
) -> Response:
    view = visible_sheet(session, user=login.user, sheet_id=sheet_id)
    summary = room_summary(session, room=view.room)
    free = [c for c in summary.candidates if summary.sheet_of(c) is None]
    return templates.TemplateResponse(
        request,
        "sheet.html",
        {
            "login": login,
            "view": view,
            "message": mesaj,
            "free_candidates": free,
            "named": view.reading.summary.get("candidate"),  # the number the sheet carries
            "doubts": doubts(view),
            "ink_in_doubt": view.ink_in_doubt,
            "waiting": next_waiting(summary, after=view.reading.id),
        },
    )


def next_waiting(summary, *, after: int) -> int | None:  # noqa: ANN001
    """The room's next sheet waiting for a decision (after ``after``, else the first)."""
    waiting = [s.reading.id for s in summary.sheets if s.status == "waiting"]
    return next((i for i in waiting if i > after), next(iter(waiting), None))


@router.get("/sheets/{sheet_id}/bubbles/{question}/{option}.png")
def crop(
    sheet_id: int,
    question: int,
    option: str,
    session: SessionDep,
    settings: SettingsDep,
    login: PageLogin,
) -> Response:
    view = visible_sheet(session, user=login.user, sheet_id=sheet_id)
    png = bubble_crop(view, settings, question=question, option=option)
    return Response(png, media_type="image/png")


@router.get("/sheets/{sheet_id}/overlay.png")
def overlay(
    sheet_id: int, session: SessionDep, settings: SettingsDep, login: PageLogin
) -> Response:
    return overlay_response(visible_sheet(session, user=login.user, sheet_id=sheet_id), settings)


@router.get("/sheets/{sheet_id}/slip.pdf")
def slip(sheet_id: int, session: SessionDep, settings: SettingsDep, login: PageLogin) -> Response:
    return slip_response(visible_sheet(session, user=login.user, sheet_id=sheet_id), settings)


@router.post("/sheets/{sheet_id}/decisions")
def decide(
    sheet_id: int,
    session: SessionDep,
    login: PostLogin,
    bubble: Annotated[str, Form()],
    state: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    require_worker(login)
    view = visible_sheet(session, user=login.user, sheet_id=sheet_id)
    question, _, option = bubble.partition(":")
    sheets.decide(
        session,
        reading=view.reading,
        question=question_number(question, bubble=bubble, how="alegeți bula din listă"),
        option=option,
        state=state,
        note=note,
        actor=login.user,
    )
    session.commit()
    return back(f"/sheets/{sheet_id}", f"decizie înregistrată pentru bula {question}{option}")


@router.post("/sheets/{sheet_id}/candidate")
def pick(
    sheet_id: int,
    session: SessionDep,
    login: PostLogin,
    number: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    require_worker(login)
    view = visible_sheet(session, user=login.user, sheet_id=sheet_id)
    confirmed(confirm, "atribuirea foii")
    if not reason.strip():
        raise StationError(Reason.REASON_MISSING, what="atribuirea foii")
    candidates.pick_candidate(
        session, reading=view.reading, number=number, actor=login.user, reason=reason
    )
    session.commit()
    return back(f"/sheets/{sheet_id}", f"foaia este a candidatului {number}")


def _confirmed_act(
    session: Session,
    login: AuthSession,
    sheet_id: int,
    act: Callable[..., object],
    *,
    reason: str,
    confirm: str,
    what: str,
    done: str,
) -> Response:
    """An act on a whole sheet that asks for a ticked confirmation and a reason
    (``act(session, reading=…, reason=…, actor=…)``), then back to the sheet saying ``done``."""
    require_worker(login)
    view = visible_sheet(session, user=login.user, sheet_id=sheet_id)
    confirmed(confirm, what)
    act(session, reading=view.reading, reason=reason, actor=login.user)
    session.commit()
    return back(f"/sheets/{sheet_id}", done)


@router.post("/sheets/{sheet_id}/annul")
def annul(
    sheet_id: int,
    session: SessionDep,
    login: PostLogin,
    reason: Annotated[str, Form()],
    confirm: Annotated[str, Form()] = "",
) -> Response:
    return _confirmed_act(
        session,
        login,
        sheet_id,
        sheets.annul,
        reason=reason,
        confirm=confirm,
        what="anularea foii",
        done="foaia a fost anulată",
    )


@router.post("/sheets/{sheet_id}/ink/keep")
def keep_ink(
    sheet_id: int,
    session: SessionDep,
    login: PostLogin,
    reason: Annotated[str, Form()],
    confirm: Annotated[str, Form()] = "",
) -> Response:
    return _confirmed_act(
        session,
        login,
        sheet_id,
        sheets.keep_ink,
        reason=reason,
        confirm=confirm,
        what="păstrarea foii scrise cu altă cerneală",
        done="foaia scrisă cu altă cerneală a fost păstrată",
    )
