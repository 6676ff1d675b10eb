#!/usr/bin/env python
"""Benchmark careerbot's BM25 SearchIndex against rank-bm25 (full scoring) and bm25s.

    python scripts/bench_search.py [--sizes 10000 100000] [--queries 200] [--out docs/benchmark.md]

One run:

1. builds deterministic (seeded) synthetic corpora, one per size: passages of 60-120 words (a short
   heading line plus sentences, like the heading-sized passages the bot indexes), drawn from a
   Zipf-Mandelbrot vocabulary that mixes the real guides' words (knowledge/guides/*.md, in their real
   frequency order, stopwords included) with synthetic words, plus one set of 3-8 word queries mixing
   common words (Zipf draws) and rare ones (log-uniform ranks);
2. runs every (engine, size) pair in its own fresh subprocess (this script re-invoked with a hidden
   `--child` flag), so one engine's garbage never counts against another; the child loads the corpus,
   resets the kernel's RSS high-water mark, records the baseline RSS, builds the index, runs 5 warm-up
   queries and then times each query with time.perf_counter, and reports peak RSS (getrusage ru_maxrss);
3. prints a Markdown table and writes it, with the machine facts, the method and the targets, to --out.

Text below the marker line MANUAL_MARKER in an existing --out file is kept (hand-written findings).
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

ENGINES = ("careerbot", "rank-bm25", "bm25s")
ENGINE_TITLES = {
    "careerbot": "careerbot SearchIndex",
    "rank-bm25": "rank-bm25 BM25Okapi (full scoring)",
    "bm25s": "bm25s (numpy backend)",
}
K = 10
WARMUP = 5
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

def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


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


def run_child(engine: str, corpus_path: str, queries_path: str, n_queries: int, result_path: str) -> None:
    import psutil

    proc = psutil.Process()
    if engine == "careerbot":
        from bot.domain.analysis import analyse, expand_query, _stem
        from bot.domain.search import SearchIndex
    elif engine == "rank-bm25":
        from bot.domain.analysis import analyse, expand_query
        from rank_bm25 import BM25Okapi
    elif engine == "bm25s":
        import bm25s
        import Stemmer
    else:
        raise SystemExit(f"unknown engine {engine}")

    with open(corpus_path, encoding="utf-8") as fh:
        texts = [json.loads(line) for line in fh]
    with open(queries_path, encoding="utf-8") as fh:
        queries = [json.loads(line) for line in fh]
    warm, timed = queries[:WARMUP], queries[WARMUP:WARMUP + n_queries]

    gc.collect()
    reset = _reset_peak()
    baseline = proc.memory_info().rss
    maxrss_before = _maxrss_bytes()
    extra: dict = {}

    t0, c0 = time.perf_counter(), time.process_time()
    if engine == "careerbot":
        index = SearchIndex(analyse(t) for t in texts)  # a generator, as bot.domain.knowledge does

        def query(q):
            terms = expand_query(q)
            t = time.perf_counter()
            index.search(terms, k=K)
            return t
    elif engine == "rank-bm25":
        index = BM25Okapi(analyse(t) for t in texts)  # same analysed tokens as careerbot

        def query(q):
            terms = expand_query(q)
            t = time.perf_counter()
            scores = index.get_scores(terms)
            np.argsort(scores)[::-1][:K]
            return t
    else:
        stemmer = Stemmer.Stemmer("english")
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)
        t_tok = time.perf_counter()
        index = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
        index.index(tokens, show_progress=False)
        extra["tokenise_s"] = t_tok - t0
        extra["index_s"] = time.perf_counter() - t_tok
        del tokens

        def query(q):
            qt = bm25s.tokenize(q, stopwords="en", stemmer=stemmer, show_progress=False)
            t = time.perf_counter()
            index.retrieve(qt, k=K, show_progress=False)
            return t
    build_s = time.perf_counter() - t0
    build_cpu_s = time.process_time() - c0
    gc.collect()
    peak_build = _maxrss_bytes()
    rss_after_build = proc.memory_info().rss

    for q in warm:
        query(q)
    lat, analysis = [], []
    for q in timed:
        start = time.perf_counter()
        mid = query(q)
        end = time.perf_counter()
        lat.append(end - start)
        analysis.append(mid - start)
    peak_end = _maxrss_bytes()

    if engine == "careerbot":
        extra["index_bytes"] = index.memory_bytes()
        extra["terms"] = len(index.vocab)
        extra["postings"] = int(index.weights.nnz)
        # Build split, measured after the peaks above (cold stem cache, as in the real build).
        _stem.cache_clear()
        gc.collect()
        ta = time.perf_counter()
        for t in texts:
            analyse(t)
        extra["tokenise_s"] = time.perf_counter() - ta
        extra["index_s"] = build_s - extra["tokenise_s"]
    elif engine == "bm25s":
        extra["terms"] = len(index.vocab_dict)
        extra["postings"] = int(len(index.scores["data"]))

    lat_ms = np.asarray(lat) * 1e3
    an_ms = np.asarray(analysis) * 1e3
    result = {
        "engine": engine,
        "size": len(texts),
        "queries": len(timed),
        "build_s": build_s,
        "build_cpu_s": build_cpu_s,
        "p50_ms": float(np.percentile(lat_ms, 50)),
        "p99_ms": float(np.percentile(lat_ms, 99)),
        "mean_ms": float(lat_ms.mean()),
        "analysis_p50_ms": float(np.percentile(an_ms, 50)),
        "core_p50_ms": float(np.percentile(lat_ms - an_ms, 50)),
        "baseline_mb": baseline / 2**20,
        "maxrss_before_mb": maxrss_before / 2**20,
        "peak_build_mb": peak_build / 2**20,
        "peak_mb": peak_end / 2**20,
        "rss_after_build_mb": rss_after_build / 2**20,
        "peak_reset": reset,
        **extra,
    }
    with open(result_path, "w") as fh:
        json.dump(result, fh)


# --------------------------------------------------------------------------- parent

def machine_facts() -> dict:
    facts = {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
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
    for pkg in ("numpy", "scipy", "rank-bm25", "bm25s", "PyStemmer", "psutil"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    facts["packages"] = versions
    return facts


def run_engine(engine: str, size: int, corpus: Path, queries: Path, n_queries: int, tmp: Path) -> dict:
    out = tmp / f"result-{engine}-{size}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", engine, str(corpus), str(queries),
           str(n_queries), str(out)]
    env = dict(os.environ, TQDM_DISABLE="1")
    subprocess.run(cmd, check=True, cwd=str(ROOT), env=env)
    return json.loads(out.read_text())


def fmt_table(results: list[dict]) -> str:
    head = ("| passages | engine | build (s) | query p50 (ms) | query p99 (ms) | queries timed "
            "| peak RSS (MB) | build+index RSS increase (MB) |")
    rows = [head, "|---:|:---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rows.append(
            f"| {r['size']:,} | {ENGINE_TITLES[r['engine']]} | {r['build_s']:.2f} | {r['p50_ms']:.3f} "
            f"| {r['p99_ms']:.3f} | {r['queries']} | {r['peak_mb']:.0f} | {r['peak_mb'] - r['baseline_mb']:.0f} |"
        )
    return "\n".join(rows)


def fmt_detail(results: list[dict]) -> str:
    rows = ["| passages | engine | build CPU (s) | tokenise (s) | index (s) | query analysis p50 (ms) | scoring + top-k p50 (ms) "
            "| mean (ms) | baseline RSS (MB) | peak after build (MB) | RSS after build (MB) |",
            "|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        tok = f"{r['tokenise_s']:.2f}" if "tokenise_s" in r else "-"
        idx = f"{r['index_s']:.2f}" if "index_s" in r else "-"
        rows.append(
            f"| {r['size']:,} | {r['engine']} | {r['build_cpu_s']:.2f} | {tok} | {idx} | {r['analysis_p50_ms']:.3f} | {r['core_p50_ms']:.3f} "
            f"| {r['mean_ms']:.3f} | {r['baseline_mb']:.0f} | {r['peak_build_mb']:.0f} | {r['rss_after_build_mb']:.0f} |"
        )
    return "\n".join(rows)


def check_targets(results: list[dict]) -> list[tuple[str, bool, str]]:
    by = {(r["engine"], r["size"]): r for r in results}
    size = max(r["size"] for r in results)
    ours, theirs, ref = by.get(("careerbot", size)), by.get(("bm25s", size)), by.get(("rank-bm25", size))
    checks = []
    if ours and theirs:
        checks.append((f"p50 query <= bm25s p50 at {size:,} passages", ours["p50_ms"] <= theirs["p50_ms"],
                       f"{ours['p50_ms']:.3f} ms vs {theirs['p50_ms']:.3f} ms"))
    if ours and ref:
        ratio = ref["p50_ms"] / ours["p50_ms"]
        checks.append((f">= 20x faster than rank-bm25 full scoring (p50) at {size:,}", ratio >= 20,
                       f"{ratio:.0f}x ({ref['p50_ms']:.1f} ms vs {ours['p50_ms']:.3f} ms)"))
    if ours:
        checks.append((f"build < 10 s at {size:,}", ours["build_s"] < 10, f"{ours['build_s']:.2f} s"))
        checks.append((f"peak memory < 600 MB at {size:,}", ours["peak_mb"] < 600,
                       f"{ours['peak_mb']:.0f} MB peak RSS ({ours['peak_mb'] - ours['baseline_mb']:.0f} MB "
                       f"above the {ours['baseline_mb']:.0f} MB baseline)"))
    return checks


def write_markdown(path: Path, results: list[dict], facts: dict, command: str, started: datetime,
                   elapsed: float, corpus_stats: dict, args) -> None:
    checks = check_targets(results)
    pk = ", ".join(f"{k} {v}" for k, v in facts["packages"].items())
    lines = [
        "# Search benchmark: careerbot SearchIndex vs rank-bm25 vs bm25s",
        "",
        f"Generated by `scripts/bench_search.py` on {started.strftime('%Y-%m-%d %H:%M UTC')} "
        f"(run took {elapsed:.0f} s).",
        "",
        f"- Command: `{command}`",
        f"- Machine: {facts.get('cpu', 'unknown CPU')}; nproc {facts['nproc']} (usable {facts['usable_cpus']}); "
        f"RAM {facts.get('ram_gb', '?')} GB; {facts['platform']}",
        f"- Python: {facts['python']}",
        *([f"- Load: {facts['load']}"] if "load" in facts else []),
        f"- Packages: {pk}",
        "",
        "## Results",
        "",
        fmt_table(results),
        "",
        "Latencies are per query, end to end: query analysis (careerbot and rank-bm25: `expand_query`; "
        "bm25s: `bm25s.tokenize` of the query) + scoring + top-10. *Peak RSS* is the child process's "
        "`ru_maxrss` (imports and the loaded corpus included); the *increase* is that peak minus the RSS "
        "measured just before the build, i.e. what building the index (and querying it) cost.",
        "",
        "### Targets (largest size)",
        "",
        "| target | met | measured |",
        "|:---|:---:|:---|",
    ]
    lines += [f"| {name} | {'yes' if ok else '**no**'} | {measured} |" for name, ok, measured in checks]
    lines += [
        "",
        "### Breakdown",
        "",
        fmt_detail(results),
        "",
        "careerbot's *tokenise* is a second, separate `analyse()` pass over the corpus with a cold stem cache, "
        "timed after the build; *index* is the build time minus it. bm25s's split is timed inside its build.",
        "",
        "## Method",
        "",
        "- **Corpus** (deterministic, `--seed " + str(args.seed) + "`): a ranked vocabulary of "
        f"{corpus_stats['vocab']:,} words — the {corpus_stats['real_words']:,} distinct words of "
        "`knowledge/guides/*.md` in their real frequency order (stopwords included, so the analyser has real "
        "work to do) interleaved with synthetic pronounceable words — with Zipf-Mandelbrot probabilities "
        f"p(r) ∝ 1/(r + {ZIPF_Q})^{ZIPF_S}. Each passage is a 2-6 word heading line plus sentences, "
        "60-120 words in all (the heading-sized passages `bot.domain.knowledge` indexes, heading included), "
        "so the document-frequency distribution has a realistic head (terms in most passages) and a long tail.",
        f"- **Queries**: {args.queries} timed + {WARMUP} warm-up questions of 3-8 words; each word is, with equal "
        "odds, a Zipf draw (common words and stopwords) or a log-uniform rank in [50, V) (mid-frequency to rare, "
        "some absent from the smaller corpus). The same questions are used for every engine and size. "
        f"rank-bm25 is timed on the first {args.rank_bm25_cap} questions only at sizes ≥ 50,000 (it scores every "
        "passage in Python-level loops), so its p99 there is close to its maximum.",
        "- **Engines**: (1) careerbot: build = `SearchIndex(analyse(text) for text in passages)`, exactly as "
        "`bot.domain.knowledge.build_knowledge` does; query = `expand_query(question)` + `index.search(terms, "
        "k=10)`. (2) rank-bm25: build = `BM25Okapi(analyse(text) for text in passages)` (the same analysed "
        "tokens, the analysis inside its build time too; k1=1.5, b=0.75; its own IDF); query = "
        "`expand_query` + `get_scores` + `argsort` top-10. (3) bm25s `BM25(k1=1.5, b=0.75, method='lucene')` "
        "(the same Lucene IDF as careerbot) over `bm25s.tokenize(passages, stopwords='en', "
        "stemmer=Stemmer('english'))`; query = `bm25s.tokenize(question, ...)` + `retrieve(k=10)` (numpy backend: "
        "numba/jax are not installed; single-threaded, progress bars off).",
        "- **Isolation and memory**: every (engine, size) runs in a fresh subprocess (the script re-invokes "
        "itself with `--child`). The child imports its engine, loads the pre-generated corpus, runs "
        "`gc.collect()`, resets the kernel's RSS high-water mark (`/proc/self/clear_refs` = 5, so corpus "
        "loading transients do not hide the build's peak), records the baseline RSS, builds, runs the warm-up "
        "and timed queries, and reports `ru_maxrss`.",
        "- **Timing**: `time.perf_counter()` around each query, after 5 warm-up queries; p50/p99 by "
        "`numpy.percentile`. Build time is wall time of the whole build including tokenisation; *build CPU* "
        "(process time) is given too, since it is less sensitive to other load on the machine.",
        "",
        "## Targets",
        "",
        "At 100,000 passages: careerbot's p50 query latency ≤ bm25s's p50 in the same run, and ≥ 20x faster "
        "than rank-bm25 full scoring; careerbot's build < 10 s; careerbot's peak memory (peak RSS of its "
        "process) < 600 MB.",
        "",
    ]
    text = "\n".join(lines)
    old_manual = ""
    if path.exists():
        previous = path.read_text(encoding="utf-8")
        if MANUAL_MARKER in previous:
            old_manual = previous.split(MANUAL_MARKER, 1)[1]
    text += "\n" + MANUAL_MARKER + (old_manual if old_manual else "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        engine, corpus, queries, n, out = argv[1:6]
        run_child(engine, corpus, queries, int(n), out)
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmark.md")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    ap.add_argument("--rank-bm25-cap", type=int, default=50,
                    help="queries timed for rank-bm25 at sizes >= 50,000 (it is slow there)")
    args = ap.parse_args(argv)

    started = datetime.now(timezone.utc)
    t_start = time.perf_counter()
    command = "python scripts/bench_search.py " + " ".join(argv) if argv else "python scripts/bench_search.py"
    facts = machine_facts()
    load_start = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"# nproc {facts['nproc']}, {facts['python']}, {facts['packages']}", flush=True)

    vocab, p, n_real = build_vocabulary(args.seed, ROOT / "knowledge" / "guides")
    queries = make_queries(args.queries + WARMUP, args.seed + 1, vocab, p)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_search-") as tmpdir:
        tmp = Path(tmpdir)
        qpath = tmp / "queries.jsonl"
        qpath.write_text("".join(json.dumps(q) + "\n" for q in queries), encoding="utf-8")
        for size in args.sizes:
            t = time.perf_counter()
            passages = make_passages(size, args.seed + size, vocab, p)
            cpath = tmp / f"corpus-{size}.jsonl"
            with open(cpath, "w", encoding="utf-8") as fh:
                for text in passages:
                    fh.write(json.dumps(text) + "\n")
            words = sum(len(x.split()) for x in passages)
            print(f"# corpus {size:,}: {words / size:.0f} words/passage, generated in "
                  f"{time.perf_counter() - t:.1f} s", flush=True)
            del passages
            for engine in args.engines:
                n = args.queries
                if engine == "rank-bm25" and size >= 50_000:
                    n = min(n, args.rank_bm25_cap)
                r = run_engine(engine, size, cpath, qpath, n, tmp)
                results.append(r)
                print(f"  {engine:10s} build {r['build_s']:7.2f} s  p50 {r['p50_ms']:9.3f} ms  "
                      f"p99 {r['p99_ms']:9.3f} ms  peak {r['peak_mb']:6.0f} MB "
                      f"(+{r['peak_mb'] - r['baseline_mb']:.0f})", flush=True)
    elapsed = time.perf_counter() - t_start
    if load_start is not None:
        load_end = os.getloadavg()
        facts["load"] = (f"1-min load average {load_start[0]:.2f} at start, {load_end[0]:.2f} at end "
                         f"(on {facts['nproc']} CPUs; other work on the machine inflates wall times)")
    table = fmt_table(results)
    print()
    print(table)
    print()
    for name, ok, measured in check_targets(results):
        print(f"- {'PASS' if ok else 'MISS'} {name}: {measured}")
    write_markdown(args.out, results, facts, command, started, elapsed,
                   {"vocab": len(vocab), "real_words": n_real}, args)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
