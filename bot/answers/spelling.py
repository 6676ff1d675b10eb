"""Typos in questions ("intership", "positon", "kaggke"): a word that is neither in the guides nor an
English word (pyspellchecker's English frequency list), one edit away from a word of the guides, is read
as that word. One edit only, words of `MIN_LENGTH` letters or more, and never a real word: "chance",
"matter" or "oversaturated" keep their meaning, and with it the evidence that the guides may not cover
the question. The displayed question is never changed.
"""
from __future__ import annotations

import re

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.answers.english_list import english, english_list
from bot.knowledge.store import Knowledge, once_per_snapshot
from bot.search.analysis import stem

__all__ = ["MIN_LENGTH", "Speller", "english", "english_list", "speller"]

MIN_LENGTH = 6
_WORD = re.compile(r"[A-Za-z]+")


class Speller:
    def __init__(self, kb: Knowledge):
        # the English list's words (read back from beside the knowledge when saved there: english_list.py)
        self.english = english_list(kb.folder)
        # the words `_WORD` finds in the lower-cased headings, then passages: counted per guide (and saved
        # with the parsed guides), see `GuideSet.word_counts`
        counts = kb.guides.word_counts()
        self.known = set(counts)
        # every word of the guides, and every stem spelt as the guides most often spell it, so that both
        # "positon" (position) and "intership" (stem of internships) are one edit from a choice
        self.spelling: dict[str, str] = {}
        for word, _ in counts.most_common():
            if len(word) >= MIN_LENGTH - 1:
                self.spelling.setdefault(word, word)
                self.spelling.setdefault(stem(word), word)
        self.stems = list(self.spelling)
        self._cache: dict[str, str | None] = {}

    def fix(self, word: str) -> str | None:
        """The guides' word one edit away from `word` (compared as stems), if any."""
        lower = word.lower()
        if lower in self._cache:
            return self._cache[lower]
        found = (process.extractOne(lower, self.stems, scorer=DamerauLevenshtein.distance, score_cutoff=1)
                 or process.extractOne(stem(lower), self.stems, scorer=DamerauLevenshtein.distance, score_cutoff=1))
        fixed = self.spelling[found[0]] if found else None
        if len(self._cache) < 10_000:
            self._cache[lower] = fixed
        return fixed

    def correct(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            word = match.group(0)
            lower = word.lower()
            if len(word) < MIN_LENGTH or lower in self.known or word.isupper() or self.english.known(lower):
                return word
            return self.fix(word) or word
        return _WORD.sub(replace, text)


_spellers: dict[int, Speller] = {}


def speller(kb: Knowledge) -> Speller:
    """One speller per knowledge snapshot, built once and dropped with it."""
    return once_per_snapshot(_spellers, kb, Speller)

