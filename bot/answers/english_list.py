"""What careerbot uses of pyspellchecker's English word list, saved beside the knowledge so a start does not
load the whole list again.

Two things come from the list: its words (a word of a question that is an English word is never read as a
typo, `spelling.py`) and the Zipf frequency of each stem of its everyday words (`everyday.py`). Loading
the list (a 650 KB gzipped JSON of 160,000 words with their counts) takes about a quarter of a second;
reading back these two takes a fraction of that. They are kept in `<knowledge>/.index/english.json`, beside
the parsed guides and the saved index, under the same rules (`bot/knowledge/checked_json.py`): plain JSON,
a header line with the format, a SHA-256 of what the two are made from (the list's file and
pyspellchecker's version, PyStemmer's version, the source of this module and of `analysis.py`, whose
`stem` makes the stems) and a SHA-256 of the second line, which holds them. Anything else (another list, a flipped byte, a
cut-off file, the wrong shape) means the list is loaded and the file written again; a folder that can't
be written just means nothing is saved.
"""
from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.knowledge.checked_json import cache_path, read_checked, write_checked
from bot.search import analysis
from bot.search.analysis import stem

CACHE_FILE = "english.json"
CACHE_FORMAT = 1
LISTED_FROM = 4.0  # Zipf frequency from which a stem is kept in the everyday table (see everyday.py)


@lru_cache(maxsize=1)
def english():  # -> spellchecker.SpellChecker (imported here only: it is not needed when the list is saved)
    """The English word list of pyspellchecker (loaded once per process, about 0.25 s)."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)


@dataclass(frozen=True)
class EnglishList:
    words: frozenset[str]  # every word of the list, as the list spells it (lower case)
    everyday: dict[str, float]  # stem -> Zipf frequency (log10 per billion words) of its most frequent spelling

    def known(self, word: str) -> bool:
        """Is this lower-case word in the list? For the words `spelling.py` asks about (runs of a-z, lower
        case) the same as pyspellchecker's `known([word])`, which for those only looks the word up."""
        return word in self.words


def from_spellchecker() -> EnglishList:
    """The two made from the loaded list."""
    frequency = english().word_frequency
    total = frequency.total_words or 1
    least = total * 10 ** (LISTED_FROM - 9)
    zipf: dict[str, float] = {}
    for word, count in frequency.dictionary.items():
        if count >= least:
            z = math.log10(count / total * 1e9)
            key = stem(word)
            if z > zipf.get(key, 0.0):
                zipf[key] = z
    return EnglishList(frozenset(frequency.dictionary), zipf)


@lru_cache(maxsize=1)
def source_identity() -> str:
    """What the saved words and table are made from; another value means they are made again."""
    import spellchecker

    digest = hashlib.sha256(f"{CACHE_FORMAT}|{LISTED_FROM}".encode())
    digest.update((Path(str(spellchecker.__file__)).parent / "resources" / "en.json.gz").read_bytes())
    for package in ("pyspellchecker", "PyStemmer"):
        try:
            digest.update(f"|{package} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"|{package} ?".encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(Path(str(analysis.__file__)).read_bytes())
    return digest.hexdigest()


def _read(path: Path) -> EnglishList | None:
    entry: Any = read_checked(path, CACHE_FORMAT, source_identity())
    try:
        words, everyday = entry["words"], entry["everyday"]
        if type(words) is not str or type(everyday) is not list:
            return None
        table = dict(everyday)
        if not all(type(k) is str and type(v) is float for k, v in table.items()):
            return None
    except (TypeError, KeyError, ValueError):
        return None
    return EnglishList(frozenset(words.split("\n")), table)


def _write(path: Path, found: EnglishList) -> None:
    if any("\n" in w for w in found.words):
        return  # can't be written one word a line (pyspellchecker's lists have no such word)
    write_checked(path, CACHE_FORMAT, source_identity(),
                  {"words": "\n".join(sorted(found.words)), "everyday": list(found.everyday.items())})


def load_english_list(knowledge_dir: Path | None) -> EnglishList:
    """The words and everyday table: read back from `<knowledge_dir>/.index/english.json` when saved for this
    very list, else made from the list and saved there (best effort). None: made, not saved."""
    if knowledge_dir is None:
        return from_spellchecker()
    path = cache_path(knowledge_dir, CACHE_FILE)
    found = _read(path)
    if found is None:
        found = from_spellchecker()
        _write(path, found)
    return found


_loaded: EnglishList | None = None
_lock = threading.Lock()


def english_list(knowledge_dir: Path | None = None) -> EnglishList:
    """The process's English list (one for every knowledge snapshot: it does not depend on the guides),
    made or read back the first time it is asked for, from `knowledge_dir`'s saved copy when given."""
    global _loaded
    found = _loaded
    if found is None:
        with _lock:
            if _loaded is None:
                _loaded = load_english_list(knowledge_dir)
            found = _loaded
    return found
