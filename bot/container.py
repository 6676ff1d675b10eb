"""The composition root: builds settings-driven services once and hands them to the bot and the CLI.

Cogs, console commands and CLI commands receive a `Services` object; none of them builds a service.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from bot.answers.service import AnswerService
from bot.knowledge.store import KnowledgeStore

from .settings import Settings

log = logging.getLogger(__name__)


def roadmap_loader():
    from bot.knowledge.roadmap import load_roadmap
    return load_roadmap


def knowledge_store(settings: Settings, changes: dict | None = None) -> KnowledgeStore:
    """The knowledge store alone (guides, index, roadmap): enough for `ask`, `eval` and `kb check`.
    `changes`: moderators' guide changes kept in a shared database, applied over the folder."""
    store = KnowledgeStore(settings.knowledge_dir, roadmap_loader=roadmap_loader(),
                           max_guide_bytes=settings.max_guide_bytes)  # the limit /kb add uses
    store.changes = dict(changes or {})
    kb = store.load_initial()
    for warning in kb.warnings:
        log.warning("knowledge left out at start-up: %s", warning)
    return store


@dataclass
class Services:
    settings: Settings
    knowledge: KnowledgeStore
    answers: AnswerService
    database: Any = None
    goals: Any = None
    roadmap_progress: Any = None
    reading: Any = None
    privacy: Any = None
    community: Any = None
    guide_changes: Any = None  # bot.storage.guide_changes.GuideChanges: moderators' changes, knowledge version

    async def close(self) -> None:
        if self.database is not None:
            await self.database.dispose()


def build_answering(settings: Settings) -> tuple[KnowledgeStore, AnswerService]:
    store = knowledge_store(settings)
    return store, AnswerService(lambda: store.current)


def open_database(settings: Settings):
    """The configured database (SQLite file or any async URL); imported lazily, `ask` needs none."""
    from .storage.database import Database

    return Database(settings.database_url)


async def attach_storage(services: Services, *, migrate: bool = True) -> None:
    """Open the database (migrated to head unless `migrate=False`) and attach the member services.

    They read the roadmap and guides from `services.knowledge.current` on every call, so a knowledge
    reload swaps them under the services.
    """
    from bot.members.community import CommunityService
    from bot.members.goals import GoalService
    from bot.members.privacy import PrivacyService
    from bot.members.progress import ReadingListService, RoadmapProgressService

    from .storage.guide_changes import GuideChanges

    settings = services.settings
    db = open_database(settings)
    try:
        if migrate:
            await db.upgrade()
    except BaseException:
        await db.dispose()
        raise
    services.database = db
    services.goals = GoalService(db, max_open=settings.max_open_goals)
    services.roadmap_progress = RoadmapProgressService(db, lambda: services.knowledge.current.roadmap)
    services.reading = ReadingListService(db, lambda: services.knowledge.current.guides)
    services.privacy = PrivacyService(db)
    services.community = CommunityService(db)
    services.guide_changes = GuideChanges(db)


async def build_services(settings: Settings, *, migrate: bool = True) -> Services:
    """Everything: knowledge, answers, the database (migrated to head) and the member services.

    On PostgreSQL, which several bot processes may share, moderators' guide changes are kept in the
    database: it is opened first and the knowledge built once, with them (see docs/deployment.md)."""
    if _is_sqlite(settings):
        store, answers = build_answering(settings)
        services = Services(settings=settings, knowledge=store, answers=answers)
        await attach_storage(services, migrate=migrate)
        return services
    services = Services(settings=settings, knowledge=None, answers=None)  # type: ignore[arg-type]
    await attach_storage(services, migrate=migrate)  # its services read `services.knowledge` only when used
    try:
        state = await services.guide_changes.state()
        store = knowledge_store(settings, state.changes)
    except BaseException:
        await services.close()
        raise
    store.install(replace(store.current, version=state.version))
    services.knowledge, services.answers = store, AnswerService(lambda: store.current)
    return services


def _is_sqlite(settings: Settings) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).get_backend_name() == "sqlite"
