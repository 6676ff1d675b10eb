"""Help, the error boundary, cooldowns, no-ping mentions, the factory and the runner (token handling,
shutdown, sync), all without network."""
from __future__ import annotations

import asyncio
import logging
import os
import re
import signal

import discord
import pytest
from discord import app_commands

from bot import Settings, create_bot
from bot.discord_bot import runner
from bot.discord_bot.errors import CareerTree
from tests.discord_harness import (  # noqa: F401
    APP_ID,
    BOT_ID,
    GENERAL_ID,
    GUILD_ID,
    HELP_ID,
    THREAD_ID,
    Persona,
    Recorder,
    harness,
    harness_settings,
    make_harness,
)

COVERED = "do I need a degree to become an ML engineer?"
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.very-secret-token-value"


async def test_help_lists_every_command_with_examples_privately(harness):
    reply = (await harness.slash("help")).reply
    assert reply.ephemeral
    for command in harness.bot.tree.get_commands(type=discord.AppCommandType.chat_input):
        assert command.name == "help" or f"/{command.name}" in reply.text, command.name
    for name in ("/roadmap", "/goal", "/checklist", "/mydata", "/kb reload", "/settings ask-channel add",
                 "Ask the guides", "mention me"):
        assert name in reply.text
    assert "/ask question: do I need a degree" in reply.text
    harness.assert_no_pings()


async def test_every_command_and_option_is_described(harness):
    for command in harness.bot.tree.walk_commands():
        assert command.description and command.description != "…", command.qualified_name
        if isinstance(command, app_commands.Command):
            for param in command.parameters:
                assert param.description and param.description != "…", f"{command.qualified_name} {param.name}"
    menus = harness.bot.tree.get_commands(type=discord.AppCommandType.message)
    assert [m.name for m in menus] == ["Ask the guides"]


async def break_the_database(h) -> None:
    """A real storage failure: the database file disappears under the running bot."""
    await h.bot.services.database.dispose()
    for path in h.tmp_path.glob("careerbot.sqlite3*"):
        path.unlink()


async def test_unexpected_failures_become_a_short_private_reply_and_a_logged_traceback(harness, caplog, monkeypatch):
    answer = (await harness.slash("ask", question=COVERED)).reply
    await break_the_database(harness)
    with caplog.at_level(logging.ERROR):
        vote = (await harness.click(answer.custom_ids[0], answer)).reply  # a real storage failure
    assert vote.ephemeral and vote.content.startswith("Something went wrong on my side")
    assert "sqlite" not in vote.content.lower() and "Traceback" not in vote.content
    record = next(r for r in caplog.records if r.name == "bot.discord_bot.errors")
    assert record.exc_info and "no such table" in str(record.exc_info[1])
    # Asking needs the database only for the log behind the buttons: the answer still comes, without them.
    still = (await harness.slash("ask", question=COVERED)).reply
    assert not still.ephemeral and still.embeds[0]["fields"] and not still.custom_ids
    mention = await harness.message(f"{harness.mention()} {COVERED}", mentions=(harness.me,))
    assert mention.reply.embeds and not mention.reply.custom_ids

    def boom(*args, **kwargs):
        raise RuntimeError("search exploded")
    monkeypatch.setattr(harness.bot.services.answers, "answer", boom)
    sent = await harness.slash("ask", question=COVERED)
    assert sent[0].callback_type == 5
    assert any(s.kind == "delete_original" for s in sent)  # the public "thinking…" placeholder is removed
    assert sent.reply.ephemeral and sent.reply.content.startswith("Something went wrong on my side")
    assert "search exploded" not in sent.reply.content
    mention = await harness.message(f"{harness.mention()} {COVERED}", mentions=(harness.me,))
    assert mention.reply.content.startswith("Something went wrong on my side")
    harness.assert_no_pings()


async def test_when_the_ask_channels_cannot_be_read_ordinary_messages_get_no_reply(harness, caplog):
    await break_the_database(harness)
    with caplog.at_level(logging.WARNING):
        for channel_id in (GENERAL_ID, HELP_ID, THREAD_ID):
            assert await harness.message("anyone around for lunch?", channel_id=channel_id) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    warnings = [r for r in caplog.records if r.name == "bot.discord_bot.cogs.ask"]
    assert len(warnings) == 3 and "could not decide whether to answer" in warnings[0].getMessage()
    assert "no such table" in str(warnings[0].exc_info[1])


