"""Kept for `scripts/bench_search.py` until the search-speed change lands: the analyser is
`bot.search.analysis`."""
from bot.search.analysis import analyse, expand_query

__all__ = ["analyse", "expand_query"]
