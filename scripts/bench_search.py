#!/usr/bin/env python
"""Benchmark careerbot's SearchIndex against bm25s (numba and numpy backends) and rank-bm25, fairly.

    python scripts/bench_search.py [--sizes 10000 100000 1000000] [--queries 200] [--out docs/benchmark.md]

One run:

1. builds deterministic (seeded) synthetic corpora, one per size: passages of 60-120 words (a short
   heading line plus sentences, like the passages the bot indexes), drawn from a Zipf-Mandelbrot
   vocabulary that mixes the real guides' words (knowledge/guides/*.md, in their real frequency order,
   stopwords included) with synthetic words, plus one set of 3-8 word questions mixing common words
   (Zipf draws) and rare ones (log-uniform ranks);
2. runs every (engine, size) pair in its own fresh subprocess (this script re-invoked with `--child`).
   Every engine gets the same tokens: the build analyses each passage with careerbot's `analyse` (and
   that time counts in every engine's build), each question is `expand_query(question)` (counted in every
   engine's latency). bm25s is used as its README shows: `BM25(method="lucene", backend="numba")`
   ("highly recommended" JIT backend) or the default numpy backend, `index(tokens)`, `retrieve(queries,
   k=10)`; it is timed one question per call (latency) and with all questions in one call (batched, as
   the README passes a list). The child resets the kernel's RSS high-water mark, builds (wall and CPU
   time), runs 5 warm-up questions, times each question, and reports the peak RSS (getrusage ru_maxrss);
   with `--rounds N` every engine runs N times per size in alternating order (A B C, C B A, ...) and each
   question's best time over the runs counts, so a burst of other work on the shared machine doesn't fall
   on one engine alone;
3. checks that the engines agree (top-10 scores of the first questions), prints a Markdown table and
   writes it, with the machine facts and the method, to --out.

Text below the marker line MANUAL_MARKER in an existing --out file is kept (hand-written notes).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ENGINES = ("careerbot", "bm25s-numba", "bm25s-numpy", "rank-bm25")
ENGINE_TITLES = {
    "careerbot": "careerbot SearchIndex",
    "bm25s-numba": "bm25s, numba backend",
    "bm25s-numpy": "bm25s, numpy backend",
    "rank-bm25": "rank-bm25 BM25Okapi (full scoring)",
}
K = 10
WARMUP = 5
AGREE = 20  # questions whose top-10 scores are compared across engines
VOCAB_SIZE = 120_000  # distinct surface words; Heaps' law puts ~9M tokens of English near 1e5
ZIPF_S = 1.0
ZIPF_Q = 2.7  # Zipf-Mandelbrot offset: p(r) ~ 1 / (r + q)^s
MANUAL_MARKER = "<!-- bench_search.py keeps everything below this line when it rewrites the file -->"


# --------------------------------------------------------------------------- synthetic data

def guide_words(guides_dir: Path) -> list[str]:
    """Words of the real guides, most frequent first (front matter and markup dropped)."""
    counts: Counter[str] = Counter()
    for path in sorted(guides_dir.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---"):
            end = text.find("\n---", 3)
            text = text[end + 4:] if end > 0 else text
        text = text.replace("’", "'").lower()
        # possessives and contractions stay whole ("engineer's", "don't"), as the analyser sees them
        counts.update(re.findall(r"[a-z][a-z0-9]*(?:'[a-z]+)?(?:\+\+|#)?", text))
    return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def synthetic_words(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    consonants = list("bcdfghjklmnprstvwz") + ["br", "ch", "cl", "dr", "gr", "pl", "sh", "st", "th", "tr"]
    vowels = list("aeiou") + ["ai", "ea", "ou", "io"]
    finals = list("lmnrstxk") + ["nd", "rt", "ng"]
    out: list[str] = []
    seen = set(taken)
    while len(out) < n:
        m = n - len(out)
        syl = rng.integers(2, 5, size=m)
        for count in syl:
            c = rng.integers(0, len(consonants), size=count)
            v = rng.integers(0, len(vowels), size=count)
            word = "".join(consonants[i] + vowels[j] for i, j in zip(c, v))
            if rng.random() < 0.4:
                word += finals[rng.integers(0, len(finals))]
            if word not in seen:
                seen.add(word)
                out.append(word)
    return out


def build_vocabulary(seed: int, guides_dir: Path) -> tuple[list[str], np.ndarray, int]:
    """Ranked vocabulary (real guide words interleaved with synthetic ones) and its Zipf probabilities."""
    rng = np.random.default_rng(seed)
    real = guide_words(guides_dir)
    synth = synthetic_words(rng, VOCAB_SIZE - len(real), set(real))
    ranked: list[str] = real[:50]  # the head (function words, "machine", "learning", ...) stays real
    ri, si = 50, 0
    while ri < len(real) or si < len(synth):
        if ri < len(real) and (si >= len(synth) or rng.random() < 0.5):
            ranked.append(real[ri]); ri += 1
        else:
            ranked.append(synth[si]); si += 1
    ranks = np.arange(1, len(ranked) + 1, dtype=np.float64)
    p = 1.0 / (ranks + ZIPF_Q) ** ZIPF_S
    return ranked, p / p.sum(), len(real)


def make_passages(n: int, seed: int, vocab: list[str], p: np.ndarray) -> list[str]:
    rng = np.random.default_rng(seed)
    out: list[str] = []
    chunk = 5_000
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        lengths = rng.integers(60, 121, size=m)
        words = rng.choice(len(vocab), size=int(lengths.sum()), p=p)
        pos = 0
        for length in lengths:
            ids = words[pos:pos + length]
            pos += length
            head = int(rng.integers(2, 7))
            heading = " ".join(vocab[i] for i in ids[:head]).capitalize()
            body: list[str] = []
            i = head
            while i < length:
                s = min(length - i, int(rng.integers(6, 22)))
                body.append(" ".join(vocab[j] for j in ids[i:i + s]).capitalize() + ".")
                i += s
            out.append(heading + "\n" + " ".join(body))
    return out


def make_queries(n: int, seed: int, vocab: list[str], p: np.ndarray) -> list[str]:
    """3-8 word questions: each word is a Zipf draw (common) or a log-uniform rank in [50, V) (rare)."""
    rng = np.random.default_rng(seed)
    out = []
    v = len(vocab)
    for _ in range(n):
        words = []
        for _ in range(int(rng.integers(3, 9))):
            if rng.random() < 0.5:
                words.append(vocab[int(rng.choice(v, p=p))])
            else:
                words.append(vocab[int(np.exp(rng.uniform(np.log(50), np.log(v))))])
        out.append(" ".join(words).capitalize() + "?")
    return out



# --------------------------------------------------------------------------- child: one (engine, size)

def _maxrss_bytes() -> int:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r if sys.platform == "darwin" else r * 1024


def _reset_peak() -> bool:
    """Reset the kernel's RSS high-water mark (Linux >= 4.0), so the peak counts build + queries only."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _engine(engine: str, texts: list[str]):
    """Build one engine on the analysed passages; returns (query, batch, top) callables over query terms."""
    from bot.search.analysis import analyse

    if engine == "careerbot":
        from bot.search.index import SearchIndex
        index = SearchIndex(analyse(t) for t in texts)  # a generator, as bot.knowledge.store does

        def query(terms):
            return index.search(terms, k=K)

        def batch(queries):
            return [index.search(terms, k=K) for terms in queries]

        def top(terms):
            return [h.score for h in index.search(terms, k=K)]
        return index, query, batch, top
    if engine.startswith("bm25s"):
        import bm25s
        tokens = [analyse(t) for t in texts]  # bm25s.index takes a list of token lists
        index = bm25s.BM25(k1=1.5, b=0.75, method="lucene", backend=engine.split("-")[1])
        index.index(tokens, show_progress=False)
        del tokens

        def query(terms):  # bm25s refuses a query without terms
            return index.retrieve([terms], k=K, show_progress=False) if terms else None

        def batch(queries):
            return index.retrieve([q for q in queries if q], k=K, show_progress=False)

        def top(terms):
            scores = index.retrieve([terms], k=K, show_progress=False).scores[0] if terms else []
            return [float(s) * 2.5 for s in scores if s > 0]  # Lucene leaves out BM25's constant (k1 + 1)
        return index, query, batch, top
    if engine == "rank-bm25":
        from bot.search.index import ReferenceBM25
        index = ReferenceBM25([analyse(t) for t in texts], k1=1.5, b=0.75)  # rank-bm25 with the Lucene IDF

        def query(terms):
            scores = index.get_scores(terms)
            return np.argsort(scores)[::-1][:K]

        def batch(queries):
            return [query(terms) for terms in queries]

        def top(terms):
            scores = index.get_scores(terms)
            return [float(s) for s in np.sort(scores)[::-1][:K] if s > 0]
        return index, query, batch, top
    raise SystemExit(f"unknown engine {engine}")


