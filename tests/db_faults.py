"""Database faults for tests: an outage that refuses connections, a TCP proxy that can be stopped like a
PostgreSQL server, and a hook that pauses a statement until the test lets it run (to force one
interleaving of two transactions, without sleeping).

    outage = Outage(db); outage.begin(); ...; outage.end()       # any backend
    async with PgProxy(5432) as proxy: ...; await proxy.stop(); await proxy.start()
    with pause_before(db, lambda sql: "FOR UPDATE" in sql) as gate:    # gate.reached / gate.release
    async with same_database(backend, tmp_path, 2) as (db1, db2): ...  # two engines, one empty database
"""
from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.util import await_only

from bot.storage.database import Database, normalise_url
from tests.conftest import PG_URL


@contextlib.asynccontextmanager
async def pg_schema() -> AsyncIterator[tuple[Any, dict]]:
    """A fresh PostgreSQL schema on TEST_DATABASE_URL, dropped afterwards: (url, connect_args)."""
    import asyncpg

    url = normalise_url(PG_URL)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        yield url, {"server_settings": {"search_path": schema}}
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


@contextlib.asynccontextmanager
async def empty_database(backend: str, tmp_path: Path) -> AsyncIterator[tuple[str, dict]]:
    """An empty database as (url, Database keyword arguments), for engines in this or another process."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{(tmp_path / 'shared.sqlite3').as_posix()}", {}
        return
    async with pg_schema() as (url, connect_args):
        yield url.render_as_string(hide_password=False), {"connect_args": connect_args}


@contextlib.asynccontextmanager
async def same_database(backend: str, tmp_path: Path, count: int) -> AsyncIterator[list[Database]]:
    """`count` independent engines (as separate processes would have) on one empty database."""
    async with empty_database(backend, tmp_path) as (url, kwargs):
        dbs = [Database(url, **kwargs) for _ in range(count)]
        try:
            yield dbs
        finally:
            for db in dbs:
                await db.dispose()


class Outage:
    """The database goes away: every new connection is refused as a stopped server's closed port refuses it
    (`ConnectionRefusedError`, an OSError, through SQLAlchemy's public `do_connect` hook), and a pooled
    connection is found dead when it is checked out (the pool's `checkout` hook, as pool_pre_ping would).
    `begin()` and `end()` are plain calls, so a console's input thread can start an outage too."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.refused = 0

    def _refuse(self, *_args: Any) -> None:
        self.refused += 1
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    @staticmethod
    def _dead(*_args: Any) -> None:
        raise exc.DisconnectionError("the server closed the connection")

    def begin(self) -> None:
        event.listen(self.db.engine.sync_engine, "do_connect", self._refuse)
        event.listen(self.db.engine.sync_engine.pool, "checkout", self._dead)

    def end(self) -> None:
        event.remove(self.db.engine.sync_engine, "do_connect", self._refuse)
        event.remove(self.db.engine.sync_engine.pool, "checkout", self._dead)


class PgProxy:
    """A TCP proxy in front of PostgreSQL. `stop()` closes the port and cuts every live connection, as a
    server going down would; `start()` opens the same port again."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.tasks: set[asyncio.Task] = set()

    async def __aenter__(self) -> "PgProxy":
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.writers):
            writer.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.writers.clear()
        self.tasks.clear()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers.update((writer, up_writer))
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.ensure_future(self._pipe(src, dst))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    @staticmethod
    async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            dst.close()


class Gate:
    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.released = asyncio.Event()
        self.used = False

    def release(self) -> None:
        self.released.set()


def databases_start_down(monkeypatch) -> list[Outage]:
    """From now on every database the composition root opens (`container.open_database`) is in an outage
    from the start: the bot or console starts without it. The list holds each one's `Outage` (`end()` it)."""
    from bot import container

    outages: list[Outage] = []
    original = container.open_database

    def down(settings):
        db = original(settings)
        outages.append(Outage(db))
        outages[-1].begin()
        return db
    monkeypatch.setattr(container, "open_database", down)
    return outages


@contextlib.contextmanager
def pause_before(db: Any, matches: Callable[[str], bool]) -> Iterator[Gate]:
    """The first statement on `db` for which `matches(sql)` is true waits, before it runs, until
    `gate.release()`; `gate.reached` is set when it starts waiting. Later statements run freely."""
    gate = Gate()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not gate.used and matches(statement):
            gate.used = True
            gate.reached.set()
            await_only(gate.released.wait())  # suspends this transaction's greenlet, not the event loop

    event.listen(db.engine.sync_engine, "before_cursor_execute", before)
    try:
        yield gate
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", before)
