"""The SQL schema as typed SQLAlchemy 2 models. Changes go through a new Alembic revision in `migrations/`.

Member data (anything keyed by a Discord user id) is listed in `MEMBER_COLUMNS`, which the privacy
service uses to export and delete it; `tests/members/test_privacy.py` fails if a table is added without deciding
whether it names members.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.knowledge.roadmap_status import STORED

MAX_ROW_ID = 2**31 - 1  # row ids (goals, reading list entries, logged answers) are 32-bit integers
GOAL_TEXT_MAX = 200
SECTION_ID_MAX = 300
ITEM_ID_MAX = 100
QUESTION_MAX = 2000
NORMALISED_QUESTION_MAX = 500

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive, as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column; use datetime.now(timezone.utc)")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), date: Date(), dict[str, Any]: JSON(), list[str]: JSON()}


# --------------------------------------------------------------------------- 0001: member progress

class Member(Base):
    """A member who has stored something personal (goals, progress, reading list)."""

    __tablename__ = "members"
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime]


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_user_id_completed_at", "user_id", "completed_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("members.user_id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(GOAL_TEXT_MAX))
    target_date: Mapped[date | None]
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class RoadmapProgress(Base):
    """One roadmap item's state for one member; "not started" is the absence of a row."""

    __tablename__ = "roadmap_progress"
    __table_args__ = (CheckConstraint(f"status IN ({', '.join(repr(s.value) for s in STORED)})", name="status"),)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("members.user_id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(ITEM_ID_MAX), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime]


class ReadingItem(Base):
    __tablename__ = "reading_items"
    __table_args__ = (UniqueConstraint("user_id", "section_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("members.user_id", ondelete="CASCADE"))
    section_id: Mapped[str] = mapped_column(String(SECTION_ID_MAX))
    saved_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    # 0002: the section's heading when saved, shown if the section later disappears from the guides.
    title: Mapped[str | None] = mapped_column(String(SECTION_ID_MAX))


# --------------------------------------------------------------------------- 0002: community

class GuildSettings(Base):
    __tablename__ = "guild_settings"
    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    moderator_role_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class GuildAskChannel(Base):
    __tablename__ = "guild_ask_channels"
    guild_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("guild_settings.guild_id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class AnswerLog(Base):
    """A question a member asked and whether the guides answered it."""

    __tablename__ = "answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    question: Mapped[str] = mapped_column(Text)
    answered: Mapped[bool] = mapped_column(Boolean)
    cited_section_ids: Mapped[list[str]]
    created_at: Mapped[datetime] = mapped_column(index=True)


class AnswerVote(Base):
    __tablename__ = "answer_votes"
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    voted_at: Mapped[datetime]


class UnansweredQuestion(Base):
    """An aggregated question the guides did not cover. It holds no user id, by design.

    `guild_id` is 0 for questions asked outside a server (direct messages, the local console), so the
    unique key never contains NULL and the count upsert always finds its row.
    """

    __tablename__ = "unanswered_questions"
    __table_args__ = (UniqueConstraint("guild_id", "question"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    question: Mapped[str] = mapped_column(String(NORMALISED_QUESTION_MAX))
    count: Mapped[int] = mapped_column(Integer)
    first_asked: Mapped[datetime]
    last_asked: Mapped[datetime]


class KnowledgeReload(Base):
    """One reload of the knowledge base: when, by whom (a moderator's user id, if any), and the outcome."""

    __tablename__ = "knowledge_reloads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reloaded_at: Mapped[datetime] = mapped_column(index=True)
    reloaded_by: Mapped[int | None] = mapped_column(BigInteger)
    ok: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[str] = mapped_column(Text)


# --------------------------------------------------------------------------- 0003: shared knowledge

GUIDE_ACTIONS = ("add", "replace", "remove")


class GuideChange(Base):
    """A moderator's change to one guide file (kept forever: a removed guide can be restored from it).

    `content` is the guide's text as uploaded (UTF-8, checked on upload) (for a removal, the text that was served until then) and
    `checksum` its SHA-256; `version` is the knowledge version the change made."""

    __tablename__ = "guide_changes"
    __table_args__ = (CheckConstraint("action IN ('add', 'replace', 'remove')", name="action"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    file_name: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    changed_by: Mapped[int | None] = mapped_column(BigInteger)
    changed_at: Mapped[datetime]


class KnowledgeState(Base):
    """One row (id 1): the knowledge version every process compares with the one it serves."""

    __tablename__ = "knowledge_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime]


# Every column that holds a member's Discord user id, with what deleting that member does to the row:
# "delete" removes the row, "anonymise" sets the column to NULL (the row itself is not about the member).
MEMBER_COLUMNS: dict[str, tuple[str, str]] = {
    "members": ("user_id", "delete"),
    "goals": ("user_id", "delete"),
    "roadmap_progress": ("user_id", "delete"),
    "reading_items": ("user_id", "delete"),
    "answers": ("user_id", "delete"),
    "answer_votes": ("user_id", "delete"),
    "knowledge_reloads": ("reloaded_by", "anonymise"),
    "guide_changes": ("changed_by", "anonymise"),
}
# Tables that never name a member (server configuration, aggregated questions).
MEMBERLESS_TABLES = frozenset({"guild_settings", "guild_ask_channels", "unanswered_questions", "knowledge_state"})
