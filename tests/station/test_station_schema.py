"""Schema migrations: the baseline builds the models' schema, a 0.1 database is taken over.

``fixtures/station-0.1.sqlite`` was made by station 0.1 (``create_all``): the demo exam,
its rooms, candidates and users, the key opened in SALA-1, one scan uploaded and read.
On PostgreSQL its rows are loaded into tables made by the baseline without the version
table, as 0.1 made them.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, create_engine, func, inspect, select, text

from station.app import create_app
from station.cli import main as station_main
from station.services.audit import Seal, seal_sessions, verify_chain
from station.services.reading import SUMMARY_FIELDS, summary_of
from station.storage import committee  # noqa: F401  (the committee's tables)
from station.storage.db import make_engine, make_sessions
from station.storage.models import Base, Exam, Reading, Room, Scan, User
from station.storage.schema import (
    BASELINE,
    BASELINE_TABLES,
    SchemaError,
    alembic_config,
    current_revision,
    head_revision,
    upgrade,
)
from tests.station.conftest import make_settings

FIXTURE = Path(__file__).parent / "fixtures" / "station-0.1.sqlite"
FIXTURE_SCAN = "06dad186cdcd52b5e45342cec6702c22003dbbb7390ee2f7324a062d98c2e504"


def summary_revision() -> ModuleType:
    """Revision 0009's module (its file name is no importable name)."""
    name = "0009_a_reading_s_summary_beside_its_document"
    return importlib.import_module(f"station.storage.migrations.versions.{name}")


@pytest.fixture
def engine(database_url: str | None, tmp_path: Path) -> Iterator[Engine]:
    """An empty database: SQLite in ``tmp_path`` or the emptied PostgreSQL one."""
    engine = make_engine(database_url or f"sqlite:///{tmp_path / 'station.db'}")
    yield engine
    engine.dispose()


def _differences(engine: Engine) -> list:
    """What autogenerate would change to bring the database to the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def _run(engine: Engine, step: str, revision: str) -> None:
    """Alembic's ``upgrade``/``downgrade`` to ``revision`` on the engine's connection."""
    with engine.begin() as connection:
        config = alembic_config(engine.url)
        config.attributes["connection"] = connection
        getattr(command, step)(config, revision)


def _load_fixture_into_postgres(engine: Engine, tmp_path: Path) -> None:
    """The 0.1 fixture's schema (the baseline, no version table) and rows, on ``engine``."""
    _run(engine, "upgrade", BASELINE)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    copy = tmp_path / "fixture.sqlite"
    shutil.copy(FIXTURE, copy)
    source = create_engine(f"sqlite:///{copy}")
    old, new = MetaData(), MetaData()
    old.reflect(source)
    new.reflect(engine)
    with source.connect() as reading, engine.begin() as writing:
        for table in old.sorted_tables:
            rows = [dict(row._mapping) for row in reading.execute(table.select())]
            if rows:
                writing.execute(new.tables[table.name].insert(), rows)
                writing.execute(  # the ids were given: the sequence goes on after them
                    text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :last)"),
                    {"last": max(row["id"] for row in rows)},
                )
    source.dispose()


def _old_database(database_url: str | None, data: Path) -> str:
    """The URL of a database made by station 0.1 (SQLite: in the data folder ``data``)."""
    if database_url is None:
        data.mkdir(parents=True)
        shutil.copy(FIXTURE, data / "station.db")
        return f"sqlite:///{data / 'station.db'}"
    engine = make_engine(database_url)
    _load_fixture_into_postgres(engine, data.parent)
    engine.dispose()
    return database_url


def test_upgrade_from_nothing_builds_the_models_schema(engine: Engine) -> None:
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert _differences(engine) == []
    command.check(alembic_config(engine.url))  # the same through env.py on its own URL


def test_the_baseline_is_the_0_1_tables_and_downgrades_to_nothing(engine: Engine) -> None:
    _run(engine, "upgrade", BASELINE)
    assert set(inspect(engine).get_table_names()) == BASELINE_TABLES | {"alembic_version"}
    _run(engine, "downgrade", "base")
    assert inspect(engine).get_table_names() == ["alembic_version"]
    assert current_revision(engine) is None


def test_a_database_of_station_0_1_is_stamped_and_upgraded(
    database_url: str | None, tmp_path: Path
) -> None:
    engine = make_engine(_old_database(database_url, tmp_path / "data"))
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert _differences(engine) == []
    settings = make_settings(tmp_path / "data", database_url)
    sessions = make_sessions(engine)
    seal_sessions(sessions, settings)  # the chain of station 0.1 stays readable, unkeyed
    with sessions() as session:
        assert session.scalars(select(Exam.code)).all() == ["SPEC-2026-RAD"]
        assert sorted(session.scalars(select(Room.code))) == ["SALA-1", "SALA-2"]
        assert sorted(session.scalars(select(User.username))) == [
            "admin",
            "comisie",
            "sef1",
            "sef2",
        ]
        assert session.scalars(select(Scan.sha256)).all() == [FIXTURE_SCAN]
        reading = session.scalars(select(Reading)).one()
        assert (reading.status, reading.serial, reading.scan.sha256) == ("ok", 1, FIXTURE_SCAN)
        assert verify_chain(session, Seal.of(settings)) == []
    engine.dispose()


