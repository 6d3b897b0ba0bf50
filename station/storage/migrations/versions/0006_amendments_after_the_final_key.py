"""Committee acts after the final key's publication, and its republications.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``publication_amendments`` and ``key_republications``."""
    op.create_table(
        "publication_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("act", sa.String(length=64), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.Column("made_by", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["made_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["publication_id"], ["key_publications.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "key_republications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("last_amendment_id", sa.Integer(), nullable=False),
        sa.Column("republished_by", sa.Integer(), nullable=False),
        sa.Column("republished_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["last_amendment_id"], ["publication_amendments.id"]),
        sa.ForeignKeyConstraint(["publication_id"], ["key_publications.id"]),
        sa.ForeignKeyConstraint(["republished_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    """Drop ``key_republications`` and ``publication_amendments``."""
    op.drop_table("key_republications")
    op.drop_table("publication_amendments")
