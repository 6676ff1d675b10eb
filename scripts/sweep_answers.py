"""Sweep the answer pipeline's constants over the labelled sets: ranking (hit@1 / hit@3 of the citations,
no abstention) or the short answer (answer hit, abstention included).

    python scripts/sweep_answers.py                                   # the shipped settings
    python scripts/sweep_answers.py ranking '{"ranking.HEADING_WEIGHT": [0.5, 0.75, 1.0]}'
    python scripts/sweep_answers.py answer '{"composing.SECOND_UNIT": [0, 1]}'

A setting is `module.CONSTANT` of bot.answers (ranking, reading, composing, scope, everyday); every
combination of the given values is measured on the labelled sets in tests/data that may be tuned on;
real_check4.jsonl, the held-out set (from session 3 of issue 9; real_check2 and real_check3 were held out
before it and are tuned on since), is left out on purpose. This is how the ranking and composing tables of
docs/retrieval.md were measured. Say which sets you tuned on.
"""
from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answers import composing, everyday, ranking, reading, scope  # noqa: E402
from bot.answers.evaluation import contains_any, load_items  # noqa: E402
from bot.answers.service import AnswerService  # noqa: E402
from bot.knowledge.store import KnowledgeStore  # noqa: E402

SETS = {"real": "real_questions.jsonl", "dev2": "real_dev2.jsonl", "check": "real_check.jsonl",
        "check2": "real_check2.jsonl", "check3": "real_check3.jsonl", "eval": "eval.jsonl", "hold": "holdout.jsonl"}
MODULES = {"ranking": ranking, "reading": reading, "composing": composing, "scope": scope, "everyday": everyday}


def ranking_figures(service: AnswerService, items: list[dict]) -> str:
    hit1 = hit3 = 0
    for item in items:
        cited = service.ranked(item["question"], 10)
        rank = next((c.rank for c in cited if contains_any(f"{c.section}\n{c.text}", item["expect"])), None)
        hit1 += rank == 1
        hit3 += rank is not None and rank <= 3
    return f"{hit1 / len(items):.3f}/{hit3 / len(items):.3f}"


def answer_figures(service: AnswerService, items: list[dict]) -> str:
    hits = 0
    for item in items:
        answer = service.answer(item["question"], top=10)
        hits += answer.answered and contains_any(answer.answer, item["expect"])
    return f"{hits / len(items):.3f}"


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "ranking"
    grid: dict[str, list] = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    store = KnowledgeStore(ROOT / "knowledge")
    service = AnswerService(lambda: store.current)
    sets = {name: [i for i in load_items(ROOT / "tests" / "data" / file) if i["expect"]]
            for name, file in SETS.items() if (ROOT / "tests" / "data" / file).exists()}
    measure = answer_figures if what == "answer" else ranking_figures
    for combo in itertools.product(*grid.values()):
        for key, value in zip(grid, combo):
            module, name = key.split(".")
            setattr(MODULES[module], name, value)
        ranking._matchers.clear()  # the heading matcher depends on the n-gram settings
        figures = " | ".join(f"{name} {measure(service, items)}" for name, items in sets.items())
        print(dict(zip(grid, combo)), figures, flush=True)


if __name__ == "__main__":
    main()
