"""The analyser keeps technical tokens, stems, drops stopwords, and expands the field's acronyms."""
from bot.search.analysis import analyse, content_terms, expand_query


def test_technical_tokens_survive():
    terms = analyse("I know C++, C#, F# and R; is Node.js or .NET useful? What about C?")
    for token in ["c++", "c#", "f#", "r", "node.js", ".net", "c"]:
        assert token in terms


def test_stemming_stopwords_and_normalisation():
    assert analyse("The Engineers are LEARNING statistics") == ["engin", "learn", "statist"]
    assert analyse("ﬁnance café") == analyse("finance café")  # NFKC folds the ligature
    assert analyse("It’s the data scientist’s job") == analyse("It's the data scientist job")


def test_acronyms_meet_their_expansions():
    assert analyse("MLE") == analyse("machine learning engineer")
    assert analyse("NLP")[:3] == analyse("natural language processing")
    assert "phd" in analyse("Do I need a Ph.D.?") and "phd" in analyse("do i need a phd")


def test_query_synonyms_only_on_questions():
    assert "salari" in expand_query("how much do they earn")
    assert "salari" not in analyse("how much do they earn")
    assert content_terms("ml ml ML") == ["machin", "learn"]


def test_a_doctor_is_not_a_doctorate():
    assert analyse("Ph.D.") == analyse("doctorate") == ["phd"]
    assert "phd" not in analyse("how do I become a doctor")


def test_how_much_do_they_make_asks_about_pay():
    assert "salari" in expand_query("how much do ML engineers make?")
    assert "salari" not in expand_query("how much maths do I need to make models?")
    assert "salari" not in analyse("how much do ML engineers make?")  # query side only


def test_cached_terms_of_a_text_follow_the_vocabulary_in_use():
    from dataclasses import replace

    from bot.search.analysis import Analyser, current, install, terms_of_text

    served = current()
    text = "Kubernetes skills for an MLE"
    before = terms_of_text(text)
    assert "kubernet" in before
    try:
        install(Analyser(replace(served.vocabulary, stopwords=served.vocabulary.stopwords | {"kubernetes"})))
        assert "kubernet" not in terms_of_text(text)  # a new vocabulary is not served from the old cache
    finally:
        install(served)
    assert terms_of_text(text) == before
