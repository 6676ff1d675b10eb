"""The short answer: the quoted units of the cited passages that best answer the question.

A unit is a sentence, a whole list line, or a lead-in with the list it introduces (a line ending in ":"
followed by list lines, or a sentence right before a list). Units are scored by the question's terms they
contain, each weighted by its IDF and its query weight (question words over context), so an informative unit
beats a short lead-in that only repeats the topic ("Interviews are notoriously tough.") Text is quoted, never
rewritten; every quoted unit ends with its citation's `[n]`. The best passage may give a second unit; a second
or third source is quoted only when its best unit is close in strength and does not repeat a quoted one (the
guides repeat each other). A sentence about the document itself ("this guide is intended to...", "read on")
and the guide's own rhetorical questions ("Will it break?") are scored down and never quoted beside an answer.
A long list keeps the lines that hold the question's words, so an answer one bullet deep is not cut off; a
short sentence comes with its neighbour.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence, Set
from functools import partial

from bot.knowledge.passages import split_sentences
from bot.search.analysis import terms_of_text

MAX_ANSWER_CHARS = 600
MAX_UNIT_CHARS = 450
CLOSE_IN_STRENGTH = 0.15  # a further source's best unit must score at least this share of the first's
SHORT_UNIT = 120  # a unit shorter than this is quoted with its neighbour (the sentence after it, or before)
SAME_SAYING = 0.8  # a further unit with this share of its words in a quoted one says nothing new
SECOND_UNIT = 1  # how many times the best passage is asked for a further unit
FIRST_UNIT_BONUS = 1.3   # a passage's opening unit often states what its heading asks
_LIST_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
LIST_REST_SHARE = 0.3  # what the other lines of a list add to its best line
RHETORICAL_FACTOR = 0.3  # a guide's own question ("Will it break?") answers nothing
FILLER_FACTOR = 0.3  # a sentence about the document itself ("this guide", "read on") answers nothing
_FILLER = re.compile(r"\b(?:(?:this|our|the|career) (?:[‘'\"“][^’'\"”]{1,80}[’'\"”] )?"  # a quoted title between
                     r"(?:guide|article|blog|post|tutorial|page|section|ebook)|"
                     r"read on|next up|in this (?:article|blog|guide|post)|let(?:'|’)?s (?:look|dive|take|explore)|"
                     r"we(?:'|’)ll (?:look|cover|discuss|explore)|we will (?:look|cover|discuss|explore))\b", re.I)


def units(text: str) -> list[str]:
    """Quotable units of a passage, in order."""
    lines = [line.rstrip() for line in text.split("\n") if line.strip()]
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not _LIST_LINE.match(line) and i + 1 < len(lines) and _LIST_LINE.match(lines[i + 1]):
            sentences = split_sentences(line)
            lead = sentences[-1] if sentences else line
            out.extend(sentences[:-1])
            block = [lead]
            j = i + 1
            while j < len(lines) and _LIST_LINE.match(lines[j]):
                block.append(lines[j].strip())
                j += 1
            out.append("\n".join(block))
            i = j
            continue
        if _LIST_LINE.match(line):
            out.append(line.strip())  # a list line stays whole
        else:
            out.extend(split_sentences(line))
        i += 1
    return out


def _fit(unit: str, limit: int, line_score: Callable[[str], float] | None = None) -> str:
    """A unit no longer than `limit`: a lead-in keeps as many whole list lines as fit, those that hold the
    question's words first (so the answer one bullet deep in a long list is not cut off), in list order."""
    if len(unit) <= limit:
        return unit
    lines = unit.split("\n")
    order = list(range(1, len(lines)))
    if line_score is not None:
        order.sort(key=lambda i: -line_score(lines[i]))  # stable: equal scores keep the list's order
    chosen: set[int] = set()
    size = len(lines[0])
    for i in order:
        if size + 1 + len(lines[i]) <= limit:
            chosen.add(i)
            size += 1 + len(lines[i])
    if chosen or len(lines[0]) <= limit:
        return "\n".join([lines[0]] + [lines[i] for i in sorted(chosen)])
    sentences = split_sentences(lines[0])
    return sentences[0] if len(sentences[0]) <= limit else lines[0][:limit].rsplit(" ", 1)[0] + " …"


def _line_score(line: str, weights: dict[str, float], idf: Callable[[str], float], covered: Set[str]) -> float:
    terms = sorted(terms_of_text(line))  # summed in one order: a set's order changes with the hash seed
    return sum(weights[t] * idf(t) * (0.3 if t in covered else 1.0) for t in terms if t in weights)


