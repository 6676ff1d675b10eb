"""Alembic migrations: a single head, models and migrations agree, and upgrading keeps every row."""
from __future__ import annotations

import shutil
import tomllib
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.members.goals import GoalService
from bot.members.progress import ReadingListService, RoadmapProgressService
from bot.storage import database as database_module
from bot.storage.database import MIGRATIONS_DIR, Database, alembic_config
from bot.storage.models import Base

REPO_ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 6, 1, 9, 30, tzinfo=timezone.utc)


def test_one_linear_history_shipped_inside_the_package():
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == ["0003"]
    assert [r.revision for r in script.walk_revisions("base", "heads")] == ["0003", "0002", "0001"]
    package_data = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    patterns = package_data["bot.storage"]
    assert {"migrations/*.py", "migrations/versions/*.py", "alembic.ini"} <= set(patterns)
    storage = MIGRATIONS_DIR.parent
    shipped = {p for pattern in patterns for p in storage.glob(pattern)}
    assert set(MIGRATIONS_DIR.glob("versions/*.py")) <= shipped and MIGRATIONS_DIR / "env.py" in shipped


async def _schema_diff(db: Database) -> list:
    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata))


async def test_empty_database_to_head_matches_the_models(empty_database: Database):
    assert await empty_database.current_revision() is None
    await empty_database.upgrade()
    assert await empty_database.current_revision() == "0003"
    assert await _schema_diff(empty_database) == []
    await empty_database.upgrade()  # running it again (every start does) changes nothing
    assert await empty_database.current_revision() == "0003"


async def test_downgrade_to_base_and_back(empty_database: Database):
    await empty_database.upgrade()
    await empty_database.downgrade("base")
    async with empty_database.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert tables <= {"alembic_version"}
    await empty_database.upgrade()
    assert await _schema_diff(empty_database) == []


async def _fill_revision_0001(db: Database) -> None:
    rows = {
        "members": [{"user_id": 10**17 + 1, "created_at": T0}, {"user_id": 2, "created_at": T0}],
        "goals": [
            {"id": 1, "user_id": 10**17 + 1, "text": "Ship a portfolio project", "target_date": date(2030, 1, 1),
             "created_at": T0, "completed_at": None},
            {"id": 2, "user_id": 10**17 + 1, "text": "Finish fast.ai", "target_date": None,
             "created_at": T0, "completed_at": T0},
            {"id": 3, "user_id": 2, "text": "Learn SQL", "target_date": None, "created_at": T0, "completed_at": None},
        ],
        "roadmap_progress": [
            {"user_id": 10**17 + 1, "item_id": "read-what-an-mle-is", "status": "done", "updated_at": T0},
            {"user_id": 10**17 + 1, "item_id": "an-item-that-was-removed", "status": "skipped", "updated_at": T0},
        ],
        "reading_items": [
            {"id": 1, "user_id": 10**17 + 1, "section_id": "arya-how-to-become-ml-engineer#2-statistics",
             "saved_at": T0, "read_at": T0},
            {"id": 2, "user_id": 10**17 + 1, "section_id": "gone-guide#old-section", "saved_at": T0, "read_at": None},
        ],
    }
    sqlite = db.is_sqlite

    def ts(value):
        return value.replace(tzinfo=None) if sqlite and isinstance(value, datetime) else value

    async with db.engine.begin() as conn:
        for table, table_rows in rows.items():
            columns = list(table_rows[0])
            stmt = text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})")
            await conn.execute(stmt, [{k: ts(v) for k, v in r.items()} for r in table_rows])


async def test_upgrading_from_the_first_revision_keeps_the_data(empty_database: Database, real_guides, real_roadmap):
    db = empty_database
    await db.upgrade("0001")
    await _fill_revision_0001(db)
    async with db.engine.connect() as conn:
        before = {t: (await conn.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2"))).all()
                  for t in ("members", "goals", "roadmap_progress", "reading_items")}

    await db.upgrade()
    assert await db.current_revision() == "0003"
    async with db.engine.connect() as conn:
        for table, rows in before.items():
            after = (await conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))).all()
            width = len(rows[0])
            assert [tuple(r)[:width] for r in after] == [tuple(r) for r in rows], table
        titles = (await conn.execute(text("SELECT title FROM reading_items"))).scalars().all()
        assert titles == [None, None]

    # The services read the migrated rows: retired records stay visible, new columns are used.
    member = 10**17 + 1
    goals = await GoalService(db).list(member)
    assert [(g.id, g.done) for g in goals] == [(1, False), (2, True)]
    overview = await RoadmapProgressService(db, lambda: real_roadmap).overview(member)
    assert overview.finished == 1 and [r.item_id for r in overview.retired] == ["an-item-that-was-removed"]
    entries = await ReadingListService(db, lambda: real_guides).list(member)
    assert [(e.title, e.retired, e.read) for e in entries] == [
        ("gone-guide#old-section", True, False), ("2. Statistics", False, True)]


async def test_a_failing_upgrade_changes_nothing(empty_database: Database, tmp_path: Path, monkeypatch):
    """All revisions of one upgrade run in a single transaction, on SQLite as on PostgreSQL."""
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations)
    (migrations / "versions" / "0004_broken.py").write_text(
        'revision = "0004"\ndown_revision = "0003"\nbranch_labels = depends_on = None\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        "def upgrade():\n"
        '    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))\n'
        '    raise RuntimeError("boom")\n', encoding="utf-8")
    monkeypatch.setattr(database_module, "MIGRATIONS_DIR", migrations)
    with pytest.raises(RuntimeError, match="boom"):
        await empty_database.upgrade()
    assert await empty_database.current_revision() is None
    async with empty_database.engine.connect() as conn:
        assert await conn.run_sync(lambda c: inspect(c).get_table_names()) == []
