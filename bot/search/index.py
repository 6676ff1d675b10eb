"""The BM25 index, as the rest of careerbot imports it.

The code is in `bot/domain/search.py` while a change for search speed is under way there; it moves
into this file when that lands. Import from here, not from `bot.domain.search`.
"""
from bot.domain.search import INDEX_FORMAT, K1, B, SearchIndex

__all__ = ["B", "INDEX_FORMAT", "K1", "SearchIndex"]
