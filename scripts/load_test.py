"""Load test: 1,000 /ask and 1,000 progress interactions arriving together, through the real dispatch.

    python scripts/load_test.py [--asks 1000] [--progress 1000] [--members 200] [--json out.json]

The bot is built by `create_bot` on a fresh SQLite file and a copy of `knowledge/`, with the HTTP layer
recorded (tests/discord_harness.py). Every INTERACTION_CREATE payload is fed to the connection state
before any is handled, so they queue exactly as a burst from Discord would. Handling time is from the
moment a payload is fed to the last message the bot sends for it (the answer follow-up, or the reply);
"first response" is to the first request (a defer or the reply), which Discord wants within 3 s.
The asking cooldown is lifted so every interaction does full work. Not timed in CI.

Progress interactions use the first progress command the bot has (`/roadmap`, then `/goal list`,
`/checklist`); without one they call `services.roadmap_progress.overview` directly, and say so.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.discord_harness import Persona, make_harness  # noqa: E402

QUESTIONS = [
    "do I need a degree to become an ML engineer?", "what programming languages should I learn?",
    "how much does an ML engineer earn?", "what does a machine learning engineer do?",
    "which maths do I need for machine learning?", "how do I build a portfolio?",
    "should I learn deep learning frameworks like pytorch?",
    "what is the difference between a data scientist and an ML engineer?",
    "how do I prepare for an ML engineer interview?", "is a masters or PhD worth it?",
    "what is the best pizza topping in naples?", "how do I get my first junior role?",
]
PROGRESS_CANDIDATES = [("roadmap", {}), ("goal list", {}), ("checklist", {})]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(label: str, seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"kind": label, "count": len(ms), "p50_ms": round(percentile(ms, 0.50), 1),
            "p99_ms": round(percentile(ms, 0.99), 1), "max_ms": round(max(ms), 1),
            "mean_ms": round(statistics.fmean(ms), 1)}


def progress_command(h) -> tuple[str, dict] | None:
    for name, options in PROGRESS_CANDIDATES:
        try:
            command = h.command(name)
        except KeyError:
            continue
        if all(not p.required for p in getattr(command, "parameters", [])):
            return name, options
    return None


async def run(asks: int, progress: int, members: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        async with make_harness(Path(tmp), ask_cooldown_rate=10**9) as h:
            people = [Persona(710_000_000_000_000_000 + n, f"member{n}") for n in range(members)]
            chosen = progress_command(h)
            fed: dict[str, tuple[str, float]] = {}
            direct: list[float] = []
            payloads = []
            for n in range(max(asks, progress)):
                if n < asks:
                    data = h._command_data("ask", {"question": QUESTIONS[n % len(QUESTIONS)]})
                    payloads.append(("ask", h.interaction(2, data, user=people[n % members])))
                if n < progress and chosen is not None:
                    data = h._command_data(chosen[0], chosen[1])
                    payloads.append(("progress", h.interaction(2, data, user=people[(n * 7) % members])))
            started = time.perf_counter()
            for kind, payload in payloads:
                fed[payload["token"]] = (kind, time.perf_counter())
                h.state.parse_interaction_create(payload)
            if chosen is None:
                services = h.bot.services

                async def one(user_id: int) -> None:
                    t0 = time.perf_counter()
                    await services.roadmap_progress.overview(user_id)
                    direct.append(time.perf_counter() - t0)
                await asyncio.gather(*(one(people[(n * 7) % members].id) for n in range(progress)))
            await h.drain(timeout=1800)
            wall = time.perf_counter() - started

            last: dict[str, float] = {}
            first: dict[str, float] = {}  # the first response (a defer or the reply): Discord's 3 s deadline
            for sent in h.all_sent():
                if sent.token in fed:
                    first.setdefault(sent.token, sent.at)
                    if sent.is_message:
                        last[sent.token] = max(last.get(sent.token, 0.0), sent.at)
            missing = [t for t in fed if t not in last]
            by_kind: dict[str, list[float]] = {"ask": [], "progress": []}
            acks: list[float] = []
            for token, (kind, t0) in fed.items():
                if token in last:
                    by_kind[kind].append(last[token] - t0)
                    acks.append(first[token] - t0)
            errors = sum(1 for s in h.all_sent() if s.is_message and "Something went wrong" in s.content)
            results = [summary("/ask", by_kind["ask"])]
            results.append(summary("first response (any interaction)", acks))
            if chosen is not None:
                results.append(summary(f"/{chosen[0]}", by_kind["progress"]))
            else:
                results.append({**summary("roadmap_progress.overview (direct, no progress command yet)", direct)})
            return {"wall_s": round(wall, 2), "interactions": len(fed), "unanswered": len(missing),
                    "error_replies": errors, "throughput_per_s": round(len(fed) / wall, 1), "results": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--asks", type=int, default=1000)
    parser.add_argument("--progress", type=int, default=1000)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    report = asyncio.run(run(args.asks, args.progress, args.members))
    print(f"{report['interactions']} interactions in {report['wall_s']} s "
          f"({report['throughput_per_s']}/s); unanswered {report['unanswered']}, error replies {report['error_replies']}")
    for r in report["results"]:
        print(f"  {r['kind']:<40} n={r['count']:<5} p50 {r['p50_ms']:>8} ms   p99 {r['p99_ms']:>8} ms   "
              f"max {r['max_ms']:>8} ms")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report["unanswered"] == 0 and report["error_replies"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
