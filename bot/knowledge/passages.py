"""Split a section's paragraphs into passages of at most `MAX_PASSAGE_CHARS` characters.

Paragraphs are packed whole while they fit; a paragraph that is too long on its own is cut at sentence
ends, and a sentence that is still too long at word boundaries. Text is never changed, only cut.
"""
from __future__ import annotations

import re

MAX_PASSAGE_CHARS = 1000
# A sentence ends at . ! ? or … before a capital or digit, but not after an abbreviation ("No. 1", "e.g. Python").
_ABBREVIATIONS = ("No.", "no.", "vs.", "Dr.", "Mr.", "Ms.", "Mrs.", "St.", "e.g.", "i.e.", "approx.")
_NOT_AFTER = "".join(rf"(?<!\b{re.escape(a)})" for a in _ABBREVIATIONS)
_SENTENCE_END = re.compile(rf"(?<=[.!?…]){_NOT_AFTER}[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences and list lines of a paragraph, in order."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            out.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return out


def _cut_words(text: str, limit: int) -> list[str]:
    pieces, current = [], ""
    for word in text.split():
        while len(word) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:limit])
            word = word[limit:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) > limit:
            pieces.append(current)
            current = word
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def _units(paragraph: str, limit: int) -> list[tuple[str, str]]:
    """(text, joiner) units no longer than `limit`; the joiner goes before the unit when packed."""
    if len(paragraph) <= limit:
        return [(paragraph, "\n\n")]
    units: list[tuple[str, str]] = []
    for i, sentence in enumerate(split_sentences(paragraph)):
        joiner = "\n\n" if i == 0 else " "
        for j, piece in enumerate(_cut_words(sentence, limit) if len(sentence) > limit else [sentence]):
            units.append((piece, joiner if j == 0 else " "))
    return units


def split_passages(paragraphs: list[str], limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    passages: list[str] = []
    current = ""
    for paragraph in paragraphs:
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        for text, joiner in _units(paragraph, limit):
            candidate = f"{current}{joiner}{text}" if current else text
            if len(candidate) <= limit:
                current = candidate
            else:
                passages.append(current)
                current = text
    if current:
        passages.append(current)
    return passages
