"""The field's vocabulary as data: `knowledge/vocabulary.yaml`, checked when it is read.

Stopwords, acronym rewrites, query-side synonyms and phrasings (used by `analysis`), and the word lists
and thresholds of the coverage decision (used by `bot.answers.scope`). The knowledge store reads the file
with the guides, at start-up and on every reload; a problem is reported as `vocabulary.yaml:LINE:
message`, like a broken guide. The defaults that ship with careerbot are `bot/search/vocabulary.yaml`
(the same as the bundled knowledge folder's), used for a folder without its own file and, with a
warning, at start-up when the folder's file is broken.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import KnowledgeError, Problem

VOCABULARY_FILE = "vocabulary.yaml"
DEFAULTS = Path(__file__).with_name(VOCABULARY_FILE)
SECTIONS = ("stopwords", "acronyms", "query_synonyms", "query_phrases", "coverage")
WORD_LISTS = ("field_terms", "not_anchors", "career_terms", "conversational", "asking")
OPTIONAL_WORD_LISTS = ("not_covered",)  # may be left out of a folder's file (older files have none)
SHARES = ("max_unknown_with_field", "max_unknown_with_career", "min_coverage_without_anchor",
          "min_relative_without_anchor")
_WORD = re.compile(r"[a-z0-9][a-z0-9.+#'-]*")
MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class Thresholds:
    max_unknown_with_field: float
    max_unknown_with_career: float
    min_coverage_without_anchor: float
    min_relative_without_anchor: float
    min_terms_without_anchor: int


@dataclass(frozen=True)
class Vocabulary:
    stopwords: frozenset[str]
    acronyms: dict[str, str]
    query_synonyms: dict[str, str]
    query_phrases: tuple[tuple[re.Pattern[str], str], ...]
    words: dict[str, str]  # the coverage word lists, as written (see WORD_LISTS)
    thresholds: Thresholds
    fingerprint: str  # what the file says (not how), for the saved index's key


class _Check:
    """Collects problems, each at the line of the key it is about."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.problems: list[Problem] = []

    def line_of(self, key: str, after: int = 0) -> int:
        pattern = re.compile(rf"^\s*(?:- )?['\"]?{re.escape(key)}['\"]?\s*:")
        return next((n for n, line in enumerate(self.lines, 1) if n > after and pattern.match(line)), 0)

    def add(self, key: str, message: str, after: int = 0) -> None:
        self.problems.append(Problem(str(self.path), self.line_of(key, after), message))

    def text(self, value: Any, key: str, where: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.add(key, f"{where} must be words separated by spaces")
            return None
        bad = [w for w in value.split() if not _WORD.fullmatch(w)]
        if bad:
            self.add(key, f"{where}: write words in lower case, letters and digits ({bad[0][:40]!r} is not)")
            return None
        return value

    def mapping(self, value: Any, section: str) -> dict[str, str]:
        if not isinstance(value, dict) or not value:
            self.add(section, f"{section} must be `word: words` lines")
            return {}
        out = {}
        for key, words in value.items():
            if not isinstance(key, str) or not _WORD.fullmatch(key):
                self.add(section, f"{section}: {str(key)[:40]!r} is not a lower-case word")
            elif self.text(words, key, f"{section}: {key}") is not None:
                out[key] = words
        return out


def parse_vocabulary(path: Path, text: str) -> Vocabulary:
    """The vocabulary in `text` (read from `path`), or KnowledgeError listing every problem."""
    check = _Check(path, text)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise KnowledgeError([Problem(str(path), mark.line + 1 if mark else 0, "not valid YAML; check the "
                                      "indentation and quoting on this line")]) from None
    if not isinstance(data, dict):
        raise KnowledgeError([Problem(str(path), 0, f"the vocabulary must have the sections {', '.join(SECTIONS)}")])
    for key in data:
        if key not in SECTIONS:
            check.add(str(key), f"unknown section {str(key)[:40]!r}; the sections are {', '.join(SECTIONS)}")
    for key in SECTIONS:
        if key not in data:
            check.problems.append(Problem(str(path), 0, f"the section {key} is missing"))
    stopwords = check.text(data.get("stopwords"), "stopwords", "stopwords") or ""
    acronyms = check.mapping(data.get("acronyms"), "acronyms")
    synonyms = check.mapping(data.get("query_synonyms"), "query_synonyms")
    phrases = _phrases(check, data.get("query_phrases"))
    words, thresholds = _coverage(check, data.get("coverage"))
    if check.problems:
        raise KnowledgeError(check.problems)
    assert thresholds is not None
    said = json.dumps([stopwords.split(), acronyms, synonyms, [(p.pattern, a) for p, a in phrases], words,
                       thresholds.__dict__])
    return Vocabulary(frozenset(stopwords.split()), acronyms, synonyms, tuple(phrases), words, thresholds,
                      hashlib.sha256(said.encode()).hexdigest())


def _phrases(check: _Check, value: Any) -> list[tuple[re.Pattern[str], str]]:
    if not isinstance(value, list):
        check.add("query_phrases", "query_phrases must be a list of `- pattern: ...` / `adds: ...` entries")
        return []
    out, line = [], check.line_of("query_phrases")
    for entry in value:
        line = check.line_of("pattern", line) or line
        if not isinstance(entry, dict) or set(entry) != {"pattern", "adds"}:
            check.problems.append(Problem(str(check.path), line, "each phrase has exactly `pattern` and `adds`"))
            continue
        try:
            pattern = re.compile(str(entry["pattern"]))
        except re.error as error:
            check.problems.append(Problem(str(check.path), line, f"the pattern is not a regular expression ({error})"))
            continue
        adds = check.text(entry["adds"], "adds", "adds")
        if adds is not None:
            out.append((pattern, adds))
    return out


def _coverage(check: _Check, value: Any) -> tuple[dict[str, str], Thresholds | None]:
    if not isinstance(value, dict):
        check.add("coverage", f"coverage must hold {', '.join(WORD_LISTS)} and thresholds")  # not_covered: optional
        return {}, None
    words = {}
    for key in WORD_LISTS:
        text = check.text(value.get(key), key, f"coverage: {key}")
        if text is not None:
            words[key] = text
    for key in OPTIONAL_WORD_LISTS:
        text = check.text(value[key], key, f"coverage: {key}") if key in value else ""
        if text is not None:
            words[key] = text
    for key in value:
        if key not in (*WORD_LISTS, *OPTIONAL_WORD_LISTS, "thresholds"):
            check.add(str(key), f"coverage: unknown entry {str(key)[:40]!r}")
    given = value.get("thresholds")
    if not isinstance(given, dict):
        check.add("thresholds", "coverage: thresholds must be `name: number` lines")
        return words, None
    for key in given:
        if key not in (*SHARES, "min_terms_without_anchor"):
            check.add(str(key), f"thresholds: unknown threshold {str(key)[:40]!r}")
    for key in SHARES:
        share = given.get(key)
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            check.add(key if key in given else "thresholds", f"thresholds: {key} must be a share from 0 to 1")
    count = given.get("min_terms_without_anchor")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 20:
        check.add("min_terms_without_anchor" if "min_terms_without_anchor" in given else "thresholds",
                  "thresholds: min_terms_without_anchor must be a whole number from 1 to 20")
    if check.problems:
        return words, None
    return words, Thresholds(*(given[key] for key in (*SHARES, "min_terms_without_anchor")))


def load_vocabulary(path: Path) -> Vocabulary:
    """Read and check a vocabulary file; KnowledgeError (file:line) for anything wrong with it."""
    try:
        raw = Path(path).read_bytes()
        if len(raw) > MAX_BYTES:
            raise KnowledgeError([Problem(str(path), 0, f"the vocabulary is {len(raw) // 1024} KiB; keep it "
                                          f"under {MAX_BYTES // 1024} KiB")])
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise KnowledgeError([Problem(str(path), 0, "the vocabulary is not UTF-8 text")]) from None
    except OSError as error:
        raise KnowledgeError([Problem(str(path), 0, f"can't read the vocabulary ({error.strerror or error})")]) from None
    return parse_vocabulary(Path(path), text)


def default_vocabulary() -> Vocabulary:
    return load_vocabulary(DEFAULTS)


def vocabulary_of(knowledge_dir: Path, *, strict: bool) -> tuple[Vocabulary, tuple[str, ...]]:
    """The knowledge folder's vocabulary (the defaults when it has none) and the warnings about it.
    Strict (a reload): a broken file raises KnowledgeError. Not strict (start-up): a broken file is
    reported in the warnings and the defaults are used, so the bot still starts."""
    path = Path(knowledge_dir) / VOCABULARY_FILE
    if not path.exists():
        return default_vocabulary(), ()
    try:
        return load_vocabulary(path), ()
    except KnowledgeError as error:
        if strict:
            raise
        return default_vocabulary(), (*(str(p) for p in error.problems),
                                      "vocabulary.yaml is broken, so the vocabulary that ships with careerbot is used")
