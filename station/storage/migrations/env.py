"""Alembic's environment: migrate the connection handed in, or one opened on the URL.

``station.storage.schema`` passes its connection in ``config.attributes["connection"]``
(the whole upgrade is then one transaction of the caller); without one, the URL of the
configuration is opened with the station's own engine settings.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from station.storage import committee, models  # noqa: F401  (the committee's tables too)
from station.storage.db import make_engine


def run_migrations(connection: Connection) -> None:
    """Run the pending migrations on ``connection`` (batch mode, for SQLite)."""
    context.configure(
        connection=connection,
        target_metadata=models.Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


handed_in = context.config.attributes.get("connection")
if handed_in is not None:
    run_migrations(handed_in)
else:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as opened:
        run_migrations(opened)
    engine.dispose()
