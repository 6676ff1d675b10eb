#!/usr/bin/env python
"""Time of one whole answer on the bundled guides (issue 9's "well under 5 ms"), in-process.

    python scripts/answer_latency.py [--passes 3]

Every question of the labelled sets in tests/data (*.jsonl), asked once to warm the caches (as a running
bot has, after `warm()`), then `--passes` times each with `AnswerService.answer(question)` (default top 5:
reading, ranking, coverage, composing) timed by `time.perf_counter()`. Prints p50 / p90 / p99 / max. The
figures depend on the machine and its load: this is a measurement, not a test.
"""
from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answers.service import AnswerService  # noqa: E402
from bot.knowledge.store import KnowledgeStore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for path in sorted((ROOT / "tests" / "data").glob("*.jsonl"))
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    store = KnowledgeStore(ROOT / "knowledge")
    service = AnswerService(lambda: store.current)
    service.warm()
    for question in questions:
        service.answer(question)
    gc.freeze()  # as the bot does after start-up
    times = []
    for _ in range(args.passes):
        for question in questions:
            start = time.perf_counter()
            service.answer(question)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    n = len(times)
    print(f"{n} answers ({len(questions)} questions x {args.passes}): p50 {times[n // 2]:.2f} ms, "
          f"p90 {times[int(n * 0.9)]:.2f} ms, p99 {times[int(n * 0.99)]:.2f} ms, max {times[-1]:.2f} ms")


if __name__ == "__main__":
    main()
