"""Issue 13 on one process: SQLite keeps the folder as the truth (and the change in the database too),
`/kb status` shows the versions, changes applied over the folder are checked like its files, and
SHARD_COUNT / SHARD_IDS make the bot an AutoShardedBot. (Several processes: test_multi_process.py.)"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import discord
import pytest
from sqlalchemy import select

from bot.errors import KnowledgeError
from bot.knowledge.store import build_knowledge
from bot.settings import Settings, SettingsError
from bot.storage.models import GuideChange
from tests.discord_bot.test_discord_kb import BROKEN_GUIDE, NEW_GUIDE
from tests.discord_harness import GUILD_ID, REPO, harness, make_harness  # noqa: F401 - fixture

ARYA = "arya-how-to-become-ml-engineer.md"


async def test_on_sqlite_the_folder_changes_as_before_and_the_database_keeps_each_change(harness):
    sync = harness.bot.knowledge_sync
    assert not sync.shared and sync.listener is None and sync._checker is None  # nothing runs in the background
    assert harness.bot.services.knowledge.current.version == 0
    await harness.slash("kb add", user=harness.moderator, file=harness.attachment("quokka.md", NEW_GUIDE))
    assert (harness.settings.guides_dir / "quokka.md").read_bytes() == NEW_GUIDE
    ask = (await harness.slash("kb remove", user=harness.moderator, guide="quokka-study-plan")).reply
    await harness.click(ask.custom_ids[0], ask, user=harness.moderator)
    await harness.slash("kb reload", user=harness.moderator)
    async with harness.bot.services.database.read() as session:
        rows = (await session.execute(select(GuideChange).order_by(GuideChange.id))).scalars().all()
    assert [(r.version, r.action, r.file_name, r.changed_by) for r in rows] == [
        (1, "add", "quokka.md", harness.moderator.id), (2, "remove", "quokka.md", harness.moderator.id)]
    assert rows[1].content == NEW_GUIDE.decode() and len(rows[0].checksum) == 64
    status = (await harness.slash("kb status", user=harness.moderator)).reply
    assert "Knowledge version: this process serves 3; the database is at 3." in status.text


async def test_a_change_the_database_cannot_record_still_stands_on_sqlite(harness, monkeypatch):
    async def down(**kwargs):
        raise OSError("database is gone")
    monkeypatch.setattr(harness.bot.services.guide_changes, "commit", down)
    reply = (await harness.slash("kb add", user=harness.moderator, file=harness.attachment("q.md", NEW_GUIDE))).reply
    assert "Guide added" in reply.text and harness.bot.services.knowledge.current.version is None
    status = (await harness.slash("kb status", user=harness.moderator)).reply
    assert "Serving 5 guides" in status.text and "this process serves unknown" in status.text


def knowledge_copy(tmp_path):
    shutil.copytree(REPO / "tests" / "data" / "knowledge", tmp_path / "knowledge", ignore=shutil.ignore_patterns(".index"))
    return tmp_path / "knowledge"


def test_changes_are_applied_over_the_folder_by_file_name_and_checked_like_its_files(tmp_path):
    folder = knowledge_copy(tmp_path)
    (folder / "guides" / "broken.md").write_bytes(BROKEN_GUIDE)
    with pytest.raises(KnowledgeError):
        build_knowledge(folder)
    arya = (folder / "guides" / ARYA).read_text()
    changes = {"broken.md": None, "quokka.md": NEW_GUIDE.decode(),
               ARYA: arya.replace("How to become a Machine Learning Engineer?", "Becoming an ML engineer", 1)}
    kb = build_knowledge(folder, changes=changes)  # strict: the removed broken file no longer counts
    names = [Path(g.path).name for g in kb.guides.guides]
    assert names == sorted(names) and "broken.md" not in names  # file-name order, as the folder's
    assert kb.guides.guide("quokka-study-plan") is not None and len(kb.guides.guides) == 5
    assert kb.guides.guide("arya-how-to-become-ml-engineer").title == "Becoming an ML engineer"
    for bad, expected, served in [
            ({"copy.md": NEW_GUIDE.decode(), "quokka.md": NEW_GUIDE.decode()}, "duplicate guide id", 5),
            ({"x.md": BROKEN_GUIDE.decode()}, "x.md:3: unknown front matter key", 4)]:
        with pytest.raises(KnowledgeError) as error:
            build_knowledge(folder, changes={"broken.md": None, **bad})
        assert expected in str(error.value)
        lenient = build_knowledge(folder, strict=False, changes={"broken.md": None, **bad})  # start-up skips it
        assert len(lenient.guides.guides) == served and any(expected in w for w in lenient.warnings)


async def test_shards_make_an_auto_sharded_bot_that_answers_through_real_dispatch(tmp_path):
    async with make_harness(tmp_path, shard_count=4, shard_ids=(3, 1)) as h:
        assert isinstance(h.bot, discord.AutoShardedClient) and h.bot.shard_count == 4 and h.bot.shard_ids == [1, 3]
        status = (await h.slash("kb status", user=h.moderator)).reply
        assert "this process (shards 1, 3 of 4) serves 0; the database is at 0" in status.text
        answer = (await h.slash("ask", question="do I need a degree to become an ML engineer?")).reply
        assert answer.embeds[0]["fields"]
        # Each shard sees only its own servers, so "the bot is in one server" can't be told: KB_GUILD_ID decides.
        refused = (await h.slash("kb reload", user=h.moderator)).reply
        assert "runs as several shards" in refused.content and "KB_GUILD_ID" in refused.content
        h.settings.kb_guild_id = GUILD_ID
        assert "Now serving 4 guides" in (await h.slash("kb reload", user=h.moderator)).reply.text
        h.assert_no_pings()
    from bot import create_bot
    assert not isinstance(create_bot(Settings()), discord.AutoShardedClient)


@pytest.mark.parametrize("env, expected", [
    ({"SHARD_COUNT": "4", "SHARD_IDS": "2, 3"}, (4, (2, 3))),
    ({"SHARD_COUNT": "2"}, (2, None)),
    ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
    ({"SHARD_COUNT": "2", "SHARD_IDS": "1,2"}, "SHARD_IDS must be different numbers from 0 to 1"),
    ({"SHARD_COUNT": "2", "SHARD_IDS": "0,0"}, "SHARD_IDS must be different numbers"),
    ({"SHARD_COUNT": "2", "SHARD_IDS": "one"}, "SHARD_IDS must be shard numbers separated by commas"),
    ({"SHARD_COUNT": "0"}, "SHARD_COUNT should be greater than or equal to 1"),
    ({"KNOWLEDGE_CHECK_SECONDS": "nan"}, "KNOWLEDGE_CHECK_SECONDS should be a finite number"),
])
def test_shard_settings_from_the_environment(env, expected, monkeypatch, tmp_path):
    for name in ("SHARD_COUNT", "SHARD_IDS", "KNOWLEDGE_CHECK_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if isinstance(expected, str):
        with pytest.raises(SettingsError, match=expected):
            Settings.from_env(env_file=os.devnull)
    else:
        settings = Settings.from_env(env_file=os.devnull)
        assert (settings.shard_count, settings.shard_ids) == expected


async def test_on_sqlite_a_restart_keeps_what_moderators_changed(tmp_path):
    async with make_harness(tmp_path) as h:
        await h.slash("kb add", user=h.moderator, file=h.attachment("quokka.md", NEW_GUIDE))
    async with make_harness(tmp_path) as h:  # the same folder and database, a new process
        kb = h.bot.services.knowledge.current
        assert kb.guides.guide("quokka-study-plan") is not None and kb.version == 1
