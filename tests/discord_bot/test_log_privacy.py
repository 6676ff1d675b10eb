"""No member text or id in the logs at INFO and above, whatever fails while serving them."""
from __future__ import annotations

import logging

import discord
import pytest
from sqlalchemy.exc import OperationalError

from tests.discord_harness import HELP_ID, harness  # noqa: F401 - the fixture

QUESTION = "do I need a degree? my name is Quentin Zebulon"
MESSAGE_ID = 1_234_567_890_123_456_789


def logged(caplog) -> str:
    """Everything written at INFO and above: messages and tracebacks, as a formatter would write them."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return "\n".join(formatter.format(r) for r in caplog.records if r.levelno >= logging.INFO)


def assert_private(caplog, *members) -> None:
    text = logged(caplog)
    assert text, "the failure was expected to be logged"
    for secret in [*(str(m.id) for m in members), str(MESSAGE_ID), "Quentin", "Zebulon"]:
        assert secret not in text, f"{secret!r} reached the log:\n{text}"


def explode(*args, **kwargs):
    raise RuntimeError("search exploded")


async def test_an_unexpected_command_failure_logs_no_member_id(harness, monkeypatch, caplog):
    monkeypatch.setattr(harness.bot.services.answers, "answer", explode)
    with caplog.at_level(logging.INFO):
        assert (await harness.slash("ask", question=QUESTION)).reply.ephemeral
    assert "error in 'ask'" in logged(caplog)
    assert_private(caplog, harness.member)


async def test_an_unrecorded_reload_logs_no_moderator_id(harness, monkeypatch, caplog):
    async def busy(*args, **kwargs):
        raise OperationalError("INSERT INTO knowledge_reloads ...", {}, Exception("database is locked"))
    monkeypatch.setattr(harness.bot.services.community, "record_reload", busy)
    with caplog.at_level(logging.INFO):
        await harness.slash("kb reload", user=harness.moderator)
    assert "could not record a knowledge reload" in logged(caplog)
    assert_private(caplog, harness.moderator)


@pytest.mark.parametrize("guild", [True, False])
async def test_a_failed_answer_to_a_message_logs_no_message_or_member_id(harness, monkeypatch, caplog, guild):
    monkeypatch.setattr(harness.bot.services.answers, "answer", explode)
    with caplog.at_level(logging.INFO):
        await harness.message(f"{harness.mention()} {QUESTION}", mentions=(harness.me,), message_id=MESSAGE_ID,
                              guild=guild)
    assert "error answering a message" in logged(caplog)
    assert_private(caplog, harness.member)


async def test_a_failed_reply_logs_no_message_or_member_id(harness, monkeypatch, caplog):
    class Refused:
        status, reason = 403, "Forbidden"

    async def reply(self, *args, **kwargs):
        raise discord.Forbidden(Refused(), {"code": 50013, "message": "Missing Permissions"})
    monkeypatch.setattr(discord.Message, "reply", reply)
    with caplog.at_level(logging.INFO):
        await harness.message(f"{harness.mention()} {QUESTION}", mentions=(harness.me,), message_id=MESSAGE_ID)
    assert "could not reply to a message" in logged(caplog)
    assert_private(caplog, harness.member)


async def test_unreadable_ask_channels_log_no_message_id(harness, monkeypatch, caplog):
    async def down(*args, **kwargs):
        raise OSError("connection refused")
    monkeypatch.setattr(harness.bot.get_cog("Ask"), "should_answer", down)
    with caplog.at_level(logging.INFO):
        await harness.message(QUESTION, channel_id=HELP_ID, message_id=MESSAGE_ID)
    assert "could not decide whether to answer a message" in logged(caplog)
    assert_private(caplog, harness.member)
