"""Reading real messages, matching headings as questions, choosing the quoted unit, related reading."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answers.composing import MAX_ANSWER_CHARS, compose, units
from bot.answers.reading import CONTEXT_WEIGHT, read_message
from bot.answers.service import RELATED_NOTE, AnswerService
from bot.container import knowledge_store
from bot.settings import Settings
from tests.cli.test_cli import careerbot


@pytest.fixture(scope="module")
def service():
    store = knowledge_store(Settings(database_url="sqlite+aiosqlite://"))
    return AnswerService(lambda: store.current)


def test_greetings_and_sign_offs_carry_no_weight_and_context_weighs_less_than_the_question():
    reading = read_message("Hi everyone! I'm a backend engineer, 3 years in. I have a PhD in physics. "
                           "Do I need a master's to become an ML engineer? Thanks in advance!")
    kinds = [(s.kind, s.weight) for s in reading.sentences]
    assert kinds[0] == ("small talk", 0.0) and kinds[-1] == ("small talk", 0.0)
    assert ("context", CONTEXT_WEIGHT) in kinds  # the facts stay, with less weight
    assert any("PhD in physics" in s.text and s.weight == CONTEXT_WEIGHT for s in reading.sentences)
    assert reading.questions == ["Do I need a master's to become an ML engineer?"]
    assert "backend" not in reading.focus and "master" in reading.focus


def test_a_short_question_takes_its_subject_from_the_sentence_before():
    reading = read_message("I heard you need a PhD to break into ML. Is that true?")
    assert reading.focus == "I heard you need a PhD to break into ML. Is that true?"
    assert all(s.weight == 1.0 for s in reading.sentences)


def test_a_title_without_a_question_mark_is_read_as_the_question():
    reading = read_message("Breaking into ML without a Master's degree")
    assert reading.questions == ["Breaking into ML without a Master's degree"]


@pytest.mark.parametrize("message", ["thanks!", "anyone here?", "ok got it, thank you", "hello", "Good morning all",
                                     "cheers, that helps"])
def test_small_talk_is_recognised(message):
    assert read_message(message).small_talk


@pytest.mark.parametrize("message", ["thanks! do I need a degree?", "hi, what does an ML engineer do?"])
def test_a_question_with_a_greeting_is_not_small_talk(message):
    assert not read_message(message).small_talk


def test_two_questions_in_one_message_are_both_answered_or_cited(service):
    answer = service.answer("I'm a backend engineer and want to move into ML. What does a typical day look like? "
                            "Do I need a master's?", top=5)
    assert answer.answered
    top3 = [c.section for c in answer.citations[:3]]
    assert any("tasks" in s.lower() or "job description" in s.lower() for s in top3), top3
    assert any("master" in s.lower() for s in top3), top3


@pytest.mark.parametrize("question, heading", [
    ("So what is a Machine Learning Engineer?", "What Is a Machine Learning Engineer?"),
    ("Who do ML engineers work with?", "Who Does a Machine Learning Engineer Work With?"),
    ("Where do machine learning engineers come from?", "Where Do Machine Learning Engineers Come From?"),
])
def test_headings_are_matched_as_questions(service, question, heading):
    """Every content word of these questions is in all three headings' sections; the question form decides."""
    assert service.answer(question).citations[0].section == heading


def test_units_keep_a_lead_in_with_its_list_and_bullets_whole():
    text = ("Interviews are notoriously tough. Most consist of:\n- a coding round, with data structures and "
            "algorithms\n- a machine learning design round\nGood luck.")
    assert units(text) == ["Interviews are notoriously tough.",
                           "Most consist of:\n- a coding round, with data structures and algorithms\n"
                           "- a machine learning design round", "Good luck."]


