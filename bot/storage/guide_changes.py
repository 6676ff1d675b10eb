"""Moderators' guide changes and the knowledge version, in the database every bot process shares.

`GuideChanges.state()` is what a process builds its knowledge from: the version, and the newest change of
each guide file name (its text, or None once removed). `commit()` records one change (or only a reload)
and bumps the version in one transaction, refused with `VersionConflict` if another process changed the
knowledge since `expected`; on PostgreSQL the same transaction sends `NOTIFY careerbot_knowledge`, which
PostgreSQL delivers to every listening process only when it commits. `listen()` opens the dedicated
connection that receives it. `version()` is the cheap check a process runs every so often in case a
notification was missed (a dropped connection, a restart of the database).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import func, select, text, update

from bot.errors import DomainError

from .database import PG_CONNECT_TIMEOUT_S, Database
from .models import GuideChange, KnowledgeState
from .queries import rows_changed

CHANNEL = "careerbot_knowledge"


class VersionConflict(DomainError):
    """Another process changed the knowledge after this one read it; read again and retry."""


@dataclass(frozen=True)
class SharedState:
    version: int
    changes: dict[str, str | None]  # guide file name -> its text, or None once removed


@dataclass(frozen=True)
class Change:
    file_name: str
    action: str  # "add", "replace" or "remove"
    content: str  # the new text; for a removal, the text served until now (kept for undo)

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.content.encode("utf-8", "surrogatepass")).hexdigest()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class GuideChanges:
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    @property
    def shared(self) -> bool:
        """True where several processes may share the database (PostgreSQL): build from it and listen."""
        return not self.db.is_sqlite

    async def version(self) -> int:
        async with self.db.read() as session:
            return int((await session.execute(select(KnowledgeState.version).where(KnowledgeState.id == 1)))
                       .scalar_one_or_none() or 0)

    async def state(self) -> SharedState:
        """The version and the newest change of every guide file name, read in one transaction."""
        newest = select(func.max(GuideChange.id)).group_by(GuideChange.file_name).scalar_subquery()
        async with self.db.read() as session:
            version = (await session.execute(select(KnowledgeState.version).where(KnowledgeState.id == 1))
                       ).scalar_one_or_none() or 0
            rows = await session.execute(select(GuideChange.file_name, GuideChange.action, GuideChange.content)
                                         .where(GuideChange.id.in_(newest)))
            changes = {name: (None if action == "remove" else content) for name, action, content in rows}
        return SharedState(int(version), changes)

    async def commit(self, *, expected: int | None, change: Change | None = None, by: int | None = None) -> int:
        """Bump the version (from `expected`, or whatever it is when None), record `change` if any, and
        announce the new version; one transaction. Returns the new version."""
        now = self.clock()
        async with self.db.write() as session:
            stmt = update(KnowledgeState).where(KnowledgeState.id == 1)
            if expected is not None:
                stmt = stmt.where(KnowledgeState.version == expected)
            if await rows_changed(session, stmt.values(version=KnowledgeState.version + 1, changed_at=now)) != 1:
                raise VersionConflict("Another change to the guides was made at the same moment; nothing was "
                                      "changed by this one. Try again.")
            version = int((await session.execute(select(KnowledgeState.version).where(KnowledgeState.id == 1)))
                          .scalar_one())
            if change is not None:
                session.add(GuideChange(version=version, file_name=change.file_name, action=change.action,
                                        content=change.content, checksum=change.checksum, changed_by=by,
                                        changed_at=now))
            if self.shared:
                await session.execute(text("SELECT pg_notify(:channel, :version)"),
                                      {"channel": CHANNEL, "version": str(version)})
        return version

    async def listen(self, on_notify: Callable[[], Any]) -> "Listener":
        """A dedicated PostgreSQL connection (outside the pool) that calls `on_notify()` on the event loop for
        every knowledge notification. Raises (OSError, asyncpg errors) when the database can't be reached."""
        import asyncpg

        _args, params = self.db.engine.dialect.create_connect_args(self.db.url)
        conn = await asyncpg.connect(**{**params, "timeout": PG_CONNECT_TIMEOUT_S})
        listener = Listener(conn, on_notify)
        try:
            await conn.add_listener(CHANNEL, listener._notified)
        except BaseException:
            await conn.close()
            raise
        return listener


class Listener:
    """The listening connection; `alive` turns False when the server or the network drops it."""

    def __init__(self, conn: Any, on_notify: Callable[[], Any]) -> None:
        self.conn = conn
        self.on_notify = on_notify

    def _notified(self, _conn: Any, _pid: int, _channel: str, _payload: str) -> None:
        self.on_notify()

    @property
    def alive(self) -> bool:
        return not self.conn.is_closed()

    async def close(self) -> None:
        if self.conn.is_closed():
            return
        try:
            await self.conn.close(timeout=PG_CONNECT_TIMEOUT_S)
        except Exception:  # the server is gone or slow to answer: drop the socket
            self.conn.terminate()
