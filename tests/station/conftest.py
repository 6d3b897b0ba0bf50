"""Station fixtures: a station on SQLite and on PostgreSQL, with the demo exam and tokens.

PostgreSQL runs when ``STATION_TEST_DATABASE_URL`` names a server (CI starts one with
``.ci/postgres.sh``); locally without it those tests are skipped, in CI they fail.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from station.app import create_app
from station.config import Settings
from station.demo import EXAMPLE, set_up_demo
from station.storage.db import make_engine

PG_URL = os.environ.get("STATION_TEST_DATABASE_URL")
MAX_UPLOAD = 1024 * 1024
USERS = ("admin", "comisie", "sef1", "sef2")


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None (SQLite in the data folder) or a freshly emptied PostgreSQL database."""
    if request.param == "sqlite":
        return None
    if PG_URL is None:
        if os.environ.get("CI"):
            pytest.fail("CI must set STATION_TEST_DATABASE_URL (see .ci/postgres.sh)")
        pytest.skip("no STATION_TEST_DATABASE_URL: PostgreSQL tests skipped locally")
    _reset_postgres(PG_URL)
    return PG_URL


def make_settings(data_dir: Path, database_url: str | None) -> Settings:
    """Test settings: no hot-folder thread, a 1 MB upload limit."""
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        max_upload_bytes=MAX_UPLOAD,
        watch_hot_folder=False,
        hot_poll_seconds=0.05,
        hot_quiet_seconds=0.0,  # the tests' sweeps are the looks: two equal ones take a file
        reading_threads=1,  # sheets numbered in arrival order, as the tests name them
    )


class Station:
    """A running station app with a token per demo user."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.tokens = {
            user: client.post("/api/auth/token", data={"username": user, "password": user}).json()[
                "access_token"
            ]
            for user in USERS
        }

    def headers(self, user: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}

    def call(self, method: str, path: str, user: str | None = "sef1", **kwargs):  # noqa: ANN201
        return self.client.request(method, path, headers=self.headers(user), **kwargs)

    def upload(self, *paths: Path, user: str = "sef1", names: list[str] | None = None, **kwargs):  # noqa: ANN201
        files = [
            ("files", (name, path.read_bytes(), "image/jpeg"))
            for path, name in zip(paths, names or [p.name for p in paths], strict=True)
        ]
        return self.call("POST", "/api/exams/1/scans", user, files=files, **kwargs)

    def wait_read(self, room_id: int = 1, user: str = "sef1", timeout: float = 60) -> dict:
        """The room status once every received scan is read."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.call("GET", f"/api/rooms/{room_id}", user).json()
            if status["unread"] == 0 and not status["reading_now"]:
                return status
            time.sleep(0.05)
        raise AssertionError("the scans were not read in time")

    def sheet(self, sheet_id: int, user: str = "sef1") -> dict:
        return self.call("GET", f"/api/sheets/{sheet_id}", user).json()


@contextmanager
def serve(settings: Settings) -> Iterator[Station]:
    """The demo exam (key loaded, sealed) served with ``settings``."""
    app = create_app(settings)
    with app.state.sessions() as session, session.begin():
        set_up_demo(session, settings, open_key=False)
    with TestClient(app) as client:
        yield Station(client, settings)


@pytest.fixture
def station(tmp_path: Path, database_url: str | None) -> Iterator[Station]:
    """The demo exam (key loaded, sealed) served on ``database_url``."""
    with serve(make_settings(tmp_path / "data", database_url)) as served:
        yield served


@pytest.fixture
def example() -> Path:
    """The bundled example scans."""
    return EXAMPLE


@pytest.fixture
def sessions(station: Station):  # noqa: ANN201
    """The station's session factory (its audit chain keyed)."""
    return station.client.app.state.sessions