def test_serve_takes_over_a_0_1_database_on_start(database_url: str | None, tmp_path: Path) -> None:
    url = _old_database(database_url, tmp_path / "data")
    app = create_app(make_settings(tmp_path / "data", database_url))
    with TestClient(app) as client:
        login = client.post("/api/auth/token", data={"username": "sef1", "password": "sef1"})
        token = login.json()["access_token"]
        room = client.get("/api/rooms/1", headers={"Authorization": f"Bearer {token}"}).json()
    assert [(sheet["candidate"], sheet["total"]) for sheet in room["sheets"]] == [("00101", "9.40")]
    engine = make_engine(url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_tables_of_another_schema_are_refused(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY)"))
    with pytest.raises(SchemaError, match="no schema revision.*audit_log"):
        upgrade(engine)
    assert inspect(engine).get_table_names() == ["users"]


def test_db_upgrade_then_current(database_url: str | None, tmp_path: Path, capsys) -> None:
    storage = ["--data", str(tmp_path)] + (["--db", database_url] if database_url else [])
    assert station_main(["db", "current", *storage]) == (2 if database_url is None else 0)
    capsys.readouterr()
    assert station_main(["db", "upgrade", *storage]) == 0
    assert capsys.readouterr().out == f"schema at revision {head_revision()} (head)\n"
    assert station_main(["db", "current", *storage]) == 0
    assert capsys.readouterr().out == f"{head_revision()} (head)\n"
    engine = make_engine(database_url or f"sqlite:///{tmp_path / 'station.db'}")
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Exam.__table__)) == 0
    engine.dispose()


def test_db_current_of_a_0_1_database_is_not_head(tmp_path: Path, capsys) -> None:
    _old_database(None, tmp_path / "data")
    assert station_main(["db", "current", "--data", str(tmp_path / "data")]) == 0
    assert "no revision (not head" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["db", "upgrade", "--data", "{tmp}/missing"], "no folder {tmp}/missing"),
        (["db", "current", "--data", "{tmp}"], "no database at {tmp}/station.db"),
        (
            ["db", "upgrade", "--db", "postgresql+psycopg://station:secret@/x?host={tmp}"],
            "postgresql+psycopg://station:***@/x",
        ),
        (["db", "current", "--db", "no url"], "Could not parse"),
        (["serve", "--data", "{tmp}/data", "--db", "nosuchdb://"], "nosuchdb://"),
        (["audit", "verify", "--data", "{tmp}"], "no station key in {tmp}"),
        (["verify", "--data", "{tmp}"], "no station key in {tmp}"),
    ],
)
def test_storage_commands_fail_in_one_line(
    argv: list[str], said: str, tmp_path: Path, capsys
) -> None:
    argv = [arg.format(tmp=tmp_path) for arg in argv]
    assert station_main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith(f"station {argv[0]}")
    assert said.format(tmp=tmp_path) in captured.err
    assert "secret" not in captured.err


def test_the_publication_of_the_results_moves_to_utc_and_back(
    database_url: str | None, tmp_path: Path
) -> None:
    """0008: a schedule stated in the exam's wall-clock time (14:00 in Bucharest, summer
    time) is stored as 11:00 UTC; the downgrade gives 14:00 back."""
    engine = make_engine(_old_database(database_url, tmp_path / "data"))
    upgrade(engine)
    _run(engine, "downgrade", "0007")
    with engine.begin() as connection:
        user = connection.execute(text("SELECT id FROM users ORDER BY id")).first()[0]
        connection.execute(
            text(
                "INSERT INTO exam_schedules (exam_id, published_at, set_by, set_at)"
                " VALUES (1, :moment, :user, :moment)"
            ).bindparams(moment=datetime(2026, 6, 1, 14, 0), user=user)
        )
    published = text("SELECT published_at FROM exam_schedules")
    _run(engine, "upgrade", "0008")
    with engine.connect() as connection:
        assert str(connection.execute(published).scalar()).startswith("2026-06-01 11:00")
    _run(engine, "downgrade", "0007")
    with engine.connect() as connection:
        assert str(connection.execute(published).scalar()).startswith("2026-06-01 14:00")
    engine.dispose()


def test_the_readings_stored_before_get_their_summary(
    database_url: str | None, tmp_path: Path
) -> None:
    """0009: each reading's summary is the part of its document the room view and scoring
    read (the migration's fields are the station's); the downgrade drops it."""
    assert SUMMARY_FIELDS == summary_revision().SUMMARY_FIELDS
    engine = make_engine(_old_database(database_url, tmp_path / "data"))
    upgrade(engine)
    _run(engine, "downgrade", "0008")
    assert "summary" not in {c["name"] for c in inspect(engine).get_columns("readings")}
    _run(engine, "upgrade", "0009")
    with make_sessions(engine)() as session:
        reading = session.scalars(select(Reading)).one()
        assert reading.summary == summary_of(reading.document)
        assert set(reading.summary) == set(SUMMARY_FIELDS)
        assert len(reading.summary["answers"]) == 50 and "bubbles" in reading.document
    engine.dispose()
