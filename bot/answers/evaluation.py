"""Retrieval evaluation: hit@1, hit@3, MRR@10, answer hit, off-topic abstention, in-scope false abstention.

The file is JSON Lines: `{"question": ..., "expect": "phrase" | ["phrase", ...] | null}`; `expected`,
`phrase` or `must_contain` are read as `expect`, and a line with none of them is an error rather than an
off-topic question. A list means the guides say it in several places: any phrase counts. An in-scope
item is a hit at rank r when the r-th citation (its section heading or its passage) contains a phrase
(case-insensitive, whitespace- and quote-normalised). "Answer hit": the short answer shown first
contains a phrase. Rankings are the answer's own citations: an abstained in-scope question counts as a
miss at every rank (related reading offered while abstaining is not an answer).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bot.answers.service import MAX_TOP, AnswerService


@dataclass
class EvalReport:
    name: str = ""
    in_scope: int = 0
    off_topic: int = 0
    hit1: float = 0.0
    hit3: float = 0.0
    mrr10: float = 0.0
    answer_hit: float = 0.0
    off_topic_abstention: float = 0.0
    false_abstention: float = 0.0
    misses: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items() if k != "misses"}


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def _norm(text: str) -> str:
    return " ".join(text.translate(_QUOTES).split()).casefold()


PHRASE_KEYS = ("expect", "expected", "phrase", "must_contain")  # the first one present is the label


def _phrases(value: object) -> list[str] | None:
    if value is None:
        return None
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise TypeError
    return values


def _item(raw: object, where: str) -> dict:
    """One labelled question as {"question", "expect": [phrases] | None}; None marks an off-topic one."""
    if not isinstance(raw, dict) or not isinstance(raw.get("question"), str):
        raise ValueError(f"{where}: each line needs a \"question\" string")
    key = next((k for k in PHRASE_KEYS if k in raw), None)
    if key is None:
        raise ValueError(f"{where}: say what the right passage must contain, \"expect\": \"phrase\" (or a list "
                         f"of phrases), or mark the question off-topic with \"expect\": null")
    try:
        expect = _phrases(raw[key])
    except TypeError:
        raise ValueError(f"{where}: \"{key}\" must be a non-empty phrase or a list of them, or null for an "
                         f"off-topic question") from None
    return {**raw, "expect": expect}


def load_items(path: Path) -> list[dict]:
    items = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
            items.append(_item(raw, f"{path}:{n}"))
    if not items:
        raise ValueError(f"{path}: no questions in the file; write one JSON object per line")
    return items


def contains_any(text: str, phrases: list[str]) -> bool:
    text = _norm(text)
    return any(_norm(p) in text for p in phrases)


def evaluate(service: AnswerService, items: list[dict], name: str = "") -> EvalReport:
    report = EvalReport(name=name)
    reciprocal, hits1, hits3, answer_hits, abstained_in, abstained_off = 0.0, 0, 0, 0, 0, 0
    for item in items:
        answer = service.answer(item["question"], top=MAX_TOP)
        expect = item.get("expect")
        if expect is None:
            report.off_topic += 1
            abstained_off += not answer.answered
            if answer.answered:
                report.misses.append({"question": item["question"], "why": "answered off-topic",
                                      "got": answer.citations[0].section_id})
            continue
        report.in_scope += 1
        abstained_in += not answer.answered
        cited = answer.citations if answer.answered else []
        rank = next((c.rank for c in cited if contains_any(f"{c.section}\n{c.text}", expect)), None)
        if rank is not None:
            reciprocal += 1.0 / rank
            hits1 += rank == 1
            hits3 += rank <= 3
        answer_hit = answer.answered and contains_any(answer.answer, expect)
        answer_hits += answer_hit
        if rank != 1 or not answer_hit:
            report.misses.append({"question": item["question"], "expect": expect, "rank": rank,
                                  "answer_hit": answer_hit, "abstained": not answer.answered,
                                  "got": cited[0].section_id if cited else None})
    if report.in_scope:
        report.hit1 = hits1 / report.in_scope
        report.hit3 = hits3 / report.in_scope
        report.mrr10 = reciprocal / report.in_scope
        report.answer_hit = answer_hits / report.in_scope
        report.false_abstention = abstained_in / report.in_scope
    if report.off_topic:
        report.off_topic_abstention = abstained_off / report.off_topic
    return report
