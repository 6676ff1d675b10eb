"""The answers log, feedback votes, unanswered questions, server settings and the reload audit."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.errors import DomainError, LimitReached, NotFound
from bot.members.community import NO_GUILD, normalise_question, strip_discord_ids
from bot.storage.models import AnswerLog, UnansweredQuestion

ALICE, BOB, CAROL = 111_111_111_111_111_111, 222_222_222_222_222_222, 333_333_333_333_333_333
GUILD, OTHER_GUILD = 900_000_000_000_000_001, 900_000_000_000_000_002


async def test_answers_and_one_vote_per_member(services):
    community = services.community
    answer = await community.record_answer(ALICE, "How do I start?", answered=True,
                                           cited_section_ids=["a#b", "c#d"], guild_id=GUILD)
    assert (await community.vote(answer, BOB, helpful=False)).not_helpful == 1
    assert (await community.vote(answer, CAROL, helpful=False)).not_helpful == 2
    tally = await community.vote(answer, BOB, helpful=True)  # a second vote replaces the first
    assert (tally.helpful, tally.not_helpful) == (1, 1)
    assert await community.tally(answer) == tally
    for missing in (answer + 1000, 10**15):
        with pytest.raises(NotFound, match="no longer available"):
            await community.vote(missing, BOB, helpful=True)
        with pytest.raises(NotFound, match="no longer stored"):
            await community.get_answer(missing)
    record = await community.get_answer(answer)
    assert (record.question, record.cited_section_ids, record.guild_id) == ("How do I start?", ("a#b", "c#d"), GUILD)


async def test_not_helpful_answers_for_moderators(services, clock):
    community = services.community
    good = await community.record_answer(ALICE, "good", answered=True, guild_id=GUILD)
    clock.now += timedelta(minutes=1)
    bad = await community.record_answer(ALICE, "bad", answered=True, cited_section_ids=["x#y"], guild_id=GUILD)
    elsewhere = await community.record_answer(ALICE, "elsewhere", answered=False, guild_id=OTHER_GUILD)
    await community.vote(good, BOB, True)
    await community.vote(bad, BOB, False)
    await community.vote(bad, CAROL, False)
    await community.vote(elsewhere, BOB, False)
    listed = await community.not_helpful(GUILD)
    assert [(f.answer_id, f.question, f.not_helpful, f.helpful, f.cited_section_ids) for f in listed] == [
        (bad, "bad", 2, 0, ("x#y",))]
    assert [f.answer_id for f in await community.not_helpful()] == [bad, elsewhere]


def test_questions_are_normalised_without_discord_ids():
    assert normalise_question("  What   IS MLOps?? ") == "what is mlops"
    assert normalise_question("<@123456789012345678> hey <@!22> <@&33> <#44> is C++ hard?") == "hey is c++ hard"
    assert normalise_question("ask 123456789012345678 about it") == "ask about it"
    assert normalise_question("<@1>?!") == ""
    assert strip_discord_ids("<@!12> and <@&34> in <#56> :) <:wave:78> 123456789012345678") == (
        "@member and @role in #channel :) :wave: [id]")


async def test_unanswered_questions_are_counted_without_user_ids(services, database, clock):
    community = services.community
    assert await community.record_unanswered(GUILD, "Is a PhD needed?") == 1
    clock.now += timedelta(hours=1)
    assert await community.record_unanswered(GUILD, "is a phd  NEEDED") == 2
    assert await community.record_unanswered(None, "is a phd needed?") == 1  # console / direct messages
    await community.record_unanswered(OTHER_GUILD, "What about Rust?")
    with pytest.raises(DomainError):
        await community.record_unanswered(GUILD, " ?? ")

    gaps = await community.gaps(GUILD)
    assert [(g.question, g.count, g.last_asked) for g in gaps] == [("is a phd needed", 2, clock.now)]
    assert [(g.question, g.count) for g in await community.gaps()] == [("is a phd needed", 3), ("what about rust", 1)]
    async with database.read() as session:
        assert set((await session.execute(select(UnansweredQuestion.guild_id))).scalars()) == {GUILD, NO_GUILD, OTHER_GUILD}
    assert {c.name for c in UnansweredQuestion.__table__.columns} == {
        "id", "guild_id", "question", "count", "first_asked", "last_asked"}


async def test_guild_settings(services):
    community = services.community
    empty = await community.guild_settings(GUILD)
    assert (empty.ask_channel_ids, empty.moderator_role_id) == ((), None)
    await community.add_ask_channel(GUILD, 5)
    assert (await community.add_ask_channel(GUILD, 3)).ask_channel_ids == (3, 5)
    assert (await community.add_ask_channel(GUILD, 3)).ask_channel_ids == (3, 5)  # adding twice is harmless
    assert (await community.set_moderator_role(GUILD, 77)).moderator_role_id == 77
    assert (await community.remove_ask_channel(GUILD, 5)).ask_channel_ids == (3,)
    with pytest.raises(NotFound):
        await community.remove_ask_channel(GUILD, 5)
    assert (await community.set_moderator_role(GUILD, None)).moderator_role_id is None
    assert (await community.guild_settings(OTHER_GUILD)).ask_channel_ids == ()
    community.max_ask_channels = 1
    with pytest.raises(LimitReached):
        await community.add_ask_channel(GUILD, 4)


async def test_knowledge_reload_audit(services, clock):
    community = services.community
    assert await community.last_reload() is None
    await community.record_reload(ALICE, True, "4 guides, 63 roadmap items")
    clock.now += timedelta(minutes=5)
    await community.record_reload(None, False, "roadmap.yaml:3: unknown section")
    last = await community.last_reload()
    assert (last.reloaded_at, last.reloaded_by, last.ok) == (clock.now, None, False)


async def test_an_unanswered_answer_is_logged_and_counted_together(services, database, monkeypatch):
    community = services.community
    await community.record_answer(ALICE, "Is a PhD needed?", answered=False, guild_id=GUILD, count_unanswered=True)
    await community.record_answer(ALICE, "is a phd needed", answered=False, guild_id=GUILD, count_unanswered=True)
    await community.record_answer(ALICE, "What is MLOps?", answered=True, guild_id=GUILD, count_unanswered=True)
    assert [(g.question, g.count) for g in await community.gaps(GUILD)] == [("is a phd needed", 2)]

    async def fail(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(type(community), "_count_unanswered", staticmethod(fail))
    with pytest.raises(RuntimeError):
        await community.record_answer(ALICE, "Another gap?", answered=False, guild_id=GUILD, count_unanswered=True)
    async with database.read() as session:  # one transaction: the failed count took the log row with it
        questions = set((await session.execute(select(AnswerLog.question))).scalars())
    assert questions == {"Is a PhD needed?", "is a phd needed", "What is MLOps?"}
