"""Page dependencies: the cookie login, its CSRF token and the templates."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from omr.vocabulary.reasons import Reason
from station.config import Settings
from station.dependencies import SessionDep
from station.errors import StationError, forbidden
from station.services.users import find_session
from station.storage.models import AuthSession
from station.web.words import add_words

COOKIE = "station_session"
_QUESTION = re.compile(r"[0-9]{1,4}")
templates = Jinja2Templates(
    env=add_words(
        Environment(
            loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
            autoescape=select_autoescape(default=True),
        )
    )
)


def storage_low(request: Request) -> bool:
    """Whether the data folder's disk has less free space than the settings ask for."""
    settings: Settings = request.app.state.settings
    try:
        return shutil.disk_usage(settings.data_dir).free < settings.min_free_bytes
    except OSError:
        return True


templates.env.globals["storage_low"] = storage_low


class LoginRequired(StationError):
    """No valid cookie: the pages redirect to the login form."""


def get_login(request: Request, session: SessionDep) -> AuthSession:
    """The cookie login of the page request.

    Raises
    ------
    LoginRequired
        Without a valid cookie (401).
    """
    token = request.cookies.get(COOKIE)
    login = token and find_session(session, token=token, kind="cookie")
    if not login:
        raise LoginRequired(Reason.NOT_AUTHENTICATED, status_code=401, how="autentificați-vă")
    return login


PageLogin = Annotated[AuthSession, Depends(get_login)]


def checked_login(login: PageLogin, csrf: Annotated[str, Form()] = "") -> AuthSession:
    """The login of a form post whose CSRF token matches.

    Raises
    ------
    StationError
        ``csrf_invalid`` (403).
    """
    if csrf != login.csrf:
        raise StationError(Reason.CSRF_INVALID, status_code=403)
    return login


PostLogin = Annotated[AuthSession, Depends(checked_login)]


def question_number(text: str, *, bubble: str, how: str) -> int:
    """The question number a form field names (ASCII digits only: ``²`` is no number).

    Raises
    ------
    StationError
        ``bubble_invalid`` (400), saying ``how`` a bubble is written.
    """
    if not _QUESTION.fullmatch(text):
        raise StationError(Reason.BUBBLE_INVALID, bubble=f"„{bubble}”", problem=how)
    return int(text)


def require_worker(login: AuthSession) -> None:
    """Only a room head or an administrator acts on sheets.

    Raises
    ------
    StationError
        ``forbidden`` (403).
    """
    if login.user.role not in ("room_head", "admin"):
        raise forbidden("doar șeful de sală sau administratorul poate face această acțiune")


def confirmed(confirm: str, what: str) -> None:
    """Refuse an act whose confirmation box was not ticked.

    Raises
    ------
    StationError
        ``confirmation_missing``.
    """
    if confirm != "da":
        raise StationError(Reason.CONFIRMATION_MISSING, what=what)
