"""/goal and /checklist through Discord's real dispatch: every subcommand, autocomplete over the member's own
entries only, private replies, bad input (unknown or another member's ids) and no pings."""
from __future__ import annotations

from datetime import date, timedelta

from discord import app_commands

from tests.discord_harness import MOD_ROLE_ID, harness  # noqa: F401 - fixture

SOON = (date.today() + timedelta(days=30)).isoformat()
LATER = (date.today() + timedelta(days=90)).isoformat()
SECTIONS = [  # real section ids from knowledge/ (roadmap items point at them)
    "simplilearn-ml-career-guide#what-exactly-is-a-machine-learning-engineer",
    "arya-how-to-become-ml-engineer#what-does-an-ml-engineer-do",
    "brainstation-ml-engineer-guide#where-do-machine-learning-engineers-come-from",
]


async def goals_of(h, persona) -> list[tuple[int, str, bool]]:
    return [(g.id, g.text, g.done) for g in await h.bot.services.goals.list(persona.id)]


async def test_my_commands_and_options_are_described(harness):
    names = {"roadmap", "goal", "checklist", "mydata"}
    commands = [c for c in harness.bot.tree.walk_commands() if c.qualified_name.split()[0] in names]
    assert {c.qualified_name for c in commands if isinstance(c, app_commands.Command)} == {
        "roadmap", "goal add", "goal list", "goal done", "goal reopen", "goal remove", "checklist show",
        "checklist read", "checklist unread", "checklist remove", "mydata export", "mydata delete"}
    for command in commands:
        assert command.description and command.description != "…", command.qualified_name
        for param in getattr(command, "parameters", []):
            assert param.description and param.description != "…", f"{command.qualified_name} {param.name}"


async def test_goal_add_and_list_are_private(harness):
    empty = (await harness.slash("goal list")).reply
    assert empty.ephemeral and "You have no goals yet" in empty.content
    added = (await harness.slash("goal add", text="Finish an end-to-end ML project", due=SOON)).reply
    assert added.ephemeral and added.content == f"Added goal **#1**: Finish an end-to-end ML project (by {SOON})"
    await harness.slash("goal add", text="Learn linear algebra")
    await harness.slash("goal done", goal="2")
    listed = (await harness.slash("goal list")).reply
    assert listed.ephemeral and listed.embeds[0]["title"] == "Your goals (1/2 done)"
    assert listed.embeds[0]["description"].splitlines() == [
        f"⬜ **#1** Finish an end-to-end ML project (by {SOON})", "✅ **#2** Learn linear algebra"]
    assert (await harness.slash("goal list", user=harness.other)).reply.content.startswith("You have no goals yet")
    harness.assert_no_pings()


async def test_goal_done_reopen_remove_autocomplete_over_the_members_own_goals(harness):
    await harness.slash("goal add", text="Finish an end-to-end ML project", due=LATER)
    await harness.slash("goal add", text="Learn linear algebra", due=SOON)
    await harness.slash("goal add", text="Someone else's goal", user=harness.other)
    open_goals = await harness.autocomplete("goal done", "goal", "")
    assert open_goals == [{"name": f"#2 Learn linear algebra (by {SOON})", "value": "2"},
                          {"name": f"#1 Finish an end-to-end ML project (by {LATER})", "value": "1"}]
    assert [c["value"] for c in await harness.autocomplete("goal done", "goal", "LINEAR")] == ["2"]
    assert [c["value"] for c in await harness.autocomplete("goal done", "goal", "#1")] == ["1"]
    assert await harness.autocomplete("goal reopen", "goal", "") == []
    done = (await harness.slash("goal done", goal="2")).reply
    assert done.ephemeral and done.content == "Completed goal **#2**: Learn linear algebra"
    assert [c["value"] for c in await harness.autocomplete("goal done", "goal", "")] == ["1"]
    assert [c["value"] for c in await harness.autocomplete("goal reopen", "goal", "")] == ["2"]
    reopened = (await harness.slash("goal reopen", goal="#2")).reply
    assert reopened.content == "Reopened goal **#2**: Learn linear algebra"
    assert [c["value"] for c in await harness.autocomplete("goal remove", "goal", "")] == ["2", "1"]
    assert [c["value"] for c in await harness.autocomplete("goal remove", "goal", "", user=harness.other)] == ["3"]
    removed = (await harness.slash("goal remove", goal="1")).reply
    assert removed.ephemeral and removed.content == "Removed goal **#1**: Finish an end-to-end ML project"
    assert await goals_of(harness, harness.member) == [(2, "Learn linear algebra", False)]
    harness.assert_no_pings()


