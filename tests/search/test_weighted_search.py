"""`SearchIndex.weighted`, the one call a weighted query makes, gives the totals of the per-group searches it
replaced, to the bit, on the small-index path and on the pruned paths a 1M-passage index takes."""
import random

import numpy as np
import pytest

from bot.search import index as search
from bot.search.index import SearchIndex


def per_group(index, groups, k):
    """What ranking did before: one `search` per weight group, weight * score added per passage."""
    totals: dict[int, float] = {}
    for weight, terms in groups:
        for hit in index.search(terms, k=k):
            totals[hit.doc] = totals.get(hit.doc, 0.0) + weight * hit.score
    return totals


@pytest.mark.parametrize("tier_min, pool, dense_docs", [
    (search.TIER_MIN, search.POOL, search.DENSE_DOCS), (8, search.POOL, 0), (8, 16, 0)])
def test_weighted_totals_are_the_per_group_searches(monkeypatch, tier_min, pool, dense_docs):
    monkeypatch.setattr(search, "TIER_MIN", tier_min)
    monkeypatch.setattr(search, "POOL", pool)
    monkeypatch.setattr(search, "DENSE_DOCS", dense_docs)
    rng = random.Random(11)
    words = [f"w{i}" for i in range(300)]
    corpus = [rng.choices(words, [1 / (i + 1) for i in range(300)], k=rng.randint(0, 60)) for _ in range(900)]
    index = SearchIndex(corpus)
    for _ in range(80):
        terms = rng.sample(words[:120] + ["unknown"], rng.randint(1, 9))
        groups, at = [], 0
        while at < len(terms):  # disjoint groups with weights as ranking makes them (rounded to 4 places)
            size = rng.randint(1, 3)
            groups.append((round(rng.choice([1.0, 0.5, 0.35, 0.25, 0.1234]), 4), terms[at:at + size]))
            at += size
        for k in (1, 5, 40, 200):
            docs, totals = index.weighted(groups, k)
            assert list(docs) == sorted(docs) and totals.dtype == np.float64
            assert dict(zip(docs.tolist(), totals.tolist())) == per_group(index, groups, k)  # exact, not close


def test_weighted_edge_cases():
    index = SearchIndex([["a", "b"], ["b"], []])
    for groups in ([], [(1.0, ["zzz"])], [(0.5, [])]):
        docs, totals = index.weighted(groups, 10)
        assert len(docs) == len(totals) == 0
    docs, totals = index.weighted([(1.0, ["a"]), (0.5, ["b"])], 1)  # "b" alone: the shorter passage is best
    assert docs.tolist() == [0, 1]
    assert totals.tolist() == [index.search(["a"], 1)[0].score, 0.5 * index.search(["b"], 1)[0].score]
