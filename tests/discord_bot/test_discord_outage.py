"""A database outage through Discord's real dispatch and the local console: questions are still answered
from the guides (without the buttons that need the database, with nothing alarming said), personal
commands say plainly that saving is unavailable, and all of it works again once the database is back,
without a restart."""
from __future__ import annotations

import io

from bot.cli.console import run_console
from bot.discord_bot.errors import UNEXPECTED
from tests.db_faults import Outage
from tests.discord_bot.test_discord_ask import COVERED, OFF_TOPIC
from tests.discord_harness import HELP_ID, harness, harness_settings  # noqa: F401 - fixture

UNAVAILABLE = "Saving is unavailable right now"


def calm(text: str) -> bool:
    lowered = text.lower()
    return UNEXPECTED not in text and not any(w in lowered for w in ("database", "error", "wrong", "unavailable"))


async def test_during_an_outage_questions_are_answered_and_personal_commands_say_saving_is_unavailable(harness, caplog):
    await harness.slash("settings ask-channel add", user=harness.moderator, channel=harness.channel(HELP_ID))
    outage = Outage(harness.bot.services.database)
    outage.begin()

    asked = (await harness.slash("ask", question=COVERED)).reply
    assert not asked.ephemeral and asked.embeds[0]["fields"] and asked.custom_ids == []  # no feedback buttons
    assert calm(asked.text)
    off_topic = (await harness.slash("ask", question=OFF_TOPIC)).reply  # not counted for /kb gaps: no error either
    assert not off_topic.ephemeral and calm(off_topic.text)
    mentioned = (await harness.message(f"{harness.mention()} {COVERED}")).reply
    in_help_channel = (await harness.message(COVERED, channel_id=HELP_ID)).reply
    for reply in (mentioned, in_help_channel):
        assert reply.kind == "message" and reply.embeds[0]["fields"] and calm(reply.text)

    for command, options in [("goal add", {"text": "learn linear algebra"}), ("goal list", {}),
                             ("checklist show", {}), ("roadmap", {}), ("mydata export", {})]:
        reply = (await harness.slash(command, **options)).reply
        assert reply.ephemeral and reply.content.startswith(UNAVAILABLE), (command, reply.content)
    confirm = (await harness.slash("mydata delete")).reply
    deleted = (await harness.click(confirm.custom_ids[0], confirm)).reply
    assert deleted.ephemeral and deleted.content.startswith(UNAVAILABLE)
    assert outage.refused > 0
    harness.bot.ask_channel_cache.clear()  # which channels are help channels is unknown until it is back:
    assert await harness.message(COVERED, channel_id=HELP_ID) == []  # silence, and no traceback logged
    assert not [r for r in caplog.records if r.name.endswith("cogs.ask") and r.exc_info]

    outage.end()
    assert (await harness.message(COVERED, channel_id=HELP_ID)).reply.embeds[0]["fields"]
    added = (await harness.slash("goal add", text="learn linear algebra")).reply
    assert UNAVAILABLE not in added.text and "learn linear algebra" in added.text
    assert [g.text for g in await harness.bot.services.goals.list(harness.member.id)] == ["learn linear algebra"]
    assert (await harness.slash("ask", question=COVERED)).reply.custom_ids  # the feedback buttons are back
    harness.assert_no_pings()


class ScriptedInput:
    """Console input that starts and ends the outage at given lines, from the console's reading thread."""

    def __init__(self, lines: list[str], actions: dict[int, object]) -> None:
        self.lines, self.actions, self.read = lines, actions, 0

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        action = self.actions.get(self.read)
        if action is not None:
            action()
        self.read += 1
        return self.lines[self.read - 1] + "\n" if self.read <= len(self.lines) else ""


async def test_the_console_keeps_answering_through_an_outage(tmp_path, monkeypatch):
    from bot import container

    databases = []
    original = container.open_database
    monkeypatch.setattr(container, "open_database", lambda s: databases.append(original(s)) or databases[-1])
    outage: list[Outage] = []

    def begin() -> None:
        outage.append(Outage(databases[0]))
        outage[0].begin()

    lines = [COVERED, "/goal add before", OFF_TOPIC, "/goal add during", "/goal list", COVERED, "/goal add after",
             "/goal list"]
    stdin, stdout = ScriptedInput(lines, {2: begin, 6: lambda: outage[0].end()}), io.StringIO()
    assert await run_console(harness_settings(tmp_path), stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert stdin.read == len(lines) + 1  # every line was read: the session did not end early
    assert out.count("Sources:") == 2 and "The guides don't cover that" in out  # every question answered
    assert out.count(UNAVAILABLE) == 2  # "/goal add during" and the first "/goal list"
    assert "Added goal #1: before" in out and "Added goal #2: after" in out and "Traceback" not in out
    assert out.rstrip().endswith("Your goals:\n  [ ] #1 before\n  [ ] #2 after")


async def test_autocomplete_during_an_outage_offers_nothing_instead_of_failing(harness, caplog):
    await harness.slash("goal add", text="learn linear algebra")
    outage = Outage(harness.bot.services.database)
    outage.begin()
    for command, option in [("goal done", "goal"), ("goal remove", "goal"), ("checklist read", "entry"),
                            ("checklist remove", "entry")]:
        assert await harness.autocomplete(command, option, "") == [], command
    assert not [r for r in caplog.records if r.exc_info]  # discord.py logged no failed autocomplete
    outage.end()
    assert [c["name"] for c in await harness.autocomplete("goal done", "goal", "")] == ["#1 learn linear algebra"]
