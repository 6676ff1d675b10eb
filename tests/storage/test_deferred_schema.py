"""A database that was down when the bot started: the migrations run on the first use that reaches it,
once; meanwhile every use says saving is unavailable (the members' message, not the operators'), and
calls that waited behind a slow failed attempt fail with it instead of each waiting out their own."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event
from sqlalchemy.util import await_only

from bot.errors import StorageUnavailable
from bot.members.goals import GoalService
from bot.storage.database import Database
from tests.db_faults import Outage


async def test_deferred_migrations_run_on_the_first_use_that_reaches_the_database(empty_database: Database):
    outage = Outage(empty_database)
    outage.begin()
    with pytest.raises(StorageUnavailable):
        await empty_database.upgrade()
    empty_database.defer_upgrade()
    goals = GoalService(empty_database)
    for call in (lambda: goals.list(7), lambda: goals.add(7, "during")):
        with pytest.raises(StorageUnavailable) as info:
            await call()
        assert str(info.value) == StorageUnavailable.MESSAGE
    outage.end()
    assert empty_database.schema_pending
    await goals.add(7, "after")  # migrates to head first
    assert not empty_database.schema_pending and await empty_database.current_revision() is not None
    assert [g.text for g in await goals.list(7)] == ["after"]


async def test_calls_waiting_behind_a_slow_failed_attempt_fail_with_it(empty_database: Database):
    """A server that doesn't answer takes seconds to fail (the connect timeout): a dozen members at once
    must not wait a dozen timeouts in turn."""
    reached, released, connects = asyncio.Event(), asyncio.Event(), []

    def slow_refusal(*_args) -> None:
        connects.append(1)
        reached.set()
        await_only(released.wait())  # the connection attempt hangs until the test lets it fail
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    empty_database.defer_upgrade()
    goals = GoalService(empty_database)
    event.listen(empty_database.engine.sync_engine, "do_connect", slow_refusal)
    try:
        calls = [asyncio.ensure_future(goals.list(7)) for _ in range(5)]
        await reached.wait()
        released.set()
        results = await asyncio.gather(*calls, return_exceptions=True)
    finally:
        event.remove(empty_database.engine.sync_engine, "do_connect", slow_refusal)
    assert all(isinstance(r, StorageUnavailable) for r in results), results
    assert len(connects) == 1
    assert await goals.list(7) == [] and not empty_database.schema_pending  # back: migrated on this use


async def test_a_database_that_goes_away_between_the_migrations_and_the_first_read_is_caught_up_on_later(
        monkeypatch):
    """PostgreSQL: migrated, then gone before the moderators' guide changes were read. Guides-only mode, and
    "back" must mean a use that reaches the database again, not merely that the migrations once ran."""
    import os

    from bot.container import build_services
    from bot.settings import Settings
    from bot.storage.guide_changes import GuideChanges

    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")

    async def gone(self):
        raise StorageUnavailable()

    monkeypatch.setattr(GuideChanges, "state", gone)
    said: list[str] = []
    services = await build_services(Settings(database_url=url), tolerate_outage=True, announce=said.append)
    try:
        assert services.database_down_at_start and len(said) == 1
        assert services.database.schema_pending  # the console and the bot catch up once it is reached
    finally:
        await services.close()