async def test_the_asking_cooldown_is_per_member_and_says_when_to_try_again(tmp_path):
    async with make_harness(tmp_path, ask_cooldown_rate=1, ask_cooldown_seconds=30) as h:
        assert (await h.slash("ask", question=COVERED)).reply.embeds
        limited = (await h.slash("ask", question=COVERED)).reply
        assert limited.ephemeral and re.search(r"try again in (29|30) seconds", limited.content)
        target = h.message_payload(COVERED, author=h.other)
        menu = (await h.context_menu("Ask the guides", target)).reply
        assert menu.ephemeral and "try again in" in menu.content
        mention = (await h.message(f"{h.mention()} {COVERED}", mentions=(h.me,))).reply
        assert "try again in" in mention.content and mention.body["message_reference"]
        assert (await h.slash("ask", question=COVERED, user=h.other)).reply.embeds  # another member
        h.assert_no_pings()


async def test_every_message_in_a_session_pings_nobody(harness):
    await harness.slash("settings ask-channel add", user=harness.moderator, channel=harness.channel(800_000_000_000_000_011))
    answer = (await harness.slash("ask", question=f"@everyone <@&{GUILD_ID}> {COVERED}")).reply
    for custom_id in answer.custom_ids:
        await harness.click(custom_id, answer, user=harness.other)
    await harness.message(f"@everyone {harness.mention()} {COVERED}", mentions=(harness.me,), mention_everyone=True)
    await harness.message(f"@here {COVERED}", channel_id=800_000_000_000_000_011)
    for name in ("help", "kb status", "kb gaps", "kb reload"):
        await harness.slash(name, user=harness.moderator)
    messages = [s for s in harness.all_sent() if s.is_message]
    assert len(messages) >= 12
    harness.assert_no_pings()