def _score(unit: str, weights: dict[str, float], idf: Callable[[str], float], covered: Set[str]) -> float:
    """A sentence: its question terms. A lead-in and its list: the lead-in, its best line, and a share of
    the others (a long list must not win on the sheer number of words it holds)."""
    lines = unit.split("\n")
    scores = [_line_score(line, weights, idf, covered) for line in lines]
    if len(lines) > 1:
        rest = sorted(scores[1:], reverse=True)
        gain = scores[0] + rest[0] + LIST_REST_SHARE * sum(rest[1:])
    else:
        gain = scores[0]
    if _FILLER.search(unit):
        gain *= FILLER_FACTOR
    if unit.rstrip().endswith("?"):
        gain *= RHETORICAL_FACTOR
    return gain


def best_unit(text: str, weights: dict[str, float], idf: Callable[[str], float],
              covered: Set[str] = frozenset(), exclude: int = -1) -> tuple[int, str, float]:
    """(position, unit, score) of the passage's best unit, other than the one at `exclude`."""
    best, best_at, best_score = "", -1, -1.0
    for i, unit in enumerate(units(text)):
        if i == exclude:
            continue
        score = _score(unit, weights, idf, covered) * (FIRST_UNIT_BONUS if i == 0 else 1.0)
        if score > best_score:
            best, best_at, best_score = unit, i, score
    return best_at, best, best_score


def _says_nothing_new(words: Set[str], said: Set[str]) -> bool:
    """A unit whose words are nearly all (`SAME_SAYING` or more) in a unit already quoted repeats it: the
    guides repeat each other. A longer unit that holds a short quoted one and more says something new."""
    return bool(words) and len(words & said) >= SAME_SAYING * len(words)


def compose(texts: Sequence[tuple[int, str]], weights: dict[str, float], idf: Callable[[str], float],
            max_chars: int = MAX_ANSWER_CHARS) -> str:
    """`texts`: (citation number, passage text), best first. Returns the quoted answer with markers;
    two units of one passage are quoted in their own order ("Interviews are tough. They consist of: ...")."""
    picked: list[tuple[int, int, str]] = []  # (citation number, position in its passage, quoted text)
    covered: set[str] = set()
    first_score = 0.0
    used = 0
    slots = list(texts[:1]) * SECOND_UNIT + list(texts[:3])  # the best passage may give two units
    said: list[frozenset[str]] = []  # the words of each quoted unit
    quoted_at: dict[int, int] = {}
    for n, text in slots:
        at, unit, score = best_unit(text, weights, idf, covered, exclude=quoted_at.get(n, -1))
        if not unit or at == quoted_at.get(n):
            continue
        quoted_at.setdefault(n, at)
        if picked and (unit.rstrip().endswith("?") or _FILLER.search(unit)):
            continue  # a guide's own question or a sentence about the guide is never quoted beside an answer
        words = terms_of_text(unit)
        if picked and (score < CLOSE_IN_STRENGTH * first_score or any(_says_nothing_new(words, other) for other in said)):
            continue
        quoted = _fit(unit.lstrip("-*• ").strip(), min(MAX_UNIT_CHARS, max_chars - used - 6),
                      partial(_line_score, weights=weights, idf=idf, covered=covered))
        if picked and (used + len(quoted) + 6 > max_chars or (quoted.endswith(" …") and "\n" not in quoted)):
            continue  # a further unit is quoted whole or not at all: no "That means … [2]" stubs
        if not picked and len(unit) < SHORT_UNIT:  # a short sentence goes with its neighbour
            neighbours = units(text)
            near = at + 1 if at + 1 < len(neighbours) else at - 1
            plain = 0 <= near != at and not neighbours[near].rstrip().endswith("?") and not _FILLER.search(neighbours[near])
            if plain and len(quoted) + len(neighbours[near]) + 1 <= MAX_UNIT_CHARS:
                pair = (quoted, neighbours[near].lstrip("-*• ").strip())
                quoted = f" [{n}] ".join(pair if near > at else pair[::-1])  # each sentence keeps its marker
                at = min(at, near)
                quoted_at[n] = at
                covered |= terms_of_text(neighbours[near]) & set(weights)
                said.append(terms_of_text(neighbours[near]))
        entry = (n, at, f"{quoted} [{n}]")
        same = [i for i, (m, pos, _) in enumerate(picked) if m == n and pos > at]
        picked.insert(same[0], entry) if same else picked.append(entry)
        used += len(quoted) + 6
        covered |= words & set(weights)
        said.append(words)
        if not first_score:
            first_score = max(score, 1e-9)
    parts = [p for _, _, p in picked]
    if not parts and texts:
        n, text = texts[0]
        parts.append(f"{_fit(split_sentences(text)[0], MAX_UNIT_CHARS)} [{n}]")
    return "\n".join(parts) if any("\n" in p for p in parts) else " ".join(parts)