def run_child(engine: str, corpus_path: str, queries_path: str, n_queries: int, result_path: str,
              repeat: int) -> None:
    import psutil

    from bot.search.analysis import expand_query

    proc = psutil.Process()
    with open(corpus_path, encoding="utf-8") as fh:
        texts = [json.loads(line) for line in fh]
    with open(queries_path, encoding="utf-8") as fh:
        questions = [json.loads(line) for line in fh]
    warm, timed = questions[:WARMUP], questions[WARMUP:WARMUP + n_queries]
    if engine.startswith("bm25s"):
        import bm25s  # noqa: F401  (import and numba's own start-up outside the build)

    gc.collect()
    reset = _reset_peak()
    baseline = proc.memory_info().rss
    t0, c0 = time.perf_counter(), time.process_time()
    index, query, batch, top = _engine(engine, texts)
    build_s, build_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    gc.collect()
    rss_after_build = proc.memory_info().rss

    for q in warm:
        query(expand_query(q))
    batch([expand_query(q) for q in warm])
    lat = np.full((repeat, len(timed)), np.inf)  # each question's best of `repeat` passes: the machine is shared
    batch_s = np.inf
    for r in range(repeat):
        for i, q in enumerate(timed):
            start = time.perf_counter()
            query(expand_query(q))
            lat[r, i] = time.perf_counter() - start
        start = time.perf_counter()
        batch([expand_query(q) for q in timed])
        batch_s = min(batch_s, time.perf_counter() - start)
    lat = lat.min(axis=0)
    peak = _maxrss_bytes()
    agree = [top(expand_query(q)) for q in timed[:AGREE]]

    lat_ms = np.asarray(lat) * 1e3
    result = {
        "engine": engine, "size": len(texts), "queries": len(timed),
        "build_s": build_s, "build_cpu_s": build_cpu_s,
        "p50_ms": float(np.percentile(lat_ms, 50)), "p99_ms": float(np.percentile(lat_ms, 99)),
        "max_ms": float(lat_ms.max()), "mean_ms": float(lat_ms.mean()),
        "batch_ms": batch_s * 1e3 / len(timed), "repeat": repeat,
        "baseline_mb": baseline / 2**20, "peak_mb": peak / 2**20, "rss_after_build_mb": rss_after_build / 2**20,
        "peak_reset": reset, "top": agree, "lat_ms": lat_ms.tolist(),
    }
    if engine == "careerbot":
        result["index_mb"] = index.memory_bytes() / 2**20
        result["postings"] = int(len(index.docs))
    with open(result_path, "w") as fh:
        json.dump(result, fh)


