"""The engine: SQLite in the data folder (WAL, foreign keys, one writer) or PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def canonical_json(value: Any) -> str:
    """A JSON value's canonical text (keys sorted, UTF-8 kept, any other value as its str):
    what the audit chain hashes."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


class Encoded(dict[str, Any]):
    """A JSON object with its canonical text made once, when it is built (not to be changed
    after): a reading's document, stored as that text and hashed from it."""

    def __init__(self, value: dict[str, Any]) -> None:
        super().__init__(value)
        self.text = canonical_json(value)


def _json_text(value: Any) -> str:
    """How a JSON column's value is stored: an :class:`Encoded` object as its text."""
    return value.text if isinstance(value, Encoded) else json.dumps(value)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and ``BEGIN IMMEDIATE``.

    Every SQLite transaction takes the write lock at its start, so two writers (a
    request and the reading worker) queue instead of failing halfway.
    """
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, json_serializer=_json_text)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        json_serializer=_json_text,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(connection, _record) -> None:  # noqa: ANN001
        connection.isolation_level = None
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # noqa: ANN001
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory over ``engine`` (its schema is ``station.storage.schema``'s job)."""
    return sessionmaker(engine, expire_on_commit=False)
