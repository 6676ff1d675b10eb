"""Asking through Discord's real dispatch: /ask, its buttons, mentions, ask channels, forums, the menu."""
from __future__ import annotations

from sqlalchemy import func, select

from bot.storage.models import AnswerLog, UnansweredQuestion
from tests.discord_harness import (
    BOT_ID,
    FORUM_ID,
    GENERAL_ID,
    HELP_ID,
    MOD_ROLE_ID,
    POST_ID,
    THREAD_ID,
    harness,  # noqa: F401 - fixture
    make_harness,
)

COVERED = "do I need a degree to become an ML engineer?"
OFF_TOPIC = "what is the best pizza topping in naples?"


async def count(h, model) -> int:
    async with h.bot.services.database.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_ask_replies_publicly_with_cited_answer_and_buttons(harness):
    sent = await harness.slash("ask", question=COVERED)
    assert sent.deferred and sent[0].callback_type == 5 and not sent[0].body.get("flags")
    reply = sent.reply
    assert reply.kind == "followup" and not reply.ephemeral
    embed = reply.embeds[0]
    assert embed["title"].startswith("Q: do I need a degree")
    assert "[1]" in embed["description"]
    assert 1 <= len(embed["fields"]) <= 3
    assert embed["fields"][0]["name"].startswith("[1] ") and " — " in embed["fields"][0]["name"]
    assert all(f["value"].startswith("> ") for f in embed["fields"])
    assert any("[Read the guide](https://" in f["value"] for f in embed["fields"])  # a guide with a url
    assert "quote the community's guides" in embed["footer"]["text"]
    ids = reply.custom_ids
    answer_id = ids[0].split(":")[2]
    assert ids == [f"careerbot:vote:{answer_id}:1", f"careerbot:vote:{answer_id}:0",
                   f"careerbot:save:{answer_id}", f"careerbot:more:{answer_id}"]
    harness.assert_no_pings()


async def test_not_covered_gets_an_honest_reply_and_is_recorded_for_moderators(harness):
    for _ in range(2):
        reply = (await harness.slash("ask", question=OFF_TOPIC)).reply
        assert "don't cover" in reply.text and not reply.custom_ids and not reply.embeds[0].get("fields")
    gaps = await harness.bot.services.community.gaps(harness.guild.id)
    assert [(g.question, g.count) for g in gaps] == [("what is the best pizza topping in naples", 2)]
    harness.assert_no_pings()


async def test_votes_are_private_and_one_per_member(harness):
    reply = (await harness.slash("ask", question=COVERED)).reply
    helpful, not_helpful = reply.custom_ids[:2]
    first = (await harness.click(helpful, reply, user=harness.member)).reply
    assert first.ephemeral and "helpful" in first.content
    await harness.click(not_helpful, reply, user=harness.other)
    await harness.click(not_helpful, reply, user=harness.member)  # changes the member's vote
    await harness.click(not_helpful, reply, user=harness.member)
    tally = await harness.bot.services.community.tally(int(helpful.split(":")[2]))
    assert (tally.helpful, tally.not_helpful) == (0, 2)
    unhelpful = await harness.bot.services.community.not_helpful(harness.guild.id)
    assert unhelpful[0].question == COVERED and unhelpful[0].not_helpful == 2
    harness.assert_no_pings()


async def test_unknown_answer_ids_get_a_clear_private_reply(harness):
    ids = ("careerbot:vote:999999:1", "careerbot:save:999999", "careerbot:more:999999",
           "careerbot:vote:9999999999:0", "careerbot:more:9999999999")  # beyond a 32-bit id
    message = harness.button_message(*ids)
    for custom_id in ids:
        reply = (await harness.click(custom_id, message)).reply
        assert reply.ephemeral and "no longer" in reply.content
    assert await count(harness, AnswerLog) == 0


