"""Initial schema: members, goals, roadmap progress, reading list.

Revision ID: 0001
Revises:
Create Date: 2024-11-21
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_members")),
    )
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("completed_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["members.user_id"], name=op.f("fk_goals_user_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
    )
    op.create_index("ix_goals_user_id_completed_at", "goals", ["user_id", "completed_at"])
    op.create_table(
        "roadmap_progress",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("status IN ('done', 'doing', 'skipped')", name=op.f("ck_roadmap_progress_status")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["members.user_id"], name=op.f("fk_roadmap_progress_user_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "item_id", name=op.f("pk_roadmap_progress")),
    )
    op.create_table(
        "reading_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("section_id", sa.String(length=300), nullable=False),
        sa.Column("saved_at", TS, nullable=False),
        sa.Column("read_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["members.user_id"], name=op.f("fk_reading_items_user_id_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_items")),
        sa.UniqueConstraint("user_id", "section_id", name=op.f("uq_reading_items_user_id")),
    )


def downgrade() -> None:
    op.drop_table("reading_items")
    op.drop_table("roadmap_progress")
    op.drop_index("ix_goals_user_id_completed_at", table_name="goals")
    op.drop_table("goals")
    op.drop_table("members")
