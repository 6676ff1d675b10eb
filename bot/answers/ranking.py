"""Ranking passages for a read message: weighted BM25, then the question's form against the headings.

1. The lexical score is rank-bm25's BM25 (see `search.py`), with a weight per query term: a term from
   a question sentence weighs 1, from context `CONTEXT_WEIGHT`, a query-side synonym `SYNONYM_WEIGHT`
   times its sentence's weight, and a word that only says how something is asked ("advice",
   "actually", "curious": `scope.asking_terms`) `CONVERSATIONAL_WEIGHT` times that. BM25 is a sum over query
   terms, so a weighted query is the weighted sum of the scores of its weight groups, each one ordinary
   `SearchIndex.search` (exact for every passage that reaches a group's `POOL` best), all made in one
   `SearchIndex.weighted` call.
2. Many guide headings are questions ("What does an ML engineer do?", "Who does an ML engineer work
   with?"). Bags of stemmed words can't tell "what is an ML engineer?" from "where do ML engineers come
   from?": every content word is in both. The heading is compared with the question as text: character
   n-grams of the unstemmed words, wh-words and all (acronyms expanded on both sides), weighted by how
   rare each n-gram is among the headings, cosine similarity. It re-orders the lexical candidates:
   final = BM25 / best BM25 + `HEADING_WEIGHT` * similarity.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass
from itertools import chain, repeat
from operator import mul
from pathlib import Path

import numpy as np

from bot.answers.everyday import everyday_weight
from bot.answers.reading import Reading
from bot.answers.scope import asking_terms
from bot.knowledge.checked_json import cache_path, read_checked, write_checked
from bot.knowledge.store import Knowledge, once_per_snapshot
from bot.search import analysis
from bot.search.analysis import _raw_tokens, analyse, current, expand_query
from bot.search.index import SearchIndex

SYNONYM_WEIGHT = 1.0
CONVERSATIONAL_WEIGHT = 0.5  # "advice", "actually", "best": how it is asked, not what about
POOL = 200  # passages scored per weight group
CANDIDATES = 20  # passages re-ordered by the heading match (at least; `ranked` asks for four per citation)
HEADING_WEIGHT = 0.75

NGRAMS = (3, 4, 5)
IDF_SAMPLE = 5_000  # headings the n-gram IDF is counted over (all of them below this)
VECTOR_CACHE = 200_000  # heading vectors kept per snapshot


@dataclass(frozen=True)
class Ranked:
    doc: int
    score: float      # the final score (BM25 share of the best + heading match)
    lexical: float    # the weighted BM25 score


def query_weights(reading: Reading, everyday: bool = True) -> dict[str, float]:
    """Each query term's weight: the largest it gets from any sentence it appears in. `everyday`: words
    common in everyday English weigh less (`everyday.py`; a factor of the term alone, so applied last)."""
    weights = _sentence_weights(reading)
    return {term: w * everyday_weight(term) for term, w in weights.items()} if everyday else dict(weights)


_last: tuple[Reading, dict[str, float]] | None = None  # the search and the composer read the same message


def _sentence_weights(reading: Reading) -> dict[str, float]:
    global _last
    last = _last
    if last is not None and last[0] is reading:
        return last[1]
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
    _last = (reading, weights)
    return weights


def _groups(weights: dict[str, float]) -> list[tuple[float, list[str]]]:
    groups: dict[float, list[str]] = {}
    for term, w in weights.items():
        groups.setdefault(round(w, 4), []).append(term)
    return list(groups.items())


def lexical_scores(index: SearchIndex, weights: dict[str, float], pool: int = POOL) -> dict[int, float]:
    """Each passage's weighted BM25: the weighted sum of its scores in the weight groups whose top `pool` it is in."""
    docs, totals = index.weighted(_groups(weights), pool)
    return dict(zip(docs.tolist(), totals.tolist()))


def _best(index: SearchIndex, weights: dict[str, float], n: int) -> list[tuple[int, float]]:
    """The n passages of best `lexical_scores`, best first (ties: earlier passage first)."""
    docs, totals = index.weighted(_groups(weights), POOL)
    order = np.lexsort((docs, -totals))[:n]
    return list(zip(docs[order].tolist(), totals[order].tolist()))


# ------------------------------------------------------------------ headings as questions

def _surface(text: str) -> str:
    """Lower-case words with acronyms expanded, nothing dropped or stemmed ("what is a mle" keeps "what")."""
    tokens = _raw_tokens(text)
    return " ".join(map(current().vocabulary.acronyms.get, tokens, tokens))  # a token, or its expansion


_WORD_GRAMS: dict[str, list[str]] = {}  # a word's n-grams, in order (the same words recur in many headings)
WORD_GRAMS_CACHE = 200_000


def _word_grams(word: str) -> list[str]:
    found = _WORD_GRAMS.get(word)
    if found is None:
        padded = f" {word} "
        size = len(padded)
        found = [padded[i:i + n] for n in NGRAMS for i in range(max(1, size - n + 1))]
        if len(_WORD_GRAMS) < WORD_GRAMS_CACHE:
            _WORD_GRAMS[word] = found
    return found


def _ngrams(text: str) -> Counter:
    # every word's n-grams in order, counted at once, in C; the counts' order is the n-grams' first appearance
    return Counter(chain.from_iterable(map(_word_grams, _surface(text).split())))


HEADING_DF_FILE = "heading_ngrams.json"
HEADING_DF_FORMAT = 1


def _df(headings: list[str]) -> dict[str, int]:
    """In how many of these headings each n-gram occurs (first seen first)."""
    df: Counter = Counter()
    for text in headings:
        df.update(_ngrams(text).keys())
    return dict(df)


