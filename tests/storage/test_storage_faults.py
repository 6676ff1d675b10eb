"""A database outage is one domain error, `StorageUnavailable`, for every service; the services work again
once the database is back, without a restart. Failed writes log no parameters."""
from __future__ import annotations

import asyncio
import io
import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from bot.cli.db import run_db_command
from bot.errors import DomainError, StorageUnavailable
from bot.members.goals import GoalService
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.faults import is_unavailable
from bot.storage.models import Goal
from tests.conftest import PG_URL
from tests.db_faults import Outage, PgProxy, pause_before, pg_schema

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=timezone.utc)
needs_pg = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")


def test_connection_level_failures_are_recognised_and_bugs_are_not():
    import asyncpg

    unavailable = [ConnectionRefusedError(111, "refused"), TimeoutError(), OSError("no route"),
                   asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
                   asyncpg.exceptions.TooManyConnectionsError("too many"),
                   sa_exc.TimeoutError("QueuePool limit reached"),
                   sa_exc.DBAPIError("SELECT 1", None, Exception("closed"), connection_invalidated=True),
                   sa_exc.OperationalError("SELECT 1", None, Exception("unable to open database file")),
                   sa_exc.OperationalError("INSERT", None, Exception("database or disk is full"))]
    wrapped = sa_exc.DBAPIError("SELECT 1", None, Exception("x"))
    wrapped.__cause__ = asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")
    unavailable.append(wrapped)
    for error in unavailable:
        assert is_unavailable(error), error
    for error in [sa_exc.IntegrityError("INSERT", None, Exception("FOREIGN KEY constraint failed")),
                  sa_exc.OperationalError("INSERT", None, Exception("database is locked")),
                  sa_exc.ProgrammingError("SELECT", None, Exception("syntax error")),
                  DomainError("bad input"), ValueError("x"), StorageUnavailable()]:
        assert not is_unavailable(error), error


async def test_an_outage_is_storage_unavailable_everywhere_and_ends_without_a_restart(services, caplog):
    member = 123_456_789_012_345_678
    await services.goals.add(member, "before the outage")
    outage = Outage(services.database)
    outage.begin()
    calls = [lambda: services.goals.add(member, "during the outage"), lambda: services.goals.list(member),
             lambda: services.roadmap_progress.overview(member),
             lambda: services.reading.save(member, "arya-how-to-become-ml-engineer#2-statistics"),
             lambda: services.privacy.export(member), lambda: services.privacy.delete(member),
             lambda: services.community.record_answer(member, "q", answered=True),
             lambda: services.community.record_unanswered(None, "what about rust"),
             lambda: services.community.guild_settings(1)]
    for call in calls:
        with pytest.raises(StorageUnavailable, match="Saving is unavailable right now"):
            await call()
    assert outage.refused >= len(calls)
    assert "database unavailable (ConnectionRefusedError" in caplog.text
    outage.end()
    await services.goals.add(member, "after the outage")
    assert [g.text for g in await services.goals.list(member)] == ["before the outage", "after the outage"]


@needs_pg
async def test_a_postgres_server_going_down_and_up_through_a_real_socket(tmp_path: Path):
    """The server's port closes and live connections are cut (pooled ones go stale): every call says
    storage is unavailable; when the port opens again, pool_pre_ping replaces the dead connections."""
    async with pg_schema() as (url, connect_args), PgProxy(url.port or 5432) as proxy:
        db = Database(url.set(host="127.0.0.1", port=proxy.port), connect_args=connect_args)
        try:
            await db.upgrade()
            goals = GoalService(db)
            await goals.add(5, "one")
            with pause_before(db, lambda sql: "INSERT INTO goals" in sql) as gate:
                cut = asyncio.ensure_future(goals.add(5, "cut off mid-transaction"))
                await gate.reached.wait()
                await proxy.stop()  # the server goes away while the write's transaction is open
                gate.release()
                with pytest.raises(StorageUnavailable):
                    await cut
            with pytest.raises(StorageUnavailable):
                await goals.add(5, "lost")
            with pytest.raises(StorageUnavailable):
                await goals.list(5)
            with pytest.raises(StorageUnavailable, match="Can't reach the database"):
                await db.current_revision()
            await proxy.start()
            await goals.add(5, "two")
            assert [g.text for g in await goals.list(5)] == ["one", "two"]
        finally:
            await db.dispose()


async def test_db_upgrade_against_a_closed_port_says_so_in_one_line():
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()  # nothing listens on `port` now
    settings = Settings(database_url=f"postgresql://postgres@127.0.0.1:{port}/test")
    out, err = io.StringIO(), io.StringIO()
    assert await run_db_command(settings, "upgrade", out=out, err=err) == 1
    assert err.getvalue().startswith("Can't reach the database (ConnectionRefusedError")
    assert len(err.getvalue().splitlines()) == 1 and out.getvalue() == ""


