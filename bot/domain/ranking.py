"""Ranking passages for a read message: weighted BM25, then the question's form against the headings.

1. The lexical score is rank-bm25's BM25 (see `search.py`), with a weight per query term: a term from
   a question sentence weighs 1, from context `CONTEXT_WEIGHT`, a query-side synonym `SYNONYM_WEIGHT`
   times its sentence's weight, and a word that only says how something is asked ("advice",
   "actually", "curious": `scope.ASKING`) `CONVERSATIONAL_WEIGHT` times that. BM25 is a sum over query terms, so a weighted query is the weighted sum
   of the scores of its weight groups, each one ordinary `SearchIndex.search` (exact for every passage
   that reaches a group's `POOL` best).
2. Many guide headings are questions ("What does an ML engineer do?", "Who does an ML engineer work
   with?"). Bags of stemmed words can't tell "what is an ML engineer?" from "where do ML engineers come
   from?": every content word is in both. The heading is compared with the question as text: character
   n-grams of the unstemmed words, wh-words and all (acronyms expanded on both sides), weighted by how
   rare each n-gram is among the headings, cosine similarity. It re-orders the lexical candidates:
   final = BM25 / best BM25 + `HEADING_WEIGHT` * similarity.
"""
from __future__ import annotations

import math
import weakref
from collections import Counter
from dataclasses import dataclass

from .analysis import CANONICAL, _raw_tokens, analyse, expand_query
from .knowledge import Knowledge
from .reading import Reading
from .scope import ASKING
from .search import SearchIndex

SYNONYM_WEIGHT = 1.0
CONVERSATIONAL_WEIGHT = 0.5  # "advice", "actually", "best": how it is asked, not what about
POOL = 200  # passages scored per weight group
CANDIDATES = 40  # passages re-ordered by the heading match
HEADING_WEIGHT = 0.75

NGRAMS = (3, 4, 5)


@dataclass(frozen=True)
class Ranked:
    doc: int
    score: float      # the final score (BM25 share of the best + heading match)
    lexical: float    # the weighted BM25 score


def query_weights(reading: Reading) -> dict[str, float]:
    """Each query term's weight: the largest it gets from any sentence it appears in."""
    weights: dict[str, float] = {}
    for text, w in reading.weighted():
        base = set(analyse(text))
        for term in expand_query(text):
            weight = w if term in base else w * SYNONYM_WEIGHT
            if term in ASKING:
                weight *= CONVERSATIONAL_WEIGHT
            if weight > weights.get(term, 0.0):
                weights[term] = weight
    return weights


def lexical_scores(index: SearchIndex, weights: dict[str, float], pool: int = POOL) -> dict[int, float]:
    groups: dict[float, list[str]] = {}
    for term, w in weights.items():
        groups.setdefault(round(w, 4), []).append(term)
    totals: dict[int, float] = {}
    for w, terms in groups.items():
        for hit in index.search(terms, k=pool):
            totals[hit.doc] = totals.get(hit.doc, 0.0) + w * hit.score
    return totals


# ------------------------------------------------------------------ headings as questions

def _surface(text: str) -> str:
    """Lower-case words with acronyms expanded, nothing dropped or stemmed ("what is a mle" keeps "what")."""
    words = []
    for token in _raw_tokens(text):
        words.append(CANONICAL.get(token, token))
    return " ".join(words)


def _ngrams(text: str) -> Counter:
    grams: Counter = Counter()
    for word in _surface(text).split():
        padded = f" {word} "
        for n in NGRAMS:
            for i in range(max(1, len(padded) - n + 1)):
                grams[padded[i:i + n]] += 1
    return grams


class HeadingMatcher:
    """Character n-gram TF-IDF vectors of every section heading of one knowledge snapshot."""

    def __init__(self, kb: Knowledge):
        self.grams = {sid: _ngrams(s.heading) for sid, s in kb.guides.sections.items()}
        df: Counter = Counter()
        for grams in self.grams.values():
            df.update(grams.keys())
        n = len(self.grams) or 1
        self.idf = {g: math.log(1 + n / d) for g, d in df.items()}
        self.default_idf = math.log(1 + n)
        self.norms = {sid: self._norm(g) for sid, g in self.grams.items()}

    def _weight(self, gram: str, count: int) -> float:
        return (1 + math.log(count)) * self.idf.get(gram, self.default_idf)

    def _norm(self, grams: Counter) -> float:
        return math.sqrt(sum(self._weight(g, c) ** 2 for g, c in grams.items())) or 1.0

    def vector(self, text: str) -> tuple[dict[str, float], float]:
        grams = _ngrams(text)
        vec = {g: self._weight(g, c) for g, c in grams.items()}
        return vec, math.sqrt(sum(v * v for v in vec.values())) or 1.0

    def similarity(self, query: tuple[dict[str, float], float], section_id: str) -> float:
        vec, norm = query
        grams = self.grams.get(section_id)
        if not grams:
            return 0.0
        dot = sum(v * self._weight(g, grams[g]) for g, v in vec.items() if g in grams)
        return dot / (norm * self.norms[section_id])


_matchers: dict[int, HeadingMatcher] = {}


def heading_matcher(kb: Knowledge) -> HeadingMatcher:
    """One matcher per knowledge snapshot, built once and dropped with it."""
    key = id(kb)
    found = _matchers.get(key)
    if found is None:
        found = _matchers[key] = HeadingMatcher(kb)
        weakref.finalize(kb, _matchers.pop, key, None)
    return found



def _question_texts(reading: Reading) -> list[str]:
    texts = [s.text for s in reading.sentences if s.kind == "question"]
    return texts or [s.text for s in reading.sentences if s.weight > 0]


def rank(kb: Knowledge, reading: Reading, k: int = CANDIDATES) -> list[Ranked]:
    weights = query_weights(reading)
    if not weights:
        return []
    totals = lexical_scores(kb.index, weights)
    if not totals:
        return []
    pool = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:max(k, CANDIDATES)]
    best = pool[0][1]
    matcher = heading_matcher(kb)
    queries = [matcher.vector(q) for q in _question_texts(reading)]
    ranked = []
    for doc, score in pool:
        sid = kb.passages[doc].section_id
        heading = max((matcher.similarity(q, sid) for q in queries), default=0.0)
        ranked.append(Ranked(doc, score / best + HEADING_WEIGHT * heading, score))
    ranked.sort(key=lambda r: (-r.score, r.doc))
    return ranked[:k]

