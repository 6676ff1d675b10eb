"""A bot started while its database is down: it starts in guides-only mode with one warning, answers
`/ask`, mentions and help channels from the guides, says "Saving is unavailable right now" to personal
commands, and works fully once the database is back, without a restart (the migrations run on the first
use that reaches it). Through discord.py's real dispatch; the outage is a refused connection (SQLite) or a
stopped TCP proxy in front of PostgreSQL (skipped without TEST_DATABASE_URL).

Help channels: they are read from the database, all of them at start, so an outage that starts later
leaves them answering. A bot that *starts* during an outage answers in the help channels of its last
snapshot (`<STATE_DIR>/help_channels.json`, written whenever they are read or changed) until the database
is back, and then follows the database again; without a snapshot it answers `/ask`, mentions and DMs only
(answering every channel would be worse).
"""
from __future__ import annotations

import logging

import pytest

from bot.storage.database import normalise_url
from tests.conftest import PG_URL
from tests.db_faults import Outage, PgProxy, databases_start_down
from tests.discord_bot.test_discord_ask import COVERED
from tests.discord_bot.test_multi_process import fresh_database
from tests.discord_harness import HELP_ID, make_harness

UNAVAILABLE = "Saving is unavailable right now"
MEMBER_TEXT = "learn linear algebra"


def start_up_warnings(caplog) -> list[logging.LogRecord]:
    """Warnings logged so far, but discord.py's about voice libraries (`careerbot run` silences those)."""
    return [r for r in caplog.records if r.levelno >= logging.WARNING and "voice will NOT" not in r.getMessage()]


class Proxy(PgProxy):
    """The proxy's pipes live as long as the pooled connections: the harness's `drain` must not wait for them."""

    harness = None

    async def _client(self, reader, writer) -> None:
        await super()._client(reader, writer)
        for task in list(self.tasks):
            if self.harness is not None:
                self.harness.ignore_task(task)


async def answers_from_the_guides(h) -> None:
    asked = (await h.slash("ask", question=COVERED)).reply
    assert not asked.ephemeral and asked.embeds[0]["fields"] and asked.custom_ids == []  # no feedback buttons
    mentioned = (await h.message(f"{h.mention()} {COVERED}")).reply
    assert mentioned.kind == "message" and mentioned.embeds[0]["fields"]
    dm = (await h.message(COVERED, guild=False)).reply
    assert dm.embeds[0]["fields"]
    for command, options in [("goal add", {"text": MEMBER_TEXT}), ("goal list", {}), ("roadmap", {}),
                             ("mydata export", {})]:
        reply = (await h.slash(command, **options)).reply
        assert reply.ephemeral and reply.content.startswith(UNAVAILABLE), (command, reply.content)
    added = (await h.slash("settings ask-channel add", user=h.moderator, channel=h.channel(HELP_ID))).reply
    assert added.ephemeral and added.content.startswith(UNAVAILABLE)


async def works_again(h) -> None:
    added = (await h.slash("goal add", text=MEMBER_TEXT)).reply
    assert UNAVAILABLE not in added.text and MEMBER_TEXT in added.text
    assert [g.text for g in await h.bot.services.goals.list(h.member.id)] == [MEMBER_TEXT]
    assert (await h.slash("ask", question=COVERED)).reply.custom_ids  # the feedback buttons are back
    await h.slash("settings ask-channel add", user=h.moderator, channel=h.channel(HELP_ID))
    assert (await h.message(COVERED, channel_id=HELP_ID)).reply.embeds[0]["fields"]
    h.assert_no_pings()


def assert_one_start_up_warning(caplog, h) -> None:
    warnings = start_up_warnings(caplog)
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    line = warnings[0].getMessage()
    assert "guides-only mode" in line and "\n" not in line and warnings[0].exc_info is None
    assert str(h.member.id) not in line


async def test_a_bot_started_while_the_database_is_down_answers_from_the_guides_and_recovers(tmp_path, monkeypatch,
                                                                                              caplog):

    outages = databases_start_down(monkeypatch)
    caplog.set_level(logging.INFO)
    async with make_harness(tmp_path) as h:
        assert_one_start_up_warning(caplog, h)
        assert h.bot.services.database_down_at_start
        await answers_from_the_guides(h)
        assert outages[0].refused > 0
        assert not [r for r in start_up_warnings(caplog) if r.name.startswith("bot.storage")]  # no warning per retry
        outages[0].end()  # the database is back: no restart
        await works_again(h)
        assert "saving works again" in caplog.text
    logged = caplog.text
    assert MEMBER_TEXT not in logged and COVERED not in logged and str(h.member.id) not in logged


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
async def test_a_bot_started_while_postgres_is_down_starts_and_catches_up_when_it_is_back(tmp_path, caplog):
    async with fresh_database() as url, Proxy(normalise_url(url).port or 5432) as proxy:
        await proxy.stop()  # the server is down: its port refuses connections
        proxied = normalise_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        caplog.set_level(logging.INFO)
        async with make_harness(tmp_path, database_url=proxied, knowledge_check_seconds=3600) as h:
            proxy.harness = h
            assert_one_start_up_warning(caplog, h)
            assert h.bot.knowledge_sync.served_version is None  # the folder's guides, not yet the database's
            await answers_from_the_guides(h)
            await proxy.start()
            assert await h.bot.knowledge_sync.check()  # the periodic check: listens, and serves the database's
            assert h.bot.knowledge_sync.served_version == 0 and h.bot.knowledge_sync.listener is not None
            await works_again(h)


