#!/usr/bin/env python
"""Whole answers at 100,000 passages, seen from outside: `careerbot ask --json` vs bm25s-numba retrieval.

    python scripts/bench_answers.py [--passages 100000] [--questions 135] [--runs 3]

Generates a knowledge folder of `--passages` one-passage sections (scripts/event_loop_lag.py's generator,
400 guide files so each stays under the guide size limit) and, in one run:

1. first start: `careerbot ask --json --knowledge DIR` with one question (parses the guides, builds the
   index and saves both to DIR/.index); second start: the same again (reads the parsed guides back and
   loads the saved index);
2. batch: all questions of tests/data/eval.jsonl on stdin to one `careerbot ask --json` (reading, search,
   coverage, composing, JSON); the cost per question is the time from the first answer line out to the
   last, divided by n - 1 (start-up excluded);
3. bm25s's bare retrieval on the same passages (careerbot's `analyse` tokens, `BM25(method="lucene",
   backend="numba")`, `retrieve([expand_query(q)], k=10)` per question with at least one term: bm25s
   refuses an empty query), in a fresh process.

Prints the minimum over --runs of each wall time, the ratio answer / retrieval, and (in-process) how long
reading the parsed guides back, parsing them afresh, loading the saved index and building the answers'
caches take.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.event_loop_lag import generate_knowledge  # noqa: E402

CAREERBOT = [sys.executable, "-m", "bot.cli"]
RETRIEVAL = """
import json, sys, time
sys.path.insert(0, {root!r})
import bm25s
from bot.search.analysis import analyse, expand_query
from bot.knowledge.store import build_knowledge, passage_index_text
kb = build_knowledge({folder!r}, strict=False)
tokens = [analyse(passage_index_text(kb.section_of(p), p)) for p in kb.passages]
index = bm25s.BM25(k1=1.5, b=0.75, method="lucene", backend="numba")
index.index(tokens, show_progress=False)
questions = [q for q in json.loads({questions!r}) if expand_query(q)]  # bm25s refuses an empty query
for q in questions[:5]:
    index.retrieve([expand_query(q)], k=10, show_progress=False)
times = []
for q in questions:
    t = time.perf_counter()
    index.retrieve([expand_query(q)], k=10, show_progress=False)
    times.append(time.perf_counter() - t)
print(json.dumps(times))
"""


SPLIT = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from bot.knowledge.folder import check_guides
from bot.knowledge.guides import GuideSet
from bot.knowledge.parsed import GuideCache
from bot.knowledge.store import Knowledge, gc_paused
from bot.search.index import SearchIndex
folder = Path({folder!r})
with gc_paused():  # as build_knowledge reads guides
    t = time.perf_counter()
    cache = GuideCache(folder)
    good, _ = check_guides(folder / "guides", root=folder, cache=cache)  # read back from .index/guides.json
    guides = GuideSet.of(good)
    cached = time.perf_counter() - t
    assert cache.hits == len(good), "the parsed guides were not read back"
    t = time.perf_counter()
    GuideSet.of(check_guides(folder / "guides", root=folder)[0])  # parse every file, no cache
    parse = time.perf_counter() - t
(saved,) = [p for p in (folder / ".index").iterdir() if p.is_dir()]
key = json.loads((saved / "meta.json").read_text())["key"]
t = time.perf_counter()
index = SearchIndex.load(saved, key)
load = time.perf_counter() - t
assert index is not None
from bot.answers.ranking import heading_matcher
from bot.answers.spelling import speller
kb = Knowledge(guides, index, folder=folder)  # the English list and heading n-grams read back from folder/.index
t = time.perf_counter()
speller(kb), heading_matcher(kb)
warm = time.perf_counter() - t
print(json.dumps([parse, cached, load, warm]))
"""


def answer_times(cmd: list[str], questions: list[str]) -> list[float]:
    """When each answer line of one batch run comes out (the CLI flushes every line)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=ROOT)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("\n".join(questions) + "\n")
    proc.stdin.close()
    stamps = [time.perf_counter() for _ in iter(proc.stdout.readline, "")]
    if proc.wait() != 0 or len(stamps) != len(questions):
        raise SystemExit(f"batch failed: {len(stamps)} lines for {len(questions)} questions")
    return stamps


def timed(cmd: list[str], stdin: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--questions", type=int, default=135)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    questions = [json.loads(line)["question"] for line in (ROOT / "tests/data/eval.jsonl").read_text().splitlines()
                 if line.strip()][: args.questions]
    with tempfile.TemporaryDirectory(prefix="bench_answers-") as tmp:
        folder = generate_knowledge(Path(tmp) / "knowledge", passages=args.passages, files=400)
        ask = CAREERBOT + ["ask", "--json", "--knowledge", str(folder)]
        first = timed(ask, questions[0] + "\n")
        seconds = [timed(ask, questions[0] + "\n") for _ in range(args.runs)]
        batches = [answer_times(ask, questions) for _ in range(args.runs)]
        split = subprocess.run([sys.executable, "-c", SPLIT.format(root=str(ROOT), folder=str(folder))],
                               capture_output=True, text=True, cwd=ROOT)
        if split.returncode != 0:
            raise SystemExit(f"start-up split failed:\n{split.stderr[-2000:]}")
        parse_s, cached_s, load_s, warm_s = json.loads(split.stdout.strip().splitlines()[-1])
        code = RETRIEVAL.format(root=str(ROOT), folder=str(folder), questions=json.dumps(questions))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            raise SystemExit(f"bm25s retrieval failed:\n{out.stderr[-2000:]}")
        retrieval = json.loads(out.stdout.strip().splitlines()[-1])
    n = len(questions)
    per_answer = min((b[-1] - b[0]) / (n - 1) for b in batches)  # first answer out to last: no start-up
    bare = statistics.fmean(retrieval)
    print(f"{args.passages:,} passages, {n} questions (tests/data/eval.jsonl), min of {args.runs} runs")
    print(f"first start (build + save index), one question: {first:.2f} s")
    print(f"second start (saved index), one question:       {min(seconds):.2f} s  (runs: "
          + ", ".join(f"{s:.2f}" for s in seconds) + ")")
    print(f"  in-process: reading the parsed guides back {cached_s:.2f} s (parsing them: {parse_s:.2f} s), "
          f"loading the saved index {load_s:.3f} s, the answers' caches (speller with the English list, heading "
          f"matcher) {warm_s:.2f} s")
    print(f"batch of {n}: {per_answer * 1e3:.3f} ms per whole answer (first answer line out to last, best run)")
    print(f"bm25s-numba bare retrieval: mean {bare * 1e3:.3f} ms, p50 {statistics.median(retrieval) * 1e3:.3f} ms "
          f"per question -> answer / retrieval = {per_answer / bare:.1f}x")


if __name__ == "__main__":
    main()
