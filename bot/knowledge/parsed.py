"""Parsed guides saved next to the knowledge they came from, so a restart does not parse them again.

Parsing is the slow part of a start on many guides (markdown-it and the passage splitter: about 6 s for
400 files of 100,000 passages, against well under a second to read this back). `<knowledge>/.index/guides.json`
holds, for each guide file parsed, what `parse_guide` made of it (its sections and passages, and how
often each word occurs in them, for the speller), keyed by a SHA-256 of the file's name and its text. A
file whose name or text changed has another key and is parsed again; an entry no file uses any more is
dropped on the next save.

Never trusted blindly. The cache is plain JSON (no pickle: reading it runs no code whatever it holds): a
header line with the format, a SHA-256 of the parser (the source of `guides.py`, `passages.py` and this
module, and the versions of markdown-it-py and PyYAML) and a SHA-256 of the rest, which is one line per
guide: its key, a space, its entry as JSON. An entry is decoded only when its guide is asked for, one small
`json.loads` each: one call over the whole 25 MB at 100k passages held the GIL, so the event loop of a bot
reloading in a worker thread, for 135-230 ms. A header for another parser, a checksum that does not match (a flipped
byte, a cut-off file) or anything unreadable means the whole cache is ignored and every guide parsed;
an entry of the wrong shape means its guide is parsed. A guide is only cached when reading its entry
back gives an equal `Guide`, so the cache can't hold what the parser would not make. A folder that can't
be written (read-only, full) just means nothing is saved: the guides are parsed as before.
"""
from __future__ import annotations

import hashlib
import json
import sys
import unicodedata
from dataclasses import replace
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.knowledge import guides as guides_module
from bot.knowledge import passages as passages_module
from bot.knowledge.checked_json import write_atomically
from bot.knowledge.guides import Guide, Passage, Section, guide_words, parse_guide

CACHE_DIR = ".index"  # beside the saved search index (bot/search/saved_index.py), which keeps files here
CACHE_FILE = "guides.json"
CACHE_FORMAT = 2  # 1: the entries as one JSON object on the second line


@lru_cache(maxsize=1)
def parser_identity() -> str:
    """What, besides a file's name and text, decides how it is parsed."""
    # ids are slugs made with unicodedata, whose tables change with Python's version
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{sys.version_info[:2]}|{unicodedata.unidata_version}".encode())
    for module in (guides_module, passages_module):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(Path(__file__).read_bytes())
    for package in ("markdown-it-py", "PyYAML"):
        try:
            digest.update(f"|{package} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"|{package} ?".encode())
    return digest.hexdigest()


def file_key(path: Path, text: str) -> str:
    """The key of one guide file: its name (the format and the id's fallback) and its text."""
    digest = hashlib.sha256(path.name.encode("utf-8", "surrogatepass") + b"\x00")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


# ------------------------------------------------------------------ a guide as JSON, and back

def _encode(guide: Guide) -> dict[str, Any]:
    return {
        "id": guide.id, "title": guide.title, "author": guide.author, "publisher": guide.publisher,
        "url": guide.url, "date": guide.date,
        "sections": [[s.id, s.heading, s.parent_heading, s.line, [p.text for p in s.passages],
                      [p.indexed for p in s.passages] if any(p.indexed is not None for p in s.passages) else None]
                     for s in guide.sections],
        "words": list(guide_words(guide)),
    }


_STR = {str}
_OPT_STR = {str, type(None)}


def _str(value: object) -> str:
    if type(value) is not str:
        raise TypeError("not a string")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)


# A frozen dataclass's __init__ sets each field with object.__setattr__, one call per field; read back
# 200,000 times at 100k passages, that is most of the time. These set the instance's __dict__ in one call
# instead: the same fields in the same order (so equal, same hash, same repr), as `parse` checks on every
# entry it saves by comparing what is read back with what the parser made.
_new = object.__new__
_set = object.__setattr__


