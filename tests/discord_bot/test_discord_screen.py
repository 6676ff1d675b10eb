"""What members see on screen, through Discord's real dispatch: "Ask the guides" replies to the message
(no raw message link, no ping), echoed member text renders as plain text, reading-list entries are
unambiguous, and the /kb remove confirmation survives a restart."""
from __future__ import annotations

from tests.discord_harness import harness  # noqa: F401 - fixture

COVERED = "Do I need a degree to become an ML engineer?"


async def test_ask_the_guides_replies_to_the_message_without_a_link_or_a_ping(harness):
    target = harness.message_payload(COVERED, author=harness.other)
    sent = await harness.context_menu("Ask the guides", target, user=harness.member)
    assert [s.kind for s in sent if s.is_message or s.callback_type == 5] == ["callback", "message", "followup"]
    assert sent[0].callback_type == 5 and sent[0].ephemeral  # "thinking…" only for the member who asked
    answer = sent[1]
    assert str(answer.body["message_reference"]["message_id"]) == target["id"] and not answer.ephemeral
    assert answer.embeds[0]["fields"] and answer.custom_ids  # the answer, with its feedback buttons
    assert answer.allowed_mentions == {"parse": [], "replied_user": False}
    assert sent[2].ephemeral and sent[2].content == "I answered in a reply to that message."
    for s in sent.messages:
        assert "discord.com/channels" not in s.text and "Answering" not in s.text
    harness.assert_no_pings()


async def test_ask_the_guides_answers_privately_when_it_cannot_post_there(harness, monkeypatch):
    import discord

    from tests.discord_recorder import _FakeResponse

    async def refuse(self, *args, **kwargs):
        raise discord.Forbidden(_FakeResponse(403), "Missing Access")

    monkeypatch.setattr(discord.Message, "reply", refuse)
    target = harness.message_payload(COVERED, author=harness.other)
    sent = await harness.context_menu("Ask the guides", target, user=harness.member)
    assert [s.kind for s in sent.messages] == ["followup"]
    assert sent.reply.ephemeral and sent.reply.embeds[0]["fields"] and "discord.com/channels" not in sent.reply.text
    harness.assert_no_pings()


async def test_member_text_in_titles_renders_as_plain_text(harness):
    from bot.discord_bot.embeds import PLAIN

    question = "**Do** I need a _degree_ to become an `ML` engineer? ~~no~~ ||yes|| \\o/"
    reply = (await harness.slash("ask", question=question)).reply
    title = reply.embeds[0]["title"]
    for char in "*_~`|\\":
        assert char not in title, (char, title)  # no markdown, and no backslash escape shown as it is
    back = {ord(v): k for k, v in PLAIN.items()}
    assert title.translate(back) == f"Q: {question}"  # reads exactly as typed
    from bot.discord_bot.embeds import sources_embed
    assert sources_embed(question, []).title.translate(back) == f"More sources: {question}"
    assert "\\" not in sources_embed(question, []).title


async def test_kb_remove_confirmation_works_after_a_restart_and_a_late_click_changes_nothing(tmp_path, monkeypatch):
    from bot.discord_bot import views
    from tests.discord_harness import make_harness

    monkeypatch.setattr(views, "KB_CONFIRM_SECONDS", 3600)  # no race with the clock on a slow machine
    from tests.discord_bot.test_discord_kb import NEW_GUIDE

    guide = "quokka-study-plan"  # a guide the roadmap doesn't need
    async with make_harness(tmp_path) as first:
        await first.slash("kb add", user=first.moderator, file=first.attachment("quokka.md", NEW_GUIDE))
        ask = (await first.slash("kb remove", user=first.moderator, guide=guide)).reply
        confirm, cancel = ask.custom_ids
        assert confirm.startswith(f"careerbot:kbrm:{first.moderator.id}:") and confirm.endswith(f":remove:{guide}")
    async with make_harness(tmp_path) as second:  # a new bot process: the old message's buttons still work
        refused = (await second.click(confirm, ask.message, user=second.owner)).reply
        assert refused.ephemeral and "Only the person who started this" in refused.content
        late = confirm.replace(confirm.split(":")[3], "1")  # the same button, past its expiry
        expired = (await second.click(late, second.button_message(late, ephemeral=True), user=second.moderator)).reply
        assert expired.callback_type == 7 and "expired; nothing was changed" in expired.content
        assert all(c["disabled"] for row in expired.body["components"] for c in row["components"])
        assert second.bot.services.knowledge.current.guides.guide(guide) is not None
        done = await second.click(confirm, ask.message, user=second.moderator)
        assert done[0].callback_type == 7 and done[-1].kind == "edit_original", done[-1].text
        assert "Removed **" in done[-1].content, done[-1].text
        assert second.bot.services.knowledge.current.guides.guide(guide) is None
        second.assert_no_pings()


def test_long_guide_ids_are_hashed_to_fit_a_custom_id():
    from bot.discord_bot.views import RemoveGuideButton

    long_id = "g" * 80
    button = RemoveGuideButton(10**19, 10**11, "remove", long_id)
    assert len(button.custom_id) <= 100 and button.custom_id.endswith(":remove:~" + button.custom_id[-12:])


SPANISH = "¿Cómo me convierto en ingeniero de aprendizaje automático sin un título universitario?"


async def test_a_question_in_another_language_is_invited_in_english(harness):
    from bot.search.language import NOT_ENGLISH_NOTE

    reply = (await harness.slash("ask", question=SPANISH)).reply
    embed = reply.embeds[0]
    assert embed["description"] == NOT_ENGLISH_NOTE and "guides are written in English" in embed["footer"]["text"]
    assert "don't cover" not in reply.text and not embed.get("fields")
    assert await harness.bot.services.community.gaps(harness.guild.id) == []  # a language, not a gap in the guides
    english = (await harness.slash("ask", question="what is the best pizza topping in naples?")).reply
    assert "don't cover" in english.text  # an English question the guides don't cover is still told so
    assert len(await harness.bot.services.community.gaps(harness.guild.id)) == 1
    harness.assert_no_pings()


async def test_the_console_says_the_guides_are_in_english(tmp_path):
    from bot.cli.console import Session, handle_line
    from bot.container import build_services
    from bot.search.language import NOT_ENGLISH_NOTE
    from tests.discord_harness import harness_settings

    services = await build_services(harness_settings(tmp_path))
    try:
        assert await handle_line(SPANISH, services, session=Session()) == NOT_ENGLISH_NOTE
        answer = services.answers.answer("Wie werde ich ML-Ingenieur ohne Studium?")
        assert answer.reason == "not_english" and not answer.answered
        assert services.answers.answer("do I need a degree?").reason is None
    finally:
        await services.close()


async def test_reading_list_entries_are_not_confused_with_numbered_headings(harness):
    masters = next(s.id for s in harness.bot.services.knowledge.current.guides.sections.values()
                   if s.heading == "3. Masters or Ph.D.")
    entry, _ = await harness.bot.services.reading.save(harness.member.id, masters)
    line = (await harness.slash("checklist show")).reply.embeds[0]["description"].splitlines()[0]
    assert line.startswith(f"⬜ **#{entry.id}** · 3. Masters or Ph.D. — ")  # was "**1.** 3. Masters or Ph.D."