def test_the_answer_quotes_the_informative_unit_not_the_lead_in(service):
    kb = service._knowledge()
    text = ("Interviews are notoriously tough. They consist of:\n- a coding round on data structures and "
            "algorithms\n- a system design round")
    weights = {t: 1.0 for t in ("interview", "consist", "round", "code", "algorithm", "design", "tough")}
    answer = compose([(1, text)], weights, kb.index.term_idf)
    # the list is quoted whole with its lead-in; the short opening sentence only with it, in the text's order
    assert answer.endswith("They consist of:\n- a coding round on data structures and algorithms\n"
                           "- a system design round [1]")
    head = answer[: answer.index("They consist of:")]
    assert head in ("", "Interviews are notoriously tough. [1] ", "Interviews are notoriously tough. [1]\n")


def test_every_quoted_unit_carries_its_marker_and_the_answer_stays_short(service):
    for question in ("what skills does an ML engineer need?", "how do I prepare for ML interviews?",
                     "I'm a data analyst. How do I move into ML engineering? Do I need a PhD?"):
        answer = service.answer(question)
        assert answer.answered and len(answer.answer) <= MAX_ANSWER_CHARS + 10
        for part in answer.answer.replace("]\n", "] ").split("] ")[:-1]:
            assert part.rstrip().split("[")[-1].isdigit(), answer.answer
        for citation in answer.citations:
            assert len(citation.text) <= 1000


@pytest.mark.parametrize("question", [
    "Will ML be oversaturated in 5 years?",
    "Is machine learning still a good career choice in 2026?",
    "Would you recommend ML engineering to a 19-year-old starting today?",
    "Is it expected to finish all the resources listed in this course in a week?",
    "What is the interview process like at Meta for MLE?",
    "Which bootcamp is better for ML, Springboard or General Assembly?",
    "Do you need a PhD to get a job in an AI lab doing ML research?",
    "I like both backend work and ML. How do I choose between the two fields?",  # the member's own choice
    "Data engineering or MLOps, which one should I go with after my degree?",
    "Which will be more popular in the future for ML engineers, computer vision or NLP?",  # a forecast
    "Will there still be ML engineering jobs for juniors in 10 years?",
    "How do I explain a two-year career gap when applying for ML engineer roles?",  # the asker's own case
    "Coming back to ML after a 5-year break to raise kids, where do I restart?",
    "Can someone review my resume? I'm applying for ML roles and getting no callbacks.",  # a service for them
    "Is Andrew Ng's machine learning course still good?",  # an opinion on a named resource
    "How do I get a referral at a big tech company for ML roles?",  # one kind of employer's own process
    "With all the AI coding tools around, should I still learn machine learning engineering?",  # a verdict on
    "I've done backend for ten years and AI writes code now. Should I quit and give up on ML?",  # their own plan
    "Is this a good time to start learning MLOps for someone already in DevOps?",
    "I built a spam classifier for practice, is this project a good choice for my ML portfolio?",
    "Realistically, how long does it take to go from zero to an ML engineer job?",  # a duration: the guides
    "How many months should I plan to study before applying for ML engineer roles?",  # give steps, not times
])
def test_questions_the_guides_can_only_touch_get_related_reading_not_an_answer(service, question):
    answer = service.answer(question)
    assert not answer.answered and answer.kind in ("related", "not_covered")
    if answer.kind == "related":
        assert answer.answer == RELATED_NOTE and 1 <= len(answer.citations) <= 3
        assert [c.rank for c in answer.citations] == list(range(1, len(answer.citations) + 1))


