"""Do the guides answer what is asked? Two questions, decided from evidence.

1. Is the question about the field at all (`TopicSignals`)? BM25 scores are not comparable across
   questions, so this uses several signals, tuned on labelled in-scope and off-topic questions
   (tests/data/eval.jsonl; checked on tests/data/holdout.jsonl):
   - anchors: does the question name the field (ML, data, Python, maths, ...) or a career topic (degree,
     salary, interview, ...)? Off-topic questions rarely do; in-scope ones nearly always do.
   - unknown share: the part of the question's IDF mass made of words no guide contains ("pilot",
     "marathon", "snake"): high when the question is about something else.
   - coverage: the part of the question's IDF mass that the best passage contains, for questions that
     name no anchor but are plainly answered ("what is generalization?"); with fewer than three words
     such a question must also name the best section's heading, so chatter ("nice") is not answered.
2. Near the field, is it something guides can settle (`Kind`)? A question can sound like a career
   question and still ask what no guide written once can answer: a forecast about the market ("will ML
   be oversaturated in 5 years?", "still worth it in 2026?"), a verdict on the asker's own case (their
   age, grades, visa, "am I ready", a choice only they can make: "which one should I go with?", their own
   plan now: "should I still learn ML?", "is it a good time for me to start?"), an opinion on a resource they are
   looking at ("this course", "the resources listed"), or how long something takes (the guides name steps,
   never durations). Those get the
   closest passages as related reading, plainly labelled, when the best three sections contain enough
   of what is asked (`MIN_COVERAGE_RELATED`), else nothing.
   These are kinds of question, found by their form, not topics: checked on questions from other
   forums than the ones the patterns were written from (docs/retrieval.md).

The member's focus (question sentences, see `reading.py`) is what is judged, not the whole message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Callable

from bot.search.analysis import current

# The word lists and thresholds are data: the `coverage` section of knowledge/vocabulary.yaml.


def field_terms() -> frozenset[str]:
    """Words that anchor a question in the field, less the acronym expansions too generic to anchor."""
    analyser = current()
    return analyser.terms("field_terms") - frozenset(analyser.vocabulary.words["not_anchors"].split())


def career_terms() -> frozenset[str]:
    return current().terms("career_terms")


def not_covered_terms() -> frozenset[str]:
    """Topics no guide covers, listed by the moderators (optional in the vocabulary file)."""
    return current().terms("not_covered")


def asking_terms() -> frozenset[str]:
    """Words that only say how someone asks (no topic word at all): they weigh less in the search."""
    return current().terms("asking")


GENERIC_IDF = 1.0  # terms in about a third of the passages or more say nothing specific
MIN_COVERAGE_RELATED = 0.35  # share of what is asked that the best three sections hold, for related reading


def verdict(topic: "TopicSignals | None", kind: "Kind") -> str:
    """"answer", "related" (reading offered, not an answer) or "none"."""
    if topic is None or not topic.about_the_field:
        return "none"
    if kind.unsettled:
        return "related" if kind.top3 >= MIN_COVERAGE_RELATED else "none"
    return "answer"


@dataclass(frozen=True)
class TopicSignals:
    terms: int          # distinct content terms in the question
    in_heading: bool    # the best passage's section heading names one of the question's terms
    field: int          # distinct field terms in the question
    career: int         # distinct career terms in the question
    unknown: float      # share of IDF mass from words no passage contains
    coverage: float     # share of IDF mass found in the best passage
    relative: float | None = None  # best score / the question's maximum possible score (None: `measure` it)
    # the relative score costs a search of its own and is only needed for a question with no anchor
    measure: Callable[[], float] | None = dataclass_field(default=None, compare=False, repr=False)

    def relative_score(self) -> float:
        if self.relative is None:
            return self.measure() if self.measure is not None else 0.0
        return self.relative

    @property
    def about_the_field(self) -> bool:
        limits = current().vocabulary.thresholds
        if self.field >= 2:
            return True
        if self.field == 1 and self.unknown <= limits.max_unknown_with_field:
            return True
        if self.career >= 1 and self.unknown <= limits.max_unknown_with_career:
            return True
        # Without an anchor, one or two words ("nice", "what time is it") are chatter however well a
        # passage contains them, unless they name the section's topic ("what is generalization?").
        specific = self.terms >= limits.min_terms_without_anchor or self.in_heading
        return (specific and self.coverage >= limits.min_coverage_without_anchor
                and self.unknown <= limits.max_unknown_with_career
                and self.relative_score() >= limits.min_relative_without_anchor)


_FORECAST_TIME = re.compile(
    r"\b(?:in (?:the )?(?:next |coming )?\d+(?:\s*-\s*\d+)? years?|years? from now|20[2-9]\d|"
    r"in the (?:near |long )?future|next decade|likely to|nowadays|anymore|these days|still)\b", re.I)
_FORECAST_TOPIC = re.compile(
    r"\b(?:worth|saturat\w*|oversaturat\w*|crowd\w*|overcrowd\w*|good (?:career )?(?:choice|option|idea)|"
    r"demand|grow\w*|compress\w*|replace\w*|taking over|take over|die|dying|dead|bubble|hype|market)\b", re.I)
# "more popular / relevant / obsolete" is a forecast only when the question looks ahead ("in the future",
# "will"): "is Python still the most popular language for ML?" asks about today, which guides describe.
_FORECAST_AHEAD = re.compile(
    r"\b(?:in the (?:near |long )?future|in (?:the )?(?:next |coming )?\d+(?:\s*-\s*\d+)? years?|years? from now|"
    r"next decade|will|gonna|going to)\b[^.?!]*\b(?:popular|relevant|obsolete)\b|"
    r"\b(?:popular|relevant|obsolete)\b[^.?!]*\b(?:in the (?:near |long )?future|in (?:the )?(?:next |coming )?\d+"
    r"(?:\s*-\s*\d+)? years?|years? from now|next decade)\b", re.I)
_FORECAST_WILL = re.compile(  # "will ML be oversaturated?": a prediction whatever the time words
    r"\b(?:will|gonna|going to)\b.*\b(?:saturat|oversaturat|crowd|overcrowd|compress|replac|bubble|die|dying|dead)|"
    r"\bwill there (?:still )?be\b[^.?!]*\b(?:in the (?:near |long )?future|years? from now|in \d+ years?|"
    r"next decade)", re.I)
_THIS_RESOURCE = re.compile(
    r"\b(?:this|that|these|those|your) (?:course|courses|guide|roadmap|book|books|video|videos|program|"
    r"programme|bootcamp|tutorial|playlist|node|certificate|specialization|class|lecture|module|path)\b|"
    r"\b(?:resources|links|courses|materials) (?:listed|mentioned|above|below)\b|"
    # an opinion on a named teacher's or site's course: "is Andrew Ng's course still good?"
    r"\b(?:is|are|was|were|thoughts on|opinions? on|reviews? of) (?:[\w.]+ ){0,2}[\w.]+(?:'s|’s) (?:\w+ ){0,3}"
    r"(?:course|courses|book|books|specialization|bootcamp|class|lectures|playlist)\b",
    re.I)

# A choice the member has to make for themselves between paths, fields or courses ("how do I choose",
# "which one should I go with", "torn between"): the guides describe the paths, they can't choose for them.
# It takes, in one sentence, a choice asked for and the options it is between ("X or Y", "between", "vs",
# "two fields"), unless its words compare them ("which would look better"): "how do I choose which language
# to learn first?" asks what the guides describe.
_CHOICE_ASKED = re.compile(
    r"\bhow (?:do (?:i|you) |to |should i |can i |would you )?(?:choose|decide)\b|"
    r"\bwhat should i (?:choose|pick(?! up)|go with)\b|"
    r"\bwhich (?:one |path |field |programs? |options? |courses? )?(?:should i|to|do i) (?:go with|choose|"
    r"pick(?! up)|continue|stay with)\b|\b(?:unsure|not sure) (?:as to |about )?which\b", re.I)
_CHOICE_COMPARED = re.compile(  # a choice whose words already compare the options
    r"\bshould i stay (?:on|with|in)\b|\bwhich would (?:\w+ )?look better\b|"
    r"\bwhich (?:one )?(?:is|would be) easier to (?:transition|switch|move|get|break)\b", re.I)
_OPTIONS = re.compile(
    r"\bbetween\b|\bor\b|\bvs\.?(?!\w)|\bversus\b|\bwhich one\b|"
    r"\b(?:two|three|both|these|several) (?:different )?(?:\w+ )?(?:fields|paths|options|programs|programmes|offers|"
    r"courses|degrees|tracks|industries)\b", re.I)


def _own_choice(question: str) -> bool:
    return bool(_CHOICE_COMPARED.search(question)) or any(
        _CHOICE_ASKED.search(part) and _OPTIONS.search(part) for part in re.split(r"(?<=[.?!])\s+", question))
_PERSONAL = re.compile(
    r"\b(?:(?:review|check|look (?:at|over)|rate|critique|roast) (?:my|our) (?:resume|cv|portfolio|code|projects?|"
    r"github|profile|linkedin|cover letter)|"
    r"in my (?:position|situation|case|shoes)|someone (?:like me|in my)|for me\b|am i ready|i am ready|"
    r"is (?:he|she|they|this person) right|my (?:gpa|grades?|age|chances?)|kill (?:any|my) chances?|"
    r"\d+[- ]years?[- ]old|visa|immigration|green card|h-?1b|"
    r"career (?:break|gap)|(?:after|from) a (?:\w+[- ])?(?:year[- ])?break\b|gap in my (?:resume|cv|career)|laid off|"
    # a verdict on the member's own plan at this moment: "should I still learn ML?", "should I pivot?", "is it a
    # good time for me to start?", "is this project a good choice?"
    r"should (?:i|we|one) (?:still|quit|give up|bother)\b|\bis (?:it|this|now) (?:a )?(?:good|right|bad) time (?:for|to)\b|"
    r"\bis (?:this|that) (?:\w+ )?a (?:good|bad|smart|wise|right) (?:choice|idea|move|decision)\b)", re.I)
# A named company's own process, or a choice between named programmes: what one employer or school does
# is not something career guides settle.
_COMPANIES = (r"google|meta|facebook|amazon|aws|apple|microsoft|netflix|openai|deepmind|anthropic|nvidia|tesla|uber|"
              r"airbnb|spotify|linkedin|twitter|bytedance|tiktok|faang|maang|big tech")
_COMPANY_PROCESS = re.compile(  # within one sentence, a few words apart
    rf"\b(?:{_COMPANIES})(?:'s|’s)?\b[^.?!]{{0,40}}\b(?:interviews?|process|loop|rounds?|offers?|leveling|culture|"
    rf"referrals?|onsites?)\b|\b(?:interviews?|process|loop|rounds?|offers?|onsites?|leveling|culture|referrals?)\b"
    rf"[^.?!]{{0,40}}\b(?:at|for|with|in|from) (?:an? |the )?(?:{_COMPANIES})\b", re.I)
# Another career next to this one: research (labs, academia), which the guides, about engineering jobs, don't cover.
_RESEARCH_CAREER = re.compile(
    r"\b(?:ml|ai|machine learning|deep learning) research\b(?! engineer)|\bresearch (?:labs?|scientists?|careers?|"
    r"roles?|positions?)\b|\bai labs?\b", re.I)
# How long something takes ("how long does it take to become an ML engineer?", "how many months to get job-ready?"):
# the guides name steps, never durations, and a pace depends on the member.
_DURATION = re.compile(
    r"\bhow long (?:does|did|will|would|should|could|might) (?:it|this|that|the \w+) (?:usually |typically |really )?take\b|"
    r"\bhow many (?:months|years|weeks)\b[^.?!]{0,40}?\b(?:until|before|to (?:become|get|land|be))\b|"
    r"\b(?:what|a|the) (?:kind of |realistic |typical )?time ?line\b", re.I)
_PROGRAMME_CHOICE = re.compile(
    r"\b(?:which|what|best|recommend\w*|worth|better|vs\.?|versus)\b.*\b(?:bootcamps?|nanodegrees?|"
    r"specializations?|certificates?|(?:masters?|ms|msc|phd|degree) programs?|programmes?|universities|university|mooc)\b|"
    r"\b(?:bootcamps?|nanodegrees?|specializations?|certificates?|(?:masters?|ms|msc|phd|degree) programs?|programmes?)\b.*"
    r"\b(?:worth it|which|better|vs\.?|versus|recommend\w*)\b", re.I)


@dataclass(frozen=True)
class Kind:
    focus: tuple[str, ...]   # the specific terms the question asks about
    best: float              # IDF share of the focus in the best section
    top3: float              # ... in the best three sections together
    forecast: bool           # asks for a forecast about the market
    resource: bool           # asks about a resource the member is looking at
    personal: bool           # a judgement of the asker's own case (age, grades, visa, "am I ready") or their own choice
    specific: bool = False   # a named company's own process, a choice between programmes, a research career,
                             # how long something takes
    outside: bool = False    # names a topic the vocabulary lists as not covered (`coverage: not_covered`)

    @property
    def unsettled(self) -> bool:
        """A kind of question guides can't settle, however close their topic."""
        return self.forecast or self.resource or self.personal or self.specific or self.outside


