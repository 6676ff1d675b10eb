"""The speller's words are counted per guide with C string methods (and saved with the parsed guides): the
same words, counts and order as the regular expression `[A-Za-z]+` over the lower-cased headings and then
passages of every guide, which is how they were counted before."""
import re
import shutil
from collections import Counter
from pathlib import Path

from bot.answers import spelling
from bot.knowledge.store import build_knowledge

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
TRICKY = """---
id: tricky
title: "Tricky words"
---

# Tricky words

## Résumé Ångström and STRASSE

Machine Learning Engineers ship models; an ML engineer's résumé lists Python, C++ and node.js.

## Naïve Bayes

Naïve Bayes, Ångström, STRASSE and straße; the Kelvin sign \u212a lowers to k, İstanbul to i\u0307stanbul.

## x2 marker12x34

x2 marker12x34 e.g. i.e. don't won’t — “quoted” words\tand\ttabs
new lines 12345 _under_score_ ΑΣ Σ σ ς: Greek, 中文 and emoji 🙂 between words
"""


def reference(kb):
    texts = [*(s.heading for s in kb.guides.sections.values()), *(p.text for p in kb.passages)]
    return Counter(re.findall(r"[A-Za-z]+", "\n".join(texts).lower()))


def test_the_guides_words_are_the_regular_expression_s(tmp_path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE / "guides", knowledge / "guides")
    (knowledge / "guides" / "tricky.md").write_text(TRICKY, encoding="utf-8")
    for attempt in ("parsed", "read back"):
        kb = build_knowledge(knowledge, strict=True)
        if attempt == "read back":
            assert all(g.words is not None for g in kb.guides.guides)
        expected = reference(kb)
        assert list(kb.guides.word_counts().items()) == list(expected.items())  # same counts, first seen first
        speller = spelling.Speller(kb)
        assert speller.known == set(expected) and {"sum", "stra", "stanbul", "marker", "x"} <= speller.known
        spelt: dict[str, str] = {}
        for word, _ in expected.most_common():
            if len(word) >= spelling.MIN_LENGTH - 1:
                spelt.setdefault(word, word)
                spelt.setdefault(spelling.stem(word), word)
        assert list(speller.spelling.items()) == list(spelt.items())
