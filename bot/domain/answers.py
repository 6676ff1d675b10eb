"""Answer a member's question from the guides: rank, decide whether the guides cover it, quote, cite.

`AnswerService.answer(question)` returns an `Answer`: whether it answered, a short extractive answer
built from the best sentences of the cited passages with `[n]` markers, and up to `top` citations (at
most one per section). When the evidence is weak it abstains: no citations and a note saying so.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Callable

from .analysis import analyse, content_terms, expand_query
from .errors import DomainError
from .knowledge import Knowledge
from .passages import split_sentences
from .scope import CAREER_TERMS, FIELD_TERMS, ScopeSignals

MAX_QUESTION_CHARS = 1000
MAX_TOP = 10
DEFAULT_TOP = 5
# A citation must carry at least this share of the best passage's score: below it, a passage shares only
# a word or two of little weight with the question ("learning") and would be cited as padding.
MIN_SHARE_OF_BEST = 0.25
NOT_COVERED_NOTE = (
    "The guides don't cover that, as far as I can tell. Try rephrasing with the skill, degree or role "
    "you mean, or see /roadmap for the path the guides describe."
)


@dataclass(frozen=True)
class Citation:
    rank: int
    doc_id: str
    section_id: str
    title: str
    section: str
    url: str | None
    text: str
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    answer: str
    citations: list[Citation] = field(default_factory=list)
    note: str | None = None

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.answer,
            "citations": [asdict(c) for c in self.citations],
        }


def check_question(question: str) -> str:
    """Return the cleaned question or raise DomainError with a message saying what to do."""
    text = " ".join((question or "").split())
    if not text:
        raise DomainError("Please type a question, for example: `what maths do I need for ML?`")
    if len(text) > MAX_QUESTION_CHARS:
        raise DomainError(f"That question is {len(text):,} characters long; please keep it under "
                          f"{MAX_QUESTION_CHARS:,} and ask about one thing at a time.")
    if not re.search(r"[^\W_]", text):
        raise DomainError("That question has no words in it. Ask in words, for example: `do I need a degree?`")
    return text


class AnswerService:
    def __init__(self, knowledge: Callable[[], Knowledge]):
        self._knowledge = knowledge

    def ranked(self, question: str, k: int = MAX_TOP, kb: Knowledge | None = None) -> list[Citation]:
        """Best passages for a question, at most one per section and none far weaker than the best,
        without the abstention check."""
        kb = kb or self._knowledge()
        hits = kb.index.search(expand_query(question), k=max(k * 4, 20))
        citations: list[Citation] = []
        seen: set[str] = set()
        for hit in hits:
            if hit.score < MIN_SHARE_OF_BEST * hits[0].score:
                break
            passage = kb.passages[hit.doc]
            if passage.section_id in seen:
                continue
            seen.add(passage.section_id)
            section = kb.section_of(passage)
            citations.append(Citation(len(citations) + 1, passage.guide_id, passage.section_id, section.guide_title,
                                      section.heading, section.url, passage.text, round(hit.score, 6)))
            if len(citations) == k:
                break
        return citations

    def signals(self, question: str, best: Citation | None, kb: Knowledge | None = None) -> ScopeSignals | None:
        """The evidence used to decide whether the guides cover a question (None: nothing matched)."""
        terms = content_terms(question)
        if best is None or not terms:
            return None
        kb = kb or self._knowledge()
        idf = kb.index.term_idf
        section = kb.guides.sections[best.section_id]
        heading_terms = set(analyse(f"{section.parent_heading or ''} {section.heading}"))
        found = heading_terms | set(analyse(best.text))
        mass = sum(idf(t) for t in terms)
        return ScopeSignals(
            terms=len(terms),
            in_heading=bool(heading_terms.intersection(terms)),
            field=len(FIELD_TERMS.intersection(terms)),
            career=len(CAREER_TERMS.intersection(terms)),
            unknown=sum(idf(t) for t in terms if t not in kb.index.vocab) / mass,
            coverage=sum(idf(t) for t in terms if t in found) / mass,
            relative=best.score / (kb.index.max_score(expand_query(question)) or 1.0),
        )

    def answer(self, question: str, top: int = DEFAULT_TOP) -> Answer:
        text = check_question(question)
        top = max(1, min(int(top), MAX_TOP))
        kb = self._knowledge()  # one snapshot for the whole answer, even if a reload swaps it meanwhile
        citations = self.ranked(text, top, kb)
        signals = self.signals(text, citations[0] if citations else None, kb)
        if signals is None or not signals.in_scope:
            return Answer(text, False, NOT_COVERED_NOTE, [], NOT_COVERED_NOTE)
        return Answer(text, True, compose(text, citations), citations)


def compose(question: str, citations: list[Citation], max_chars: int = 600) -> str:
    """An extractive answer: the best sentence of the top passages, each followed by its [n] marker."""
    terms = set(expand_query(question))
    picked: list[str] = []
    covered: set[str] = set()
    for citation in citations[:3]:
        best, best_gain = None, 0
        for sentence in split_sentences(citation.text):
            words = set(analyse(sentence))
            gain = len((words & terms) - covered) + 0.5 * len(words & terms & covered)
            if gain > best_gain and len(sentence) <= 400:
                best, best_gain = sentence, gain
        if best is None or (picked and not (set(analyse(best)) & terms) - covered):
            continue
        sentence = best.lstrip("-• ").strip()
        if sum(len(p) for p in picked) + len(sentence) > max_chars and picked:
            break
        picked.append(f"{sentence} [{citation.rank}]")
        covered |= set(analyse(best)) & terms
    if not picked:
        first = citations[0]
        picked.append(f"{split_sentences(first.text)[0][:400]} [{first.rank}]")
    return " ".join(picked)
