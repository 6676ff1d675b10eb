"""The composition root: builds settings-driven services once and hands them to the bot and the CLI.

Cogs, console commands and CLI commands receive a `Services` object; none of them builds a service.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.answers.service import AnswerService
from bot.knowledge.store import KnowledgeStore

from .settings import Settings

if TYPE_CHECKING:  # imported when storage is attached: `careerbot ask` opens no database
    from bot.members.community import CommunityService
    from bot.members.goals import GoalService
    from bot.members.privacy import PrivacyService
    from bot.members.progress import ReadingListService, RoadmapProgressService
    from bot.storage.database import Database
    from bot.storage.guide_changes import GuideChanges

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


@dataclass(frozen=True)
class Members:
    """The member services and the database they keep their records in (see `attach_storage`)."""

    database: Database
    goals: GoalService
    roadmap_progress: RoadmapProgressService
    reading: ReadingListService
    privacy: PrivacyService
    community: CommunityService
    guide_changes: GuideChanges  # moderators' guide changes and the shared knowledge version


@dataclass
class Services:
    """Everything a face needs. The member services exist once storage is attached (`build_services`);
    `careerbot ask` and `eval` need only the knowledge and the answers."""

    settings: Settings
    knowledge: KnowledgeStore
    answers: AnswerService
    members: Members | None = None

    @property
    def stored(self) -> Members:
        if self.members is None:
            raise RuntimeError("no database is attached to these services (see build_services)")
        return self.members

    @property
    def database(self) -> Database:
        return self.stored.database

    @property
    def goals(self) -> GoalService:
        return self.stored.goals

    @property
    def roadmap_progress(self) -> RoadmapProgressService:
        return self.stored.roadmap_progress

    @property
    def reading(self) -> ReadingListService:
        return self.stored.reading

    @property
    def privacy(self) -> PrivacyService:
        return self.stored.privacy

    @property
    def community(self) -> CommunityService:
        return self.stored.community

    @property
    def guide_changes(self) -> GuideChanges:
        return self.stored.guide_changes

    async def close(self) -> None:
        if self.members is not None:
            await self.members.database.dispose()


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
    services.members = Members(
        database=db,
        goals=GoalService(db, max_open=settings.max_open_goals),
        roadmap_progress=RoadmapProgressService(db, lambda: services.knowledge.current.roadmap),
        reading=ReadingListService(db, lambda: services.knowledge.current.guides),
        privacy=PrivacyService(db),
        community=CommunityService(db),
        guide_changes=GuideChanges(db),
    )


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
