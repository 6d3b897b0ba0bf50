"""A sheet in ink of another colour is held until the room head annuls it or keeps it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``ink_kept``."""
    op.create_table(
        "ink_kept",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reading_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("kept_by", sa.Integer(), nullable=False),
        sa.Column("kept_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["kept_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["reading_id"], ["readings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reading_id"),
    )


def downgrade() -> None:
    """Drop ``ink_kept``."""
    op.drop_table("ink_kept")
