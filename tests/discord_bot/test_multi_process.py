"""Several bots on one PostgreSQL database share one knowledge base (issue 13).

Each bot is a `create_bot` built by the harness, with its own copy of `knowledge/` (as on its own machine)
and the same database, a fresh PostgreSQL database per test (NOTIFY is per database). Commands go through
discord.py's real dispatch. The other bots are waited on through `KnowledgeSync.wait_for` with a generous
timeout: no sleeping, no clock. KNOWLEDGE_CHECK_SECONDS is an hour, so only the notification can have
brought the change; the periodic check is driven by hand (`check()`). Skipped without TEST_DATABASE_URL.
"""
from __future__ import annotations

import asyncio
import uuid
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest
from discord.webhook.async_ import AsyncWebhookAdapter
from sqlalchemy import func, select

from bot.storage.database import normalise_url
from bot.storage.guide_changes import Change
from bot.storage.models import GuideChange
from tests.conftest import PG_URL
from tests.discord_bot.test_discord_kb import BROKEN_GUIDE, NEW_GUIDE
from tests.discord_harness import make_harness

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
WAIT = 30.0  # seconds: generous; the measured figure is in docs/deployment.md
QUOKKA = "quokka-study-plan"
QUESTION = "what is the quokkaboard method?"


@asynccontextmanager
async def fresh_database():
    """A new, empty PostgreSQL database for this test; dropped afterwards (connections and all)."""
    import asyncpg

    url = normalise_url(PG_URL)
    name = f"careerbot_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


class Cluster:
    """Bots started (and restarted) on one database; interaction replies routed to the bot they belong to."""

    def __init__(self, stack: AsyncExitStack, tmp_path: Path, url: str) -> None:
        self.stack, self.tmp_path, self.url = stack, tmp_path, url
        self.live: list = []
        self.original = AsyncWebhookAdapter.request

    async def start(self, name: str):
        h = await self.stack.enter_async_context(
            make_harness(self.tmp_path / name, database_url=self.url, knowledge_check_seconds=3600))
        self.live.append(h)
        for other in self.live:  # one event loop: each bot's drain must not wait for the others' version checks
            for checked in self.live:
                other.ignore_task(checked.bot.knowledge_sync._checker)
        self.route()
        return h

    def route(self) -> None:
        live = self.live

        async def request(adapter, route, session=None, **kwargs):
            token = str(route.webhook_token)
            owner = next((h for h in live if token in h.channel_of_token), live[0])
            return await owner.recorder.webhook_request(adapter, route, session, **kwargs)
        AsyncWebhookAdapter.request = request  # type: ignore[method-assign]


    async def restart(self) -> None:
        """Stop every bot (as if each process were restarted); `start` them again after."""
        await self.stack.aclose()
        self.live.clear()
        self.stack = AsyncExitStack()


@pytest.fixture
async def cluster(tmp_path):
    original = AsyncWebhookAdapter.request
    try:
        async with fresh_database() as url:
            cluster = Cluster(AsyncExitStack(), tmp_path, url)
            try:
                yield cluster
            finally:
                await cluster.stack.aclose()
    finally:
        AsyncWebhookAdapter.request = original  # type: ignore[method-assign]


def served(h):
    return h.bot.services.knowledge.current


async def cites_quokka(h) -> bool:
    reply = (await h.slash("ask", question=QUESTION)).reply
    return any("The quokkaboard study plan" in f["name"] for e in reply.embeds for f in e.get("fields", []))


async def change_rows(h) -> int:
    async with h.bot.services.database.read() as session:
        return (await session.execute(select(func.count()).select_from(GuideChange))).scalar_one()


