"""An exam's time zone: the times people read are shown in it (they are stored in UTC).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``exams.time_zone`` (Europe/Bucharest for the exams already there)."""
    with op.batch_alter_table("exams") as table:
        table.add_column(
            sa.Column(
                "time_zone",
                sa.String(length=64),
                nullable=False,
                server_default="Europe/Bucharest",
            )
        )


def downgrade() -> None:
    """Drop ``exams.time_zone``."""
    with op.batch_alter_table("exams") as table:
        table.drop_column("time_zone")