@pytest.mark.parametrize("question", [
    "Do companies like Google hire ML engineers without a PhD?",  # a company named, its process not asked
    "How do I prepare for the coding round of ML interviews?",
    "which big tech companies are hiring ML engineers?",
    "I'm a postdoc thinking of leaving academia, is that a common route into ML engineering?",
    "How do I decide when my model's accuracy is good enough to ship to production?",  # "decide", no choice
    "I finished Andrew Ng's course, what should I learn next to become an ML engineer?",  # no opinion asked
    "How do I make my GitHub portfolio stand out for ML roles?",  # no review asked
    "Which path should I follow to become an ML engineer?",  # no options to choose between
    "How do I choose which programming language to learn first for machine learning?",
    "What should I pick up first for ML, statistics or linear algebra?",  # learning, not a choice of path
    "Is Python still the most popular language for machine learning?",  # today, not a forecast
    "Is a CS degree still relevant for ML engineering jobs?",
    "Do ML engineers need to know how to set up remote servers for training?",  # "remote", not "remotely"
    "Should I learn statistics before deep learning?",  # what to learn, not a verdict on a plan
    "How much time should an ML engineer spend on testing code?",  # "time", not "a good time"; nor a duration
    "How long are ML engineer interviews, and what rounds do they have?",  # how long, but nothing takes
    # questions the guides answer that share words with a verdict on a plan or a duration (from a review)
    "Is it a good idea to learn Python before studying machine learning?",
    "Should I switch from software engineering to machine learning engineering?",
    "What is the right time to prepare for technical interviews as an ML engineer?",
    "How long should my portfolio projects be to get noticed by ML recruiters?",
    "Does a machine learning engineer need to know how long models take to train?",
    "What does an ML engineer do in a typical day, and how many hours do they work?",
])
def test_near_misses_of_those_kinds_are_still_answered(service, question):
    assert service.answer(question).answered


def test_related_reading_through_the_cli_keeps_the_json_contract():
    out = careerbot("ask", "--json", "Is machine learning still a good career choice in 2026?")
    data = json.loads(out.stdout)
    assert data["answered"] is False and data["kind"] == "related" and data["citations"]
    text = careerbot("ask", "Is machine learning still a good career choice in 2026?").stdout
    assert "Related reading (not an answer):" in text and "Sources:" not in text
    small = json.loads(careerbot("ask", "--json", "thanks!").stdout)
    assert small["answered"] is False and small["kind"] == "small_talk" and small["citations"] == []


def test_eval_reads_lists_of_phrases_and_reports_answer_hit(tmp_path: Path):
    data = tmp_path / "set.jsonl"
    data.write_text(json.dumps({"question": "what does an ML engineer do?",
                                "expect": ["no such phrase anywhere", "Machine Learning Engineer"]}) + "\n"
                    + json.dumps({"question": "thanks!", "expect": None}) + "\n", encoding="utf-8")
    out = careerbot("eval", "--json", str(data), str(data))
    reports = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(reports) == 2 and reports[0]["hit1"] == 1.0 and reports[0]["off_topic_abstention"] == 1.0
    assert "answer_hit" in reports[0]


def test_a_bullet_deep_in_a_long_list_is_quoted_with_its_lead_in(service):
    kb = service._knowledge()
    bullets = [f"- Item {n}: general duties of the role number {n} with many words to fill the line" for n in range(9)]
    bullets.insert(7, "- Agile: working in an Agile environment with scrum ceremonies")
    text = "Most roles include:\n" + "\n".join(bullets)
    weights = {t: 1.0 for t in ("agil", "scrum", "environ")}
    answer = compose([(1, text)], weights, kb.index.term_idf)
    assert len(text) > MAX_ANSWER_CHARS and answer.startswith("Most roles include:\n")
    assert "- Agile: working in an Agile environment with scrum ceremonies" in answer and answer.endswith("[1]")


def test_a_guides_own_rhetorical_question_is_not_quoted_as_the_answer(service):
    kb = service._knowledge()
    text = "Will it break? Models break when the data they see in production drifts from the training data."
    weights = {t: 1.0 for t in ("break", "model", "product", "data")}
    assert compose([(1, text)], weights, kb.index.term_idf).startswith("Models break")


def test_a_question_in_the_guide_scores_less_than_a_statement_with_fewer_of_the_words(service):
    kb = service._knowledge()
    idf = kb.index.term_idf
    weights = {t: 1.0 for t in ("model", "break", "product", "retrain")}
    text = ("Do models break in production? Teams retrain models on a schedule, and whenever monitoring shows a drop "
            "in quality, so the model keeps up with the world it serves day after day.")
    assert compose([(1, text)], weights, idf).startswith("Teams retrain models")


