"""One analyser for passages and questions: normalise, tokenise, drop stopwords, stem.

Technical tokens survive (`c++`, `c#`, `f#`, `.net`, `node.js`, `r`, `c`); the field's acronyms are
rewritten to their expansions on both sides (so "ML" in a guide and "machine learning" in a question
meet), and a few query-side synonyms are added to questions only (`expand_query`). The words are data,
`knowledge/vocabulary.yaml` (see `vocabulary`); the rules are here.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain

import Stemmer

from bot.search.vocabulary import Vocabulary, default_vocabulary

_TOKEN = re.compile(r"\.net\b|[a-z0-9]+(?:\.(?:js|ts|net|py|io)\b)?(?:\+\+|#)?")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_CLITIC = re.compile(r"'(?<=\w')(?:s|re|ve|ll|d|m|t)\b")  # possessive 's and contractions ('re, 'll, n't ...)
_PHD = re.compile(r"\bph\.?\s?d\b\.?")
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc)\b\.?")

_stemmer = Stemmer.Stemmer("english")


def normalise(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    text = text.casefold()
    if "'" in text:
        text = _CLITIC.sub("", text)
    if "e.g" in text or "i.e" in text or "etc" in text:
        text = _ABBREVIATIONS.sub(" ", text)
    if "v/s" in text:
        text = text.replace("v/s", "vs")
    if "ph." in text or "ph d" in text:
        text = _PHD.sub("phd", text)
    return text


def _raw_tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    if not token.isalnum():
        return token  # c++, c#, node.js, .net: kept as written
    return _stemmer.stemWord(token)


def stem(word: str) -> str:
    """The stem the index uses for one lower-case word."""
    return _stem(word)


class Analyser:
    """The analyser for one vocabulary. Each knowledge snapshot has one (`Knowledge.analyser`); the
    snapshot being served installs its own (`install`), and the module's functions use that one."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._stopwords = vocabulary.stopwords
        self._acronyms = vocabulary.acronyms
        # raw token -> its index terms; every step (acronyms, stopwords, stemming) is per token, so the
        # whole mapping can be cached, which keeps analysing 100k passages to one dict lookup per token.
        self._terms: dict[str, tuple[str, ...]] = {}
        self._derived: dict[str, object] = {}

    def _canonical(self, tokens: list[str]) -> list[str]:
        out: list[str] = []
        for token in tokens:
            expansion = self._acronyms.get(token)
            out.extend(expansion.split() if expansion else (token,))
        return out

    def _terms_of(self, token: str) -> tuple[str, ...]:
        terms = tuple(_stem(t) for t in self._canonical([token]) if t not in self._stopwords)
        if len(self._terms) >= _TERMS_LIMIT:
            self._terms.clear()
        self._terms[token] = terms
        return terms

    def analyse(self, text: str) -> list[str]:
        """Index terms of a passage (or the base terms of a question), in order, repeats kept."""
        tokens = _raw_tokens(text)
        cached = list(map(self._terms.get, tokens))
        if None in cached:
            return list(chain.from_iterable(terms if terms is not None else self._terms_of(token)
                                            for terms, token in zip(cached, tokens)))
        return list(chain.from_iterable(terms for terms in cached if terms is not None))

    def expand_query(self, text: str) -> list[str]:
        """Terms of a question: `analyse` plus query-side synonyms of the words and phrasings it contains."""
        raw = _raw_tokens(text)
        extra: list[str] = []
        normalised = " ".join(raw)
        for pattern, synonyms in self.vocabulary.query_phrases:
            if pattern.search(normalised):
                extra.extend(_stem(t) for t in synonyms.split())
        for token in raw:
            written = self.vocabulary.query_synonyms.get(token)
            if written:
                extra.extend(_stem(t) for t in self._canonical(written.split()) if t not in self._stopwords)
        terms = [_stem(t) for t in self._canonical(raw) if t not in self._stopwords]
        seen = set(terms)
        return terms + [t for t in dict.fromkeys(extra) if t not in seen]

    def terms(self, name: str) -> frozenset[str]:
        """A coverage word list of the vocabulary (`vocabulary.WORD_LISTS`), analysed once."""
        found = self._derived.get(name)
        if found is None:
            found = self._derived[name] = frozenset(self.analyse(self.vocabulary.words[name]))
        assert isinstance(found, frozenset)
        return found


_TERMS_LIMIT = 500_000
_current: Analyser | None = None


@lru_cache(maxsize=65_536)
def _terms_of_text(analyser: "Analyser", text: str) -> frozenset[str]:
    return frozenset(analyser.analyse(text))


def terms_of_text(text: str) -> frozenset[str]:
    """The distinct index terms of a guide's text (a passage, a quoted unit, a heading), cached: the same
    passages are read for every question. Keyed by the analyser too, so a new vocabulary is not stale."""
    return _terms_of_text(current(), text)


def current() -> Analyser:
    """The analyser of the knowledge being served (the shipped vocabulary's until one is installed)."""
    global _current
    if _current is None:
        _current = Analyser(default_vocabulary())
    return _current


def install(analyser: Analyser) -> None:
    global _current
    _current = analyser


def analyser_for(vocabulary: Vocabulary) -> Analyser:
    """The analyser in use when it has this vocabulary (its caches are kept), else a new one."""
    serving = current()
    return serving if serving.vocabulary.fingerprint == vocabulary.fingerprint else Analyser(vocabulary)


def analyse(text: str) -> list[str]:
    """Index terms of a passage (or the base terms of a question), in order, repeats kept."""
    return current().analyse(text)


def expand_query(text: str) -> list[str]:
    """Terms of a question: `analyse` plus query-side synonyms of the words and phrasings it contains."""
    return current().expand_query(text)


def content_terms(text: str) -> list[str]:
    """The distinct analysed terms of a text (no synonyms): what a question is 'about'."""
    return list(dict.fromkeys(analyse(text)))
