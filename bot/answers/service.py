"""Answer a member's question from the guides: rank, decide whether the guides cover it, quote, cite.

`AnswerService.answer(question)` returns an `Answer`: whether it answered, a short extractive answer
built from the best sentences of the cited passages with `[n]` markers, and up to `top` citations (at
most one per section). When the evidence is weak it abstains: no citations and a note saying so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable

from bot.answers.composing import compose
from bot.answers.everyday import everyday_weight
from bot.answers.ranking import heading_matcher, query_weights, rank
from bot.answers.reading import Reading, is_follow_up, read_follow_up, read_message, without
from bot.answers.scope import Kind, TopicSignals, asking_terms, career_terms, field_terms, focus_terms, kind_of, verdict
from bot.answers.spelling import speller
from bot.errors import DomainError
from bot.knowledge.store import Knowledge
from bot.search.analysis import content_terms, expand_query, terms_of_text
from bot.search.language import NOT_ENGLISH_NOTE, looks_english

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
RELATED_NOTE = (
    "The guides don't answer that directly. They touch on it in the passages below, offered as related "
    "reading rather than an answer."
)
RELATED_TOP = 3
UNSETTLED_PART = "The guides can't settle one part of your question: \u201c{part}\u201d"
SMALL_TALK_REPLY = "Happy to help! Ask me anything about becoming a machine learning engineer."


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
    kind: str = "answer"  # "answer", "related" (reading offered, not an answer), "not_covered", "small_talk"
    reason: str | None = None  # why it wasn't answered, when the faces say it differently: "not_english"
    follows: str | None = None  # the earlier question this one was read as a follow-up of

    @property
    def related(self) -> bool:
        return self.kind == "related"

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.answer,
            "citations": [{"rank": c.rank, "doc_id": c.doc_id, "section_id": c.section_id, "title": c.title,
                           "section": c.section, "url": c.url, "text": c.text, "score": c.score}  # asdict(c), faster
                          for c in self.citations],
            "kind": self.kind,
            # the part of the message the guides can't settle, when the rest is answered (else null: the
            # other kinds' note is their whole reply, already in "answer")
            "note": self.note if self.answered else None,
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


def is_small_talk(message: str) -> bool:
    """"thanks!", "anyone here?", "ok got it": nothing to look up (see reading.py)."""
    return read_message(" ".join((message or "").split())).small_talk


NEW_TERMS = 2  # words of its own a later question needs to stand apart from the main one
NEW_TERM_IDF = 0.1  # ... not counting words in nearly every passage ("machine", "learning")


class AnswerService:
    def __init__(self, knowledge: Callable[[], Knowledge]):
        self._knowledge = knowledge

    def warm(self) -> None:
        """Build what the first answer on the current knowledge would otherwise build (the heading matcher,
        the speller and its English word list: about 0.4 s, or well under 0.1 s when read back from
        `<knowledge>/.index`), e.g. in a worker thread at start."""
        kb = self._knowledge()
        heading_matcher(kb)
        speller(kb).correct("warm")  # reads the English list (english_list.py)
        everyday_weight("warm")

    def ranked(self, question: str, k: int = MAX_TOP, kb: Knowledge | None = None,
               reading: Reading | None = None) -> list[Citation]:
        """Best passages for a question, at most one per section and none far weaker than the best,
        without the abstention check."""
        kb = kb or self._knowledge()
        reading = reading or read_message(question)
        hits = rank(kb, reading, k=max(k * 4, 20))
        citations: list[Citation] = []
        seen: set[str] = set()
        best = max((h.lexical for h in hits), default=0.0)
        for hit in hits:
            if hit.lexical < MIN_SHARE_OF_BEST * best:
                continue
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

    def answer(self, question: str, top: int = DEFAULT_TOP, previous: str | None = None) -> Answer:
        """`previous`: the asker's earlier question in this conversation; a follow-up that leans on it
        ("and without a degree?") is read in its light (see `reading.read_follow_up`)."""
        text = check_question(question)
        top = max(1, min(int(top), MAX_TOP))
        kb = self._knowledge()  # one snapshot for the whole answer, even if a reload swaps it meanwhile
        previous = " ".join((previous or "").split())[:MAX_QUESTION_CHARS]
        fixed = speller(kb).correct(text)  # typos read as the guides' words; the question shown is as typed
        follows = previous if previous and is_follow_up(fixed) else None
        reading = read_follow_up(previous, fixed) if follows else read_message(fixed)
        if reading.small_talk:
            return Answer(text, False, SMALL_TALK_REPLY, [], SMALL_TALK_REPLY, kind="small_talk", follows=follows)
        citations = self.ranked(text, top, kb, reading)
        focus = " ".join(s.text for s in reading.sentences if s.kind == "question") or reading.focus or fixed
        kind, unsettled = self.kind(reading, focus, citations, kb)
        if unsettled:  # answer the rest: the part guides can't settle no longer steers the ranking
            reading = without(reading, unsettled)
            citations = self.ranked(text, top, kb, reading)
        about = " ".join(t for t, _ in reading.weighted()) or fixed  # the whole message, without small talk
        decided = verdict(self.topic(about, citations[0] if citations else None, kb), kind)
        if decided != "answer" and not looks_english(text):  # the guides are English: say so, not "not covered"
            return Answer(text, False, NOT_ENGLISH_NOTE, [], NOT_ENGLISH_NOTE, kind="not_covered", reason="not_english",
                          follows=follows)
        if decided == "none":
            return Answer(text, False, NOT_COVERED_NOTE, [], NOT_COVERED_NOTE, kind="not_covered", follows=follows)
        if decided == "related":
            related = [replace(c, rank=i + 1) for i, c in enumerate(citations[:RELATED_TOP])]
            return Answer(text, False, RELATED_NOTE, related, RELATED_NOTE, kind="related", follows=follows)
        weights = query_weights(reading, everyday=False)
        short = compose([(c.rank, c.text) for c in citations], weights, kb.index.term_idf)
        note = UNSETTLED_PART.format(part=unsettled) if unsettled else None
        return Answer(text, True, short, citations, note=note, follows=follows)

    def kind(self, reading: Reading, focus: str, citations: list[Citation], kb: Knowledge) -> tuple[Kind, str | None]:
        """The kind of question (scope.Kind) and, when a message asks several things and only some are
        kinds guides can't settle (a forecast, a verdict on the asker's case, ...), the first such part:
        the rest is judged on its own and the answer says which part it leaves out. When the first question,
        the main one, is such a kind, a later one counts only if it asks about something new (`NEW_TERMS`
        words of its own): "...and do I really need to choose?" leans on it, and the message is judged as one."""
        sections = [self._section_terms(kb, c) for c in citations[:3]]
        idf = kb.index.term_idf
        parts = [s.text for s in reading.sentences if s.kind == "question" and len(content_terms(s.text)) >= 2]
        kinds = [(part, kind_of(part, sections, idf)) for part in parts] if len(parts) >= 2 else []
        unsettled = [part for part, k in kinds if k.unsettled]
        settled = [part for part, k in kinds if not k.unsettled and not is_follow_up(part)]  # stands on its own
        if kinds and kinds[0][1].unsettled:  # the main question can't be settled: the rest counts if it asks anew
            asked = {t for part in unsettled for t in focus_terms(part, idf, NEW_TERM_IDF)}
            settled = [part for part in settled if len(set(focus_terms(part, idf, NEW_TERM_IDF)) - asked) >= NEW_TERMS]
        if unsettled and settled:
            return kind_of(" ".join(settled), sections, idf), unsettled[0]
        return kind_of(focus, sections, idf), None

    def topic(self, question: str, best: Citation | None, kb: Knowledge) -> TopicSignals | None:
        """Is the question about the field at all (None: nothing matched)? See scope.py."""
        # how something is asked ("help", "advice") and a year or an age are not what it is about
        asking = asking_terms()
        terms = [t for t in content_terms(question) if not t.isdigit() and t not in asking]
        if best is None or not terms:
            return None
        idf = kb.index.term_idf
        section = kb.guides.sections[best.section_id]
        heading_terms = terms_of_text(f"{section.parent_heading or ''} {section.heading}")
        found = heading_terms | terms_of_text(best.text)
        mass = sum(idf(t) for t in terms)
        query = expand_query(question)

        def relative() -> float:  # only asked for when the question names no anchor (scope.TopicSignals)
            top = kb.index.search(query, k=1)
            return (top[0].score if top else 0.0) / (kb.index.max_score(query) or 1.0)

        return TopicSignals(
            terms=len(terms),
            in_heading=bool(heading_terms.intersection(terms)),
            field=len(field_terms().intersection(terms)),
            career=len(career_terms().intersection(terms)),
            unknown=sum(idf(t) for t in terms if t not in kb.index.vocab) / mass,
            coverage=sum(idf(t) for t in terms if t in found) / mass,
            measure=relative,
        )

    @staticmethod
    def _section_terms(kb: Knowledge, citation: Citation) -> set[str]:
        section = kb.guides.sections[citation.section_id]
        return set(terms_of_text(f"{section.parent_heading or ''} {section.heading}\n{citation.text}"))
