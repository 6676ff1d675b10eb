"""The knowledge base every bot process shares: moderators' guide changes and a knowledge version.

`guide_changes` keeps every `/kb add`, replace and remove (file name, the guide's text, its SHA-256, who
and when); nothing is ever deleted, so a removed guide can be restored from its row. The served
knowledge is the bundled `knowledge/` folder with the newest change of each file name applied.
`knowledge_state` is one row whose `version` goes up with each change and each reload; processes
compare it with the version they serve.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "guide_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("file_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("changed_by", sa.BigInteger(), nullable=True),
        sa.Column("changed_at", TS, nullable=False),
        sa.CheckConstraint("action IN ('add', 'replace', 'remove')", name=op.f("ck_guide_changes_action")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_changes")),
    )
    op.create_index(op.f("ix_guide_changes_file_name"), "guide_changes", ["file_name"])
    state = op.create_table(
        "knowledge_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_state")),
    )
    now = datetime.now(timezone.utc)
    if op.get_context().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # as models.UTCDateTime stores it
    op.bulk_insert(state, [{"id": 1, "version": 0, "changed_at": now}])


def downgrade() -> None:
    op.drop_table("knowledge_state")
    op.drop_index(op.f("ix_guide_changes_file_name"), table_name="guide_changes")
    op.drop_table("guide_changes")
