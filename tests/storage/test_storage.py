"""The storage layer: engine setup, sessions, upserts, backups, and the no-discord rule."""
from __future__ import annotations

import io
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text

from bot.cli.db import run_db_command
from bot.container import Services, attach_storage
from bot.errors import DomainError
from bot.settings import Settings
from bot.storage import database as database_module
from bot.storage.database import Database, DatabaseBusy, normalise_url, sqlite_file
from bot.storage.models import Goal, Member, UnansweredQuestion
from bot.storage.queries import generic_upsert, lock_member, upsert

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=timezone.utc)


def _revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    from bot.storage.database import alembic_config
    return [r.revision for r in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))]


REVISIONS = _revisions()  # oldest first; the last is head


def test_plain_urls_get_async_drivers():
    assert normalise_url("sqlite:///data/x.db").drivername == "sqlite+aiosqlite"
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+asyncpg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+asyncpg"
    assert normalise_url("postgresql+asyncpg://u@h/db").drivername == "postgresql+asyncpg"
    assert sqlite_file(normalise_url("sqlite+aiosqlite:///:memory:")) is None
    assert sqlite_file(normalise_url("sqlite+aiosqlite:///data/x.db")) == Path("data/x.db")


async def test_sqlite_file_and_folder_are_created_with_pragmas(tmp_path: Path):
    path = tmp_path / "new" / "folder" / "bot.sqlite3"
    db = Database(f"sqlite:///{path.as_posix()}")
    try:
        await db.upgrade()
        assert path.exists()
        async with db.read() as session:
            pragmas = {name: (await session.execute(text(f"PRAGMA {name}"))).scalar()
                       for name in ("journal_mode", "foreign_keys", "busy_timeout")}
        assert pragmas == {"journal_mode": "wal", "foreign_keys": 1,
                           "busy_timeout": database_module.SQLITE_BUSY_TIMEOUT_MS}
    finally:
        await db.dispose()


async def test_a_write_that_raises_is_rolled_back(database: Database):
    with pytest.raises(DomainError):
        async with database.write() as session:
            await lock_member(session, 42, NOW)
            raise DomainError("changed my mind")
    async with database.read() as session:
        assert (await session.execute(select(Member))).first() is None


async def test_datetimes_come_back_aware_and_in_utc(database: Database):
    local = NOW.astimezone(timezone(timedelta(hours=5, minutes=30)))
    async with database.write() as session:
        await lock_member(session, 7, local)
    async with database.read() as session:
        member = await session.get(Member, 7)
    assert member is not None and member.created_at == NOW and member.created_at.tzinfo is not None


async def test_foreign_keys_are_enforced(database: Database):
    with pytest.raises(Exception) as info:
        async with database.write() as session:
            session.add(Goal(user_id=999, text="orphan", created_at=NOW))
    assert "foreign key" in str(info.value).lower()


@pytest.mark.parametrize("use_generic", [False, True])
async def test_upsert_counts_atomically(database: Database, use_generic: bool):
    do_upsert = generic_upsert if use_generic else upsert
    for _ in range(3):
        async with database.write() as session:
            values = {"guild_id": 0, "question": "q", "count": 1, "first_asked": NOW, "last_asked": NOW}
            await do_upsert(session, UnansweredQuestion, values, ["guild_id", "question"],
                            {"count": UnansweredQuestion.count + 1})
    async with database.write() as session:  # no update clause: an existing row is left alone
        await do_upsert(session, UnansweredQuestion, values, ["guild_id", "question"])
    async with database.read() as session:
        assert (await session.execute(select(UnansweredQuestion.count))).scalars().all() == [3]


async def test_backup_is_a_consistent_single_file_copy(tmp_path: Path):
    db = Database(f"sqlite+aiosqlite:///{(tmp_path / 'live.sqlite3').as_posix()}")
    try:
        await db.upgrade()
        async with db.write() as session:
            await lock_member(session, 1, NOW)
        async with db.write() as session:  # a write in flight while the backup runs is not copied
            await lock_member(session, 2, NOW)
            await session.flush()
            target = await db.backup(tmp_path / "backups" / "copy.sqlite3")
        with pytest.raises(DomainError, match="already exists"):
            await db.backup(target)
    finally:
        await db.dispose()
    assert not Path(f"{target}-wal").exists()
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert conn.execute("SELECT user_id FROM members").fetchall() == [(1,)]
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(REVISIONS[-1],)]


async def test_backup_needs_a_sqlite_file(database: Database, backend: str, tmp_path: Path):
    if backend == "sqlite":
        with pytest.raises(DomainError, match="database itself"):
            await database.backup(sqlite_file(database.url))
    else:
        with pytest.raises(DomainError, match="SQLite"):
            await database.backup(tmp_path / "x.sqlite3")