def test_a_message_with_a_part_guides_cant_settle_answers_the_rest_and_says_which(service):
    answer = service.answer("What does an ML engineer do day to day? And will the market be oversaturated in 2027?")
    assert answer.answered and answer.note and "oversaturated in 2027" in answer.note
    assert "oversaturated" not in answer.answer  # the quoted answer is about the part the guides answer
    alone = service.answer("What does an ML engineer do day to day?")
    assert {c.section_id for c in answer.citations[:3]} & {c.section_id for c in alone.citations[:3]}
    text = careerbot("ask", "What does an ML engineer do day to day? And will the market be oversaturated in 2027?")
    assert "The guides can't settle one part of your question" in text.stdout
    data = json.loads(careerbot("ask", "--json", "Is ML still worth it in 2026? What skills do I need to become an "
                                "ML engineer?").stdout)  # the main question can't be settled, the second asks anew
    assert data["answered"] is True and "Is ML still worth it in 2026?" in data["note"]


def test_typos_are_read_as_the_guides_words_but_real_words_keep_their_meaning(service):
    from bot.answers.spelling import speller

    fix = speller(service._knowledge()).correct
    assert fix("How to get a machine learning intership") == "How to get a machine learning internships"
    assert fix("what type of positon should I apply to") == "what type of position should I apply to"
    for real in ("Is there any chance for me?", "Will ML be oversaturated?", "Restarting after a break",
                 "does it matter which season"):
        assert fix(real) == real  # English words the guides don't use are not "corrected"
    answer = service.answer("How to get a machine learning intership")
    assert answer.answered and answer.question == "How to get a machine learning intership"  # shown as typed


def test_warm_builds_the_first_answers_caches_ahead(tmp_path):
    from bot.answers import ranking, spelling

    store = knowledge_store(Settings(database_url="sqlite+aiosqlite://"))
    service = AnswerService(lambda: store.current)
    kb = store.current
    assert id(kb) not in ranking._matchers and id(kb) not in spelling._spellers
    service.warm()
    assert id(kb) in ranking._matchers and id(kb) in spelling._spellers


def test_no_answer_ends_in_a_cut_off_sentence(service):
    """A further unit is quoted whole or not at all (a budget-cut "That means … [2]" says nothing)."""
    from bot.answers.evaluation import load_items

    data = Path(__file__).resolve().parents[1] / "data"
    questions = [i["question"] for f in ("real_questions", "eval") for i in load_items(data / f"{f}.jsonl")]
    stubs = [a.answer for q in questions if (a := service.answer(q)).answered and " … [" in a.answer]
    assert stubs == []


def test_without_a_degree_is_read_as_asking_about_other_paths(service):
    answer = service.answer("and without a degree?", previous="do I need a degree to become an ML engineer?")
    assert "a degree is not the only path" in answer.answer


def test_everyday_words_weigh_less_than_the_words_that_say_what_is_asked():
    from bot.answers.everyday import EVERYDAY_FLOOR, everyday_weight
    from bot.answers.ranking import query_weights
    from bot.search.analysis import stem

    assert everyday_weight(stem("go")) == pytest.approx(EVERYDAY_FLOOR, abs=0.1)
    assert everyday_weight(stem("still")) < 0.6 and everyday_weight(stem("done")) < 0.8
    for word in ("degree", "python", "kaggle", "portfolio", "salary"):
        assert everyday_weight(stem(word)) == 1.0, word
    weights = query_weights(read_message("Is a degree still required even after some work experience?"))
    assert weights[stem("still")] < weights[stem("degree")] / 2
    assert weights[stem("even")] < weights[stem("required")] / 2


