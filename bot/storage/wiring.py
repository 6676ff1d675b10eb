"""Attach the database and the member services to the composition root's `Services` object."""
from __future__ import annotations

from typing import Any

from .database import Database


async def attach_storage(services: Any, *, migrate: bool = True) -> None:
    """Open the configured database (migrated to head unless `migrate=False`) and set
    `services.database`, `.goals`, `.roadmap_progress`, `.reading`, `.privacy` and `.community`.

    The roadmap and guides are read from `services.knowledge.current` on every call, so a knowledge
    reload swaps them under the services.
    """
    from bot.domain.community import CommunityService
    from bot.domain.goals import GoalService
    from bot.domain.privacy import PrivacyService
    from bot.domain.progress import ReadingListService, RoadmapProgressService

    settings, store = services.settings, services.knowledge
    db = Database(settings.database_url)
    try:
        if migrate:
            await db.upgrade()
    except BaseException:
        await db.dispose()
        raise
    services.database = db
    services.goals = GoalService(db, max_open=settings.max_open_goals)
    services.roadmap_progress = RoadmapProgressService(db, lambda: store.current.roadmap)
    services.reading = ReadingListService(db, lambda: store.current.guides)
    services.privacy = PrivacyService(db)
    services.community = CommunityService(db)