async def test_help_channels_keep_answering_through_an_outage_that_starts_after_start_up(tmp_path):
    async with make_harness(tmp_path) as first:
        await first.slash("settings ask-channel add", user=first.moderator, channel=first.channel(HELP_ID))
    async with make_harness(tmp_path) as h:  # a restart: nothing asked in the help channel yet
        outage = Outage(h.bot.services.database)
        outage.begin()
        answered = (await h.message(COVERED, channel_id=HELP_ID)).reply
        assert answered.kind == "message" and answered.embeds[0]["fields"]
        assert await h.message(COVERED) == []  # any other channel: still silent
        outage.end()


async def test_a_bot_started_while_the_database_is_down_answers_in_the_help_channels_of_its_snapshot(tmp_path,
                                                                                                      monkeypatch):
    from bot.members.help_channel_snapshot import load_snapshot

    async with make_harness(tmp_path) as first:
        await first.slash("settings ask-channel add", user=first.moderator, channel=first.channel(HELP_ID))
        guild_id = first.guild.id
    assert load_snapshot(tmp_path / "state") == {guild_id: frozenset({HELP_ID})}  # ids only

    outages = databases_start_down(monkeypatch)
    async with make_harness(tmp_path) as h:  # a restart while the database is down
        assert h.bot.services.database_down_at_start
        attempts = outages[0].refused
        answered = (await h.message(COVERED, channel_id=HELP_ID)).reply
        assert answered.kind == "message" and answered.embeds[0]["fields"]
        assert await h.message("thanks!", channel_id=HELP_ID) == []  # small talk: no reply
        # the answer's own use of the database (one attempt, as in any channel), no read of the help channels
        assert outages[0].refused - attempts <= 1
        assert await h.message(COVERED) == []  # any other channel: still silent
        outages[0].end()  # back: the database decides again; meanwhile another bot process removed the channel
        await h.bot.services.community.remove_ask_channel(guild_id, HELP_ID)
        assert await h.message(COVERED, channel_id=HELP_ID) == []
        assert not h.bot.ask_channels_from_snapshot
        assert load_snapshot(tmp_path / "state") == {}
        added = (await h.slash("settings ask-channel add", user=h.moderator, channel=h.channel(HELP_ID))).reply
        assert UNAVAILABLE not in added.text
        assert load_snapshot(tmp_path / "state") == {guild_id: frozenset({HELP_ID})}  # kept up to date


async def test_a_moderators_change_outlives_a_read_of_the_help_channels_that_began_before_it(tmp_path, monkeypatch):
    """Back from an outage, a message's check reads every server's help channels; a moderator removes one
    while that read is on its way: the removal stands, in memory and in the snapshot."""
    import asyncio

    from bot.members.help_channel_snapshot import load_snapshot

    async with make_harness(tmp_path) as first:
        await first.slash("settings ask-channel add", user=first.moderator, channel=first.channel(HELP_ID))
        guild_id = first.guild.id
    outages = databases_start_down(monkeypatch)
    async with make_harness(tmp_path) as h:
        outages[0].end()
        community = h.bot.services.community
        await community.guild_settings(guild_id)  # something reaches the database again
        config = await community.remove_ask_channel(guild_id, HELP_ID)  # what /settings ask-channel remove does
        before_the_change, go = {guild_id: frozenset({HELP_ID})}, asyncio.Event()
        reads = []

        async def all_ask_channels():  # the first read began before the change and ends after it
            reads.append(len(reads))
            if len(reads) == 1:
                await go.wait()
                return before_the_change
            return {}
        monkeypatch.setattr(community, "all_ask_channels", all_ask_channels)
        checking = asyncio.create_task(h.bot.get_cog("Ask").ask_channels(guild_id))  # a member's message
        await asyncio.sleep(0)  # (a yield, not a wait) the message's read is under way
        changed = asyncio.create_task(h.bot.ask_channels_changed(guild_id, frozenset(config.ask_channel_ids)))
        await asyncio.sleep(0)  # the change's read-back starts, or waits its turn
        go.set()
        await checking
        await changed
        assert reads == [0, 1]
        assert HELP_ID not in h.bot.ask_channel_cache.get(guild_id, frozenset())
        assert load_snapshot(tmp_path / "state") == {}


def test_a_damaged_or_foreign_help_channel_snapshot_reads_as_none(tmp_path):
    from bot.members.help_channel_snapshot import load_snapshot, save_snapshot, snapshot_path

    save_snapshot(tmp_path, {1: frozenset({2, 3}), 4: frozenset()})
    assert load_snapshot(tmp_path) == {1: frozenset({2, 3})}  # a server without help channels is left out
    path = snapshot_path(tmp_path)
    good = path.read_bytes()
    path.write_bytes(good.replace(b"[2,3]", b"[2,9]"))  # edited by hand: the checksum no longer matches
    assert load_snapshot(tmp_path) == {}
    path.write_bytes(good[: len(good) // 2])  # cut off
    assert load_snapshot(tmp_path) == {}
    path.unlink()
    assert load_snapshot(tmp_path) == {}
