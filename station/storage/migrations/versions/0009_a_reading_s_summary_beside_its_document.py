"""A reading's summary beside its document: the fields the room view and scoring read, so
a room's sheets are listed without decoding every reading's bubbles.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The fields of a reading page that scoring reads (``omr.scoring.score.ReadingPage``'s, as
# they were when this revision was written; the station keeps its own list in step).
SUMMARY_FIELDS = (
    "source",
    "template",
    "exam",
    "variant",
    "serial",
    "candidate",
    "codes",
    "status",
    "reasons",
    "answers",
    "warnings",
)
READINGS = sa.table(
    "readings",
    sa.column("id", sa.Integer),
    sa.column("document", sa.JSON),
    sa.column("summary", sa.JSON),
)
BATCH = 500  # readings back-filled at a time (each document is some 40 KB)


def _back_fill() -> None:
    """Each stored reading's summary, taken from its document."""
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(READINGS.c.id, READINGS.c.document)
            .where(READINGS.c.id > last)
            .order_by(READINGS.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row_id, document in rows:
            summary = {name: document[name] for name in SUMMARY_FIELDS if name in document}
            connection.execute(
                READINGS.update().where(READINGS.c.id == row_id).values(summary=summary)
            )
        last = rows[-1][0]


def upgrade() -> None:
    """Add ``readings.summary``, filled from each reading's document (added with a default,
    as SQLite adds a NOT NULL column: no table rebuilt under the foreign keys)."""
    op.add_column("readings", sa.Column("summary", sa.JSON(), nullable=False, server_default="{}"))
    _back_fill()


def downgrade() -> None:
    """Drop ``readings.summary`` (the documents hold it whole)."""
    op.drop_column("readings", "summary")
