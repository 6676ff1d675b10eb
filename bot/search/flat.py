"""Queries on an index of at most DENSE_DOCS passages (`SearchIndex`, step 3 of its docstring): the strong
terms' postings are added whole, the weak ones (MaxScore) only looked up for the passages that can still
make the top k. Split from index.py, which keeps the layout and the tier-by-tier pruning for larger indexes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bot.search.index import SearchIndex

LOOKUP_MIN = 32768                     # a list this long is only looked up for the passages that can still make
WEAK_SHARE = 0.5                       # the top k, while the bounds of those sum below this share of theta
PRUNE_MIN = 64                         # fewer candidates than this are not pruned between lookups
TINY = float(np.finfo(np.float32).tiny)
SLACK = 1e-5                           # relative margin on the pruning bounds against float32 rounding


def unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique's hash table is slower on these sizes)."""
    a = np.sort(a)
    if len(a) > 1:
        keep = np.empty(len(a), dtype=bool)
        keep[0] = True
        np.not_equal(a[1:], a[:-1], out=keep[1:])
        a = a[keep]
    return a


def kth_distinct(pool: np.ndarray, scores: np.ndarray, k: int, repeats: int, acc: np.ndarray) -> float:
    """The k-th best score of the distinct passages in `pool` (each there at most `repeats` times, with its
    score `acc[p]` in `scores`); TINY when they are fewer than k. Only the best k * repeats entries can
    hold the k best passages, so only those are made distinct."""
    m = k * max(repeats, 1)
    if len(pool) > 16 * m:  # cut first at a sample's k-th best entry: the passages above it, if k or more, hold it
        sample = scores[::len(pool) // (4 * m)]
        top = pool[scores >= np.partition(sample, len(sample) - k)[len(sample) - k]]
        if repeats > 1:
            top = unique(top)
        if len(top) >= k:
            best = acc[top]
            return float(np.partition(best, len(best) - k)[len(best) - k])
    if len(pool) > m:
        pool = pool[np.argpartition(scores, len(scores) - m)[len(scores) - m:]]
    if repeats > 1:
        pool = unique(pool)
    if len(pool) < k:
        return TINY
    best = acc[pool]
    return float(np.partition(best, len(best) - k)[len(best) - k])


def dense_candidates(index: SearchIndex, query, k, acc, touched) -> np.ndarray:
    """Few numpy calls, for small indexes: add every posting of the strong terms, then keep what can
    reach theta, the k-th best score among the passages in their best tiers (a lower bound of the k-th
    best overall). MaxScore: the weakest terms with long lists (LOOKUP_MIN postings or more), while their
    bounds sum below WEAK_SHARE of theta, are only looked up for the passages that can still make the
    top k (a passage found only through them scores below theta)."""
    docs, w, tp, ub = index.docs, index.weights_data, index.tier_ptr, index.tier_ub
    terms = sorted(((float(ub[j, 0]) * times, j, times) for j, times in query), reverse=True)  # strongest first
    split = len(terms)  # terms[:split] are added whole
    while split > 1 and tp[terms[split - 1][1], -1] - tp[terms[split - 1][1], 0] >= LOOKUP_MIN:
        split -= 1
    best: list[np.ndarray] = []
    added, total, theta, rest, in_pool = 0, 0, TINY, 0.0, 0
    for again in (False, True):
        for _, j, times in terms[added:split]:
            lo, hi = tp[j, 0], tp[j, -1]
            np.add.at(acc, docs[lo:hi], w[lo:hi] if times == 1 else w[lo:hi] * times)
            touched.append(docs[lo:hi])
            best.append(docs[lo:tp[j, 1]])
            total += hi - lo
        added = split
        if not again or theta <= TINY:  # else the first pass's pool, its scores grown since
            pool = np.concatenate(best) if len(best) > 1 else best[0]  # a passage at most once a term
            in_pool = added  # the pool holds the best tier of terms[:in_pool]
        scores = acc[pool]
        theta = max(theta, kth_distinct(pool, scores, k, in_pool, acc))
        if again:
            break
        rest, split = 0.0, len(terms)  # weakest first, while their bounds sum below a share of theta
        while split > added and (rest + terms[split - 1][0]) * (1 + SLACK) < theta * WEAK_SHARE:
            split -= 1
            rest += terms[split][0]
        rest *= 1 + SLACK
        if split == added:
            break
    floor = max(theta - rest, TINY) if split < len(terms) else theta
    # a passage outside the pool has none of the pooled terms' best tiers: its score is at most `outside`
    outside = sum(float(ub[j, 1 if i < in_pool else 0]) * times for i, (_, j, times) in enumerate(terms[:split]))
    if outside * (1 + SLACK) < floor:
        candidates = pool[scores >= floor]
        if in_pool > 1:
            candidates = unique(candidates)
    elif total * 8 > index.n_docs:  # a scan of every passage is cheaper than one of the postings
        candidates = np.flatnonzero(acc >= floor)
    else:
        found = [d[acc[d] >= floor] for d in touched]
        candidates = unique(np.concatenate(found)) if len(found) > 1 else found[0]
    if split < len(terms):
        candidates = look_up(index, candidates, terms[split:], theta, acc)
    return candidates


def look_up(index: SearchIndex, candidates, weak, theta, acc) -> np.ndarray:
    """Add the weak terms' weights (`weak`: (bound, term, times), strongest first) to the candidates
    (distinct, ascending, all reached before) by binary search in each tier, dropping the candidates
    that can no longer reach theta as the bound of what is left shrinks."""
    docs, w, tp = index.docs, index.weights_data, index.tier_ptr
    candidates = candidates.astype(docs.dtype, copy=False)  # else searchsorted converts each tier
    remaining = sum(t[0] for t in weak)
    for bound, j, times in weak:
        if len(candidates) > PRUNE_MIN:
            candidates = candidates[acc[candidates] + remaining * (1 + SLACK) >= theta]
        remaining -= bound
        for i in range(tp.shape[1] - 1):  # every tier
            lo, hi = tp[j, i], tp[j, i + 1]
            if hi == lo:
                continue
            seg = docs[lo:hi]
            pos = seg.searchsorted(candidates)
            hit = seg.take(pos, mode="clip") == candidates
            found = w[lo:hi].take(pos[hit])
            acc[candidates[hit]] += found if times == 1 else found * times
    return candidates
