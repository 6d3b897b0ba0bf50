"""The FastAPI application: API, pages, the reading worker and the hot-folder watcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from station.api.main import api_router
from station.config import Settings
from station.errors import StationError
from station.services import audit
from station.services.hotfolder import HotFolder
from station.services.worker import ReadingWorker
from station.storage.db import make_engine, make_sessions
from station.storage.schema import upgrade
from station.web import committee_pages, pages, sheet_pages
from station.web.deps import LoginRequired, templates


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


def create_app(settings: Settings) -> FastAPI:
    """The station app over ``settings`` (schema upgraded); threads run while it is served."""
    settings.prepare()
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

    app = FastAPI(title="Stație de corectură", lifespan=lifespan)
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.worker = ReadingWorker(sessions, settings)
    app.add_exception_handler(StationError, _refusal)
    app.include_router(api_router)
    app.include_router(pages.router)
    app.include_router(sheet_pages.router)
    app.include_router(committee_pages.router)
    return app
