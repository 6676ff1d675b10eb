"""The composition root: builds settings-driven services once and hands them to the bot and the CLI.

Cogs, console commands and CLI commands receive a `Services` object; none of them builds a service.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from .domain.answers import AnswerService
from .domain.knowledge import KnowledgeStore
from .settings import Settings

log = logging.getLogger(__name__)


def roadmap_loader():
    from .domain.roadmap import load_roadmap
    return load_roadmap


def knowledge_store(settings: Settings) -> KnowledgeStore:
    """The knowledge store alone (guides, index, roadmap): enough for `ask`, `eval` and `kb check`."""
    store = KnowledgeStore(settings.knowledge_dir, roadmap_loader=roadmap_loader())
    kb = store.load_initial()
    for warning in kb.warnings:
        log.warning("skipped a broken guide: %s", warning)
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

    async def close(self) -> None:
        if self.database is not None:
            await self.database.dispose()


def build_answering(settings: Settings) -> tuple[KnowledgeStore, AnswerService]:
    store = knowledge_store(settings)
    return store, AnswerService(lambda: store.current)


async def build_services(settings: Settings, *, migrate: bool = True) -> Services:
    """Everything: knowledge, answers, the database (migrated to head) and the member services."""
    store, answers = build_answering(settings)
    services = Services(settings=settings, knowledge=store, answers=answers)
    from .storage.wiring import attach_storage  # lazily: `ask` and `eval` need no database
    await attach_storage(services, migrate=migrate)
    return services