async def test_a_failed_write_logs_no_parameters(database: Database, caplog):
    secret_text, secret_id = "my secret career plan", 987_654_321_987_654_321
    # INFO and above, with SQLAlchemy's statement log on: it would print parameters but for hide_parameters
    with caplog.at_level(logging.INFO), caplog.at_level(logging.INFO, logger="sqlalchemy.engine"):
        with pytest.raises(sa_exc.IntegrityError) as info:
            async with database.write() as session:  # no member row: the foreign key fails
                session.add(Goal(user_id=secret_id, text=secret_text, created_at=NOW))
        logging.getLogger("bot.test").error("write failed", exc_info=info.value)
    logged = caplog.text + str(info.value)
    assert "INSERT INTO goals" in caplog.text and "parameters hidden" in str(info.value)
    assert secret_text not in logged and str(secret_id) not in logged
    async with database.read() as session:
        assert (await session.execute(text("SELECT count(*) FROM goals"))).scalar() == 0


async def test_nul_characters_in_member_text_are_removed_on_the_way_in(services):
    """PostgreSQL can't store (or even compare against) a NUL character; SQLite can. Every piece of member
    text is cleaned on input, so the same input gives the same clear result on both."""
    from bot.errors import NotFound

    uid, nul = 42, "\x00"
    goal = await services.goals.add(uid, f"learn{nul} linear{nul}algebra{nul}")
    assert goal.text == "learn linearalgebra"
    assert [g.text for g in await services.goals.list(uid)] == ["learn linearalgebra"]
    assert (await services.roadmap_progress.set_status(uid, f"choose-your-route{nul}", "done")).status == "done"
    with pytest.raises(NotFound):
        await services.roadmap_progress.set_status(uid, f"no such{nul} item", "todo")
    entry, added = await services.reading.save(uid, f"arya-how-to-become-ml-engineer#2-statistics{nul}")
    assert added and (await services.reading.mark_read(uid, f"{entry.section_id}{nul}")).read
    with pytest.raises(NotFound):
        await services.reading.remove(uid, f"nothing{nul}here")
    answer_id = await services.community.record_answer(uid, f"is a {nul}PhD needed?", answered=False,
                                                       count_unanswered=True)
    assert (await services.community.get_answer(answer_id)).question == "is a PhD needed?"
    assert await services.community.record_unanswered(None, f"is a PhD{nul} needed") == 2
    assert [(g.question, g.count) for g in await services.community.gaps()] == [("is a phd needed", 2)]
    await services.community.record_reload(None, True, f"ok{nul}")
    assert (await services.community.last_reload()).summary == "ok"


async def test_undecodable_input_bytes_are_stored_as_replacement_characters(services):
    """Bytes that aren't UTF-8 reach Python as lone surrogates (stdin's surrogateescape), which no database
    can encode: they are stored as U+FFFD instead of failing the write."""
    raw = b"learn \xff\xfe stuff".decode("utf-8", "surrogateescape")
    assert (await services.goals.add(42, raw)).text == "learn \ufffd\ufffd stuff"
    assert [g.text for g in await services.goals.list(42)] == ["learn \ufffd\ufffd stuff"]
    assert await services.community.record_unanswered(None, f"what about {raw}") == 1
    answer_id = await services.community.record_answer(42, raw, answered=False, count_unanswered=True)
    assert (await services.community.get_answer(answer_id)).question == "learn \ufffd\ufffd stuff"


async def test_postgres_connections_give_up_in_seconds_and_keep_the_callers_connect_args():
    """An unreachable host (no refusal, just silence) fails after PG_CONNECT_TIMEOUT_S, not asyncpg's
    default minute; pool_pre_ping and hide_parameters are on."""
    from sqlalchemy import event

    from bot.storage.database import PG_CONNECT_TIMEOUT_S

    db = Database("postgresql://postgres@127.0.0.1:1/x", connect_args={"server_settings": {"search_path": "s"}})
    seen: list[dict] = []

    def capture(_dialect, _record, _cargs, cparams):
        seen.append(dict(cparams))
        raise TimeoutError()

    event.listen(db.engine.sync_engine, "do_connect", capture)
    try:
        with pytest.raises(StorageUnavailable):
            await GoalService(db).list(5)
    finally:
        await db.dispose()
    assert seen and seen[0]["timeout"] == PG_CONNECT_TIMEOUT_S == 10
    assert seen[0]["server_settings"] == {"search_path": "s"}
    assert db.engine.pool._pre_ping and db.engine.sync_engine.hide_parameters
