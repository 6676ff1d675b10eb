"""Retrieval evaluation: hit@1, hit@3, MRR@10, off-topic abstention and in-scope false abstention.

The file is JSON Lines: `{"question": ..., "expect": "phrase" | null}`; `expected`, `phrase` or
`must_contain` are read as `expect`, and a line with none of them is an error rather than an off-topic
question. An in-scope item is a hit at rank r when the r-th citation's passage contains `expect`
(case-insensitive, whitespace-normalised).
Rankings are the answer's own citations: an abstained in-scope question counts as a miss at every rank.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .answers import MAX_TOP, AnswerService


@dataclass
class EvalReport:
    in_scope: int = 0
    off_topic: int = 0
    hit1: float = 0.0
    hit3: float = 0.0
    mrr10: float = 0.0
    off_topic_abstention: float = 0.0
    false_abstention: float = 0.0
    misses: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items() if k != "misses"}


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


PHRASE_KEYS = ("expect", "expected", "phrase", "must_contain")  # the first one present is the label


def _item(raw: object, where: str) -> dict:
    """One labelled question as {"question", "expect"}; `expect` None marks an off-topic question."""
    if not isinstance(raw, dict) or not isinstance(raw.get("question"), str):
        raise ValueError(f"{where}: each line needs a \"question\" string")
    key = next((k for k in PHRASE_KEYS if k in raw), None)
    if key is None:
        raise ValueError(f"{where}: say what the right passage must contain, \"expect\": \"phrase\", "
                         f"or mark the question off-topic with \"expect\": null")
    expect = raw[key]
    if expect is not None and not (isinstance(expect, str) and expect.strip()):
        raise ValueError(f"{where}: \"{key}\" must be a non-empty phrase, or null for an off-topic question")
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


def evaluate(service: AnswerService, items: list[dict]) -> EvalReport:
    report = EvalReport()
    reciprocal, hits1, hits3, abstained_in, abstained_off = 0.0, 0, 0, 0, 0
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
        rank = next((c.rank for c in answer.citations if _norm(expect) in _norm(c.text)), None)
        if rank is not None:
            reciprocal += 1.0 / rank
            hits1 += rank == 1
            hits3 += rank <= 3
        if rank != 1:
            report.misses.append({"question": item["question"], "expect": expect, "rank": rank,
                                  "abstained": not answer.answered,
                                  "got": answer.citations[0].section_id if answer.citations else None})
    if report.in_scope:
        report.hit1 = hits1 / report.in_scope
        report.hit3 = hits3 / report.in_scope
        report.mrr10 = reciprocal / report.in_scope
        report.false_abstention = abstained_in / report.in_scope
    if report.off_topic:
        report.off_topic_abstention = abstained_off / report.off_topic
    return report
