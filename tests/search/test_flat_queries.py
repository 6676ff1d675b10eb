"""The small-index path (`bot.search.flat`) on flat queries: the weakest terms with long lists are only
looked up for the passages that can still make the top k, and candidates come from the best tiers' pool
when nothing outside it can reach the k-th best. Its top k must stay rank-bm25's, to float32 precision."""
import random

import numpy as np
import pytest

from bot.search import flat
from bot.search import index as search
from bot.search.index import ReferenceBM25, SearchIndex
from tests.test_search import assert_top_k_is_rank_bm25s

SHIPPED_LOOKUP_MIN = flat.LOOKUP_MIN


def _corpus(seed=5, docs=1200):
    """A few words in most passages (long lists, low IDF), a Zipf tail, passages of 0-50 words."""
    rng = random.Random(seed)
    common = [f"c{i}" for i in range(6)]
    tail = [f"w{i}" for i in range(400)]
    corpus = []
    for _ in range(docs):
        words = [c for i, c in enumerate(common) if rng.random() < 0.85 - 0.1 * i] * rng.randint(1, 2)
        words += rng.choices(tail, [1 / (i + 1) for i in range(400)], k=rng.randint(0, 48))
        rng.shuffle(words)
        corpus.append(words)
    return rng, common, tail, corpus


def _check(index, reference, query, k):
    assert_top_k_is_rank_bm25s(index, reference.get_scores(query), query, k)


@pytest.mark.parametrize("lookup_min, weak_share, tier_min", [
    (flat.LOOKUP_MIN, flat.WEAK_SHARE, search.TIER_MIN),  # as shipped: lists this short are added whole
    (300, flat.WEAK_SHARE, search.TIER_MIN), (300, 1.0, search.TIER_MIN),
    (1, 1.0, 8), (50, 0.25, 8), (300, flat.WEAK_SHARE, 8)])
def test_flat_queries_match_rank_bm25(monkeypatch, lookup_min, weak_share, tier_min):
    monkeypatch.setattr(flat, "LOOKUP_MIN", lookup_min)
    monkeypatch.setattr(flat, "WEAK_SHARE", weak_share)
    monkeypatch.setattr(search, "TIER_MIN", tier_min)
    calls = {"look_up": 0}
    look_up = flat.look_up

    def spy(*args):
        calls["look_up"] += 1
        return look_up(*args)

    monkeypatch.setattr(flat, "look_up", spy)
    rng, common, tail, corpus = _corpus()
    index = SearchIndex(corpus)
    reference = ReferenceBM25(corpus, k1=index.k1, b=index.b)
    for _ in range(70):
        query = rng.sample(common, rng.randint(1, 4)) + rng.choices(tail[:150] + ["unknown"], k=rng.randint(0, 5))
        if rng.random() < 0.2:
            query += query[:2]  # repeated terms count twice, as in rank-bm25
        for k in (1, 3, 10, 60):
            _check(index, reference, query, k)
    if lookup_min < SHIPPED_LOOKUP_MIN:
        assert calls["look_up"] > 0  # the lookup path ran (and matched)
    else:
        assert calls["look_up"] == 0


def test_the_kth_distinct_score_counts_a_repeated_passage_once():
    rng = np.random.default_rng(3)
    acc = rng.random(500).astype(np.float32)
    for _ in range(200):
        parts = [rng.choice(500, int(rng.integers(0, 40)), replace=False) for _ in range(int(rng.integers(1, 5)))]
        pool = np.concatenate(parts)
        k = int(rng.integers(1, 12))
        distinct = np.sort(acc[np.unique(pool)])[::-1]
        expected = float(distinct[k - 1]) if len(distinct) >= k else flat.TINY
        assert flat.kth_distinct(pool, acc[pool], k, len(parts), acc) == expected
