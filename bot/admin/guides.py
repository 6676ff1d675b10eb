"""Rebuilding the knowledge after a moderator's change: all or nothing, undone on disk when refused, audited."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.admin.knowledge_sync import KnowledgeSync, reload_in_worker
from bot.errors import KnowledgeError
from bot.knowledge.store import Knowledge, KnowledgeStore
from bot.members.community import CommunityService

log = logging.getLogger(__name__)
Rebuilt = tuple[Knowledge | None, KnowledgeError | None]


def summary(kb: Knowledge) -> str:
    return f"{len(kb.guides.guides)} guides, {len(kb.guides.sections)} sections, {len(kb.passages):,} passages"


class GuideAdmin:
    """The steps every guide change shares; the caller holds the knowledge lock (`bot.kb_lock`)."""

    def __init__(self, store: KnowledgeStore, sync: KnowledgeSync, community: CommunityService) -> None:
        self.store, self.sync, self.community = store, sync, community

    async def rebuild_or_undo(self, user_id: int, undo: Callable[[], None]) -> Rebuilt:
        """`rebuild` after a file change; if the knowledge is refused, or anything fails, `undo` the change
        so the files on disk match the knowledge still serving."""
        try:
            kb, error = await self.rebuild(user_id)
        except BaseException:
            await asyncio.to_thread(undo)
            raise
        if error is not None:
            await asyncio.to_thread(undo)
        return kb, error

    async def rebuild(self, user_id: int, shared_change: Callable[[], Awaitable[Knowledge]] | None = None) -> Rebuilt:
        """Reload off the event loop and audit the attempt. Shared knowledge (PostgreSQL):
        `shared_change()` (default: a plain reload) builds, stores and announces."""
        try:
            if self.sync.shared:
                kb = await (shared_change or (lambda: self.sync.reload(user_id)))()
            else:
                kb = await asyncio.to_thread(reload_in_worker, self.store, str(user_id))
        except KnowledgeError as error:
            await self.audit(user_id, False, str(error))
            return None, error
        await self.audit(user_id, True, summary(kb))
        return kb, None

    async def audit(self, user_id: int, ok: bool, text: str) -> None:
        """Best effort: the reload already happened (or was refused), whether or not it can be recorded."""
        try:
            await self.community.record_reload(user_id, ok, text)
        except Exception:
            log.warning("could not record a knowledge reload (ok=%s)", ok, exc_info=True)  # no member id in logs
