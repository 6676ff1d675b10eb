"""Answers: cited when covered, abstain when not, clear messages for bad questions, quality floor."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.evaluation import evaluate, load_items
from bot.answers.service import MAX_QUESTION_CHARS, NOT_COVERED_NOTE, SMALL_TALK_REPLY
from bot.container import build_answering
from bot.errors import DomainError
from bot.settings import Settings

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def answers():
    return build_answering(Settings(database_url="sqlite+aiosqlite://"))[1]


def test_answer_quotes_and_cites(answers):
    answer = answers.answer("Do I need a PhD to become an ML engineer?")
    assert answer.answered
    assert 1 <= len(answer.citations) <= 5
    assert "[1]" in answer.answer
    assert [c.rank for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert len({c.section_id for c in answer.citations}) == len(answer.citations)  # one per section
    assert [c.score for c in answer.citations] == sorted((c.score for c in answer.citations), reverse=True)
    first = answer.citations[0]
    assert first.section_id.startswith(first.doc_id + "#") and first.title and first.section
    # the extractive answer quotes the cited passages word for word
    sentence = answer.answer.split(" [1]")[0]
    assert sentence in " ".join(first.text.split())


@pytest.mark.parametrize("question", [
    "what's the weather in london tomorrow?",
    "recipe for banana bread",
    "how do I become a plumber",
    "who won the champions league",
    "I need help",
    "what time is it",
    "how do I become a doctor",  # "doctor" is not "doctorate"
    "how much do doctors make",
    "how do I improve my vision",  # "vision" alone (from "cv") does not anchor a question in ML
])
def test_off_topic_questions_abstain(answers, question):
    answer = answers.answer(question)
    assert not answer.answered and answer.kind == "not_covered"
    assert answer.citations == []
    assert answer.answer == NOT_COVERED_NOTE and "/roadmap" in answer.answer


@pytest.mark.parametrize("message", ["lol", "nice", "thanks, that helped!", "anyone here?", "ok got it, thank you",
                                     "Hi everyone!", "cheers"])
def test_small_talk_gets_a_friendly_line_and_no_citations(answers, message):
    answer = answers.answer(message)
    assert not answer.answered and answer.kind == "small_talk" and answer.citations == []
    assert answer.answer == SMALL_TALK_REPLY


@pytest.mark.parametrize("question, message", [
    ("", "type a question"),
    ("   \n\t ", "type a question"),
    ("?!?! ... ---", "no words"),
    ("x" * 2000, "2,000 characters"),
])
def test_bad_questions_get_a_clear_message(answers, question, message):
    with pytest.raises(DomainError) as err:
        answers.answer(question)
    assert message in str(err.value)


def test_a_single_topic_word_from_a_heading_is_answered(answers):
    answer = answers.answer("what is generalization?")
    assert answer.answered and answer.citations[0].section == "Generalization"


def test_question_at_the_limit_is_answered(answers):
    question = ("what programming languages should an ML engineer learn? " * 40)[:MAX_QUESTION_CHARS]
    assert answers.answer(question).answered


def test_top_is_clamped(answers):
    assert len(answers.answer("what skills does a machine learning engineer need?", top=50).citations) <= 10
    assert len(answers.answer("what skills does a machine learning engineer need?", top=2).citations) == 2


# Regression floor: the figures `careerbot eval` measured when this was written (see docs/retrieval.md),
# less a small margin. The bar (hit@1 0.90 ...) is higher; these stop them falling further.
# hit@1 0.648 -> 0.629 when everyday English words started weighing less (a gain on every real set:
# docs/retrieval.md); the floor followed it down by one question.
FLOOR = {"hit1": 0.62, "hit3": 0.76, "mrr10": 0.71, "off_topic_abstention": 0.93, "false_abstention_max": 0.06}
# Real forum questions (tests/data/real_questions.jsonl, a copy of ../shared/eval's; tuned on): measured
# 0.571 / 0.816 / 0.674, answer hit 0.612, off-topic abstention 0.679, false abstention 0.020.
REAL_FLOOR = {"hit1": 0.55, "hit3": 0.79, "answer_hit": 0.59, "off_topic_abstention": 0.64, "false_abstention_max": 0.05}


def test_eval_set_is_big_enough_and_well_formed():
    items = load_items(DATA / "eval.jsonl")
    assert sum(i["expect"] is not None for i in items) >= 60
    assert sum(i["expect"] is None for i in items) >= 20


def test_weak_matches_are_not_cited_as_padding(answers):
    from bot.answers.service import MIN_SHARE_OF_BEST

    answer = answers.answer("how do I prepare for ML interviews?", top=5)
    assert answer.answered and "Interviews" in answer.citations[0].section
    assert len(answer.citations) < 5  # the other sections share only "machine learning" with it
    for question in ("what skills does an ML engineer need?", "do I need a degree for ML?"):
        citations = answers.answer(question, top=10).citations
        assert len(citations) >= 2
        assert all(c.score >= MIN_SHARE_OF_BEST * citations[0].score for c in citations)


def test_eval_file_format_is_checked_not_guessed(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text('{"question": "do I need a PhD?", "expected": "a Ph.D."}\n\n'
                    '{"question": "lol", "expect": null}\n', encoding="utf-8")
    assert [i["expect"] for i in load_items(good)] == [["a Ph.D."], None]
    for line, says in [('{"question": "do I need a PhD?", "answer": "a Ph.D."}', "expect"),
                       ('{"question": "do I need a PhD?", "expect": "  "}', "non-empty"),
                       ('{"question": "do I need a PhD?", "expect": []}', "non-empty"),
                       ('{"question": "do I need a PhD?", "expect": ["a Ph.D.", 3]}', "non-empty"),
                       ('{"q": "do I need a PhD?", "expect": null}', "question"),
                       ('not json', "not valid JSON")]:
        bad = tmp_path / "bad.jsonl"
        bad.write_text(good.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
        with pytest.raises(ValueError, match=says) as caught:
            load_items(bad)
        assert "bad.jsonl:4" in str(caught.value)


def test_quality_does_not_fall(answers):
    report = evaluate(answers, load_items(DATA / "eval.jsonl"))
    assert report.hit1 >= FLOOR["hit1"]
    assert report.hit3 >= FLOOR["hit3"]
    assert report.mrr10 >= FLOOR["mrr10"]
    assert report.off_topic_abstention >= FLOOR["off_topic_abstention"]
    assert report.false_abstention <= FLOOR["false_abstention_max"]


# The other real sets tuned on (tests/data/README.md), measured (hit@1 / hit@3 / answer hit / off-topic
# abstention / false abstention): real_dev2 0.364 / 0.636 / 0.455 / 0.778 / 0.000, real_check 0.435 / 0.652 /
# 0.391 / 0.667 / 0.043, real_check2 0.474 / 0.737 / 0.526 / 0.560 / 0.000, real_check3 0.378 / 0.730 / 0.459 /
# 0.467 / 0.027 (real_check2 and real_check3 were held out until session 3 of issue 9); each floor is about one
# question under. real_check4 has no floor: nobody tunes on it.
DEV_FLOORS = {
    "real_dev2.jsonl": {"hit1": 0.27, "hit3": 0.54, "answer_hit": 0.36, "off_topic_abstention": 0.77,
                        "false_abstention_max": 0.10},
    "real_check.jsonl": {"hit1": 0.39, "hit3": 0.60, "answer_hit": 0.34, "off_topic_abstention": 0.61,
                         "false_abstention_max": 0.09},
    "real_check2.jsonl": {"hit1": 0.42, "hit3": 0.68, "answer_hit": 0.47, "off_topic_abstention": 0.52,
                          "false_abstention_max": 0.06},
    "real_check3.jsonl": {"hit1": 0.35, "hit3": 0.70, "answer_hit": 0.43, "off_topic_abstention": 0.40,
                          "false_abstention_max": 0.06},
}


@pytest.mark.parametrize("name", sorted(DEV_FLOORS))
def test_quality_on_the_other_real_sets_does_not_fall(answers, name):
    floor, report = DEV_FLOORS[name], evaluate(answers, load_items(DATA / name))
    assert report.hit1 >= floor["hit1"] and report.hit3 >= floor["hit3"]
    assert report.answer_hit >= floor["answer_hit"]
    assert report.off_topic_abstention >= floor["off_topic_abstention"]
    assert report.false_abstention <= floor["false_abstention_max"]


def test_quality_on_real_questions_does_not_fall(answers):
    report = evaluate(answers, load_items(DATA / "real_questions.jsonl"))
    assert report.hit1 >= REAL_FLOOR["hit1"] and report.hit3 >= REAL_FLOOR["hit3"]
    assert report.answer_hit >= REAL_FLOOR["answer_hit"]
    assert report.off_topic_abstention >= REAL_FLOOR["off_topic_abstention"]
    assert report.false_abstention <= REAL_FLOOR["false_abstention_max"]


def test_startup_survives_a_broken_guide_and_roadmap_but_a_reload_refuses(tmp_path):
    import shutil

    from bot.container import knowledge_store
    from bot.errors import KnowledgeError

    repo_knowledge = Path(__file__).resolve().parents[2] / "knowledge"
    shutil.copytree(repo_knowledge, tmp_path / "knowledge")
    (tmp_path / "knowledge" / "guides" / "broken.md").write_bytes(b"\xff\xfe not utf-8")
    (tmp_path / "knowledge" / "roadmap.yaml").write_text("stages: [unclosed\n")
    store = knowledge_store(Settings(knowledge_dir=tmp_path / "knowledge"))
    kb = store.current
    assert len(kb.guides.guides) == 4 and kb.roadmap is None
    assert any("broken.md" in w for w in kb.warnings) and any("roadmap.yaml" in w for w in kb.warnings)
    with pytest.raises(KnowledgeError):
        store.reload()
    assert store.current is kb  # the old knowledge keeps serving


def test_answers_do_not_depend_on_the_hash_seed():
    # Python salts str hashes per process: anything summed in a set's order can change with a restart.
    import json
    import os
    import subprocess
    import sys

    script = ("import json; from bot.container import build_answering; from bot.settings import Settings; "
              "from bot.answers.evaluation import load_items; from pathlib import Path; "
              "s = build_answering(Settings(database_url='sqlite+aiosqlite://'))[1]; "
              f"items = load_items(Path({str(DATA / 'eval.jsonl')!r})); "
              "print(json.dumps([s.answer(i['question'], top=10).to_json() for i in items]))")
    runs = []
    for seed in ("0", "1", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
    assert runs[0] == runs[1] == runs[2]
