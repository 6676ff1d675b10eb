"""Figures for docs/deployment.md: start-up on SQLite, and how fast a guide change reaches another process.

    python scripts/measure_shared_knowledge.py [--runs 10] [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/test]

SQLite: `create_bot` + `setup_hook` (no login) on a copy of knowledge/, median of the runs, and the part
of it that issue 13 added (`KnowledgeSync.start`: one SELECT). PostgreSQL (with --pg; a scratch database
is created and dropped): two bots; one adds, then removes, a guide through `KnowledgeSync` (what `/kb add`
and `/kb remove` call); measured from the start of the change to the other bot serving it (build, commit,
NOTIFY, the other's build), plus the cheap version check alone.
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot import Settings, create_bot  # noqa: E402
from bot.storage.database import normalise_url  # noqa: E402

GUIDE = (REPO / "tests" / "test_discord_kb.py").read_text().split('NEW_GUIDE = b"""', 1)[1].split('"""', 1)[0]


async def started(folder: Path, url: str):
    knowledge = folder / "knowledge"
    if not knowledge.exists():
        shutil.copytree(REPO / "knowledge", knowledge)
    bot = create_bot(Settings(knowledge_dir=knowledge, database_url=url, knowledge_check_seconds=3600))
    await bot._async_setup_hook()
    await bot.setup_hook()
    return bot


def ms(values: list[float]) -> str:
    low, high = min(values) * 1000, max(values) * 1000
    return f"median {statistics.median(values) * 1000:.1f} ms (min {low:.1f}, max {high:.1f}, n={len(values)})"


async def sqlite_start(runs: int) -> None:
    totals, syncs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for _ in range(runs + 1):  # the first run builds the saved index; not counted
            url = f"sqlite+aiosqlite:///{folder / 'db.sqlite3'}"
            t0 = time.perf_counter()
            bot = await started(folder, url)
            totals.append(time.perf_counter() - t0)
            t1 = time.perf_counter()
            await bot.knowledge_sync.start()  # again, alone: what the start-up gained
            syncs.append(time.perf_counter() - t1)
            await bot.close()
    print(f"SQLite start-up (create_bot + setup_hook): {ms(totals[1:])}")
    print(f"  of which the knowledge version read (KnowledgeSync.start): {ms(syncs[1:])}")


async def pg_propagation(base: str, runs: int) -> None:
    import asyncpg

    url = normalise_url(base)
    name = f"careerbot_measure_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db_url = url.set(database=name).render_as_string(hide_password=False)
            one = await started(Path(tmp) / "one", db_url)
            two = await started(Path(tmp) / "two", db_url)
            reached, checks = [], []
            try:
                for _ in range(runs):
                    for change in ("add", "remove"):
                        t0 = time.perf_counter()
                        async with one.kb_lock:
                            if change == "add":
                                kb = await one.knowledge_sync.add("measured.md", GUIDE, False, 1)
                            else:
                                path = one.settings.guides_dir / "measured.md"
                                kb = await one.knowledge_sync.remove(path, 1)
                        await asyncio.wait_for(two.knowledge_sync.wait_for(kb.version), 60)
                        reached.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    await two.services.guide_changes.version()
                    checks.append(time.perf_counter() - t0)
            finally:
                await one.close()
                await two.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    print(f"PostgreSQL, a change on one bot until another serves it: {ms(reached)}")
    print(f"PostgreSQL, the periodic version check (one SELECT): {ms(checks)}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pg", help="a PostgreSQL URL whose server may create a scratch database")
    args = parser.parse_args()
    await sqlite_start(args.runs)
    if args.pg:
        await pg_propagation(args.pg, args.runs)


if __name__ == "__main__":
    asyncio.run(main())