async def test_a_change_on_one_bot_reaches_every_bot_and_survives_restarts(cluster):
    one, two = await cluster.start("one"), await cluster.start("two")
    assert served(one).version == served(two).version == 0
    assert not await cites_quokka(two)

    added = (await one.slash("kb add", user=one.moderator, file=one.attachment("quokka.md", NEW_GUIDE))).reply
    assert "Guide added" in added.text and "5 guides" in added.text
    version = served(one).version
    assert version == 1 and not (one.settings.guides_dir / "quokka.md").exists()  # in the database, not a file
    await asyncio.wait_for(two.bot.knowledge_sync.wait_for(version), WAIT)
    assert await cites_quokka(two) and served(two).guides.guide(QUOKKA) is not None
    status = (await two.slash("kb status", user=two.moderator)).reply
    assert "this process serves 1; the database is at 1" in status.text and "Serving 5 guides" in status.text

    # A broken upload on the second bot changes nothing anywhere: no row, no version, same guides.
    rows, before = await change_rows(two), (served(one), served(two))
    broken = (await two.slash("kb add", user=two.moderator, file=two.attachment("broken.md", BROKEN_GUIDE))).reply
    assert "was not added" in broken.text and "broken.md:3: unknown front matter key" in broken.text
    # ... nor does a change that only breaks the knowledge as a whole: a guide the roadmap needs, removed.
    ask = (await two.slash("kb remove", user=two.moderator, guide="arya-how-to-become-ml-engineer")).reply
    refused = await two.click(ask.custom_ids[0], ask, user=two.moderator)
    assert "Not removed" in refused[-1].text and "unknown guide section 'arya-how-to-become-ml-engineer#" in refused[-1].text
    assert await change_rows(two) == rows and await two.bot.services.guide_changes.version() == version
    assert (served(one), served(two)) == before

    # A third bot, started now, serves the same guides; so does the second after a restart.
    three = await cluster.start("three")
    assert served(three).version == version and served(three).guides.guide(QUOKKA) is not None
    assert await cites_quokka(three)
    await cluster.restart()  # every bot stops ...
    one, two = await cluster.start("one"), await cluster.start("two")  # ... and starts again
    assert served(one).version == served(two).version == version and await cites_quokka(two)

    # Removing it on the first bot takes it away from both.
    ask = (await one.slash("kb remove", user=one.moderator, guide=QUOKKA)).reply
    done = await one.click(ask.custom_ids[0], ask, user=one.moderator)
    assert "Removed **The quokkaboard study plan**" in done[-1].content
    await asyncio.wait_for(two.bot.knowledge_sync.wait_for(version + 1), WAIT)
    for h in (one, two):
        assert served(h).guides.guide(QUOKKA) is None and len(served(h).guides.guides) == 4
        assert not await cites_quokka(h)
    async with one.bot.services.database.read() as session:  # the removed text is kept, for undo
        kept = (await session.execute(select(GuideChange).order_by(GuideChange.id))).scalars().all()
    assert [(c.action, c.file_name, c.version) for c in kept] == [("add", "quokka.md", 1), ("remove", "quokka.md", 2)]
    assert kept[1].content == NEW_GUIDE.decode() and kept[1].changed_by == one.moderator.id


async def test_reload_reaches_every_bot_and_a_version_one_cannot_build_keeps_it_serving(cluster):
    one, two = await cluster.start("one"), await cluster.start("two")
    reloaded = (await two.slash("kb reload", user=two.moderator)).reply
    assert "Now serving 4 guides" in reloaded.text
    await asyncio.wait_for(one.bot.knowledge_sync.wait_for(1), WAIT)
    assert served(one).version == 1

    # A change that only the first bot's folder can build (its copy of a guide was edited by hand there):
    # the second keeps serving its old knowledge, whole, and says which version it serves.
    changes = one.bot.services.guide_changes
    (two.settings.guides_dir / "extra.md").write_bytes(NEW_GUIDE)  # only on the second bot's machine
    before = served(two)
    version = await changes.commit(expected=None, change=Change("clash.md", "add", NEW_GUIDE.decode()))
    await asyncio.wait_for(one.bot.knowledge_sync.wait_for(version), WAIT)
    assert served(one).guides.guide(QUOKKA) is not None
    assert await two.bot.knowledge_sync.refresh() is False  # duplicate id quokka-study-plan on its machine
    assert served(two) is before and two.bot.knowledge_sync.failed_version == version
    status = (await two.slash("kb status", user=two.moderator)).reply
    assert f"serves 1; the database is at {version}" in status.text

    # A missed notification (the listening connection dropped) is caught by the periodic check, which
    # also listens again.
    (two.settings.guides_dir / "extra.md").unlink()
    await two.bot.knowledge_sync.listener.conn.close()
    version = await changes.commit(expected=None, change=Change("clash.md", "remove", NEW_GUIDE.decode()))
    assert await two.bot.knowledge_sync.check() is True
    assert served(two).version == version and two.bot.knowledge_sync.listener.alive
    assert served(two).guides.guide(QUOKKA) is None