def test_create_bot_is_configured_and_touches_no_network(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the factory must not touch the network")
    monkeypatch.setattr(discord.http.HTTPClient, "request", no_network)
    monkeypatch.setattr(discord.http.HTTPClient, "static_login", no_network)
    settings = Settings(discord_token=TOKEN, database_url=f"sqlite:///{tmp_path}/x.sqlite3", knowledge_dir=tmp_path / "k")
    bot = create_bot(settings)
    assert isinstance(bot, discord.ext.commands.Bot) and isinstance(bot.tree, CareerTree)
    # Only what the bot uses (threads and forum posts come with `guilds`); nothing privileged but content.
    assert bot.intents == discord.Intents(guilds=True, guild_messages=True, dm_messages=True, message_content=True)
    assert not bot.intents.members and not bot.intents.presences and not bot.intents.typing
    assert bot.allowed_mentions.to_dict() == {"parse": []}
    assert not (tmp_path / "x.sqlite3").exists() and bot._services is None
    assert TOKEN not in repr(settings)


async def test_setup_loads_extensions_without_requests_or_a_global_sync(harness):
    assert harness.recorder.sent == []  # setup_hook ran: services, extensions, dynamic items, no sync
    assert {"bot.discord_bot.cogs.ask", "bot.discord_bot.cogs.kb", "bot.discord_bot.cogs.settings",
            "bot.discord_bot.cogs.help"} <= set(harness.bot.extensions)


async def test_a_development_guild_gets_its_commands_synced_and_nothing_else(tmp_path):
    settings = harness_settings(tmp_path, dev_guild_id=GUILD_ID)
    bot = create_bot(settings)
    recorder = Recorder({})
    bot.http.request = recorder.http_request
    bot._connection.application_id = APP_ID
    try:
        await bot._async_setup_hook()
        await bot.setup_hook()
    finally:
        await bot.close()
    assert [(s.method, s.url.split("/api/v10")[1]) for s in recorder.sent] == [
        ("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")]
    assert {c["name"] for c in recorder.sent[0].payload} >= {"ask", "kb", "settings", "help", "Ask the guides"}


# ---------------------------------------------------------------------- the runner (process level)

@pytest.fixture
def restore_logging():
    from bot.logs import uninstall_redaction

    root = logging.getLogger()
    handlers, level, factory = list(root.handlers), root.level, logging.getLogRecordFactory()
    yield
    uninstall_redaction()  # the runner masks the token process-wide: undo it for the next tests
    logging.setLogRecordFactory(factory)
    root.handlers[:], root.level = handlers, level


def fake_login(monkeypatch, *, reject: bool = False) -> list[str]:
    """Replace the network part of login: Discord either rejects the token or returns the bot user."""
    seen: list[str] = []

    async def login(self, token: str) -> None:
        seen.append(token)
        logging.getLogger("discord.client").info("logging in using static token %s", token)
        if reject:
            raise discord.LoginFailure("Improper token has been passed.")
        self._connection.user = discord.ClientUser(state=self._connection, data=Persona(BOT_ID, "careerbot", bot=True).user())
        self._connection.application_id = APP_ID
        await self.setup_hook()
    monkeypatch.setattr(discord.Client, "login", login)
    return seen


def test_run_without_a_token_says_what_to_do(capsys):
    assert runner.run(Settings(discord_token="  ")) == 2
    assert capsys.readouterr().err == "DISCORD_TOKEN is not set: put it in .env or the environment (see README)\n"


def test_a_rejected_token_gives_one_line_and_never_shows_the_token(tmp_path, monkeypatch, capsys, restore_logging):
    seen = fake_login(monkeypatch, reject=True)
    assert runner.run(harness_settings(tmp_path, discord_token=TOKEN)) == 3
    out, err = capsys.readouterr()
    assert seen == [TOKEN] and TOKEN not in out + err
    assert "logging in using static token ***" in err  # the log line was written, masked
    assert err.strip().splitlines()[-1].startswith("Discord rejected the token: ")


def test_sigterm_closes_the_bot_and_the_database(tmp_path, monkeypatch, capsys, restore_logging):
    fake_login(monkeypatch)

    async def connect(self, *, reconnect: bool = True) -> None:  # the gateway: stays up until closed
        os.kill(os.getpid(), signal.SIGTERM)
        while not self.is_closed():
            await asyncio.sleep(0)
    monkeypatch.setattr(discord.Client, "connect", connect)
    assert runner.run(harness_settings(tmp_path, discord_token=TOKEN)) == 0
    err = capsys.readouterr().err
    assert "received SIGTERM, shutting down" in err and "closed the database" in err and TOKEN not in err


@pytest.mark.parametrize("guild_id", [GUILD_ID, None])
def test_sync_command_syncs_to_one_guild_or_globally(tmp_path, monkeypatch, capsys, restore_logging, guild_id):
    fake_login(monkeypatch)
    routes: list[str] = []

    async def request(self, route, **kwargs):
        routes.append(f"{route.method} {route.url.split('/api/v10')[1]}")
        return [{"description": "", **c, "id": str(n + 1), "application_id": str(APP_ID), "version": "1"}
                for n, c in enumerate(kwargs.get("json") or [])]
    monkeypatch.setattr(discord.http.HTTPClient, "request", request)
    settings = harness_settings(tmp_path, discord_token=TOKEN, dev_guild_id=999)  # ignored by sync
    assert runner.sync(settings, guild_id) == 0
    where = f"/guilds/{guild_id}" if guild_id else ""
    assert routes == [f"PUT /applications/{APP_ID}{where}/commands"]
    out = capsys.readouterr().out
    assert re.search(r"Synced \d+ commands (to server \d+|globally)", out)


@pytest.mark.parametrize("guild_id", [GUILD_ID, None])
def test_a_refused_sync_says_what_to_check(tmp_path, monkeypatch, capsys, restore_logging, guild_id):
    fake_login(monkeypatch)

    async def request(self, route, **kwargs):
        raise discord.Forbidden(_Forbidden(), {"code": 50001, "message": "Missing Access"})
    monkeypatch.setattr(discord.http.HTTPClient, "request", request)
    assert runner.sync(harness_settings(tmp_path, discord_token=TOKEN), guild_id) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    if guild_id:
        assert last == (f"Discord refused the sync: is the bot in server {guild_id} with the applications.commands "
                        "scope?")
    else:
        assert last.startswith("Discord refused the global sync: ") and "None" not in last and "server" not in last


class _Forbidden:
    status, reason = 403, "Forbidden"


def test_a_refused_message_content_intent_says_where_to_enable_it(tmp_path, monkeypatch, capsys, restore_logging):
    fake_login(monkeypatch)

    async def connect(self, *, reconnect: bool = True) -> None:
        raise discord.PrivilegedIntentsRequired(shard_id=None)
    monkeypatch.setattr(discord.Client, "connect", connect)
    assert runner.run(harness_settings(tmp_path, discord_token=TOKEN)) == 4
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("Discord refused the Message Content intent") and TOKEN not in err


def test_a_traceback_that_carries_the_token_is_not_logged():
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(runner.RedactToken(TOKEN))
    log = logging.getLogger("careerbot.test.redact")
    log.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"HTTP 401 for Authorization: Bot {TOKEN}")
        except RuntimeError:
            log.exception("request failed with %s", TOKEN)
        try:
            raise RuntimeError("an ordinary failure")
        except RuntimeError:
            log.exception("request failed")
    finally:
        log.removeHandler(handler)
    text = stream.getvalue()
    assert TOKEN not in text and "request failed with ***" in text
    assert "an ordinary failure" in text and "Traceback" in text  # other tracebacks are kept
