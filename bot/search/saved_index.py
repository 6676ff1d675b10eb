"""The search index saved next to the knowledge it was built from, so a restart does not rebuild it.

`<knowledge>/.index/<key>/` holds the arrays of a `SearchIndex` (memory-mapped on load) and a checksum of
each file. The key is a SHA-256 of exactly what the index was built from: every passage's indexed text,
in order, and the analyser (the source of `analysis.py`, the vocabulary, PyStemmer's version, the index
format, k1, b).
Any change to a guide, to how guides are split into passages, or to the analyser gives another key, so
the old index is never used for new knowledge; a file that fails its checksum or shape is rebuilt over.
A knowledge folder that can't be written (read-only) just means no saved index: the build still works.
"""
from __future__ import annotations

import hashlib
import shutil
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable

from bot.search import analysis
from bot.search.analysis import Analyser, current
from bot.search.index import INDEX_FORMAT, K1, B, SearchIndex

INDEX_DIR = ".index"


@lru_cache(maxsize=1)
def analyser_identity() -> bytes:
    """What, besides the passages' text, decides the index: the analyser's code and the index format."""
    try:
        source = Path(analysis.__file__).read_bytes()
    except OSError:  # no source file (a frozen install): fall back to the package version
        source = metadata.version("careerbot").encode()
    try:
        stemmer = metadata.version("PyStemmer")
    except metadata.PackageNotFoundError:
        stemmer = "?"
    return hashlib.sha256(source + f"|{stemmer}|{INDEX_FORMAT}|{K1}|{B}".encode()).digest()


def index_key(texts: Iterable[str], vocabulary: str = "") -> str:
    """`vocabulary`: the fingerprint of the vocabulary the passages are analysed with."""
    digest = hashlib.sha256(analyser_identity() + vocabulary.encode())
    parts = []  # each text as its length (8 bytes) and its bytes, hashed in one call
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        parts.append(len(data).to_bytes(8, "little"))
        parts.append(data)
    digest.update(b"".join(parts))
    return digest.hexdigest()


def index_for(knowledge_dir: Path, texts: Callable[[], Iterable[str]], analyser: Analyser | None = None) -> SearchIndex:
    """The index of these passage texts: loaded from `<knowledge_dir>/.index` when it was saved for exactly
    them, else built (as `SearchIndex(analyser.analyse(t) for t in texts())`) and saved, best effort.
    `analyser`: the one of the knowledge being built (default: the one in use)."""
    analyser = analyser or current()
    key = index_key(texts(), analyser.vocabulary.fingerprint)
    root = Path(knowledge_dir) / INDEX_DIR
    folder = root / key[:32]
    index = SearchIndex.load(folder, key)
    if index is not None:
        return index
    index = SearchIndex(analyser.analyse(text) for text in texts())
    try:
        index.save(folder, key)
    except OSError:
        return index  # read-only or full: serve without saving
    try:
        for old in root.iterdir():  # indexes of earlier knowledge: no longer wanted
            if old.is_dir() and old.name != folder.name:
                shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass
    return index
