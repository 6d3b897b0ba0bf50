"""The FastAPI application: API, pages, the reading worker and the hot-folder watcher."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from omr.vocabulary.reasons import Reason
from station.api.main import api_router
from station.config import Settings
from station.edge import BodyLimit, SecurityHeaders, bounded_ids, request_invalid
from station.errors import StationError, disk_failure
from station.services import audit
from station.services.hotfolder import HotFolder
from station.services.intake import clear_leftovers
from station.services.throttle import LoginThrottle
from station.services.worker import ReadingWorker
from station.storage.db import make_engine, make_sessions
from station.storage.schema import upgrade
from station.web import (
    admin_pages,
    admin_schedule,
    admin_users,
    api_docs,
    committee_pages,
    pages,
    sheet_pages,
)
from station.web.deps import LoginRequired, templates

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger(__name__)


def _refusal(request: Request, error: StationError) -> Response:
    """A refusal as JSON for the API, as a page (or the login form) for the pages."""
    if request.url.path.startswith("/api"):
        return JSONResponse(
            {"detail": error.message, "reason": error.reason}, status_code=error.status_code
        )
    if isinstance(error, LoginRequired):
        return RedirectResponse("/login", status_code=303)
    return templates.TemplateResponse(
        request, "error.html", {"error": error, "login": None}, status_code=error.status_code
    )


def _invalid(request: Request, error: RequestValidationError) -> Response:
    """A malformed request refused like any other, with its reason."""
    return _refusal(request, request_invalid(error))


def _disk(request: Request, error: Exception) -> Response:
    """A write the disk could not take, refused with its reason (507); any other error
    is a failure of the station (:func:`_failure`)."""
    refusal = disk_failure(error)
    if refusal is None:
        return _failure(request, error)
    return _refusal(request, refusal)


async def _http_error(request: Request, error: HTTPException) -> Response:
    """A page that does not exist (or a method it lacks): a page for people, the
    framework's JSON for the API."""
    if request.url.path.startswith("/api"):
        return await http_exception_handler(request, error)
    refusal = StationError(
        Reason.PAGE_NOT_FOUND, status_code=error.status_code, status=error.status_code
    )
    return _refusal(request, refusal)


def _failure(request: Request, error: Exception) -> Response:
    """A failure of the station itself: logged in English, told in Romanian."""
    log.error("%s %s failed", request.method, request.url.path, exc_info=error)
    refusal = StationError(Reason.INTERNAL_ERROR, status_code=500, error=repr(error))
    return _refusal(request, refusal)


def create_app(settings: Settings) -> FastAPI:
    """The station app over ``settings`` (schema upgraded); threads run while it is served."""
    settings.prepare()
    clear_leftovers(settings)
    engine = make_engine(settings.db_url)
    upgrade(engine)
    sessions = make_sessions(engine)
    audit.seal_sessions(sessions, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = app.state.worker
        worker.start()
        hot = HotFolder(sessions, settings, worker.submit) if settings.watch_hot_folder else None
        if hot is not None:
            hot.start()
        yield
        if hot is not None:
            hot.stop()
        worker.stop()
        engine.dispose()

    app = FastAPI(
        title="Stație de corectură",
        lifespan=lifespan,
        dependencies=[Depends(bounded_ids)],
        docs_url=None,  # the station renders /docs itself, with no asset from elsewhere
        redoc_url=None,
    )
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes, respond=_refusal)
    app.add_middleware(SecurityHeaders)  # the outermost: on every answer, refusals included
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.worker = ReadingWorker(sessions, settings)
    app.state.throttle = LoginThrottle()
    app.add_exception_handler(StationError, _refusal)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(OSError, _disk)
    app.add_exception_handler(OperationalError, _disk)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _failure)
    app.include_router(api_router)
    app.include_router(pages.router)
    app.include_router(sheet_pages.router)
    app.include_router(committee_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(admin_schedule.router)
    app.include_router(admin_users.router)
    app.include_router(api_docs.router)
    return app
