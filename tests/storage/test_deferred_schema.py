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
