"""Words common in everyday English say little about what a question asks ("go", "still", "done").

BM25's IDF comes from the guides, a small collection: four guides seldom use "even" or "done", so their
IDF calls them as rare as "degree". A large general collection knows better: pyspellchecker's English
frequency list (already loaded for typos, `english_list.py`) gives each word's Zipf frequency (log10 per
billion words), and a query term weighs less the more common it is (`everyday_weight`). Used in the
search's query weights (`ranking.query_weights`), not in choosing the quoted units or in the coverage
decision: both were measured worse with it (docs/retrieval.md).
"""
from __future__ import annotations

from functools import lru_cache

from bot.answers.english_list import LISTED_FROM, english_list

EVERYDAY_FROM = 5.0  # Zipf frequency (log10 per billion words) from which a word is everyday English
EVERYDAY_TO = 6.5    # ... and from which it weighs only EVERYDAY_FLOOR
EVERYDAY_FLOOR = 0.25
_LISTED_FROM = LISTED_FROM  # stems kept in the table (below EVERYDAY_FROM, so that it can be swept)


@lru_cache(maxsize=1)
def _everyday_stems() -> dict[str, float]:
    """Zipf frequency of each stem of the English list's everyday words (the most frequent spelling), made
    from the list or read back with it (english_list.py)."""
    return english_list().everyday


def everyday_weight(term: str) -> float:
    """How much a query term says what a question is about, judged by how common it is in everyday
    English: 1 for a rarer word ("degree", "python"), down to EVERYDAY_FLOOR for the most common ("go",
    "still", "done"). The guides are a small collection: their own IDF calls "even" or "done" rare because
    four guides seldom use them; a large general collection knows better."""
    z = _everyday_stems().get(term)
    if z is None or z <= EVERYDAY_FROM:
        return 1.0
    share = min(1.0, (z - EVERYDAY_FROM) / (EVERYDAY_TO - EVERYDAY_FROM))
    return 1.0 - share * (1.0 - EVERYDAY_FLOOR)
