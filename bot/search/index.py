"""BM25 search over passages: rank-bm25's Okapi scoring, with a positive IDF and a tiered inverted index.

Scoring is rank-bm25's `BM25Okapi.get_scores` formula (k1=1.5, b=0.75), term by term:

    idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avgdl))

with one change, the IDF. rank-bm25 uses log((N - df + 0.5) / (df + 0.5)), which is zero for a term in
half the passages and negative above that; it then replaces negatives by `epsilon * mean idf`, so a
term found in 60% of passages can outweigh one found in 45%. On a few hundred passages about one
career, common but meaningful words ("engineer", "data") hit that floor. We use the Lucene / BM25+
form log(1 + (N - df + 0.5) / (df + 0.5)): always positive and strictly decreasing in df.
`ReferenceBM25` is rank-bm25's own class with that one method replaced; tests check the fast path
returns its `get_scores` to float32 precision (weights are stored as float32: 1e-6 relative).

Layout: every (term, passage) weight is precomputed (float32); a term's postings are one slice of
`docs` / `weights_data`. A long posting list (more than TIER_MIN passages) is cut by weight into TIERS
tiers, best first (its top 1/64, to 1/16, to 1/4, the rest), each tier sorted by passage;
`tier_ub[t, i]` is the largest weight in tier i or after it. A query (exact top k, no approximation):

1. adds tier 0 of every term into a per-thread float32 buffer, then tier 1, and so on, tracking the
   first POOL passages reached; theta, a lower bound of the final k-th best score, is the k-th best among
   them (after tier 0, the full scores of the EXACT_TOP best-started passages, found by binary search);
2. MaxScore: the weakest terms whose remaining bounds sum below theta stop being added (a passage found
   only through them can't reach the top k); once the bounds of everything not added sum below theta,
   no unseen passage can, and the seen ones that still can are finished, strongest term first, by binary
   search in the remaining tiers (or by adding a short list whole), dropping those that fall out of reach;
3. on an index of at most DENSE_DOCS passages (`bot.search.flat`; every index the bot and the benchmark
   build: steps 1-2 are for larger ones), a query adds all the postings of its strong terms (fewer numpy calls than
   tier by tier: at 100k and 1M passages this measured faster than steps 1-2); theta is the k-th best among
   the passages in their best tiers, and the candidates are those passages alone when no other passage can
   reach it. MaxScore again: the weakest terms with long lists (LOOKUP_MIN postings or more: the common
   words of a flat question), while their bounds sum below WEAK_SHARE of theta, are only looked up, by
   binary search, for the candidates.

Scores equal rank-bm25's up to float32 rounding; ties go to the earlier passage.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np
from rank_bm25 import BM25Okapi

from bot.search import flat
from bot.search.flat import SLACK as _SLACK
from bot.search.flat import TINY as _TINY
from bot.search.flat import unique as _unique

if TYPE_CHECKING:
    from scipy import sparse

K1 = 1.5
B = 0.75
TIERS = 4
TIER_MIN = 2048                        # a posting list this long or shorter stays one tier
TIER_CUTS = (1 / 64, 1 / 16, 1 / 4)    # where tiers 1, 2, 3 start, as a share of the list (best first)
_CHUNK = 1 << 20                       # postings per step of the weight formula (bounds its temporaries)
DENSE_DOCS = 2_000_000                 # up to this many passages, `flat` (measured faster than pruning at 1M)
LOOKUP_COST = 4                        # a binary search costs about this many postings added (np.add.at)
UNIQUE_MAX = 16384                     # repeated candidates are sorted out below this many
EXACT_TOP = 32                         # best-started passages scored in full for an early theta
POOL = 4096                            # passages tracked one by one for the k-th best partial score
INDEX_FORMAT = 1                       # bump when the saved layout or the weights' meaning changes


def bm25_idf(n_docs: int, df):
    """Lucene / BM25+ IDF; works on scalars and numpy arrays."""
    return np.log1p((n_docs - df + 0.5) / (df + 0.5))


class ReferenceBM25(BM25Okapi):
    """rank-bm25's BM25Okapi with the positive IDF: the scoring definition the fast path must match."""

    def _calc_idf(self, nd):  # noqa: D401 - rank-bm25 hook
        self.idf = {word: float(bm25_idf(self.corpus_size, freq)) for word, freq in nd.items()}


