"""A ruling's item names every variant's position (``A150+B12+C130+D199``): 64 characters.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Widen ``item_rulings.item`` to 64 characters."""
    with op.batch_alter_table("item_rulings") as table:
        table.alter_column("item", existing_type=sa.String(length=16), type_=sa.String(length=64))


def downgrade() -> None:
    """Narrow ``item_rulings.item`` back to 16 characters."""
    with op.batch_alter_table("item_rulings") as table:
        table.alter_column("item", existing_type=sa.String(length=64), type_=sa.String(length=16))