async def test_a_lock_held_by_another_process_becomes_a_friendly_error(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(database_module, "SQLITE_BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "busy.sqlite3"
    db = Database(f"sqlite+aiosqlite:///{path.as_posix()}")
    try:
        await db.upgrade()
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(DatabaseBusy, match="try again"):
                async with db.write() as session:
                    await lock_member(session, 1, NOW)
        finally:
            other.execute("ROLLBACK")
            other.close()
    finally:
        await db.dispose()


async def test_db_commands_upgrade_and_back_up(tmp_path: Path):
    settings = Settings(database_url=f"sqlite:///{(tmp_path / 'data' / 'bot.sqlite3').as_posix()}")
    out, err = io.StringIO(), io.StringIO()
    db = Database(settings.database_url)
    try:
        assert await db.upgrade() == REVISIONS and await db.upgrade() == []
        await db.downgrade("base")
    finally:
        await db.dispose()
    assert await run_db_command(settings, "upgrade", out=out, err=err) == 0
    assert await run_db_command(settings, "upgrade", out=out, err=err) == 0
    assert await run_db_command(settings, "backup", str(tmp_path / "copy.sqlite3"), out=out, err=err) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].endswith(f"schema revision {REVISIONS[-1]} (upgraded from an empty database).")
    assert lines[1].endswith(f"schema revision {REVISIONS[-1]} (already up to date).")
    assert lines[2].startswith("Backed up ") and (tmp_path / "copy.sqlite3").exists()
    assert await run_db_command(settings, "backup", str(tmp_path / "copy.sqlite3"), out=out, err=err) == 1
    assert "already exists" in err.getvalue()


async def test_attach_storage_wires_services_to_the_current_knowledge(tmp_path: Path, real_guides, real_roadmap):
    settings = Settings(database_url=f"sqlite:///{(tmp_path / 'bot.sqlite3').as_posix()}", max_open_goals=1)
    store = SimpleNamespace(current=SimpleNamespace(guides=real_guides, roadmap=real_roadmap))
    services = Services(settings=settings, knowledge=store, answers=None)  # type: ignore[arg-type]
    await attach_storage(services)
    try:
        await services.goals.add(5, "one")
        with pytest.raises(DomainError, match="1 open goals"):
            await services.goals.add(5, "two")
        assert (await services.roadmap_progress.overview(5)).total == len(real_roadmap.items)
        store.current = SimpleNamespace(guides=real_guides, roadmap=None)  # a reload swaps the content
        with pytest.raises(DomainError, match="roadmap is not available"):
            await services.roadmap_progress.overview(5)
        assert (await services.privacy.delete(5)).deleted["goals"] == 1
        assert await services.community.last_reload() is None and services.reading is not None
    finally:
        await services.database.dispose()


@pytest.mark.parametrize("damage", ["not a database", "a damaged page"])
async def test_backup_of_a_corrupt_file_is_one_line_and_leaves_nothing_behind(tmp_path: Path, damage: str):
    path = tmp_path / "data" / "bot.sqlite3"
    path.parent.mkdir()
    if damage == "not a database":
        path.write_bytes(b"this is not a SQLite file\n" * 400)
    else:
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE t (x TEXT)")
            conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
            conn.execute("CREATE INDEX ix_t ON t (x)")
        conn.close()
        data = bytearray(path.read_bytes())
        data[4096 * 2 + 100: 4096 * 2 + 1100] = b"\xff" * 1000  # scribble over a page
        path.write_bytes(bytes(data))
    settings = Settings(database_url=f"sqlite:///{path.as_posix()}")
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "copy.sqlite3"
    assert await run_db_command(settings, "backup", str(target), out=out, err=err) == 1
    assert out.getvalue() == "" and len(err.getvalue().splitlines()) == 1
    assert err.getvalue().startswith("Not backed up:") and "Traceback" not in err.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no copy, no copy.sqlite3.partial


async def test_backup_to_a_folder_that_cannot_be_created_is_one_line(tmp_path: Path):
    settings = Settings(database_url=f"sqlite:///{(tmp_path / 'bot.sqlite3').as_posix()}")
    out, err = io.StringIO(), io.StringIO()
    assert await run_db_command(settings, "upgrade", out=out, err=err) == 0
    (tmp_path / "a-file").write_text("x")
    assert await run_db_command(settings, "backup", str(tmp_path / "a-file" / "copy.sqlite3"), out=out, err=err) == 1
    assert err.getvalue().startswith("Not backed up: can't create the folder") and len(err.getvalue().splitlines()) == 1