async def test_without_the_database_changes_are_refused_and_every_bot_keeps_serving(cluster, monkeypatch):
    from bot.errors import StorageUnavailable

    one, two = await cluster.start("one"), await cluster.start("two")
    before = (served(one), served(two))

    async def unreachable(*args, **kwargs):
        raise StorageUnavailable()
    for h in (one, two):
        monkeypatch.setattr(h.bot.services.guide_changes, "state", unreachable)
        monkeypatch.setattr(h.bot.services.guide_changes, "version", unreachable)
    reply = (await one.slash("kb add", user=one.moderator, file=one.attachment("quokka.md", NEW_GUIDE))).reply
    assert reply.ephemeral and "Nothing was changed: I can't reach the database" in reply.text
    assert await two.bot.knowledge_sync.check() is False  # the periodic check: a warning, not a crash
    status = (await two.slash("kb status", user=two.moderator)).reply
    assert "serves 0; the database is at unknown (the database can't be reached)" in status.text
    assert (served(one), served(two)) == before
    answer = (await two.slash("ask", question="do I need a degree to become an ML engineer?")).reply
    assert answer.embeds[0]["fields"]  # questions are still answered


async def test_the_other_bot_rebuilds_off_its_event_loop_and_serves_the_old_index_meanwhile(cluster, monkeypatch):
    """No timing: the second bot's rebuild is held mid-build on an event this test controls; meanwhile it
    answers a question (only possible if the build is off its event loop), from the old knowledge."""
    import threading

    one, two = await cluster.start("one"), await cluster.start("two")
    store, loop = two.bot.services.knowledge, asyncio.get_running_loop()
    real_reload, building, release, released = store.reload, asyncio.Event(), threading.Event(), []

    def held_reload(*args, **kwargs):
        loop.call_soon_threadsafe(building.set)
        released.append(release.wait(timeout=WAIT))  # only an on-loop build would ever wait this out
        return real_reload(*args, **kwargs)
    monkeypatch.setattr(store, "reload", held_reload)
    old = served(two)
    async with one.bot.kb_lock:  # what /kb add does, without going through the first bot's dispatch
        kb = await one.bot.knowledge_sync.add("quokka.md", NEW_GUIDE.decode(), False, one.moderator.id)
    await asyncio.wait_for(building.wait(), WAIT)
    for task in list(two.bot.knowledge_sync._tasks):
        two.ignore_task(task)
    assert not await cites_quokka(two) and served(two) is old  # still the old knowledge, whole
    release.set()
    await asyncio.wait_for(two.bot.knowledge_sync.wait_for(kb.version), WAIT)
    assert released == [True] and await cites_quokka(two)


async def test_two_changes_at_once_on_two_bots_both_stand_everywhere(cluster, monkeypatch):
    """The second bot's build is held until the first bot's change is committed: its commit then finds the
    version moved, so it builds again on top of the first change (no lost update), and both bots serve both."""
    import threading

    from tests.discord_bot.test_discord_kb import OTHER_GUIDE

    one, two = await cluster.start("one"), await cluster.start("two")
    store, loop = two.bot.services.knowledge, asyncio.get_running_loop()
    real_reload, building, release, builds = store.reload, asyncio.Event(), threading.Event(), []

    def held_reload(*args, **kwargs):
        builds.append(kwargs.get("install"))
        if len(builds) == 1:
            loop.call_soon_threadsafe(building.set)
            release.wait(timeout=WAIT)
        return real_reload(*args, **kwargs)
    monkeypatch.setattr(store, "reload", held_reload)
    before = set(asyncio.all_tasks())
    two.start_slash("kb add", user=two.moderator, file=two.attachment("wombat.md", OTHER_GUIDE))
    for task in set(asyncio.all_tasks()) - before:
        one.ignore_task(task)
    await asyncio.wait_for(building.wait(), WAIT)
    one.start_slash("kb add", user=one.moderator, file=one.attachment("quokka.md", NEW_GUIDE))
    await asyncio.wait_for(one.bot.knowledge_sync.wait_for(1), WAIT)  # committed and served by the first
    release.set()
    await one.drain()
    await two.drain()
    first, second = ([s for s in h.all_sent() if s.kind == "followup"][-1] for h in (one, two))
    assert "Guide added" in first.text and "5 guides" in first.text
    assert "Guide added" in second.text and "6 guides" in second.text and builds == [False, False]
    await asyncio.wait_for(one.bot.knowledge_sync.wait_for(2), WAIT)
    for h in (one, two):
        assert served(h).version == 2 and {"quokka-study-plan", "wombat-study-plan"} <= {g.id for g in served(h).guides.guides}
    async with one.bot.services.database.read() as session:
        rows = (await session.execute(select(GuideChange.version, GuideChange.file_name).order_by(GuideChange.id))).all()
    assert [tuple(r) for r in rows] == [(1, "quokka.md"), (2, "wombat.md")]
