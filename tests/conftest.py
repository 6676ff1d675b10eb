"""Shared fixtures. Database fixtures run every test against SQLite, and against PostgreSQL too when
TEST_DATABASE_URL is set (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test).

Each PostgreSQL test gets its own schema (first on the search_path), dropped afterwards, so runs
leave the database clean and never see each other's tables, even when they run at the same time.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.storage.database import Database, normalise_url

REPO_ROOT = Path(__file__).resolve().parent.parent
# A frozen copy of the bundled guides and roadmap: tests that count stages, items, sections or citations
# keep passing when knowledge/ changes (tests/knowledge/test_guides.py checks the bundled folder itself).
KNOWLEDGE_DIR = REPO_ROOT / "tests" / "data" / "knowledge"
PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@asynccontextmanager
async def open_database(backend: str, tmp_path: Path, **engine_kwargs: Any) -> AsyncIterator[Database]:
    """An empty database for `backend`: a SQLite file in tmp_path, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{(tmp_path / 'db' / 'careerbot.sqlite3').as_posix()}", **engine_kwargs)
        try:
            yield db
        finally:
            await db.dispose()
        return
    import asyncpg

    url = normalise_url(PG_URL)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        connect_args = {"server_settings": {"search_path": schema}}
        db = Database(url, connect_args=connect_args, **engine_kwargs)
        try:
            yield db
        finally:
            await db.dispose()
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def empty_database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables yet (for migration tests)."""
    async with open_database(backend, tmp_path) as db:
        yield db


@pytest.fixture
async def database(empty_database: Database) -> Database:
    """A database migrated to the newest revision."""
    await empty_database.upgrade()
    return empty_database


class FrozenClock:
    """A clock the test moves by hand; services take it instead of reading the wall clock."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2025, 3, 14, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A copy of the bundled guides in a folder of its own (for tests that write caches beside them)."""
    import shutil

    target = tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge" / "guides", target / "guides")
    return target


@pytest.fixture(scope="session")
def real_guides():
    from bot.knowledge.folder import load_guides

    return load_guides(KNOWLEDGE_DIR / "guides")


@pytest.fixture(scope="session")
def real_roadmap(real_guides):
    from bot.knowledge.roadmap import load_roadmap

    return load_roadmap(KNOWLEDGE_DIR / "roadmap.yaml", real_guides.section_ids)


@dataclass
class MemberServices:
    """The services `bot.console_progress.handle_command` uses, plus swappable content for tests."""

    database: Database
    goals: Any
    roadmap_progress: Any
    reading: Any
    privacy: Any
    community: Any
    content: dict[str, Any]

    def swap(self, **content: Any) -> None:
        """Replace the roadmap and/or guides, as a knowledge reload would."""
        self.content.update(content)


def build_member_services(db: Database, guides: Any, roadmap: Any, clock: Callable[[], datetime],
                          *, max_open_goals: int = 20) -> MemberServices:
    from bot.members.community import CommunityService
    from bot.members.goals import GoalService
    from bot.members.privacy import PrivacyService
    from bot.members.progress import ReadingListService, RoadmapProgressService

    content = {"guides": guides, "roadmap": roadmap}
    return MemberServices(
        database=db,
        goals=GoalService(db, max_open=max_open_goals, clock=clock),
        roadmap_progress=RoadmapProgressService(db, lambda: content["roadmap"], clock=clock),
        reading=ReadingListService(db, lambda: content["guides"], clock=clock),
        privacy=PrivacyService(db, clock=clock),
        community=CommunityService(db, clock=clock),
        content=content,
    )


@pytest.fixture
def services(database: Database, real_guides, real_roadmap, clock: FrozenClock) -> MemberServices:
    return build_member_services(database, real_guides, real_roadmap, clock)


@pytest.fixture
def make_services(database: Database, real_guides, real_roadmap, clock: FrozenClock) -> Callable[..., MemberServices]:
    """Build another set of services on the same database, e.g. with a different goal cap."""
    def make(**options: Any) -> MemberServices:
        return build_member_services(database, real_guides, real_roadmap, clock, **options)
    return make