def _df_identity(headings: list[str]) -> str:
    """What the counts are made from: the sampled headings, the acronyms they are read with, and the code
    that reads them (this module and the analyser's tokens)."""
    digest = hashlib.sha256(f"{HEADING_DF_FORMAT}|{NGRAMS}".encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(Path(str(analysis.__file__)).read_bytes())
    digest.update(json.dumps(sorted(current().vocabulary.acronyms.items())).encode())
    digest.update(json.dumps(headings).encode())
    return digest.hexdigest()


def _sample_df(headings: list[str], knowledge_dir: Path | None) -> dict[str, int]:
    """`_df(headings)`, read back from `<knowledge_dir>/.index/` when counted before for exactly these
    headings (checked as the parsed guides are: `checked_json.py`), else counted and saved (best effort)."""
    if knowledge_dir is None:
        return _df(headings)
    path = cache_path(knowledge_dir, HEADING_DF_FILE)
    identity = _df_identity(headings)
    saved = read_checked(path, HEADING_DF_FORMAT, identity)
    if type(saved) is list and all(type(e) is list and len(e) == 2 and type(e[0]) is str and type(e[1]) is int
                                   and e[1] > 0 for e in saved):
        return dict(saved)
    df = _df(headings)
    write_checked(path, HEADING_DF_FORMAT, identity, list(df.items()))
    return df


class HeadingMatcher:
    """Character n-gram TF-IDF vectors of the section headings of one knowledge snapshot.

    The IDF of an n-gram is counted over the headings, all of them up to `IDF_SAMPLE` sections and an
    evenly spread sample of that many above it (an estimate good enough for weighting, and a build that
    stays well under a second at 100k sections); the counts are saved beside the knowledge
    (`<knowledge>/.index/heading_ngrams.json`), so a restart on the same headings reads them back. A
    heading's vector is made when a question first meets it as a candidate, and kept.
    """

    def __init__(self, kb: Knowledge):
        self.headings = {sid: s.heading for sid, s in kb.guides.sections.items()}
        ids = list(self.headings)
        step = max(1, -(-len(ids) // IDF_SAMPLE))
        sampled = [self.headings[sid] for sid in ids[::step]]
        n = len(sampled) or 1
        df = _sample_df(sampled, kb.folder)
        self.idf = {g: math.log(1 + n / d) for g, d in df.items()}
        self.default_idf = math.log(1 + n)
        self._vectors: dict[str, tuple[dict[str, float], float]] = {}

    def _vector(self, grams: Counter) -> tuple[dict[str, float], float]:
        # (1 + log(c)) * idf for an n-gram seen c times: the idf itself for c == 1 (most n-grams, all of them
        # in most headings), looked up in one C loop; the few repeated ones multiplied after, the same floats
        keys = list(grams)
        values = list(map(self.idf.get, keys, repeat(self.default_idf)))
        if grams.total() != len(keys):
            log = math.log
            for i, c in enumerate(grams.values()):
                if c != 1:
                    values[i] = (1 + log(c)) * values[i]
        return dict(zip(keys, values)), math.sqrt(sum(map(mul, values, values))) or 1.0

    def _text_vector(self, text: str) -> tuple[dict[str, float], float]:
        """`_vector(_ngrams(text))`, without counting when no n-gram repeats (most texts): then every count
        is 1, the n-grams in order are the Counter's keys and each value is the idf itself."""
        grams = list(chain.from_iterable(map(_word_grams, _surface(text).split())))
        if len(dict.fromkeys(grams)) != len(grams):
            return self._vector(Counter(grams))
        values = list(map(self.idf.get, grams, repeat(self.default_idf)))
        return dict(zip(grams, values)), math.sqrt(sum(map(mul, values, values))) or 1.0

    def heading_vector(self, section_id: str) -> tuple[dict[str, float], float]:
        found = self._vectors.get(section_id)
        if found is None:
            found = self._text_vector(self.headings.get(section_id, ""))
            if len(self._vectors) < VECTOR_CACHE:
                self._vectors[section_id] = found
        return found

    def similarity(self, text_vector: tuple[dict[str, float], float], section_id: str) -> float:
        (qv, qn), (hv, hn) = text_vector, self.heading_vector(section_id)
        small, large = (qv, hv) if len(qv) <= len(hv) else (hv, qv)
        # the products of the shared n-grams in `small`'s order, 0.0 for the others (adding 0.0 changes no
        # sum): the same float as a generator over the shared ones, in C loops
        return sum(map(mul, small.values(), map(large.get, small, repeat(0.0)))) / (qn * hn)

    def vector(self, text: str) -> tuple[dict[str, float], float]:
        return self._text_vector(text)


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
    pool = _best(kb.index, weights, max(k, CANDIDATES))
    if not pool:
        return []
    best = pool[0][1]
    matcher = heading_matcher(kb)
    queries = [matcher.vector(q) for q in _question_texts(reading)]
    similarity: dict[str, float] = {}
    scored = []
    passages, similar = kb.passages, matcher.similarity
    for doc, score in pool:
        sid = passages[doc].section_id
        heading = similarity.get(sid)
        if heading is None:
            if len(queries) == 1:  # the max of one
                heading = similarity[sid] = similar(queries[0], sid)
            else:
                heading = similarity[sid] = max((similar(q, sid) for q in queries), default=0.0)
        scored.append((score / best + HEADING_WEIGHT * heading, doc, score))
    scored.sort(key=lambda r: (-r[0], r[1]))
    return [Ranked(doc, final, score) for final, doc, score in scored[:k]]

