"""The publication of the results stored in UTC, like every other time of the station
(it was the exam's wall-clock time).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:45:00
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEDULES = sa.table(
    "exam_schedules",
    sa.column("id", sa.Integer),
    sa.column("exam_id", sa.Integer),
    sa.column("published_at", sa.DateTime),
)
EXAMS = sa.table("exams", sa.column("id", sa.Integer), sa.column("time_zone", sa.String))


def _convert(change: Callable[[datetime, ZoneInfo], datetime]) -> None:
    """Rewrite each schedule's ``published_at`` by ``change`` in its exam's time zone."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(SCHEDULES.c.id, SCHEDULES.c.published_at, EXAMS.c.time_zone).join(
            EXAMS, EXAMS.c.id == SCHEDULES.c.exam_id
        )
    ).all()
    for row_id, published, zone in rows:
        connection.execute(
            SCHEDULES.update()
            .where(SCHEDULES.c.id == row_id)
            .values(published_at=change(published, ZoneInfo(zone)))
        )


def upgrade() -> None:
    """Wall-clock times of the exam's zone become UTC."""
    _convert(lambda wall, zone: wall.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None))


def downgrade() -> None:
    """UTC becomes the exam's wall-clock time again."""
    _convert(lambda utc, zone: utc.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None))