async def test_save_to_reading_list_is_per_member_and_idempotent(harness):
    reply = (await harness.slash("ask", question=COVERED)).reply
    save = reply.custom_ids[2]
    first = (await harness.click(save, reply, user=harness.other)).reply
    assert first.ephemeral and first.content.startswith("Saved to your reading list")
    again = (await harness.click(save, reply, user=harness.other)).reply
    assert "Already on your list" in again.content
    reading = harness.bot.services.reading
    saved = await reading.list(harness.other.id)
    cited = [f["name"].split(" — ", 1)[1] for f in reply.embeds[0]["fields"]]
    assert [e.title for e in saved] == cited
    assert await reading.list(harness.member.id) == []


async def test_save_says_exactly_what_fitted_when_the_reading_list_fills_up(harness):
    reply = (await harness.slash("ask", question=COVERED)).reply
    assert len(reply.embeds[0]["fields"]) >= 2
    harness.bot.services.reading.max_items = 1
    sent = (await harness.click(reply.custom_ids[2], reply, user=harness.other)).reply
    first = reply.embeds[0]["fields"][0]["name"].split(" — ", 1)[1]
    assert sent.ephemeral and sent.content.startswith(f"Saved to your reading list: {first} (")
    assert "no room left" in sent.content and "Remove some you have read first" in sent.content
    assert [e.title for e in await harness.bot.services.reading.list(harness.other.id)] == [first]


async def test_more_sources_are_shown_only_to_the_member_who_asks(harness):
    reply = (await harness.slash("ask", question=COVERED)).reply
    more = (await harness.click(reply.custom_ids[3], reply, user=harness.other)).reply
    assert more.ephemeral
    names = [f["name"] for f in more.embeds[0]["fields"]]
    assert names and all(not n.startswith(("[1]", "[2]", "[3]")) for n in names)
    assert names[0].startswith("[4] ")
    harness.assert_no_pings()


async def test_buttons_keep_working_after_a_restart(tmp_path):
    async with make_harness(tmp_path) as first:
        reply = (await first.slash("ask", question=COVERED)).reply
    async with make_harness(tmp_path) as second:  # a new bot process on the same database
        vote = (await second.click(reply.custom_ids[0], reply.message, user=second.other)).reply
        assert vote.ephemeral and "recorded" in vote.content
        more = (await second.click(reply.custom_ids[3], reply.message)).reply
        assert more.embeds[0]["fields"]


async def test_bad_questions_get_a_clear_private_reply_and_nothing_is_stored(harness):
    cases = {
        "   ": "Please type a question",
        "x" * 2000: "2,000 characters long",
        "?!?! ...": "no words",
    }
    for question, expected in cases.items():
        sent = await harness.slash("ask", question=question)
        assert not sent.deferred
        assert sent.reply.ephemeral and expected in sent.reply.content
    assert await count(harness, AnswerLog) == 0
    assert await count(harness, UnansweredQuestion) == 0
    harness.assert_no_pings()


async def test_markdown_and_mentions_in_a_question_ping_nobody(harness):
    question = f"@everyone **what** <@&{MOD_ROLE_ID}> skills do I need? <@{harness.other.id}>"
    reply = (await harness.slash("ask", question=question)).reply
    title = reply.embeds[0]["title"]
    assert "@everyone" not in title and f"<@&{MOD_ROLE_ID}>" not in title and "**" not in title
    assert reply.allowed_mentions == {"parse": []}
    off_topic = f"@here <@&{MOD_ROLE_ID}> pizza toppings in naples?"
    await harness.slash("ask", question=off_topic)
    gaps = await harness.bot.services.community.gaps(harness.guild.id)
    assert gaps and all("<@" not in g.question for g in gaps)  # stored without Discord ids
    harness.assert_no_pings()


async def test_mention_answers_in_place_as_a_reply(harness):
    sent = await harness.message(f"{harness.mention()} {COVERED}", mentions=(harness.me,))
    reply = sent.reply
    assert reply.kind == "message"
    assert f"/channels/{GENERAL_ID}/messages" in reply.url
    assert reply.body["message_reference"]["message_id"]
    assert reply.embeds[0]["fields"] and reply.custom_ids
    assert reply.allowed_mentions == {"parse": [], "replied_user": False}  # the asker is not pinged either