def _decode(entry: Any, path: Path) -> Guide:
    """The guide an entry describes; TypeError, KeyError, ValueError or IndexError when it is not one."""
    guide_id, title, url = _str(entry["id"]), _str(entry["title"]), _opt_str(entry["url"])
    sections = []
    new, set_, passage_type, section_type = _new, _set, Passage, Section
    for sid, heading, parent, line, texts, indexed in entry["sections"]:
        if (type(sid) is not str or type(line) is not int or type(texts) is not list or not texts
                or not set(map(type, texts)) <= _STR or (indexed is not None and type(indexed) is not list)):
            raise TypeError("a section of the wrong shape")
        if not sid.startswith(f"{guide_id}#"):  # one guide's entry never speaks for another's sections
            raise ValueError("a section of another guide")
        if indexed is None and len(texts) == 1:  # the common case, without a loop
            passage = new(passage_type)
            set_(passage, "__dict__", {"id": f"{sid}:0", "guide_id": guide_id, "section_id": sid, "text": texts[0],
                                       "indexed": None})
            passages: tuple[Passage, ...] = (passage,)
        elif indexed is None:
            passages = tuple([Passage(f"{sid}:{k}", guide_id, sid, text) for k, text in enumerate(texts)])
        else:
            if len(indexed) != len(texts) or not set(map(type, indexed)) <= _OPT_STR:
                raise ValueError("indexed texts of the wrong shape")
            passages = tuple([Passage(f"{sid}:{k}", guide_id, sid, text, other)
                              for k, (text, other) in enumerate(zip(texts, indexed))])
        section = new(section_type)
        set_(section, "__dict__", {"id": sid, "guide_id": guide_id, "guide_title": title, "heading": _str(heading),
                                   "parent_heading": _opt_str(parent), "url": url, "line": line, "passages": passages})
        sections.append(section)
    in_headings, in_texts = entry["words"]
    if (type(in_headings) is not dict or type(in_texts) is not dict
            or not set(map(type, in_headings.values())) | set(map(type, in_texts.values())) <= {int}):
        raise TypeError("word counts of the wrong shape")
    return Guide(id=guide_id, title=title, path=str(path), author=_opt_str(entry["author"]),
                 publisher=_opt_str(entry["publisher"]), url=url, date=_opt_str(entry["date"]),
                 sections=tuple(sections), words=(in_headings, in_texts))


# ------------------------------------------------------------------ the cache file

def entries_of(body: bytes) -> dict[str, bytes]:
    """The cache's entries (key -> the entry's JSON, not decoded) from the lines after the header;
    ValueError when a line is not `<key> <json>`."""
    entries: dict[str, bytes] = {}
    for line in body.split(b"\n") if body else ():
        key, space, raw = line.partition(b" ")
        if not space or not raw:
            raise ValueError("a line of the wrong shape")
        entries[key.decode("ascii")] = raw
    return entries


def body_of(entries: dict[str, bytes]) -> bytes:
    return b"\n".join(key.encode("ascii") + b" " + raw for key, raw in entries.items())


def _entry_json(guide: Guide) -> bytes:
    return json.dumps(_encode(guide), separators=(",", ":")).encode("ascii")  # non-ASCII as JSON escapes


class GuideCache:
    """The parsed guides of one knowledge folder: `parse` each file through it, then `save`."""

    def __init__(self, knowledge_dir: Path):
        self.path = Path(knowledge_dir) / CACHE_DIR / CACHE_FILE
        self._entries: dict[str, bytes] = self._read()
        self._used: dict[str, bytes] = {}
        self._changed = False
        self.hits = 0  # guides read back from the cache in this pass (for tests and measurements)

    def _read(self) -> dict[str, bytes]:
        """The saved entries, or none when the file is missing, for another parser, or damaged."""
        try:
            data = self.path.read_bytes()
            head, _, body = data.partition(b"\n")
            header = json.loads(head)
            if (not isinstance(header, dict) or header.get("format") != CACHE_FORMAT
                    or header.get("parser") != parser_identity()
                    or header.get("sha256") != hashlib.sha256(body).hexdigest()):
                return {}
            return entries_of(body)
        except (OSError, ValueError):
            return {}

    def parse(self, path: Path, text: str) -> Guide:
        """`parse_guide(path, text)`, read back from the cache when this file was parsed before."""
        key = file_key(path, text)
        raw = self._entries.get(key)
        if raw is not None:
            try:
                guide = _decode(json.loads(raw), path)
            except (TypeError, KeyError, ValueError, IndexError, RecursionError):
                pass  # not what this module writes (nested past the parser's depth, too): parse the file
            else:
                self.hits += 1
                self._used[key] = raw
                return guide
        guide = parse_guide(path, text)  # a KnowledgeError (a broken file) is never cached
        guide = replace(guide, words=guide_words(guide))
        self._changed = True
        encoded = _entry_json(guide)
        try:
            back = _decode(json.loads(encoded), path)
            same = back == guide and back.words == guide.words
        except (TypeError, KeyError, ValueError, IndexError):
            same = False
        if same:
            self._used[key] = encoded
        return guide

    def save(self) -> None:
        """Write the entries used in this pass (files gone since are dropped), when anything changed; best
        effort: an unwritable folder leaves the cache as it was."""
        if not self._changed and self._used.keys() == self._entries.keys():
            return
        body = body_of(self._used)  # the entries read back are written as they were read, not encoded again
        header = json.dumps({"format": CACHE_FORMAT, "parser": parser_identity(),
                             "sha256": hashlib.sha256(body).hexdigest()}).encode()
        write_atomically(self.path, header + b"\n" + body)
        self._entries, self._changed = dict(self._used), False
