"""A console on the PostgreSQL database that bot processes share serves moderators' guide changes made
elsewhere while it runs (NOTIFY, as the bot's processes do), without a restart. Skipped without
TEST_DATABASE_URL; CI runs it."""
from __future__ import annotations

import asyncio
import io

import pytest

from bot.admin import knowledge_sync
from bot.cli.console import run_console
from tests.cli.test_console_outage import Script
from tests.conftest import PG_URL
from tests.discord_harness import harness_settings

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")


async def test_a_running_console_serves_a_guide_change_another_process_made(tmp_path, monkeypatch):
    from bot.storage.database import Database
    from bot.storage.guide_changes import Change, GuideChanges
    from tests.discord_bot.test_discord_kb import NEW_GUIDE
    from tests.discord_bot.test_multi_process import QUESTION, fresh_database

    syncs: list[knowledge_sync.KnowledgeSync] = []

    class Recorded(knowledge_sync.KnowledgeSync):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            syncs.append(self)

    monkeypatch.setattr(knowledge_sync, "KnowledgeSync", Recorded)
    loop = asyncio.get_running_loop()
    async with fresh_database() as url:
        other = Database(url)  # another process: a bot whose moderator adds a guide
        try:
            def moderator_adds_a_guide() -> None:  # on the console's input thread, while it waits for a line
                async def add() -> None:
                    version = await GuideChanges(other).commit(
                        expected=None, change=Change("quokka.md", "add", NEW_GUIDE.decode()))
                    await asyncio.wait_for(syncs[0].wait_for(version), timeout=60)  # heard, built, serving
                asyncio.run_coroutine_threadsafe(add(), loop).result(timeout=90)

            stdout = io.StringIO()
            script = Script(stdout, QUESTION, moderator_adds_a_guide, QUESTION)
            settings = harness_settings(tmp_path, database_url=url, knowledge_check_seconds=3600)  # NOTIFY, not the check
            assert await run_console(settings, stdin=script, stdout=stdout, stderr=io.StringIO()) == 0
        finally:
            await other.dispose()
    before, after = script.replies
    assert "The quokkaboard study plan" not in before
    assert "The quokkaboard study plan" in after  # served without a restart
    assert len(syncs) == 1 and syncs[0].listener is None  # closed with the console