def _tiny_knowledge(folder: Path) -> Path:
    (folder / "guides").mkdir(parents=True)
    (folder / "guides" / "a.md").write_text(
        "---\nid: a\ntitle: Guide A\n---\n\n# Guide A\n\n## What employers look for\n\n"
        "Many employers list a computer science degree as required.\n", encoding="utf-8")
    (folder / "guides" / "b.md").write_text(
        "---\nid: b\ntitle: Guide B\n---\n\n# Guide B\n\n## Keep at it\n\n"
        "Even on bad days you still go on. Even so, you still keep going until it is done.\n", encoding="utf-8")
    return folder


def test_a_passage_full_of_everyday_words_does_not_outrank_the_one_on_the_topic(tmp_path):
    # On four guides, BM25's own IDF calls "even" and "still" as rare as "degree": only the general
    # English frequency says they are not what is asked.
    from bot.knowledge.store import build_knowledge

    kb = build_knowledge(_tiny_knowledge(tmp_path / "knowledge"), strict=False)
    service = AnswerService(lambda: kb)
    cited = service.ranked("is a degree still required, even once the work is done?", 2)
    assert cited[0].section == "What employers look for"


@pytest.mark.parametrize("question", [
    "is it important to do b tech in computer science to become a developer?",
    "I wanna start my career in machine learning",
    "i need suggestions on how i can start learning machine learning",
])
def test_phrasings_bring_the_guides_words(question):
    from bot.search.analysis import expand_query, stem

    terms = expand_query(question)
    wanted = {"b tech": stem("bachelor"), "wanna start": stem("steps"), "how i can start": stem("steps")}
    assert any(key in question and value in terms for key, value in wanted.items())


@pytest.mark.parametrize("question", [
    "How does a model become overfit and what can an ML engineer do about it?",  # a thing, not a person
    "I am trying to switch from TensorFlow to PyTorch for my project",  # not a move into the field
])
def test_how_a_thing_becomes_or_a_switch_of_tools_is_not_a_path(question):
    from bot.search.analysis import expand_query, stem

    assert stem("steps") not in expand_query(question)


def test_a_further_source_is_quoted_when_it_says_something_new_not_when_it_repeats_the_first():
    from bot.search.analysis import terms_of_text

    texts = [(1, "Some background first. Python matters."),
             (2, "Python matters."),  # the guides repeat each other: nothing new
             (3, "Python matters a lot when you deploy models and write tests.")]  # new, with no new question word
    weights = {t: 1.0 for t in terms_of_text("does python matter?")}
    answer = compose(texts, weights, lambda term: 1.0)
    assert "Python matters. [1]" in answer
    assert "[2]" not in answer
    assert "Python matters a lot when you deploy models and write tests. [3]" in answer


def test_a_later_question_that_leans_on_an_unsettled_main_one_does_not_turn_it_into_an_answer(service):
    message = "How do I choose between data engineering and ML engineering? Do I really need to choose right away?"
    answer = service.answer(message)
    assert not answer.answered and answer.kind in ("related", "not_covered")
    # a later question that asks about something new is answered, and the answer names the part left out
    answer = service.answer("How do I choose between data engineering and ML engineering? What programming "
                            "languages do ML engineers use?")
    assert answer.answered and answer.note and "choose between" in answer.note


@pytest.mark.parametrize("message, plain", [
    ("check this https://example.com/post/intro-example — is a PhD needed for ML jobs?",
     "check this — is a PhD needed for ML jobs?"),
    ("<@123456789> <:wave:4242> is a PhD needed for ML jobs? <#999> @everyone", "is a PhD needed for ML jobs?"),
    ("```python\nimport torch\nmodel = example()\n```\nis a PhD needed for ML jobs?", "is a PhD needed for ML jobs?"),
])
def test_links_code_and_discord_markup_are_not_searched_for(service, message, plain):
    expected, answer = service.answer(plain), service.answer(message)
    assert [c.section_id for c in answer.citations] == [c.section_id for c in expected.citations]
    assert answer.answer == expected.answer
