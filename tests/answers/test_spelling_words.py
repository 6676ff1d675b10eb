"""The speller counts the guides' words with C string methods: the same words, counts and order as the
regular expression `[A-Za-z]+` over the lower-cased text (it was written with that)."""
from collections import Counter
from types import SimpleNamespace

from bot.answers import spelling

TEXTS = [
    "Machine Learning Engineers ship models; an ML engineer's résumé lists Python, C++ and node.js.",
    "Naïve Bayes, Ångström, STRASSE and straße; the Kelvin sign \u212a lowers to k, İstanbul to i\u0307stanbul.",
    "x2 marker12x34 e.g. i.e. don't won’t — “quoted” words\tand\ttabs\nnew lines 12345 _under_score_",
    "ΑΣ Σ σ ς: Greek, 中文 and emoji 🙂 between words",
]


def test_the_guides_words_are_the_regular_expression_s():
    kb = SimpleNamespace(guides=SimpleNamespace(sections={"s": SimpleNamespace(heading="Ångström Heading's WORDS")}),
                         passages=[SimpleNamespace(text=t) for t in TEXTS * 3])
    speller = spelling.Speller(kb)
    texts = ["Ångström Heading's WORDS", *TEXTS * 3]
    expected = Counter(spelling._WORD.findall("\n".join(texts).lower()))
    assert speller.known == set(expected)
    reference = {}
    for word, _ in expected.most_common():
        if len(word) >= spelling.MIN_LENGTH - 1:
            reference.setdefault(word, word)
            reference.setdefault(spelling.stem(word), word)
    assert list(speller.spelling.items()) == list(reference.items())