async def test_mention_in_a_thread_replies_in_the_thread(harness):
    sent = await harness.message(f"<@!{BOT_ID}> {COVERED}", channel_id=THREAD_ID, mentions=(harness.me,))
    assert f"/channels/{THREAD_ID}/messages" in sent.reply.url
    harness.assert_no_pings()


async def test_messages_without_a_mention_bots_and_empty_mentions(harness):
    assert await harness.message(COVERED) == []
    assert await harness.message(f"{harness.mention()} {COVERED}", author=harness.another_bot,
                                 mentions=(harness.me,)) == []
    empty = await harness.message(harness.mention(), mentions=(harness.me,))
    assert "Please type a question" in empty.reply.content
    everyone = await harness.message(f"@everyone {COVERED}", mention_everyone=True)
    assert everyone == []  # @everyone is not a mention of the bot
    harness.assert_no_pings()


async def test_ask_channels_and_forum_posts_are_answered_without_a_mention(harness):
    mod = harness.moderator
    assert await harness.message(COVERED, channel_id=HELP_ID) == []  # not an ask channel yet (and now cached)
    await harness.slash("settings ask-channel add", user=mod, channel=harness.channel(HELP_ID))
    await harness.slash("settings ask-channel add", user=mod, channel=harness.channel(FORUM_ID))
    in_channel = await harness.message(COVERED, channel_id=HELP_ID)
    assert f"/channels/{HELP_ID}/messages" in in_channel.reply.url
    post = await harness.message(COVERED, channel_id=POST_ID, message_id=POST_ID)  # the forum post itself
    assert f"/channels/{POST_ID}/messages" in post.reply.url and post.reply.embeds[0]["fields"]
    assert post.reply.embeds[0]["title"] == f"Q: How do I start? {COVERED}"  # the post's title is asked too
    assert await harness.message("thanks, that helps!", channel_id=POST_ID) == []  # later messages in the post
    assert await harness.message(COVERED, channel_id=GENERAL_ID) == []
    await harness.slash("settings ask-channel remove", user=mod, channel=harness.channel(HELP_ID))
    assert await harness.message(COVERED, channel_id=HELP_ID) == []  # the change is seen at once, no restart
    harness.assert_no_pings()


async def test_context_menu_answers_the_selected_message(harness):
    target = harness.message_payload(COVERED, author=harness.other)
    sent = await harness.context_menu("Ask the guides", target, user=harness.member)
    answer = next(s for s in sent if s.kind == "message")  # a reply to the message (tests/discord_bot/test_discord_screen.py)
    assert str(answer.body["message_reference"]["message_id"]) == target["id"] and answer.embeds[0]["fields"]
    empty = harness.message_payload("", author=harness.other)
    refused = (await harness.context_menu("Ask the guides", empty)).reply
    assert refused.ephemeral and "no text" in refused.content
    harness.assert_no_pings()


async def test_direct_messages_are_answered(harness):
    sent = await harness.slash("ask", question=COVERED, guild=False)
    assert sent.reply.embeds[0]["fields"]
    dm = await harness.message(COVERED, guild=False, channel_id=600_000_000_000_000_001)
    assert dm.reply.embeds[0]["fields"]
    harness.assert_no_pings()


async def test_a_forum_post_is_asked_with_its_title(harness):
    """A post's title often holds the question and its body only the details (or just an image)."""
    await harness.slash("settings ask-channel add", user=harness.moderator, channel=harness.channel(FORUM_ID))
    harness.guild.get_thread(POST_ID).name = "Do I need a degree to become an ML engineer?"
    post = await harness.message("", channel_id=POST_ID, message_id=POST_ID, attachments=("cv.png",))
    embed = post.reply.embeds[0]
    assert embed["title"] == "Q: Do I need a degree to become an ML engineer?" and embed["fields"]
    record = await harness.bot.services.community.get_answer(int(post.reply.custom_ids[0].split(":")[2]))
    assert record.question == "Do I need a degree to become an ML engineer?"
    harness.assert_no_pings()


