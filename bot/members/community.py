"""What the Discord side stores beyond a member's own progress: the answers log and its feedback votes,
questions the guides did not cover, per-server settings, and the knowledge reload audit.

Unanswered questions are aggregated text with a count and no user id. Mentions and other Discord ids
are stripped from every stored question, so no row names a member other than through its user id.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError

from bot.errors import DomainError, LimitReached, NotFound
from bot.storage.database import Database
from bot.storage.models import (
    NORMALISED_QUESTION_MAX,
    QUESTION_MAX,
    AnswerLog,
    AnswerVote,
    GuildAskChannel,
    GuildSettings,
    KnowledgeReload,
    UnansweredQuestion,
)
from bot.storage.queries import Clock, check_user_id, get_row, rows_changed, storable, upsert, utcnow

NO_GUILD = 0  # unanswered questions asked outside a server
_EDGE_PUNCTUATION = " \t?!.,;:-–—\"'“”‘’()[]"


_MENTION_WORDS = {"@": "@member", "@!": "@member", "@&": "@role", "#": "#channel"}
_DISCORD_PARTS = re.compile(r"<(@[!&]?|#)\d+>|<a?(:\w+:)\d+>|\b\d{15,21}\b")  # mentions, custom emoji, raw ids


def strip_discord_ids(text: str) -> str:
    """The text with mentions, custom emoji and raw snowflakes replaced by id-free placeholders, so a
    logged question never names another member."""
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return _MENTION_WORDS[match.group(1)]
        return match.group(2) or "[id]"
    return _DISCORD_PARTS.sub(replace, storable(text))


def normalise_question(text: str) -> str:
    """Case-folded, whitespace-collapsed question text without mentions, emoji or other Discord ids."""
    text = _DISCORD_PARTS.sub(" ", unicodedata.normalize("NFKC", storable(text)))
    text = " ".join(text.casefold().split()).strip(_EDGE_PUNCTUATION)
    return text[:NORMALISED_QUESTION_MAX].rstrip()


@dataclass(frozen=True)
class VoteTally:
    answer_id: int
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class Gap:
    question: str
    count: int
    last_asked: datetime


@dataclass(frozen=True)
class AnswerFeedback:
    answer_id: int
    question: str
    answered: bool
    cited_section_ids: tuple[str, ...]
    created_at: datetime
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class AnswerRecord:
    id: int
    guild_id: int | None
    question: str
    answered: bool
    cited_section_ids: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    ask_channel_ids: tuple[int, ...]
    moderator_role_id: int | None


@dataclass(frozen=True)
class ReloadRecord:
    reloaded_at: datetime
    reloaded_by: int | None
    ok: bool
    summary: str


class CommunityService:
    def __init__(self, db: Database, *, clock: Clock = utcnow, max_ask_channels: int = 25) -> None:
        self.db = db
        self.clock = clock
        self.max_ask_channels = max_ask_channels

    # ------------------------------------------------------------------ answers and votes

    async def record_answer(self, user_id: int, question: str, *, answered: bool,
                            cited_section_ids: Iterable[str] = (), guild_id: int | None = None,
                            count_unanswered: bool = False) -> int:
        """Log a question (Discord ids stripped) and its outcome; returns the id feedback votes refer to.
        With `count_unanswered`, a question the guides did not cover is also counted for /kb gaps, in the
        same transaction."""
        check_user_id(user_id)
        now = self.clock()
        row = AnswerLog(user_id=user_id, guild_id=guild_id, question=strip_discord_ids(question)[:QUESTION_MAX],
                        answered=bool(answered), cited_section_ids=list(cited_section_ids), created_at=now)
        text = normalise_question(question) if count_unanswered and not answered else ""
        async with self.db.write() as session:
            session.add(row)
            await session.flush()
            if text:
                await self._count_unanswered(session, guild_id, text, now)
            return row.id

    async def get_answer(self, answer_id: int) -> AnswerRecord:
        """A logged answer (for the buttons under it); NotFound once it has been deleted."""
        async with self.db.read() as session:
            row = await get_row(session, AnswerLog, answer_id)
        if row is None:
            raise NotFound("That answer is no longer stored (it may have been deleted).")
        return AnswerRecord(row.id, row.guild_id, row.question, row.answered, tuple(row.cited_section_ids),
                            row.created_at)

    async def vote(self, answer_id: int, user_id: int, helpful: bool) -> VoteTally:
        """Record a member's vote on an answer; voting again replaces their earlier vote."""
        check_user_id(user_id)
        now = self.clock()
        try:
            async with self.db.write() as session:
                if await get_row(session, AnswerLog, answer_id) is None:
                    raise NotFound("That answer is no longer available for feedback.")
                values = {"answer_id": answer_id, "user_id": user_id, "helpful": bool(helpful), "voted_at": now}
                await upsert(session, AnswerVote, values, ["answer_id", "user_id"],
                             {"helpful": bool(helpful), "voted_at": now})
                return await self._tally(session, answer_id)
        except IntegrityError:  # the answer was deleted between the check and the vote
            raise NotFound("That answer is no longer available for feedback.") from None

    async def tally(self, answer_id: int) -> VoteTally:
        async with self.db.read() as session:
            return await self._tally(session, answer_id)

    @staticmethod
    async def _tally(session, answer_id: int) -> VoteTally:
        stmt = select(func.count(case((AnswerVote.helpful.is_(True), 1))),
                      func.count(case((AnswerVote.helpful.is_(False), 1)))).where(AnswerVote.answer_id == answer_id)
        helpful, not_helpful = (await session.execute(stmt)).one()
        return VoteTally(answer_id, int(helpful), int(not_helpful))

    async def not_helpful(self, guild_id: int | None = None, limit: int = 20) -> list[AnswerFeedback]:
        """Answers with at least one not-helpful vote, most not-helpful first (no user ids)."""
        helpful = func.count(case((AnswerVote.helpful.is_(True), 1)))
        unhelpful = func.count(case((AnswerVote.helpful.is_(False), 1)))
        stmt = (select(AnswerLog, helpful, unhelpful).join(AnswerVote, AnswerVote.answer_id == AnswerLog.id)
                .group_by(AnswerLog.id).having(unhelpful > 0)
                .order_by(unhelpful.desc(), AnswerLog.created_at.desc()).limit(limit))
        if guild_id is not None:
            stmt = stmt.where(AnswerLog.guild_id == guild_id)
        async with self.db.read() as session:
            rows = (await session.execute(stmt)).all()
        return [AnswerFeedback(a.id, a.question, a.answered, tuple(a.cited_section_ids), a.created_at, int(h), int(n))
                for a, h, n in rows]

    # ------------------------------------------------------------------ unanswered questions

    async def record_unanswered(self, guild_id: int | None, question: str) -> int:
        """Count a question the guides did not cover; returns how often it has now been asked."""
        text = normalise_question(question)
        if not text:
            raise DomainError("There is no question to record.")
        async with self.db.write() as session:
            return await self._count_unanswered(session, guild_id, text, self.clock())

    @staticmethod
    async def _count_unanswered(session, guild_id: int | None, text: str, now) -> int:
        guild = guild_id or NO_GUILD
        values = {"guild_id": guild, "question": text, "count": 1, "first_asked": now, "last_asked": now}
        await upsert(session, UnansweredQuestion, values, ["guild_id", "question"],
                     {"count": UnansweredQuestion.count + 1, "last_asked": now})
        stmt = select(UnansweredQuestion.count).where(UnansweredQuestion.guild_id == guild,
                                                      UnansweredQuestion.question == text)
        return int((await session.execute(stmt)).scalar_one())

    async def gaps(self, guild_id: int | None = None, limit: int = 20) -> list[Gap]:
        """The most asked uncovered questions: for one server, or summed over all when guild_id is None."""
        count = func.sum(UnansweredQuestion.count)
        last = func.max(UnansweredQuestion.last_asked)
        stmt = (select(UnansweredQuestion.question, count, last).group_by(UnansweredQuestion.question)
                .order_by(count.desc(), last.desc(), UnansweredQuestion.question).limit(limit))
        if guild_id is not None:
            stmt = stmt.where(UnansweredQuestion.guild_id == guild_id)
        async with self.db.read() as session:
            rows = (await session.execute(stmt)).all()
        return [Gap(q, int(c), t) for q, c, t in rows]

    # ------------------------------------------------------------------ server settings

    async def guild_settings(self, guild_id: int) -> GuildConfig:
        async with self.db.read() as session:
            return await self._config(session, guild_id)

    async def all_ask_channels(self) -> dict[int, frozenset[int]]:
        """Every server's ask channels, in one statement (a bot loads them all at start, so an outage
        that starts later leaves its help channels answering); servers without any are left out."""
        async with self.db.read() as session:
            rows = await session.execute(select(GuildAskChannel.guild_id, GuildAskChannel.channel_id))
            found: dict[int, set[int]] = {}
            for guild_id, channel_id in rows:
                found.setdefault(guild_id, set()).add(channel_id)
        return {guild_id: frozenset(channels) for guild_id, channels in found.items()}

    @staticmethod
    async def _config(session, guild_id: int) -> GuildConfig:
        settings = await session.get(GuildSettings, guild_id)
        channels = (await session.execute(select(GuildAskChannel.channel_id).where(
            GuildAskChannel.guild_id == guild_id).order_by(GuildAskChannel.channel_id))).scalars()
        return GuildConfig(guild_id, tuple(channels), settings.moderator_role_id if settings else None)

    async def _lock_guild(self, session, guild_id: int) -> None:
        now = self.clock()
        await upsert(session, GuildSettings, {"guild_id": guild_id, "updated_at": now}, ["guild_id"],
                     {"updated_at": now})
        await session.execute(select(GuildSettings.guild_id).where(GuildSettings.guild_id == guild_id).with_for_update())

    async def add_ask_channel(self, guild_id: int, channel_id: int) -> GuildConfig:
        async with self.db.write() as session:
            await self._lock_guild(session, guild_id)
            config = await self._config(session, guild_id)
            if channel_id not in config.ask_channel_ids:
                if len(config.ask_channel_ids) >= self.max_ask_channels:
                    raise LimitReached(f"This server already has {self.max_ask_channels} ask channels; remove one first.")
                session.add(GuildAskChannel(guild_id=guild_id, channel_id=channel_id))
                await session.flush()
            return await self._config(session, guild_id)

    async def remove_ask_channel(self, guild_id: int, channel_id: int) -> GuildConfig:
        async with self.db.write() as session:
            await self._lock_guild(session, guild_id)
            removed = await rows_changed(session, delete(GuildAskChannel).where(
                GuildAskChannel.guild_id == guild_id, GuildAskChannel.channel_id == channel_id))
            if not removed:
                raise NotFound("That channel is not an ask channel.")
            return await self._config(session, guild_id)

    async def set_moderator_role(self, guild_id: int, role_id: int | None) -> GuildConfig:
        now = self.clock()
        async with self.db.write() as session:
            await upsert(session, GuildSettings, {"guild_id": guild_id, "moderator_role_id": role_id, "updated_at": now},
                         ["guild_id"], {"moderator_role_id": role_id, "updated_at": now})
            return await self._config(session, guild_id)

    # ------------------------------------------------------------------ knowledge audit

    async def record_reload(self, reloaded_by: int | None, ok: bool, summary: str = "") -> None:
        async with self.db.write() as session:
            session.add(KnowledgeReload(reloaded_at=self.clock(), reloaded_by=reloaded_by, ok=ok,
                                        summary=storable(summary)[:2000]))

    async def last_reload(self) -> ReloadRecord | None:
        stmt = select(KnowledgeReload).order_by(KnowledgeReload.reloaded_at.desc(), KnowledgeReload.id.desc()).limit(1)
        async with self.db.read() as session:
            row = (await session.execute(stmt)).scalar_one_or_none()
        return None if row is None else ReloadRecord(row.reloaded_at, row.reloaded_by, row.ok, row.summary)