# --------------------------------------------------------------------------- parent

def machine_facts() -> dict:
    facts = {
        "nproc": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
    }
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    facts["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import psutil
        facts["ram_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        pass
    versions = {}
    for pkg in ("numpy", "scipy", "rank-bm25", "bm25s", "numba", "PyStemmer", "psutil"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    facts["packages"] = versions
    return facts


def run_engine(engine: str, size: int, corpus: Path, queries: Path, n_queries: int, tmp: Path, repeat: int) -> dict:
    out = tmp / f"result-{engine}-{size}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", engine, str(corpus), str(queries),
           str(n_queries), str(out), str(repeat)]
    subprocess.run(cmd, check=True, cwd=str(ROOT), env=dict(os.environ, TQDM_DISABLE="1"))
    return json.loads(out.read_text())


def merge_runs(runs: list[dict]) -> dict:
    """One engine's runs at one size (`--rounds`) as one result: each question's best latency over every
    run, the best build and batch times, the highest peak RSS (with that run's baseline)."""
    if len(runs) == 1:
        return runs[0]
    lat = np.min([r["lat_ms"] for r in runs], axis=0)
    worst = max(runs, key=lambda r: r["peak_mb"])
    merged = dict(runs[0])
    merged.update({
        "p50_ms": float(np.percentile(lat, 50)), "p99_ms": float(np.percentile(lat, 99)),
        "max_ms": float(lat.max()), "mean_ms": float(lat.mean()), "lat_ms": lat.tolist(),
        "build_s": min(r["build_s"] for r in runs), "build_cpu_s": min(r["build_cpu_s"] for r in runs),
        "batch_ms": min(r["batch_ms"] for r in runs),
        "peak_mb": worst["peak_mb"], "baseline_mb": worst["baseline_mb"], "runs": len(runs),
    })
    return merged


def agreement(results: list[dict]) -> list[str]:
    """Engines that disagree with careerbot's top-10 scores (beyond float32 rounding), per size."""
    notes = []
    by = {(r["engine"], r["size"]): r for r in results}
    for (engine, size), r in sorted(by.items()):
        ours = by.get(("careerbot", size))
        if engine == "careerbot" or ours is None:
            continue
        bad = sum(1 for a, b in zip(ours["top"], r["top"])
                  if len(a) != len(b) or not np.allclose(a, b, rtol=1e-4, atol=1e-5))
        n = min(len(ours["top"]), len(r["top"]))
        notes.append(f"{size:,} passages, {engine}: top-10 scores equal to careerbot's on {n - bad} of {n} questions")
    return notes


def fmt_table(results: list[dict]) -> str:
    rows = ["| passages | engine | build wall / CPU (s) | p50 (ms) | p99 (ms) | max (ms) | batched (ms/question) "
            "| peak RSS (MB) | build+query increase (MB) | questions |",
            "|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rows.append(
            f"| {r['size']:,} | {ENGINE_TITLES[r['engine']]} | {r['build_s']:.1f} / {r['build_cpu_s']:.1f} "
            f"| {r['p50_ms']:.3f} | {r['p99_ms']:.3f} | {r['max_ms']:.2f} | {r['batch_ms']:.3f} "
            f"| {r['peak_mb']:,.0f} | {r['peak_mb'] - r['baseline_mb']:,.0f} | {r['queries']} |")
    return "\n".join(rows)


def check_targets(results: list[dict]) -> list[tuple[str, bool, str]]:
    by = {(r["engine"], r["size"]): r for r in results}
    checks = []
    for size in sorted({r["size"] for r in results}):
        ours, numba = by.get(("careerbot", size)), by.get(("bm25s-numba", size))
        if not (ours and numba) or size < 100_000:
            continue
        for q in ("p50", "p99"):
            a, b = ours[f"{q}_ms"], numba[f"{q}_ms"]
            checks.append((f"{q} <= bm25s-numba {q} at {size:,}", a <= b, f"{a:.3f} vs {b:.3f} ms"))
        checks.append((f"build CPU <= bm25s-numba's at {size:,}", ours["build_cpu_s"] <= numba["build_cpu_s"],
                       f"{ours['build_cpu_s']:.1f} vs {numba['build_cpu_s']:.1f} s"))
        checks.append((f"peak RSS <= bm25s-numba's at {size:,}", ours["peak_mb"] <= numba["peak_mb"],
                       f"{ours['peak_mb']:,.0f} vs {numba['peak_mb']:,.0f} MB"))
    return checks


def write_markdown(path: Path, results: list[dict], facts: dict, command: str, started: datetime,
                   elapsed: float, corpus_stats: dict, args) -> None:
    pk = ", ".join(f"{k} {v}" for k, v in facts["packages"].items())
    lines = [
        "# Search benchmark: careerbot SearchIndex vs bm25s (numba, numpy) vs rank-bm25",
        "",
        f"Generated by `scripts/bench_search.py` on {started.strftime('%Y-%m-%d %H:%M UTC')} (run took {elapsed:.0f} s).",
        "",
        f"- Command: `{command}`",
        f"- Machine: {facts.get('cpu', 'unknown CPU')}; nproc {facts['nproc']}; RAM {facts.get('ram_gb', '?')} GB; "
        f"{facts['platform']}",
        f"- Python: {facts['python']}; packages: {pk}",
        *([f"- Load: {facts['load']}"] if "load" in facts else []),
        "",
        "## Results",
        "",
        fmt_table(results),
        "",
        "*p50 / p99 / max*: one question per call, end to end (`expand_query` + search + top 10), after 5 "
        f"warm-up questions; each question's best of {args.repeat} passes (the machine is shared; rank-bm25 at "
        "≥ 50,000 passages: one pass)"
        + (f", over {args.rounds} runs of every engine in alternating order (A B C, C B A, ...; build times: the "
           "best run, peak RSS: the highest)" if args.rounds > 1 else "")
        + ". *Batched*: all questions in one call (bm25s `retrieve(list_of_queries)`; "
        "careerbot and rank-bm25 a loop), divided by their number, best pass. *Build*: `analyse` of every passage + indexing, wall "
        "and CPU time. *Peak RSS*: the child's `ru_maxrss` after resetting the high-water mark just before "
        "the build; the *increase* is that peak minus the RSS just before the build.",
        "",
        "### Targets (the issue's bar, same run)",
        "",
        "| target | met | measured |",
        "|:---|:---:|:---|",
        *[f"| {name} | {'yes' if ok else '**no**'} | {m} |" for name, ok, m in check_targets(results)],
        "",
        "### Same answers",
        "",
        *[f"- {note}" for note in agreement(results)],
        "",
        "## Method",
        "",
        f"- **Corpus** (deterministic, `--seed {args.seed}`): a ranked vocabulary of {corpus_stats['vocab']:,} "
        f"words (the {corpus_stats['real_words']:,} distinct words of `knowledge/guides/*.md` in their real "
        "frequency order, interleaved with synthetic words), Zipf-Mandelbrot probabilities "
        f"p(r) ∝ 1/(r + {ZIPF_Q})^{ZIPF_S}; each passage a 2-6 word heading line plus sentences, 60-120 words.",
        f"- **Questions**: {args.queries} timed + {WARMUP} warm-up questions of 3-8 words, each word a Zipf draw "
        "or a log-uniform rank in [50, V), the same for every engine and size. rank-bm25 runs as careerbot's "
        "`ReferenceBM25` (its `BM25Okapi` with the Lucene IDF, so the scores compare); it (Python loops over "
        f"every passage) is timed on the first {args.rank_bm25_cap} at sizes ≥ 50,000.",
        "- **Same tokens for everyone**: every engine's build analyses the passages with careerbot's `analyse` "
        "(inside its build time), and every question is `expand_query(question)` (inside its latency), so "
        "the engines index and score identical terms; bm25s uses `method='lucene'`, the IDF careerbot uses "
        "(its scores lack BM25's constant factor k1 + 1 = 2.5, so they are multiplied by it for the check), "
        "and the *Same answers* lines check the top-10 scores agree.",
        "- **bm25s as its README recommends**: `bm25s.BM25(backend='numba')` (the README's 'highly "
        "recommended' JIT backend; `auto_compile` on, compile time inside the build) and the default numpy "
        "backend; `index(tokens)`; `retrieve(..., k=10)`, single-threaded (its default `n_threads`).",
        "- **Isolation**: each (engine, size) runs in a fresh subprocess; the child loads the corpus, "
        "`gc.collect()`, resets the RSS high-water mark (`/proc/self/clear_refs` = 5), builds, queries.",
        "",
    ]
    text = "\n".join(lines)
    old_manual = ""
    if path.exists():
        previous = path.read_text(encoding="utf-8")
        if MANUAL_MARKER in previous:
            old_manual = previous.split(MANUAL_MARKER, 1)[1]
    path.write_text(text + "\n" + MANUAL_MARKER + (old_manual or "\n"), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        engine, corpus, queries, n, out, repeat = argv[1:7]
        run_child(engine, corpus, queries, int(n), out, int(repeat))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmark.md")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    ap.add_argument("--repeat", type=int, default=3,
                    help="passes over the questions; each question's best pass counts (rank-bm25: 1 at >= 50,000)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="runs of every engine per size, in alternating order; each question's best over all runs "
                         "counts (on a shared machine, a burst of load then does not fall on one engine alone)")
    ap.add_argument("--rank-bm25-cap", type=int, default=60,
                    help="questions timed for rank-bm25 at sizes >= 50,000 (it is slow there)")
    args = ap.parse_args(argv)

    started = datetime.now(timezone.utc)
    t_start = time.perf_counter()
    command = "python scripts/bench_search.py" + ("".join(" " + a for a in argv))
    facts = machine_facts()
    load_start = os.getloadavg()
    print(f"# nproc {facts['nproc']}, {facts['python']}, {facts['packages']}", flush=True)
    vocab, p, n_real = build_vocabulary(args.seed, ROOT / "knowledge" / "guides")
    queries = make_queries(args.queries + WARMUP, args.seed + 1, vocab, p)
    results: list[dict] = []
    loads: list[str] = []  # 1-min load average at the start and end of each child
    with tempfile.TemporaryDirectory(prefix="bench_search-") as tmpdir:
        tmp = Path(tmpdir)
        qpath = tmp / "queries.jsonl"
        qpath.write_text("".join(json.dumps(q) + "\n" for q in queries), encoding="utf-8")
        for size in args.sizes:
            t = time.perf_counter()
            cpath = tmp / f"corpus-{size}.jsonl"
            with open(cpath, "w", encoding="utf-8") as fh:
                for text in make_passages(size, args.seed + size, vocab, p):
                    fh.write(json.dumps(text) + "\n")
            print(f"# corpus {size:,} generated in {time.perf_counter() - t:.1f} s", flush=True)
            runs: dict[str, list[dict]] = {engine: [] for engine in args.engines}
            for rnd in range(args.rounds):  # A B C, then C B A, ...: load that comes and goes hits all alike
                for engine in (args.engines if rnd % 2 == 0 else args.engines[::-1]):
                    slow = engine == "rank-bm25" and size >= 50_000
                    n = min(args.queries, args.rank_bm25_cap) if slow else args.queries
                    load = os.getloadavg()[0]
                    r = run_engine(engine, size, cpath, qpath, n, tmp, 1 if slow else args.repeat)
                    runs[engine].append(r)
                    loads.append(f"{engine} {size:,} run {rnd + 1}: {load:.2f}-{os.getloadavg()[0]:.2f}")
                    print(f"  {engine:12s} build {r['build_s']:7.1f} s (CPU {r['build_cpu_s']:6.1f})  p50 {r['p50_ms']:8.3f}  "
                          f"p99 {r['p99_ms']:8.3f}  batched {r['batch_ms']:8.3f} ms  peak {r['peak_mb']:6.0f} MB "
                          f"(+{r['peak_mb'] - r['baseline_mb']:.0f})  load {loads[-1].rsplit(': ', 1)[1]}", flush=True)
            results.extend(merge_runs(runs[engine]) for engine in args.engines)
            cpath.unlink()
    elapsed = time.perf_counter() - t_start
    load_end = os.getloadavg()
    facts["load"] = (f"1-min load average {load_start[0]:.2f} at start, {load_end[0]:.2f} at end, on "
                     f"{facts['nproc']} CPUs shared with other work: wall times and tails are inflated; "
                     f"per child, start-end: {'; '.join(loads)}")
    print("\n" + fmt_table(results) + "\n")
    for name, ok, measured in check_targets(results):
        print(f"- {'PASS' if ok else 'MISS'} {name}: {measured}")
    for note in agreement(results):
        print("- " + note)
    write_markdown(args.out, results, facts, command, started, elapsed,
                   {"vocab": len(vocab), "real_words": n_real}, args)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
