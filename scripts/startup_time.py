"""Start-up time of the bot on SQLite for a source tree: `create_bot` + `setup_hook`, no login.

    python scripts/startup_time.py [TREE] [--runs 15]

TREE (default: this repository) lets two versions be compared on one machine, e.g. the tree before a change:
    git archive COMMIT | tar -x -C /tmp/before && python scripts/startup_time.py /tmp/before
Each run builds a fresh bot on a copy of TREE/knowledge and one SQLite file; the first run (which saves the
search index) is not counted. Prints the median, min and max.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


async def measure(root: Path, runs: int) -> list[float]:
    from bot import Settings, create_bot

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        knowledge = Path(tmp) / "knowledge"
        shutil.copytree(root / "knowledge", knowledge, ignore=shutil.ignore_patterns(".index"))
        for _ in range(runs + 1):
            t0 = time.perf_counter()
            bot = create_bot(Settings(knowledge_dir=knowledge, database_url=f"sqlite+aiosqlite:///{tmp}/db.sqlite3"))
            await bot._async_setup_hook()
            await bot.setup_hook()
            times.append(time.perf_counter() - t0)
            await bot.close()
    return times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    root = Path(args.tree).resolve()
    sys.path.insert(0, str(root))
    logging.disable(logging.WARNING)
    times = asyncio.run(measure(root, args.runs))
    print(f"{root}: median {statistics.median(times) * 1000:.1f} ms "
          f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, n={len(times)})")


if __name__ == "__main__":
    main()
