"""Dependencies both edges use: settings, a storage session, the reading worker, the clock,
the login throttle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from station.config import Settings
from station.services.deadlines import local_now
from station.services.throttle import LoginThrottle
from station.services.worker import ReadingWorker


def get_settings(request: Request) -> Settings:
    """The app's settings (tests override this dependency)."""
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """A storage session for one request; routes commit what they change."""
    with request.app.state.sessions() as session:
        yield session


def get_worker(request: Request) -> ReadingWorker:
    """The reading worker that reads stored scans."""
    return request.app.state.worker


def get_throttle(request: Request) -> LoginThrottle:
    """The station's count of failed logins."""
    return request.app.state.throttle


def client_of(request: Request) -> str:
    """The address a request came from (what a client's failed logins are counted by)."""
    return request.client.host if request.client else "?"


def get_now() -> datetime:
    """The Romanian wall-clock time of a filing (tests override this dependency)."""
    return local_now()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
WorkerDep = Annotated[ReadingWorker, Depends(get_worker)]
ThrottleDep = Annotated[LoginThrottle, Depends(get_throttle)]
Client = Annotated[str, Depends(client_of)]
Now = Annotated[datetime, Depends(get_now)]