async def test_ask_channels_ignore_system_messages_and_messages_without_a_question(harness):
    await harness.slash("settings ask-channel add", user=harness.moderator, channel=harness.channel(HELP_ID))
    quiet = [
        dict(content="", attachments=("screenshot.png",)),   # an image on its own
        dict(content="   "),
        dict(content="?!?! :)"),                              # no words: not a question, and nobody asked
        dict(content="", kind=7),                             # "member joined"
        dict(content="", kind=6),                             # "pinned a message"
        dict(content=COVERED, kind=18),                       # "started a thread: <its name>"
        dict(content=COVERED, kind=21),                       # a thread's starter-message echo
    ]
    for options in quiet:
        assert await harness.message(channel_id=HELP_ID, **options) == [], options
    assert await count(harness, AnswerLog) == 0
    # Asking the bot by name still explains what is wrong with the message.
    empty = (await harness.message(harness.mention(), channel_id=HELP_ID, mentions=(harness.me,))).reply
    assert "Please type a question" in empty.content
    words = (await harness.message(f"{harness.mention()} ?!?!", channel_id=HELP_ID, mentions=(harness.me,))).reply
    assert "no words" in words.content
    # A question as a reply to someone is still a question in an ask channel.
    earlier = harness.message_payload("hello", channel_id=HELP_ID, author=harness.other)
    answered = (await harness.message(COVERED, channel_id=HELP_ID, reply_to=earlier)).reply
    assert answered.embeds[0]["fields"]
    harness.assert_no_pings()


async def test_a_reply_to_the_bot_is_not_a_question_unless_it_mentions_the_bot(harness):
    answer = (await harness.message(f"{harness.mention()} {COVERED}", mentions=(harness.me,))).reply
    assert answer.embeds[0]["fields"]
    # Replying with Discord's default reply-ping puts the bot in `mentions`, but not in the text.
    thanks = await harness.message("thanks, that helped!", reply_to=answer.message, mentions=(harness.me,))
    assert thanks == []
    in_thread = harness.message_payload(f"{harness.mention()} {COVERED}", channel_id=THREAD_ID)
    assert await harness.message("what about a PhD?", channel_id=THREAD_ID, reply_to=in_thread,
                                 mentions=(harness.me,)) == []
    follow_up = await harness.message(f"{harness.mention()} what about a PhD?", reply_to=answer.message,
                                      mentions=(harness.me,))
    assert follow_up.reply.embeds[0]["title"] == "Q: what about a PhD?"
    assert await count(harness, AnswerLog) == 2
    harness.assert_no_pings()


async def test_more_sources_show_the_answers_own_sources_after_a_reload(harness):
    """The sources listed are the ones the answer cited, not a new search over changed guides."""
    reply = (await harness.slash("ask", question=COVERED)).reply
    answer_id = int(reply.custom_ids[3].split(":")[2])
    cited = (await harness.bot.services.community.get_answer(answer_id)).cited_section_ids
    retired = "arya-how-to-become-ml-engineer#introduction"
    assert len(cited) == 5 and retired in cited[3:], cited  # the real guides, as cited today (under More sources)
    # The guide's title heading is renamed (so its introduction gets another id) and a new guide added.
    arya = harness.settings.guides_dir / "arya-how-to-become-ml-engineer.md"
    arya.write_text(arya.read_text(encoding="utf-8").replace(
        "\n# How to become a Machine Learning Engineer?\n", "\n# Becoming an ML engineer\n"), encoding="utf-8")
    added = (await harness.slash("kb add", user=harness.moderator, file=harness.attachment("degrees.md", DEGREE_GUIDE))).reply
    assert "Guide added" in added.text
    sections = harness.bot.services.knowledge.current.guides.sections
    assert retired not in sections and all(s in sections for s in cited if s != retired)
    rerun = harness.bot.services.answers.answer(COVERED, 5)
    assert any(c.doc_id == "degree-faq" for c in rerun.citations)  # a new search would show the new guide

    more = (await harness.click(reply.custom_ids[3], reply, user=harness.other)).reply
    assert more.ephemeral
    fields = more.embeds[0]["fields"]
    gone = cited.index(retired) - 3
    kept = sections[next(s for s in cited[3:] if s != retired)]
    names = [f"[{n}] (no longer in the guides)" if s == retired else f"[{n}] {kept.guide_title} — {kept.heading}"
             for n, s in enumerate(cited[3:], start=4)]
    assert [f["name"] for f in fields] == names
    assert "retired" in fields[gone]["value"] and "no longer in the guides" in more.embeds[0]["description"]
    assert fields[1 - gone]["value"].startswith("> " + " ".join(kept.text.split())[:40])
    assert "Degree FAQ" not in more.text
    harness.assert_no_pings()


