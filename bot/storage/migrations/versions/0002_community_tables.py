"""Community tables for the Discord bot, and a title snapshot on reading-list entries.

Adds per-server settings and ask channels, the answers log with feedback votes, aggregated unanswered
questions (no user ids), and the knowledge reload audit. Reading-list entries gain `title`, the
section heading when saved, so an entry whose section later leaves the guides still reads well;
existing entries keep NULL and show their section id.

Revision ID: 0002
Revises: 0001
Create Date: 2024-11-21
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("reading_items") as batch:
        batch.add_column(sa.Column("title", sa.String(length=300), nullable=True))

    op.create_table(
        "guild_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("moderator_role_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_guild_settings")),
    )
    op.create_table(
        "guild_ask_channels",
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guild_settings.guild_id"],
            name=op.f("fk_guild_ask_channels_guild_id_guild_settings"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("guild_id", "channel_id", name=op.f("pk_guild_ask_channels")),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("cited_section_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
    )
    op.create_index(op.f("ix_answers_user_id"), "answers", ["user_id"])
    op.create_index(op.f("ix_answers_created_at"), "answers", ["created_at"])
    op.create_table(
        "answer_votes",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("voted_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answers.id"], name=op.f("fk_answer_votes_answer_id_answers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("answer_id", "user_id", name=op.f("pk_answer_votes")),
    )
    op.create_index(op.f("ix_answer_votes_user_id"), "answer_votes", ["user_id"])
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_asked", TS, nullable=False),
        sa.Column("last_asked", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered_questions")),
        sa.UniqueConstraint("guild_id", "question", name=op.f("uq_unanswered_questions_guild_id")),
    )
    op.create_table(
        "knowledge_reloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reloaded_at", TS, nullable=False),
        sa.Column("reloaded_by", sa.BigInteger(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_reloads")),
    )
    op.create_index(op.f("ix_knowledge_reloads_reloaded_at"), "knowledge_reloads", ["reloaded_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_knowledge_reloads_reloaded_at"), table_name="knowledge_reloads")
    op.drop_table("knowledge_reloads")
    op.drop_table("unanswered_questions")
    op.drop_index(op.f("ix_answer_votes_user_id"), table_name="answer_votes")
    op.drop_table("answer_votes")
    op.drop_index(op.f("ix_answers_created_at"), table_name="answers")
    op.drop_index(op.f("ix_answers_user_id"), table_name="answers")
    op.drop_table("answers")
    op.drop_table("guild_ask_channels")
    op.drop_table("guild_settings")
    with op.batch_alter_table("reading_items") as batch:
        batch.drop_column("title")
