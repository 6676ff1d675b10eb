"""The fast path equals rank-bm25's full scoring (to float32 precision), and the IDF fix behaves on a tiny corpus."""
import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.search import index as search
from bot.search.index import ReferenceBM25, SearchIndex, bm25_idf


def test_rank_bm25_idf_floor_misbehaves_and_ours_does_not():
    corpus = [["python", "data"], ["python", "math"], ["python", "data", "career"], ["salary"]]
    stock = BM25Okapi(corpus)
    assert stock.idf["data"] == 0.0                  # in half the passages: zero weight in rank-bm25
    assert stock.idf["python"] > stock.idf["data"]   # in 3 of 4: floored above the rarer term
    ours = SearchIndex(corpus)
    idf = {t: ours.term_idf(t) for t in ["python", "data", "career"]}
    assert 0 < idf["python"] < idf["data"] < idf["career"]  # positive and decreasing with df
    assert ours.search(["data"], 2)[0].score > 0            # a half-corpus term still ranks
    assert np.isclose(bm25_idf(4, 2), np.log(2))


def test_stock_rank_bm25_can_score_a_match_below_zero():
    corpus = [["python"], ["python"], ["python", "x"], ["python", "y"]]
    stock = BM25Okapi(corpus)          # every word in half or more: the mean IDF itself is negative
    assert max(stock.get_scores(["python"])) < 0
    assert min(SearchIndex(corpus).scores(["python"])) > 0


def _corpus(seed=7, docs=800, words=300):
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(words)]
    weights = [1 / (i + 1) for i in range(words)]
    return rng, vocab, [rng.choices(vocab, weights, k=rng.randint(0, 60)) for _ in range(docs)]


# (TIER_MIN, POOL, UNIQUE_MAX, DENSE_DOCS): as shipped (an index this small adds every posting); the pruned
# path with tiers as shipped, with every list of more than 8 in tiers, and with tiny pools, so most
# postings are added in bulk and candidates repeat (the paths a 1M-passage index takes)
@pytest.mark.parametrize("tier_min, pool, unique_max, dense_docs", [
    (search.TIER_MIN, search.POOL, search.UNIQUE_MAX, search.DENSE_DOCS),
    (search.TIER_MIN, search.POOL, search.UNIQUE_MAX, 0), (8, search.POOL, search.UNIQUE_MAX, 0),
    (8, 16, 4, 0), (8, 40, 64, 0)])
def test_fast_path_matches_rank_bm25_full_scoring(monkeypatch, tier_min, pool, unique_max, dense_docs):
    """Weights are float32: a score of m terms is within m * 2**-24 of rank-bm25's, so rtol 1e-6 is honest."""
    monkeypatch.setattr(search, "TIER_MIN", tier_min)
    monkeypatch.setattr(search, "POOL", pool)
    monkeypatch.setattr(search, "UNIQUE_MAX", unique_max)
    monkeypatch.setattr(search, "DENSE_DOCS", dense_docs)
    rng, words, corpus = _corpus()
    index = SearchIndex(corpus)
    assert index.weights_data.dtype == np.float32
    reference = ReferenceBM25(corpus, k1=index.k1, b=index.b)
    for _ in range(60):
        query = rng.choices(words + ["unknown"], k=rng.randint(1, 6))  # repeats count twice, as in rank-bm25
        expected = reference.get_scores(query)
        assert np.allclose(index.scores(query), expected, rtol=1e-6, atol=0)
        for k in (1, 3, 10, 50, 200):
            assert_top_k_is_rank_bm25s(index, expected, query, k)


def test_tiers_leave_most_postings_of_a_common_word_untouched(monkeypatch):
    monkeypatch.setattr(search, "TIER_MIN", 64)
    monkeypatch.setattr(search, "DENSE_DOCS", 0)  # the pruned path, as on a large index
    rng = random.Random(3)
    corpus = [["common"] * rng.randint(1, 3) + ["filler"] * rng.randint(0, 20) for _ in range(2000)]
    for d in (5, 700, 1500):
        corpus[d] += ["rare"]
    index = SearchIndex(corpus)
    assert index.tier_ptr[index.vocab["common"], 1] - index.tier_ptr[index.vocab["common"], 0] < 2000 // 8
    touched: list = []
    acc = index._buffer()
    candidates = index._candidates(index._query(["rare", "common"]), 3, acc, touched)
    assert 3 <= len(candidates) < 2000 // 4  # the rare word's passages and common's best tier, not all 2,000
    for d in touched:
        acc[d] = 0
    hits = index.search(["rare", "common"], 3)
    assert sorted(h.doc for h in hits) == [5, 700, 1500]
    assert not index._buffer().any()  # the shared buffer is clean after a search


def test_ties_go_to_the_earlier_passage_even_at_the_cut():
    corpus = [["x", "y"], ["x"], ["x", "y"], ["x", "y"], ["z"]]
    index = SearchIndex(corpus)
    assert [h.doc for h in index.search(["x", "y"], 2)] == [0, 2]
    assert [h.doc for h in index.search(["x"], 5)] == [1, 0, 2, 3]


def test_weights_can_be_replaced_per_term():
    """scripts/ablations.py scales each term's column; the tiers and bounds follow."""
    _, _, corpus = _corpus(docs=300)
    index = SearchIndex(corpus)
    before = index.scores(["w1", "w5"])
    factor = np.ones(len(index.vocab))
    factor[index.vocab["w5"]] = 0.5
    index.weights = index.weights.multiply(factor).tocsc()
    only_w1 = SearchIndex(corpus).scores(["w1"])
    assert np.allclose(index.scores(["w1", "w5"]), only_w1 + (before - only_w1) * 0.5, rtol=1e-6)


def test_search_edge_cases():
    index = SearchIndex([["a", "b"], ["b"], []])
    assert index.search(["zzz"], 5) == []
    assert index.search(["b"], 0) == []
    assert [h.doc for h in index.search(["b", "a"], 5)] == [0, 1]


def assert_top_k_is_rank_bm25s(index, expected, query, k) -> None:
    """`index.search(query, k)` holds rank-bm25's k best passages (`expected`: its scores), within float32's
    rounding, ties by passage order, and the search's shared buffer is clean afterwards."""
    hits = index.search(query, k)
    best = np.sort(expected)[::-1][:k]
    assert len(hits) == min(k, int((expected > 0).sum()))
    assert np.allclose([h.score for h in hits], best[: len(hits)], rtol=1e-6, atol=0)
    assert np.allclose([expected[h.doc] for h in hits], best[: len(hits)], rtol=1e-6, atol=0)
    ours = index.scores(query)
    assert [h.doc for h in hits] == sorted((h.doc for h in hits), key=lambda d: (-ours[d], d))
    assert not index._buffer().any()
