"""The heading match is computed with C loops: the same floats, to the bit, as the sum over the shared
n-grams it replaced (the order of a float sum matters, so the order is kept)."""
import json
from pathlib import Path

from bot.answers.ranking import heading_matcher
from bot.knowledge.store import build_knowledge

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
QUESTIONS = Path(__file__).resolve().parents[2] / "tests" / "data" / "eval.jsonl"


def test_heading_similarity_is_the_sum_over_shared_ngrams():
    kb = build_knowledge(KNOWLEDGE, strict=False)
    matcher = heading_matcher(kb)
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines()[:40]]
    checked = 0
    for question in questions + ["", "a", "what does a machine learning engineer do all day long at work?"]:
        qv, qn = matcher.vector(question)
        for sid in kb.guides.sections:
            hv, hn = matcher.heading_vector(sid)
            small, large = (qv, hv) if len(qv) <= len(hv) else (hv, qv)
            expected = sum(v * large[g] for g, v in small.items() if g in large) / (qn * hn)
            assert matcher.similarity((qv, qn), sid) == expected
            checked += expected > 0
    assert checked > 100  # most pairs share some n-grams


def test_an_answer_s_json_citations_are_the_citations_fields():
    from dataclasses import asdict

    from bot.answers.service import Answer, Citation

    citation = Citation(1, "g", "g#s", "Title", "Section", None, "Text.", 1.25)
    payload = Answer("q?", True, "Text. [1]", [citation]).to_json()
    assert payload["citations"] == [asdict(citation)]
    assert list(payload["citations"][0]) == list(asdict(citation))  # the same keys in the same order


def test_ngrams_are_counted_in_order_of_first_appearance():
    from collections import Counter

    from bot.answers.ranking import NGRAMS, _ngrams, _surface

    def one_by_one(text):  # as they were counted before
        grams: Counter = Counter()
        for word in _surface(text).split():
            padded = f" {word} "
            for n in NGRAMS:
                for i in range(max(1, len(padded) - n + 1)):
                    grams[padded[i:i + n]] += 1
        return grams

    kb = build_knowledge(KNOWLEDGE, strict=False)
    texts = [s.heading for s in kb.guides.sections.values()] + ["", "a", "I ML", "what is an MLE, really?", "c++ c# node.js"]
    texts += ["data data data", "ml ml ml engineer engineer", "engineering engineer engine", "data data data"]
    for text in texts + texts:  # the second time from each word's n-grams kept (which counting must not change)
        assert list(_ngrams(text).items()) == list(one_by_one(text).items())


def test_heading_vectors_are_tf_idf_of_the_ngrams():
    import math

    from bot.answers.ranking import _ngrams, _surface
    from bot.search.analysis import _raw_tokens, current

    kb = build_knowledge(KNOWLEDGE, strict=False)
    matcher = heading_matcher(kb)
    acronyms = current().vocabulary.acronyms
    texts = [s.heading for s in kb.guides.sections.values()] + ["ml ml ml engineer engineer", "", "nlp vs cv?",
                                                                   "data data science data", "a a a a a a a a"]
    for text in texts:
        assert _surface(text) == " ".join(acronyms.get(t, t) for t in _raw_tokens(text))
        grams = _ngrams(text)
        vec = {g: (1 + math.log(c)) * matcher.idf.get(g, matcher.default_idf) for g, c in grams.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        got, got_norm = matcher.vector(text)
        assert list(got.items()) == list(vec.items()) and got_norm == norm  # equal floats, not close ones
