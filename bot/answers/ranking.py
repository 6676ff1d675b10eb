"""Ranking passages for a read message: weighted BM25, then the question's form against the headings.

1. The lexical score is rank-bm25's BM25 (see `search.py`), with a weight per query term: a term from
   a question sentence weighs 1, from context `CONTEXT_WEIGHT`, a query-side synonym `SYNONYM_WEIGHT`
   times its sentence's weight, and a word that only says how something is asked ("advice",
   "actually", "curious": `scope.asking_terms`) `CONVERSATIONAL_WEIGHT` times that. BM25 is a sum over query
   terms, so a weighted query is the weighted sum of the scores of its weight groups, each one ordinary
   `SearchIndex.search` (exact for every passage that reaches a group's `POOL` best).
2. Many guide headings are questions ("What does an ML engineer do?", "Who does an ML engineer work
   with?"). Bags of stemmed words can't tell "what is an ML engineer?" from "where do ML engineers come
   from?": every content word is in both. The heading is compared with the question as text: character
   n-grams of the unstemmed words, wh-words and all (acronyms expanded on both sides), weighted by how
   rare each n-gram is among the headings, cosine similarity. It re-orders the lexical candidates:
   final = BM25 / best BM25 + `HEADING_WEIGHT` * similarity.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from bot.answers.reading import Reading
from bot.answers.scope import asking_terms
from bot.knowledge.store import Knowledge, once_per_snapshot
from bot.search.analysis import _raw_tokens, analyse, current, expand_query
from bot.search.index import SearchIndex

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
    asking = asking_terms()
    for text, w in reading.weighted():
        base = set(analyse(text))
        for term in expand_query(text):
            weight = w if term in base else w * SYNONYM_WEIGHT
            if term in asking:
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
    acronyms = current().vocabulary.acronyms
    for token in _raw_tokens(text):
        words.append(acronyms.get(token, token))
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
    """Character n-gram TF-IDF vectors of every section heading of one knowledge snapshot, as the rows of a
    sparse matrix (unit length), so one sparse product scores a question against every heading."""

    def __init__(self, kb: Knowledge):
        self.section_ids = list(kb.guides.sections)
        self.row = {sid: i for i, sid in enumerate(self.section_ids)}
        counts = [_ngrams(kb.guides.sections[sid].heading) for sid in self.section_ids]
        df: Counter = Counter()
        for grams in counts:
            df.update(grams.keys())
        n = len(counts) or 1
        self.column = {g: j for j, g in enumerate(df)}
        self.idf = np.array([math.log(1 + n / df[g]) for g in df])
        self.default_idf = math.log(1 + n)
        rows, cols, vals = [], [], []
        for i, grams in enumerate(counts):
            for g, c in grams.items():
                rows.append(i)
                cols.append(self.column[g])
                vals.append((1 + math.log(c)) * self.idf[self.column[g]])
        matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(counts), len(self.column)))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self.matrix = sparse.diags(1.0 / norms) @ matrix

    def similarities(self, text: str) -> np.ndarray:
        """Cosine similarity of `text` with every heading (in `section_ids` order)."""
        grams = _ngrams(text)
        if not grams or not self.column:
            return np.zeros(len(self.section_ids))
        vec = np.zeros(len(self.column))
        norm = 0.0
        for g, c in grams.items():
            j = self.column.get(g)
            weight = (1 + math.log(c)) * (self.idf[j] if j is not None else self.default_idf)
            norm += weight * weight
            if j is not None:
                vec[j] = weight
        return self.matrix @ vec / (math.sqrt(norm) or 1.0)


_matchers: dict[int, HeadingMatcher] = {}


def heading_matcher(kb: Knowledge) -> HeadingMatcher:
    """One matcher per knowledge snapshot, built once and dropped with it."""
    return once_per_snapshot(_matchers, kb, HeadingMatcher)



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
    similarity = np.max([matcher.similarities(q) for q in _question_texts(reading)], axis=0)
    ranked = []
    for doc, score in pool:
        row = matcher.row.get(kb.passages[doc].section_id)
        heading = float(similarity[row]) if row is not None else 0.0
        ranked.append(Ranked(doc, score / best + HEADING_WEIGHT * heading, score))
    ranked.sort(key=lambda r: (-r.score, r.doc))
    return ranked[:k]