DEGREE_GUIDE = b"""---
id: degree-faq
title: Degree FAQ
---

# Degree FAQ

## Do I need a degree to become an ML engineer?

Do you need a degree to become an ML engineer? A degree helps an ML engineer, but you do not need a degree
to become an ML engineer: many ML engineers become ML engineers through projects instead of a degree.
"""


async def test_the_member_still_gets_the_answer_when_it_cannot_be_logged(harness, monkeypatch, caplog):
    from sqlalchemy.exc import OperationalError

    async def busy(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))
    monkeypatch.setattr(harness.bot.services.community, "record_answer", busy)
    reply = (await harness.slash("ask", question=COVERED)).reply
    assert reply.embeds and reply.embeds[0]["fields"] and not reply.custom_ids  # the answer, without buttons
    assert "could not log an answer" in caplog.text
    harness.assert_no_pings()


async def test_small_talk_in_a_help_channel_gets_no_reply_and_no_gap_but_a_mention_gets_a_friendly_line(harness):
    await harness.slash("settings ask-channel add", user=harness.moderator, channel=harness.channel(HELP_ID))
    for chatter in ("thanks!", "anyone here?", "ok got it, thank you"):
        assert await harness.message(chatter, channel_id=HELP_ID) == [], chatter
    mentioned = (await harness.message(f"{harness.mention()} hello", mentions=(harness.me,))).reply
    assert mentioned.content and "Ask me anything" in mentioned.content and not mentioned.embeds
    slash = (await harness.slash("ask", question="thanks!")).reply
    assert "Ask me anything" in slash.text
    assert await count(harness, UnansweredQuestion) == 0 and await count(harness, AnswerLog) == 0
    answered = await harness.message("thanks! and do I need a degree for ML engineering?", channel_id=HELP_ID)
    assert answered.reply.embeds[0]["fields"]  # a question with a thank-you is still a question
    harness.assert_no_pings()


async def test_related_reading_is_labelled_as_such_and_noted_for_the_moderators(harness):
    reply = (await harness.slash("ask", question="Is machine learning still a good career choice in 2026?")).reply
    embed = reply.embeds[0]
    assert "don't answer that directly" in embed["description"]
    assert embed["fields"] and all(f["name"].startswith("Related reading") for f in embed["fields"])
    assert await count(harness, UnansweredQuestion) == 1
    harness.assert_no_pings()


async def test_the_part_of_a_question_guides_cant_settle_is_named_under_the_answer(harness):
    reply = (await harness.slash("ask", question="What does an ML engineer do day to day? And will the market be "
                                                 "oversaturated in 2027? @everyone")).reply
    description = reply.embeds[0]["description"]
    assert "can't settle one part of your question" in description and "2027" in description
    assert reply.embeds[0]["fields"] and "@everyone" not in description  # member text is escaped
    harness.assert_no_pings()


async def test_the_answers_caches_are_built_at_start_off_the_event_loop(harness):
    from bot.answers import ranking, spelling

    await harness.bot.warming
    kb = harness.bot.services.knowledge.current
    assert id(kb) in ranking._matchers and id(kb) in spelling._spellers
