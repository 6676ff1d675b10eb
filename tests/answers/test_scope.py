"""The coverage decision: is a question about the field (`TopicSignals.about_the_field`), and what the
member gets (`verdict`). The limits are the shipped vocabulary's thresholds."""
import pytest

from bot.answers.scope import Kind, TopicSignals, verdict


def signals(**given) -> TopicSignals:
    values = dict(terms=4, in_heading=False, field=0, career=0, unknown=1.0, coverage=0.0, relative=0.0)
    return TopicSignals(**{**values, **given})


@pytest.mark.parametrize("given, about", [
    (dict(field=2), True),                                  # two field words: always
    (dict(field=1, unknown=0.6), True), (dict(field=1, unknown=0.61), False),
    (dict(career=1, unknown=0.5), True), (dict(career=1, unknown=0.51), False),
    (dict(field=1, career=1, unknown=0.55), True),          # the field's limit is the looser one
    # no anchor: plainly answered, specific, and not mostly unknown words
    (dict(terms=3, coverage=0.6, relative=0.2, unknown=0.5), True),
    (dict(terms=2, coverage=0.9, relative=0.9, unknown=0.0), False),
    (dict(terms=1, in_heading=True, coverage=0.9, relative=0.9, unknown=0.0), True),
    (dict(terms=3, coverage=0.59, relative=0.2, unknown=0.5), False),
    (dict(terms=3, coverage=0.6, relative=0.19, unknown=0.5), False),
    (dict(terms=3, coverage=0.6, relative=0.2, unknown=0.51), False),
])
def test_about_the_field(given, about):
    assert signals(**given).about_the_field is about


def kind(top3: float = 0.0, **flags) -> Kind:
    values = dict(forecast=False, resource=False, personal=False)
    return Kind(focus=("salari",), best=top3, top3=top3, **{**values, **flags})


def test_verdict():
    on_topic = signals(field=2)
    assert verdict(None, kind()) == "none"
    assert verdict(signals(), kind(0.9)) == "none"
    assert verdict(on_topic, kind()) == "answer"
    assert verdict(on_topic, kind(0.35, forecast=True)) == "related"
    assert verdict(on_topic, kind(0.34, personal=True)) == "none"
    assert verdict(on_topic, kind(0.9, resource=True)) == "related" and verdict(on_topic, kind(0.9, specific=True)) == "related"
