"""BM25 search over passages: rank-bm25's Okapi scoring, with a positive IDF and an inverted index.

Scoring is rank-bm25's `BM25Okapi.get_scores` formula (k1=1.5, b=0.75), term by term:

    idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avgdl))

with one change, the IDF. rank-bm25 uses log((N - df + 0.5) / (df + 0.5)), which is zero for a term in
half the passages and negative above that; it then replaces negatives by `epsilon * mean idf`, so a
term found in 60% of passages can outweigh one found in 45%. On a few hundred passages about one
career, common but meaningful words ("engineer", "data") hit that floor. We use the Lucene / BM25+
form log(1 + (N - df + 0.5) / (df + 0.5)): always positive and strictly decreasing in df.
`ReferenceBM25` is rank-bm25's own class with that one method replaced; tests check the fast path
below returns its `get_scores` to 1e-9.

The fast path precomputes every (term, passage) weight into a sparse CSC matrix (one column per term),
so a query touches only the postings of its own terms: no Python work per passage.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from rank_bm25 import BM25Okapi
from scipy import sparse

K1 = 1.5
B = 0.75


def bm25_idf(n_docs: int, df):
    """Lucene / BM25+ IDF; works on scalars and numpy arrays."""
    return np.log1p((n_docs - df + 0.5) / (df + 0.5))


class ReferenceBM25(BM25Okapi):
    """rank-bm25's BM25Okapi with the positive IDF: the scoring definition the fast path must match."""

    def _calc_idf(self, nd):  # noqa: D401 - rank-bm25 hook
        self.idf = {word: float(bm25_idf(self.corpus_size, freq)) for word, freq in nd.items()}


@dataclass(frozen=True)
class Hit:
    doc: int
    score: float


class SearchIndex:
    """Inverted index of precomputed BM25 weights. Build once, query many times, never mutate."""

    def __init__(self, tokenised: Iterable[Sequence[str]], k1: float = K1, b: float = B):
        self.k1, self.b = k1, b
        vocab: dict[str, int] = {}
        ids = array("i")
        lengths = array("i")
        get = vocab.get
        for tokens in tokenised:
            row = [get(t) for t in tokens]
            if None in row:
                row = [vocab.setdefault(t, len(vocab)) for t in tokens]
            ids.extend(row)
            lengths.append(len(row))
        self.vocab = vocab
        self.n_docs = len(lengths)
        doc_len = np.frombuffer(lengths, dtype=np.int32).astype(np.float64)
        self.avgdl = float(doc_len.mean()) if self.n_docs else 0.0
        indptr = np.zeros(self.n_docs + 1, dtype=np.int64)
        np.cumsum(np.frombuffer(lengths, dtype=np.int32), out=indptr[1:])
        terms = np.frombuffer(ids, dtype=np.int32)
        tf = sparse.csr_matrix((np.ones(len(terms)), terms, indptr), shape=(self.n_docs, len(vocab)))
        tf.sum_duplicates()  # per passage: one entry per distinct term, data = term frequency
        del ids, terms
        tf = tf.tocsc()
        df = np.diff(tf.indptr)
        self.idf = bm25_idf(self.n_docs, df.astype(np.float64))
        self.max_idf = float(bm25_idf(self.n_docs, 0.0))
        col = np.repeat(np.arange(len(vocab)), df)
        norm = k1 * (1 - b + b * doc_len[tf.indices] / (self.avgdl or 1.0))
        tf.data = self.idf[col] * (tf.data * (k1 + 1) / (tf.data + norm))
        self.weights = tf  # CSC: column t holds (passage, weight) postings of term t
        self.doc_len = doc_len

    def term_idf(self, term: str) -> float:
        """IDF of a term; a term no passage has gets the IDF of df=0 (the rarest possible)."""
        j = self.vocab.get(term)
        return float(self.idf[j]) if j is not None else self.max_idf

    def _postings(self, terms: Sequence[str]):
        w = self.weights
        for term in terms:
            j = self.vocab.get(term)
            if j is not None:
                lo, hi = w.indptr[j], w.indptr[j + 1]
                yield w.indices[lo:hi], w.data[lo:hi]

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """Dense scores for every passage (for tests and small corpora)."""
        out = np.zeros(self.n_docs)
        for docs, weights in self._postings(terms):
            out[docs] += weights
        return out

    def search(self, terms: Sequence[str], k: int = 10) -> list[Hit]:
        """Top-k passages for the query terms, best first; only passages sharing a term are scored.

        Each passage's weights are added in query-term order, as rank-bm25 does, so scores match it to
        the last bit: the postings are merged with a stable sort, or summed densely when they are many.
        """
        postings = list(self._postings(terms))
        if not postings or k <= 0:
            return []
        if len(postings) == 1:
            candidates, totals = postings[0]  # one term: its postings are distinct, sorted passages
        elif sum(len(d) for d, _ in postings) > self.n_docs // 4:
            dense = self.scores(terms)
            candidates = np.flatnonzero(dense)  # every weight is positive: non-zero means a shared term
            totals = dense[candidates]
        else:
            docs = np.concatenate([d for d, _ in postings])
            order = np.argsort(docs, kind="stable")
            docs = docs[order]
            first = np.empty(len(docs), dtype=bool)
            first[0] = True
            np.not_equal(docs[1:], docs[:-1], out=first[1:])
            candidates = docs[first]
            weights = np.concatenate([w for _, w in postings])[order]
            totals = np.bincount(np.cumsum(first) - 1, weights=weights)
        if len(candidates) > k:
            part = np.argpartition(-totals, k - 1)[:k]
        else:
            part = np.arange(len(candidates))
        order = part[np.lexsort((candidates[part], -totals[part]))]
        return [Hit(int(candidates[i]), float(totals[i])) for i in order]

    def max_score(self, terms: Sequence[str]) -> float:
        """Upper bound of a passage's score for these terms (tf -> infinity gives idf * (k1 + 1))."""
        return sum(self.term_idf(t) * (self.k1 + 1) for t in terms)

    def memory_bytes(self) -> int:
        w = self.weights
        return int(w.data.nbytes + w.indices.nbytes + w.indptr.nbytes + self.idf.nbytes + self.doc_len.nbytes)


def reference_scores(tokenised: list[list[str]], query: Sequence[str]) -> np.ndarray:
    """rank-bm25's full scoring (with the positive IDF), for tests and the benchmark."""
    return ReferenceBM25(tokenised, k1=K1, b=B).get_scores(list(query))