def _digest(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@dataclass(frozen=True)
class Hit:
    doc: int
    score: float


def _token_ids(tokenised: Iterable[Sequence[str]]) -> tuple[dict[str, int], array, array]:
    vocab: dict[str, int] = {}
    ids, lengths = array("i"), array("i")
    for tokens in tokenised:
        try:
            row = [vocab[t] for t in tokens]
        except KeyError:  # a term seen for the first time
            row = [vocab.setdefault(t, len(vocab)) for t in tokens]
        ids.extend(row)
        lengths.append(len(row))
    return vocab, ids, lengths


class SearchIndex:
    """Tiered inverted index of precomputed float32 BM25 weights. Build once, query many times."""

    def __init__(self, tokenised: Iterable[Sequence[str]], k1: float = K1, b: float = B):
        self.k1, self.b = k1, b
        vocab, ids, lengths = _token_ids(tokenised)
        n_docs, n_terms = len(lengths), len(vocab)
        doc_len = np.frombuffer(lengths, dtype=np.int32) if n_docs else np.zeros(0, np.int32)
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(doc_len, out=indptr[1:])
        terms = np.frombuffer(ids, dtype=np.int32) if len(ids) else np.zeros(0, np.int32)
        # tf as float32 (exact for counts); rows are summed in place, then transposed by scipy in C
        from scipy import sparse  # only a build needs it: a start from the saved index doesn't import scipy

        tf = sparse.csr_matrix((np.ones(len(terms), dtype=np.float32), terms, indptr), shape=(n_docs, n_terms))
        tf.sum_duplicates()
        del ids, terms
        tf = tf.tocsc()
        tf.sort_indices()
        avgdl = float(doc_len.mean()) if n_docs else 0.0
        df = np.diff(tf.indptr).astype(np.int64)
        idf = bm25_idf(n_docs, df.astype(np.float64))
        weights = tf.data  # float32, rewritten in place chunk by chunk: no temporaries the size of all postings
        col_ends = tf.indptr[1:]
        for lo in range(0, len(weights), _CHUNK):
            hi = min(lo + _CHUNK, len(weights))
            col = np.searchsorted(col_ends, np.arange(lo, hi), side="right")
            f = weights[lo:hi].astype(np.float64)
            norm = k1 * (1 - b + b * doc_len[tf.indices[lo:hi]] / (avgdl or 1.0))
            weights[lo:hi] = idf[col] * (f * (k1 + 1) / (f + norm))
        self._set_arrays(vocab, tf.indptr.astype(np.int64), tf.indices.astype(np.int32, copy=False), weights,
                         idf, doc_len.copy(), n_docs, avgdl)
        self._tier()

    # ------------------------------------------------------------------ layout

    def _set_arrays(self, vocab, indptr, docs, weights, idf, doc_len, n_docs, avgdl, tier_ptr=None, tier_ub=None):
        self.vocab: dict[str, int] = vocab
        self.n_docs, self.avgdl = int(n_docs), float(avgdl)
        self.indptr, self.docs, self.weights_data = indptr, docs, weights
        self.idf, self.doc_len = idf, doc_len
        self.max_idf = float(bm25_idf(self.n_docs, 0.0))
        self.tier_ptr, self.tier_ub = tier_ptr, tier_ub
        self._local = threading.local()

    def _tier(self) -> None:
        """Cut long posting lists into weight tiers (best first, each sorted by passage); fill the bounds."""
        indptr, docs, w = self.indptr, self.docs, self.weights_data
        n_terms = len(indptr) - 1
        tier_ptr = np.empty((n_terms, TIERS + 1), dtype=np.int64)
        tier_ptr[:, 0] = indptr[:-1]
        tier_ptr[:, 1:] = indptr[1:, None]
        tier_ub = np.zeros((n_terms, TIERS), dtype=np.float32)
        nonempty = np.flatnonzero(np.diff(indptr) > 0)
        if len(nonempty):
            tier_ub[nonempty, 0] = np.maximum.reduceat(w, indptr[nonempty])
        for j in np.flatnonzero(np.diff(indptr) > TIER_MIN):
            lo, hi = int(indptr[j]), int(indptr[j + 1])
            seg = w[lo:hi]
            ranks = [int((hi - lo) * c) for c in TIER_CUTS]
            th = -np.partition(-seg, ranks)[ranks]                    # weights at those ranks, descending
            tier = np.searchsorted(-th, -seg, side="left").astype(np.uint8)  # how many thresholds exceed w
            order = np.argsort(tier, kind="stable")                   # radix sort; passage order kept inside
            docs[lo:hi] = docs[lo:hi][order]
            w[lo:hi] = seg[order]
            counts = np.bincount(tier, minlength=TIERS)
            tier_ptr[j, 1:] = lo + np.cumsum(counts)
            best = 0.0
            for i in range(TIERS - 1, -1, -1):
                a, z = tier_ptr[j, i], tier_ptr[j, i + 1]
                if z > a:
                    best = max(best, float(w[a:z].max()))
                tier_ub[j, i] = best
        self.tier_ptr, self.tier_ub = tier_ptr, tier_ub

    @property
    def weights(self) -> sparse.csc_matrix:
        """The weights as a (passage x term) CSC matrix (columns not sorted by passage in tiered lists)."""
        from scipy import sparse

        return sparse.csc_matrix((self.weights_data, self.docs, self.indptr), shape=(self.n_docs, len(self.vocab)))

    @weights.setter
    def weights(self, matrix) -> None:
        """Replace the weights (e.g. scaled per term, as scripts/ablations.py does); the tiers are redone."""
        from scipy import sparse

        m = sparse.csc_matrix(matrix, dtype=np.float32)
        m.sort_indices()
        self.indptr, self.docs, self.weights_data = m.indptr.astype(np.int64), m.indices.astype(np.int32), m.data
        self._tier()

    # ------------------------------------------------------------------ saved index

    _ARRAYS = ("indptr", "docs", "weights_data", "idf", "doc_len", "tier_ptr", "tier_ub")

    def save(self, folder: Path, key: str) -> None:
        """Write the index to `folder` (arrays as .npy, a checksum of each, `key` naming what it was built
        from); each file is written under a temporary name and renamed, meta.json last."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        tag = f".{os.getpid()}-{threading.get_ident()}.tmp"  # concurrent writers never share a file
        sums, done = {}, []
        try:
            for name in self._ARRAYS:
                tmp = folder / f"{name}.npy{tag}"
                with open(tmp, "wb") as fh:
                    np.save(fh, np.ascontiguousarray(getattr(self, name)), allow_pickle=False)
                done.append((tmp, folder / f"{name}.npy"))
                sums[name] = _digest(tmp)
            tmp = folder / f"vocab.json{tag}"
            tmp.write_text(json.dumps(sorted(self.vocab, key=self.vocab.__getitem__)), encoding="utf-8")
            done.append((tmp, folder / "vocab.json"))
            sums["vocab"] = _digest(tmp)
            meta = {"format": INDEX_FORMAT, "key": key, "n_docs": self.n_docs, "avgdl": self.avgdl,
                    "k1": self.k1, "b": self.b, "sha256": sums}
            tmp = folder / f"meta.json{tag}"
            tmp.write_text(json.dumps(meta), encoding="utf-8")
            done.append((tmp, folder / "meta.json"))
            for tmp, final in done:
                os.replace(tmp, final)
        finally:
            for tmp, _ in done:
                tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, folder: Path, key: str) -> "SearchIndex | None":
        """The index saved in `folder` for `key`, memory-mapped; None when it is missing, for other
        knowledge, or any file fails its checksum or shape (the caller rebuilds: never trusted)."""
        folder = Path(folder)
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != INDEX_FORMAT or meta.get("key") != key:
                return None
            sums = meta["sha256"]
            if _digest(folder / "vocab.json") != sums["vocab"]:
                return None
            arrays = {}
            for name in cls._ARRAYS:
                path = folder / f"{name}.npy"
                if _digest(path) != sums[name]:
                    return None
                arrays[name] = np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)  # no memmap.__getitem__
            terms = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
            n_docs, n_terms = int(meta["n_docs"]), len(terms)
            a = arrays
            if (a["indptr"].shape != (n_terms + 1,) or a["tier_ptr"].shape != (n_terms, TIERS + 1)
                    or a["tier_ub"].shape != (n_terms, TIERS) or a["idf"].shape != (n_terms,)
                    or a["doc_len"].shape != (n_docs,) or a["docs"].shape != a["weights_data"].shape
                    or (n_terms and int(a["indptr"][-1]) != len(a["docs"]))):
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        index = cls.__new__(cls)
        index.k1, index.b = float(meta["k1"]), float(meta["b"])
        index._set_arrays({t: i for i, t in enumerate(terms)}, a["indptr"], a["docs"], a["weights_data"],
                          a["idf"], a["doc_len"], n_docs, float(meta["avgdl"]), a["tier_ptr"], a["tier_ub"])
        return index

    def term_idf(self, term: str) -> float:
        """IDF of a term; a term no passage has gets the IDF of df=0 (the rarest possible)."""
        j = self.vocab.get(term)
        return float(self.idf[j]) if j is not None else self.max_idf

    def max_score(self, terms: Sequence[str]) -> float:
        """Upper bound of a passage's score for these terms (tf -> infinity gives idf * (k1 + 1))."""
        return sum(self.term_idf(t) * (self.k1 + 1) for t in terms)

    def memory_bytes(self) -> int:
        arrays = (self.indptr, self.docs, self.weights_data, self.idf, self.doc_len, self.tier_ptr, self.tier_ub)
        return int(sum(a.nbytes for a in arrays))

    # ------------------------------------------------------------------ queries

    def _query(self, terms: Sequence[str]) -> list[tuple[int, int]]:
        """(term id, times asked) in query order; rank-bm25 adds a repeated query term once per repeat."""
        counts: dict[int, int] = {}
        for term in terms:
            j = self.vocab.get(term)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        return list(counts.items())

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """Dense scores for every passage (for tests and small corpora)."""
        out = np.zeros(self.n_docs)
        for j, times in self._query(terms):
            lo, hi = self.indptr[j], self.indptr[j + 1]
            out[self.docs[lo:hi]] += self.weights_data[lo:hi].astype(np.float64) * times
        return out

    def _buffer(self) -> np.ndarray:
        acc = getattr(self._local, "acc", None)  # one zeroed float32 score per passage, per thread
        if acc is None:
            acc = self._local.acc = np.zeros(self.n_docs, dtype=np.float32)
        return acc

    def search(self, terms: Sequence[str], k: int = 10) -> list[Hit]:
        """Top-k passages for the query terms, best first (ties: earlier passage first); exact top k."""
        docs, scores = self.top(terms, k)
        return [Hit(d, s) for d, s in zip(docs.tolist(), scores.tolist())]  # Python int and float

    def weighted(self, groups: Sequence[tuple[float, Sequence[str]]], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Sum over `groups` of weight x the group's score, for the passages in the group's top k (a passage
        outside one group's top k gets nothing from that group): the passages reached (ascending) and their
        float64 totals. One call for a weighted query, without a `Hit` per passage; the same totals, to the
        bit, as adding `weight * hit.score` over each group's `search(terms, k)` in order."""
        docs, parts = [], []
        for weight, terms in groups:
            found, scores = self.top(terms, k)
            docs.append(found)
            parts.append(scores.astype(np.float64) * weight)
        if not docs:
            return np.zeros(0, np.int64), np.zeros(0)
        passages, where = np.unique(np.concatenate(docs), return_inverse=True)
        return passages, np.bincount(where, weights=np.concatenate(parts), minlength=len(passages))  # in order

    def top(self, terms: Sequence[str], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """`search` as arrays: the top-k passages, best first, and their float32 scores."""
        query = self._query(terms)
        if not query or k <= 0:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        acc = self._buffer()
        touched: list[np.ndarray] = []
        try:
            candidates = self._candidates(query, k, acc, touched)
            totals = acc[candidates]
        finally:
            if sum(len(d) for d in touched) > self.n_docs // 16:  # a scatter of that many costs a fill
                acc.fill(0)
            else:
                for d in touched:
                    acc[d] = 0
        if len(candidates) > k:
            kth = np.partition(totals, len(totals) - k)[len(totals) - k]
            keep = np.flatnonzero(totals >= kth)
            candidates, totals = candidates[keep], totals[keep]
        order = np.lexsort((candidates, -totals))[:k]
        return candidates[order], totals[order]

    def _candidates(self, query, k, acc, touched) -> np.ndarray:
        """Passages that can be in the top k, with their full scores in `acc` (`touched`: to reset).

        Tier 0 of every term is added, then tier 1, and so on. The first POOL passages reached are kept,
        unique, in `pool`; the k-th best partial score among them, theta, is a lower bound of the final k-th
        score. Once the bounds of the tiers not yet added sum to less than theta, no passage still unseen can
        make the top k; the seen ones that still can are finished by binary search in the remaining tiers.
        """
        docs, w, tp, ub = self.docs, self.weights_data, self.tier_ptr, self.tier_ub
        if self.n_docs <= DENSE_DOCS:
            return flat.dense_candidates(self, query, k, acc, touched)
        pool: list[np.ndarray] = []
        bulk: list[np.ndarray] = []  # segments added without tracking which passages are new
        pool_n, theta, rest, pool_arr = 0, 0.0, 0.0, None
        skip: set[int] = set()  # terms whose remaining bounds sum to less than theta: never add, look up
        nxt = {j: 0 for j, _ in query}  # each term's first tier not added
        for level in range(TIERS):
            for j, times in query:
                lo, hi = tp[j, level], tp[j, level + 1]
                if j in skip:
                    continue
                nxt[j] = level + 1
                if hi == lo:
                    continue
                d = docs[lo:hi]
                wt = w[lo:hi] if times == 1 else w[lo:hi] * times
                if pool_n < POOL:
                    cur = acc[d]
                    new = d[cur == 0]  # weights are > 0: zero means not reached before
                    cur += wt
                    acc[d] = cur
                    pool.append(new)
                    touched.append(new)
                    pool_n += len(new)
                else:
                    np.add.at(acc, d, wt)
                    bulk.append(d)
                    touched.append(d)
            left = {j: float(ub[j, nxt[j]]) * times for j, times in query
                    if nxt[j] < TIERS and tp[j, nxt[j]] < tp[j, TIERS]}
            rest = sum(left.values()) * (1 + _SLACK)
            if rest == 0:
                break
            if pool_n >= k:
                pool_arr = np.concatenate(pool) if len(pool) > 1 else pool[0]
                partial = acc[pool_arr]
                theta = max(theta, float(np.partition(partial, len(partial) - k)[len(partial) - k]))
                if level == 0 and k <= EXACT_TOP // 2 and len(pool_arr) > EXACT_TOP:
                    theta = max(theta, self._exact_kth(query, pool_arr, partial, k))
                if rest < theta:  # an unseen passage scores at most `rest`: below the k-th best seen
                    break
                low = sum(left[j] for j in skip if j in left)  # MaxScore: the weakest terms, while their
                for j in sorted(left.keys() - skip, key=left.__getitem__):  # bounds sum below theta, only finish
                    if (low + left[j]) * (1 + _SLACK) >= theta:
                        break
                    low += left[j]
                    skip.add(j)
                if len(skip) == len(left):
                    break
        rest_terms = sorted(((left[j], j, times, nxt[j]) for j, times in query if j in left), reverse=True)
        seen = pool_n + sum(len(b) for b in bulk)
        dense = False
        while rest_terms and tp[rest_terms[0][1], TIERS] - tp[rest_terms[0][1], rest_terms[0][3]] <= seen:
            _, j, times, level = rest_terms.pop(0)  # few postings left: add them all, to every passage
            lo, hi = tp[j, level], tp[j, TIERS]
            np.add.at(acc, docs[lo:hi], w[lo:hi] * times)
            touched.append(docs[lo:hi])  # passages reached only here score below theta: no candidates
            dense = True
        if dense and pool_arr is not None:
            partial = acc[pool_arr]
            theta = max(theta, float(np.partition(partial, len(partial) - k)[len(partial) - k]))
        rest = sum(r[0] for r in rest_terms) * (1 + _SLACK)
        floor = max(theta - rest, _TINY)  # a passage below this can't reach the k-th best score
        parts = [p[acc[p] >= floor] for p in pool + bulk]
        candidates = np.concatenate(parts) if parts else np.zeros(0, np.int32)
        repeats = bool(bulk)  # a passage can be in several bulk segments: unique it once it is cheap
        if repeats and len(candidates) <= UNIQUE_MAX:
            candidates, repeats = _unique(candidates), False
        if rest_terms:
            candidates, repeats = self._finish(candidates, repeats, rest_terms, theta, k, acc, touched)
        return _unique(candidates) if repeats else candidates

    def _exact_kth(self, query, pool, partial, k) -> float:
        """The k-th best full score among the EXACT_TOP best-started passages: a strong early theta.
        Called after tier 0 of every term, which `partial` holds already."""
        best = np.argpartition(partial, len(partial) - EXACT_TOP)[-EXACT_TOP:]
        order = np.argsort(pool[best])
        top, total = pool[best][order], partial[best][order].copy()
        docs, w, tp = self.docs, self.weights_data, self.tier_ptr
        for j, times in query:
            for i in range(1, TIERS):
                lo, hi = tp[j, i], tp[j, i + 1]
                if hi > lo:
                    seg = docs[lo:hi]
                    pos = np.searchsorted(seg, top)
                    np.minimum(pos, hi - lo - 1, out=pos)
                    found = seg[pos] == top
                    total[found] += w[lo:hi][pos[found]] * times
        return float(np.partition(total, EXACT_TOP - k)[EXACT_TOP - k])

    def _finish(self, candidates, repeats, rest_terms, theta, k, acc, touched):
        """Add the untouched tiers' weights of these passages, the strongest term first, dropping the
        passages that fall out of reach as the bound of what is left shrinks. Returns (candidates, repeats)."""
        docs, w, tp = self.docs, self.weights_data, self.tier_ptr
        ordered = not repeats
        remaining = sum(r[0] for r in rest_terms)
        for bound, j, times, level in rest_terms:
            if len(candidates) > k:
                partial = acc[candidates]
                if not repeats:
                    above = partial[partial >= theta]  # the k-th best is among these when they are k or more
                    if len(above) >= k:
                        theta = max(theta, float(np.partition(above, len(above) - k)[len(above) - k]))
                candidates = candidates[partial + remaining * (1 + _SLACK) >= theta]
                if repeats and len(candidates) <= UNIQUE_MAX:
                    candidates, repeats, ordered = _unique(candidates), False, True
            remaining -= bound
            for i in range(level, TIERS):
                lo, hi = tp[j, i], tp[j, i + 1]
                if hi == lo:
                    continue
                seg = docs[lo:hi]
                if len(candidates) * LOOKUP_COST > hi - lo:  # a binary search per candidate costs more
                    np.add.at(acc, seg, w[lo:hi] * times)
                    touched.append(seg)
                    continue
                if not ordered:
                    candidates.sort()
                    ordered = True
                pos = np.searchsorted(seg, candidates)
                np.minimum(pos, len(seg) - 1, out=pos)
                found = seg[pos] == candidates
                if found.any():
                    acc[candidates[found]] += w[lo:hi][pos[found]] * times  # a repeated passage: added once
        return candidates, repeats
