"""Does a question fall inside what the guides cover? BM25 scores are not comparable across questions,
so the decision uses several signals, tuned on labelled in-scope and off-topic questions
(tests/data/eval.jsonl; checked on tests/data/holdout.jsonl):

- anchors: does the question name the field (ML, data, Python, maths, ...) or a career topic (degree,
  salary, interview, ...)? Off-topic questions rarely do; in-scope ones nearly always do.
- unknown share: the part of the question's IDF mass made of words no guide contains ("pilot",
  "marathon", "snake"): high when the question is about something else.
- coverage: the part of the question's IDF mass that the best passage contains, for questions that
  name no anchor but are plainly answered ("what is generalization?"); with fewer than three words
  such a question must also name the best section's heading, so chatter ("nice") is not answered.
"""
from __future__ import annotations

from dataclasses import dataclass

from .analysis import analyse

FIELD_TERMS = frozenset(analyse(
    "machine learning engineer engineering data algorithm algorithms python java c++ r scala julia javascript "
    "programming programmer software computer science scientist mathematics statistics calculus algebra "
    "probability artificial intelligence deep neural networks tensorflow pytorch keras scikit sklearn pandas "
    "numpy sql spark hadoop kafka cloud mlops deploy deployment production pipeline pipelines kaggle github "
    "portfolio nlp vision analytics analyst dataset datasets regression classification predictive developer "
    "hyperparameters gpu docker kubernetes model models classifier retrain metric metrics misclassifications"
)) - {"learn", "graphic", "process", "oper", "natur", "vision"}  # acronym expansions too generic to anchor:
# "gpu" brings "graphics processing", "mlops" "operations", "nlp" "natural", "cv" "vision"; the acronyms
# themselves and the rest of their expansions still anchor ("gpu", "mlop", "languag", "comput").
CAREER_TERMS = frozenset(analyse(
    "salary degree phd master bachelor career job role interview interviews skills courses certification "
    "bootcamp experience internship resume hiring companies tools"
))
MAX_UNKNOWN_WITH_FIELD = 0.6
MAX_UNKNOWN_WITH_CAREER = 0.5
MIN_COVERAGE_WITHOUT_ANCHOR = 0.6
MIN_RELATIVE_WITHOUT_ANCHOR = 0.2
MIN_TERMS_WITHOUT_ANCHOR = 3


@dataclass(frozen=True)
class ScopeSignals:
    terms: int          # distinct content terms in the question
    in_heading: bool    # the best passage's section heading names one of the question's terms
    field: int          # distinct field terms in the question
    career: int         # distinct career terms in the question
    unknown: float      # share of IDF mass from words no passage contains
    coverage: float     # share of IDF mass found in the best passage
    relative: float     # best score / the question's maximum possible score

    @property
    def in_scope(self) -> bool:
        if self.field >= 2:
            return True
        if self.field == 1 and self.unknown <= MAX_UNKNOWN_WITH_FIELD:
            return True
        if self.career >= 1 and self.unknown <= MAX_UNKNOWN_WITH_CAREER:
            return True
        # Without an anchor, one or two words ("nice", "what time is it") are chatter however well a
        # passage contains them, unless they name the section's topic ("what is generalization?").
        specific = self.terms >= MIN_TERMS_WITHOUT_ANCHOR or self.in_heading
        return (specific and self.coverage >= MIN_COVERAGE_WITHOUT_ANCHOR and self.relative >= MIN_RELATIVE_WITHOUT_ANCHOR
                and self.unknown <= MAX_UNKNOWN_WITH_CAREER)
