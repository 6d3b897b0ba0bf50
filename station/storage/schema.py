"""The storage's schema, kept by Alembic: upgrade a database, tell its revision.

The migration environment lives in ``station/storage/migrations``; Alembic is configured
here in code, so no ``alembic.ini`` is needed. A database made by station 0.1 (its tables
made by ``create_all``, no ``alembic_version`` table) is stamped at the baseline first.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, inspect

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
# The tables of station 0.1, which the baseline revision creates.
BASELINE_TABLES = frozenset(
    {
        "annulments",
        "answer_keys",
        "audit_log",
        "auth_sessions",
        "batches",
        "candidate_links",
        "candidates",
        "contestations",
        "deadline_exceptions",
        "decisions",
        "exam_schedules",
        "exams",
        "exports",
        "imported_bundles",
        "item_rulings",
        "key_openings",
        "key_publications",
        "national_rankings",
        "readings",
        "refusals",
        "rescan_decisions",
        "rescan_requests",
        "rescan_results",
        "rooms",
        "scans",
        "trusted_stations",
        "users",
    }
)


class SchemaError(Exception):
    """A database the migrations cannot take over (tables of an unknown schema)."""


def alembic_config(url: str | URL) -> Config:
    """Alembic's configuration for the database at ``url``.

    A new revision, for instance: ``command.revision(alembic_config(url), message,
    autogenerate=True)`` against a database at head.
    """
    if isinstance(url, URL):
        url = url.render_as_string(hide_password=False)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The newest revision of the migrations."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision of the database (None: empty, or made before the migrations)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision, in one transaction.

    An empty database is built from nothing; one made by station 0.1 is stamped at the
    baseline first. Raises ``SchemaError`` for tables of neither kind.
    """
    with engine.begin() as connection:
        config = alembic_config(engine.url)
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if tables and "alembic_version" not in tables:
            if not tables >= BASELINE_TABLES:
                missing = ", ".join(sorted(BASELINE_TABLES - tables))
                raise SchemaError(
                    f"the database has tables but no schema revision, and lacks {missing}"
                )
            command.stamp(config, BASELINE)
            log.info("a database of station 0.1: stamped at the baseline %s", BASELINE)
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(config, "head")
        after = MigrationContext.configure(connection).get_current_revision()
    if after != before:
        log.info("schema upgraded from %s to %s", before or "nothing", after)