def focus_terms(text: str, idf, min_idf: float = GENERIC_IDF) -> tuple[str, ...]:
    """The words a text asks about: not conversational, and at least `min_idf` in the guides."""
    analyser = current()
    conversational = analyser.terms("conversational")
    return tuple(t for t in dict.fromkeys(analyser.analyse(text)) if t not in conversational and idf(t) >= min_idf)


def kind_of(question: str, sections: list[set[str]], idf) -> Kind:
    """`question`: what is asked (the question sentences); `sections`: the analysed terms of the best
    sections (heading and cited passage), best first; `idf`: the index's term IDF."""
    focus = focus_terms(question, idf)
    mass = sum(idf(t) for t in focus) or 1.0
    best = sections[0] if sections else set()
    top3 = set().union(*sections[:3]) if sections else set()
    return Kind(
        focus=focus,
        best=sum(idf(t) for t in focus if t in best) / mass,
        top3=sum(idf(t) for t in focus if t in top3) / mass,
        forecast=bool(_FORECAST_TIME.search(question) and _FORECAST_TOPIC.search(question)
                      or _FORECAST_WILL.search(question) or _FORECAST_AHEAD.search(question)),
        resource=bool(_THIS_RESOURCE.search(question)),
        personal=bool(_PERSONAL.search(question) or _own_choice(question)),
        specific=bool(_COMPANY_PROCESS.search(question) or _PROGRAMME_CHOICE.search(question)
                      or _RESEARCH_CAREER.search(question) or _DURATION.search(question)),
        outside=bool(not_covered_terms().intersection(current().analyse(question))),
    )
