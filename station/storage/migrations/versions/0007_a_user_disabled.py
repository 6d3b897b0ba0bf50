"""A user disabled by an administrator: the account no longer logs in.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``users.disabled_at`` (every user there is enabled)."""
    with op.batch_alter_table("users") as table:
        table.add_column(sa.Column("disabled_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Drop ``users.disabled_at``."""
    with op.batch_alter_table("users") as table:
        table.drop_column("disabled_at")
