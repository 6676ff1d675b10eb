"""Ranking-only ablations on the evaluation sets: what each retrieval idea does to hit@1 / hit@3 / MRR@10.

    python scripts/ablations.py            # every variant, on tests/data/eval.jsonl and holdout.jsonl

No abstention here: every in-scope question is ranked, at most one passage per section, like the
answers' citations. Variants change one thing against careerbot's shipped ranking ("shipped"):
how sections are cut into units, how much the heading counts, section-level pooling, and (when the
`wordfreq` package is installed) an IDF blended with general-English word frequency. Figures are in
docs/retrieval.md.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge.passages import MAX_PASSAGE_CHARS, split_sentences  # noqa: E402
from bot.knowledge.store import build_knowledge  # noqa: E402
from bot.search.analysis import _stem, analyse, expand_query  # noqa: E402
from bot.search.index import SearchIndex  # noqa: E402

KB = build_knowledge(ROOT / "knowledge")
SECTIONS = KB.guides.sections
Unit = tuple[str, str]  # (section id, text)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _load(name: str) -> list[dict]:
    lines = (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
    return [item for item in map(json.loads, filter(None, lines)) if item.get("expect")]


SETS = {"eval": _load("eval.jsonl"), "holdout": _load("holdout.jsonl")}


def heading(section, repeat: int = 1) -> str:
    return " ".join([f"{section.parent_heading or ''} {section.heading}"] * repeat)


def shipped_units() -> list[Unit]:
    return [(p.section_id, p.text if p.indexed is None else p.indexed) for p in KB.passages]


def window_units(by_sentence: bool) -> list[Unit]:
    """Overlapping windows (<= MAX_PASSAGE_CHARS) starting at every paragraph (or sentence) of long sections."""
    out: list[Unit] = []
    for section in SECTIONS.values():
        if len(section.passages) == 1:
            out.append((section.id, section.passages[0].text))
            continue
        pieces: list[tuple[str, str]] = []
        for paragraph in filter(str.strip, section.text.split("\n\n")):
            split = by_sentence or len(paragraph) > MAX_PASSAGE_CHARS
            for i, text in enumerate(split_sentences(paragraph) if split else [paragraph]):
                pieces.append((text, "\n\n" if i == 0 else " "))
        seen: set[str] = set()
        for start in range(len(pieces)):
            window = ""
            for text, joiner in pieces[start:]:
                candidate = f"{window}{joiner}{text}" if window else text
                if len(candidate) > MAX_PASSAGE_CHARS:
                    break
                window = candidate
            if window and not any(window in kept for kept in seen):
                seen.add(window)
                out.append((section.id, window))
    return out


Scorer = Callable[[list[str]], np.ndarray]


def evaluate(label: str, units: list[Unit], repeat: int = 1, pool: float = 0.0,
             term_factor: Callable[[str], float] | None = None) -> None:
    index = SearchIndex(analyse(heading(SECTIONS[sid], repeat) + "\n" + text) for sid, text in units)
    if term_factor is not None:  # scale each term's column: the same as scaling its IDF
        names = sorted(index.vocab, key=index.vocab.get)
        index.weights = index.weights.multiply(np.array([term_factor(t) for t in names])).tocsc()
    sections = list(SECTIONS.values())
    section_index = SearchIndex(analyse(heading(s) + "\n" + s.text) for s in sections) if pool else None
    position = {s.id: i for i, s in enumerate(sections)}
    figures = []
    for name, items in SETS.items():
        hit1 = hit3 = reciprocal = 0.0
        for item in items:
            terms = expand_query(item["question"])
            scores = index.scores(terms)
            if section_index is not None:
                section_scores = section_index.scores(terms)
                scores = scores + pool * np.array([section_scores[position[sid]] for sid, _ in units])
            seen: set[str] = set()
            ranked: list[int] = []
            for i in sorted(range(len(units)), key=lambda i: -scores[i]):
                if scores[i] <= 0 or len(ranked) == 10:
                    break
                if units[i][0] not in seen:
                    seen.add(units[i][0])
                    ranked.append(i)
            rank = next((r for r, i in enumerate(ranked, 1) if _norm(item["expect"]) in _norm(units[i][1])), None)
            if rank:
                hit1, hit3, reciprocal = hit1 + (rank == 1), hit3 + (rank <= 3), reciprocal + 1 / rank
        n = len(items)
        figures.append(f"{name} {hit1 / n:.3f} / {hit3 / n:.3f} / {reciprocal / n:.3f}")
    print(f"| {label} | {len(units)} | " + " | ".join(figures) + " |")


def general_english_factor() -> Callable[[str], float] | None:
    """IDF x ((9 - zipf) / 9) ** 1.5, zipf = log10 of the stem's frequency per 10^9 English words."""
    try:
        import wordfreq
    except ImportError:
        return None
    frequency: dict[str, float] = {}
    for word in wordfreq.top_n_list("en", 200_000):
        stem = _stem(word)
        frequency[stem] = frequency.get(stem, 0.0) + wordfreq.word_frequency(word, "en")

    def factor(term: str) -> float:
        f = frequency.get(term, 0.0)
        zipf = math.log10(f * 1e9) if f > 0 else 0.0
        return ((9 - min(zipf, 9)) / 9) ** 1.5
    return factor


def main() -> None:
    print("| variant | units | eval hit@1 / hit@3 / MRR@10 | holdout hit@1 / hit@3 / MRR@10 |")
    print("|---|---|---|---|")
    shipped = shipped_units()
    evaluate("shipped: passages <= 1000 chars, heading once", shipped)
    evaluate("no heading in the indexed text", shipped, repeat=0)
    evaluate("heading counted twice", shipped, repeat=2)
    evaluate("heading counted three times", shipped, repeat=3)
    evaluate("overlapping windows from each paragraph", window_units(by_sentence=False))
    evaluate("overlapping windows from each sentence", window_units(by_sentence=True))
    for weight in (0.5, 1.0):
        evaluate(f"plus {weight} x whole-section BM25 score", shipped, pool=weight)
    factor = general_english_factor()
    if factor is None:
        print("(general-English IDF skipped: pip install wordfreq to run it)")
    else:
        evaluate("IDF x general-English rarity ^1.5 (wordfreq)", shipped, term_factor=factor)


if __name__ == "__main__":
    main()
