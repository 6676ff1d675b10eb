"""The fast path equals rank-bm25's full scoring, and the IDF fix behaves on a tiny corpus."""
import random

import numpy as np
from rank_bm25 import BM25Okapi

from bot.domain.search import ReferenceBM25, SearchIndex, bm25_idf


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


def test_fast_path_matches_rank_bm25_full_scoring():
    rng = random.Random(7)
    words = [f"w{i}" for i in range(300)]
    weights = [1 / (i + 1) for i in range(300)]
    corpus = [rng.choices(words, weights, k=rng.randint(0, 60)) for _ in range(800)]
    index = SearchIndex(corpus)
    reference = ReferenceBM25(corpus, k1=index.k1, b=index.b)
    for _ in range(50):
        query = rng.choices(words + ["unknown"], k=rng.randint(1, 6))
        expected = reference.get_scores(query)
        assert np.allclose(index.scores(query), expected, rtol=0, atol=1e-9)
        hits = index.search(query, 10)
        top = np.sort(expected)[::-1][: len(hits)]
        assert np.allclose([h.score for h in hits], top, rtol=0, atol=1e-9)
        assert [h.doc for h in hits] == sorted((h.doc for h in hits), key=lambda d: (-expected[d], d))


def test_search_edge_cases():
    index = SearchIndex([["a", "b"], ["b"], []])
    assert index.search(["zzz"], 5) == []
    assert index.search(["b"], 0) == []
    assert [h.doc for h in index.search(["b", "a"], 5)] == [0, 1]