async def test_bad_goal_input_gets_a_clear_private_reply_and_nothing_is_lost(harness):
    await harness.slash("goal add", text="Learn linear algebra")
    before = await goals_of(harness, harness.member)
    cases = [
        ("goal add", {"text": "Ship a model", "due": "next friday"}, "is not a date; write it as YYYY-MM-DD"),
        ("goal add", {"text": "Ship a model", "due": "2000-01-01"}, "is in the past"),
        ("goal add", {"text": "   "}, "A goal needs a description"),
        ("goal done", {"goal": "linear algebra"}, "Pick one of your goals from the list"),
        ("goal done", {"goal": "²"}, "Pick one of your goals from the list"),    # "²".isdigit(), but not a number
        ("goal remove", {"goal": "#١"}, "Pick one of your goals from the list"),  # an Arabic-Indic digit one
        ("goal done", {"goal": "999"}, "You have no goal #999."),
        ("goal remove", {"goal": "99999999999999999999"}, "You have no goal #99999999999999999999."),
    ]
    for name, options, expected in cases:
        reply = (await harness.slash(name, **options)).reply
        assert reply.ephemeral and expected in reply.content, (name, options, reply.content)
    for name in ("goal done", "goal reopen", "goal remove"):  # another member's goal looks like a missing one
        reply = (await harness.slash(name, goal="1", user=harness.other)).reply
        assert reply.ephemeral and reply.content == "You have no goal #1."
    assert await goals_of(harness, harness.member) == before
    assert await goals_of(harness, harness.other) == []
    harness.assert_no_pings()


async def test_goal_text_with_mentions_and_markdown_pings_nobody(harness):
    text = f"@everyone **ship** <@&{MOD_ROLE_ID}> with <@{harness.other.id}>"
    added = (await harness.slash("goal add", text=text)).reply
    assert "@everyone" not in added.content and "\\*\\*ship\\*\\*" in added.content
    listed = (await harness.slash("goal list")).reply
    assert "@everyone" not in listed.embeds[0]["description"]
    assert added.allowed_mentions == listed.allowed_mentions == {"parse": []}
    harness.assert_no_pings()


async def save_sections(h, persona, section_ids=SECTIONS) -> list[int]:
    return [(await h.bot.services.reading.save(persona.id, s))[0].id for s in section_ids]


async def test_checklist_show_read_unread_remove_with_autocomplete(harness):
    empty = (await harness.slash("checklist show")).reply
    assert empty.ephemeral and "Your reading list is empty" in empty.content
    first, second, third = await save_sections(harness, harness.member)
    shown = (await harness.slash("checklist show")).reply
    assert shown.ephemeral and shown.embeds[0]["title"] == "Your reading list (0/3 read)"
    lines = shown.embeds[0]["description"].splitlines()
    assert lines[0].startswith(f"⬜ **#{first}** · [What Exactly is a Machine Learning Engineer?](https://")
    unread = await harness.autocomplete("checklist read", "entry", "")
    assert [c["value"] for c in unread] == [str(first), str(second), str(third)]
    assert unread[1]["name"].startswith(f"#{second} · What does an ML engineer do? — How to become")
    assert [c["value"] for c in await harness.autocomplete("checklist read", "entry", "brainstation")] == [str(third)]
    read = (await harness.slash("checklist read", entry=str(second))).reply
    assert read.ephemeral and read.content.startswith(f"Marked **#{second}** · What does an ML engineer do?")
    assert [c["value"] for c in await harness.autocomplete("checklist read", "entry", "")] == [str(first), str(third)]
    assert [c["value"] for c in await harness.autocomplete("checklist unread", "entry", "")] == [str(second)]
    by_section = (await harness.slash("checklist read", entry=SECTIONS[0])).reply  # a section id works too
    assert by_section.content.startswith(f"Marked **#{first}** ·")
    back = (await harness.slash("checklist unread", entry=f"#{second}")).reply  # "#7" is entry 7 too
    assert back.content.endswith("as unread.")
    assert len(await harness.autocomplete("checklist remove", "entry", "")) == 3
    removed = (await harness.slash("checklist remove", entry=str(third))).reply
    assert removed.ephemeral and removed.content.startswith("Removed Where Do Machine Learning Engineers Come From")
    entries = await harness.bot.services.reading.list(harness.member.id)
    assert [(e.id, e.read) for e in entries] == [(second, False), (first, True)]
    assert (await harness.slash("checklist show")).reply.embeds[0]["title"] == "Your reading list (1/2 read)"
    harness.assert_no_pings()


async def test_checklist_refuses_unknown_and_other_members_entries(harness):
    (mine,) = await save_sections(harness, harness.member, SECTIONS[:1])
    assert await harness.autocomplete("checklist remove", "entry", "", user=harness.other) == []
    for name in ("checklist read", "checklist unread", "checklist remove"):
        for entry in (str(mine), SECTIONS[0], "no-such-entry"):
            reply = (await harness.slash(name, entry=entry, user=harness.other)).reply
            assert reply.ephemeral and "is not on your reading list" in reply.content, (name, entry)
    entries = await harness.bot.services.reading.list(harness.member.id)
    assert [(e.id, e.read) for e in entries] == [(mine, False)]
    harness.assert_no_pings()
