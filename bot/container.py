"""The composition root: builds settings-driven services once and hands them to the bot and the CLI.

Cogs, console commands and CLI commands receive a `Services` object; none of them builds a service.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.answers.service import AnswerService
from bot.errors import StorageUnavailable
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
    database_down_at_start: bool = False  # started in guides-only mode (`build_services(..., tolerate_outage=True)`)

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


def check_database_setting(settings: Settings) -> None:
    """Fail before anything starts when DATABASE_URL can't work as set (a SQLite file whose folder can't be
    created, or that can't be opened for writing): `DatabaseSetupError`, one line saying what to do. A
    database server that can't be reached is not checked here: the bot starts in guides-only mode."""
    from .storage.database import check_sqlite_location

    check_sqlite_location(settings.database_url)


GUIDES_ONLY = ("{reason} Starting in guides-only mode: questions are answered from the guides and saving is "
               "unavailable until the database is back, without a restart.")


Announce = Callable[[str], None]  # where the one guides-only line goes; by default a warning in the log


def _log_warning(line: str) -> None:
    log.warning(line)


async def attach_storage(services: Services, *, migrate: bool = True, tolerate_outage: bool = False,
                         announce: Announce | None = None) -> None:
    """Open the database (migrated to head unless `migrate=False`) and attach the member services.

    They read the roadmap and guides from `services.knowledge.current` on every call, so a knowledge
    reload swaps them under the services. With `tolerate_outage`, a database that can't be reached is
    not fatal: one warning is logged (or handed to `announce`: the console prints it), the services are
    attached all the same (they say saving is unavailable) and the migrations run on the first use that
    reaches it (`Database.defer_upgrade`).
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
    except StorageUnavailable as error:
        if not tolerate_outage:
            await db.dispose()
            raise
        (announce or _log_warning)(GUIDES_ONLY.format(reason=str(error)))
        db.defer_upgrade()
        services.database_down_at_start = True
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


async def build_services(settings: Settings, *, migrate: bool = True, tolerate_outage: bool = False,
                         announce: Announce | None = None) -> Services:
    """Everything: knowledge, answers, the database (migrated to head) and the member services.

    On PostgreSQL, which several bot processes may share, moderators' guide changes are kept in the
    database: it is opened first and the knowledge built once, with them (see docs/deployment.md).
    `tolerate_outage` (the bot, the console): a database that can't be reached gives guides-only mode
    instead of an error, said once by `announce` (default: a warning in the log; see `attach_storage`); on
    PostgreSQL the knowledge is then the folder's until the database is back and `KnowledgeSync` catches up."""
    if _is_sqlite(settings):
        store, answers = build_answering(settings)
        services = Services(settings=settings, knowledge=store, answers=answers)
        await attach_storage(services, migrate=migrate, tolerate_outage=tolerate_outage, announce=announce)
        return services
    services = Services(settings=settings, knowledge=None, answers=None)  # type: ignore[arg-type]
    # its services read `services.knowledge` only when used
    await attach_storage(services, migrate=migrate, tolerate_outage=tolerate_outage, announce=announce)
    try:
        if services.database_down_at_start:
            raise StorageUnavailable()  # logged once already
        state = await services.guide_changes.state()
        store = knowledge_store(settings, state.changes)
    except StorageUnavailable:
        if not tolerate_outage:
            await services.close()
            raise
        if not services.database_down_at_start:  # it went away between the migrations and this read
            (announce or _log_warning)(GUIDES_ONLY.format(reason="The database went away during start-up."))
            services.database_down_at_start = True
            services.database.defer_upgrade()  # "back" = the first use that reaches it (then catch up)
        services.knowledge, services.answers = build_answering(settings)
        return services
    except BaseException:
        await services.close()
        raise
    store.install(replace(store.current, version=state.version))
    services.knowledge, services.answers = store, AnswerService(lambda: store.current)
    return services


def _is_sqlite(settings: Settings) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).get_backend_name() == "sqlite"
