"""Follow-up questions: "and without a degree?" after "how do I become an ML engineer?", read in the light
of the earlier question, in the domain, the console and through Discord's real dispatch."""
from __future__ import annotations

import pytest

from bot.answers.reading import is_follow_up
from bot.answers.service import AnswerService
from bot.cli.console import Session, handle_line
from bot.container import build_services, knowledge_store
from bot.settings import Settings
from bot.storage.models import AnswerLog
from tests.discord_bot.test_discord_ask import count
from tests.discord_harness import (
    FORUM_ID,
    POST_ID,
    harness,  # noqa: F401 - fixture
    harness_settings,
)

FIRST = "How do I prepare for ML engineer interviews?"
FOLLOW = "and for the coding round?"


@pytest.fixture(scope="module")
def answers():
    store = knowledge_store(Settings(database_url="sqlite+aiosqlite://"))
    return AnswerService(lambda: store.current)


@pytest.mark.parametrize("text, expected", [("and without a degree?", True), ("what about a PhD?", True),
                                            ("How much do machine learning engineers earn in the United States?", False)])
def test_what_reads_as_a_follow_up(text, expected):
    assert is_follow_up(text) is expected


def test_a_follow_up_is_answered_in_the_light_of_the_earlier_question(answers):
    alone = answers.answer(FOLLOW)
    followed = answers.answer(FOLLOW, previous=FIRST)
    assert not alone.answered  # on its own, "the coding round" is about nothing the guides know
    assert followed.answered and followed.follows == FIRST and followed.question == FOLLOW
    assert "Interview" in followed.citations[0].section
    standalone = answers.answer("What does an ML engineer do day to day?", previous=FIRST)
    assert standalone.follows is None  # a question that stands on its own is read on its own


async def test_the_console_reads_a_follow_up_line_with_the_last_question(tmp_path):
    services = await build_services(harness_settings(tmp_path))
    try:
        session = Session()
        assert "Interview" in await handle_line(FIRST, services, session=session)
        followed = await handle_line(FOLLOW, services, session=session)
        assert "Interview" in followed and "don't cover" not in followed
        assert session.question == FIRST  # a chain of follow-ups keeps its first question
        fresh = Session()
        assert "don't cover" in await handle_line(FOLLOW, services, session=fresh)
    finally:
        await services.close()


async def test_the_asker_follows_up_in_their_forum_post_and_by_replying_others_are_not_answered(harness):
    await harness.slash("settings ask-channel add", user=harness.moderator, channel=harness.channel(FORUM_ID))
    opening = await harness.message(FIRST, channel_id=POST_ID, message_id=POST_ID)
    assert opening.reply.embeds[0]["fields"]
    followed = (await harness.message(FOLLOW, channel_id=POST_ID)).reply  # the asker, later in the post
    assert followed.embeds[0]["title"] == f"Q: {FOLLOW}" and "Interview" in followed.embeds[0]["fields"][0]["name"]
    assert await harness.message(FOLLOW, channel_id=POST_ID, author=harness.other) == []  # not their post
    assert await harness.message("thanks!", channel_id=POST_ID) == []  # small talk: no reply
    # a reply to the bot's answer, in any channel, by the asker; once per message
    asked = (await harness.message(f"{harness.mention()} {FIRST}", mentions=(harness.me,))).reply
    replied = await harness.message(FOLLOW, reply_to=asked.message)
    assert len(replied) == 1 and "Interview" in replied.reply.embeds[0]["fields"][0]["name"]
    assert await harness.message(FOLLOW, reply_to=asked.message, author=harness.other) == []
    assert await count(harness, AnswerLog) == 4
    harness.assert_no_pings()


async def test_delete_my_data_also_forgets_what_a_follow_up_would_lean_on(harness):
    asked = (await harness.message(f"{harness.mention()} {FIRST}", mentions=(harness.me,))).reply
    ask = (await harness.slash("mydata delete")).reply
    done = (await harness.click(ask.custom_ids[0], ask)).reply
    assert done.content.startswith("Deleted everything stored about you")
    assert await harness.message(FOLLOW, reply_to=asked.message) == []  # no longer a follow-up of anything
