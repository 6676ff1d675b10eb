"""The field's vocabulary as data (knowledge/vocabulary.yaml): checked on load and reload, like a guide."""
import shutil
from pathlib import Path

import pytest

from bot.answers.scope import TopicSignals, field_terms
from bot.errors import KnowledgeError
from bot.knowledge.store import KnowledgeStore
from bot.search import analysis
from bot.search.vocabulary import DEFAULTS, VOCABULARY_FILE, load_vocabulary, parse_vocabulary

REPO = Path(__file__).resolve().parents[2]
GUIDE = """---
id: tiny
title: A tiny guide
---

# A tiny guide

## Pay

What an engineer earns: the salary depends on the city and the company.

## Tools

Python, SQL and a cloud platform are the daily tools of the trade.
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "guides").mkdir()
    (tmp_path / "guides" / "tiny.md").write_text(GUIDE)
    shutil.copy(DEFAULTS, tmp_path / VOCABULARY_FILE)
    return tmp_path


@pytest.fixture(autouse=True)
def _restore_vocabulary():
    serving = analysis.current()
    yield
    analysis.install(serving)


def test_the_bundled_knowledge_ships_the_default_vocabulary():
    assert (REPO / "knowledge" / VOCABULARY_FILE).read_text() == DEFAULTS.read_text()
    vocabulary = load_vocabulary(DEFAULTS)
    assert "the" in vocabulary.stopwords and vocabulary.acronyms["ml"] == "machine learning"
    assert vocabulary.query_synonyms["pay"] == "salary" and vocabulary.thresholds.min_terms_without_anchor == 3


def test_a_synonym_added_by_a_moderator_serves_after_a_reload(folder: Path):
    store = KnowledgeStore(folder)
    store.load_initial()
    assert "salari" not in analysis.expand_query("what do quokkas cost?")
    text = (folder / VOCABULARY_FILE).read_text().replace("query_synonyms:\n", "query_synonyms:\n  quokkas: salary\n")
    (folder / VOCABULARY_FILE).write_text(text)
    fresh = store.reload()
    assert "salari" in analysis.expand_query("what do quokkas cost?")
    assert fresh.analyser is analysis.current() and fresh.analyser.vocabulary.query_synonyms["quokkas"] == "salary"


def test_a_broken_vocabulary_is_refused_on_reload_and_the_old_one_keeps_serving(folder: Path):
    store = KnowledgeStore(folder)
    before = store.load_initial()
    text = (folder / VOCABULARY_FILE).read_text()
    text = text.replace("max_unknown_with_field: 0.6", "max_unknown_with_field: lots")
    text = text.replace("query_phrases:\n  - pattern: ", "query_phrases:\n  - pattern: (unclosed ")
    (folder / VOCABULARY_FILE).write_text(text)
    with pytest.raises(KnowledgeError) as refused:
        store.reload()
    found = [str(p) for p in refused.value.problems]
    lines = text.splitlines()
    at = next(n for n, line in enumerate(lines, 1) if "max_unknown_with_field" in line)
    assert f"vocabulary.yaml:{at}: thresholds: max_unknown_with_field must be a share from 0 to 1" in found
    assert any("the pattern is not a regular expression" in p for p in found)
    assert store.current is before and analysis.current() is before.analyser


def test_start_up_with_a_broken_vocabulary_uses_the_shipped_one_and_says_so(folder: Path):
    (folder / VOCABULARY_FILE).write_text("stopwords: [unclosed\n")
    kb = KnowledgeStore(folder).load_initial()
    assert kb.analyser.vocabulary == load_vocabulary(DEFAULTS)
    assert any(w.startswith("vocabulary.yaml:") for w in kb.warnings)
    assert any("the vocabulary that ships with careerbot is used" in w for w in kb.warnings)


def test_unknown_and_missing_sections_are_named(tmp_path: Path):
    text = DEFAULTS.read_text().replace("acronyms:", "acronym:", 1)
    with pytest.raises(KnowledgeError) as refused:
        parse_vocabulary(tmp_path / VOCABULARY_FILE, text)
    found = [str(p) for p in refused.value.problems]
    assert any("unknown section 'acronym'" in p for p in found) and "vocabulary.yaml: the section acronyms is missing" in found


def test_the_thresholds_decide_coverage(folder: Path):
    """One field word and 55% of the question unknown: inside the shipped limit (0.6), outside a stricter one."""
    signals = TopicSignals(terms=4, in_heading=False, field=1, career=0, unknown=0.55, coverage=0.1, relative=0.1)
    store = KnowledgeStore(folder)
    store.load_initial()
    assert signals.about_the_field
    text = (folder / VOCABULARY_FILE).read_text().replace("max_unknown_with_field: 0.6", "max_unknown_with_field: 0.5")
    (folder / VOCABULARY_FILE).write_text(text)
    store.reload()
    assert not signals.about_the_field
    assert "python" in field_terms() and "learn" not in field_terms()  # an acronym expansion too generic to anchor


def test_kb_check_lists_vocabulary_problems(folder: Path, capsys):
    from bot.cli import main

    (folder / "roadmap.yaml").write_text("title: x\nstages: []\n")
    (folder / VOCABULARY_FILE).write_text(DEFAULTS.read_text().replace("min_terms_without_anchor: 3", "min_terms_without_anchor: 0"))
    assert main(["kb", "check", str(folder)]) == 1
    assert "min_terms_without_anchor must be a whole number from 1 to 20" in capsys.readouterr().out


def test_topics_not_covered_are_optional_and_checked_like_the_other_lists(tmp_path: Path):
    text = DEFAULTS.read_text()
    assert parse_vocabulary(tmp_path / VOCABULARY_FILE, text).words["not_covered"] == ""  # shipped without one
    listed = text.replace("  thresholds:\n", "  not_covered: negotiate counteroffer\n  thresholds:\n", 1)
    assert parse_vocabulary(tmp_path / VOCABULARY_FILE, listed).words["not_covered"] == "negotiate counteroffer"
    broken = text.replace("  thresholds:\n", "  not_covered: [Negotiate]\n  thresholds:\n", 1)
    with pytest.raises(KnowledgeError) as refused:
        parse_vocabulary(tmp_path / VOCABULARY_FILE, broken)
    assert any("coverage: not_covered must be words separated by spaces" in str(p) for p in refused.value.problems)


def test_a_topic_the_moderators_list_as_not_covered_gets_related_reading_not_an_answer(folder: Path):
    from bot.answers.service import AnswerService

    store = KnowledgeStore(folder)
    store.load_initial()
    service = AnswerService(lambda: store.current)
    question = "What does an engineer's salary depend on in a big city?"
    assert service.answer(question).answered
    text = (folder / VOCABULARY_FILE).read_text()
    (folder / VOCABULARY_FILE).write_text(text.replace("  thresholds:\n", "  not_covered: city\n  thresholds:\n", 1))
    store.reload()  # a moderator lists "city" as a topic the guides don't cover
    assert not service.answer(question).answered
