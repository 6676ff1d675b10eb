"""The database: an async engine for a URL, read and write sessions, migrations and backups.

SQLite (the default) runs with WAL, a busy timeout and foreign keys on. Write transactions go through
`Database.write()`, which on SQLite holds an in-process asyncio lock and starts with `BEGIN IMMEDIATE`,
so concurrent members queue for the single SQLite writer instead of failing with "database is locked"
(the busy timeout covers other processes, such as `careerbot db backup` next to a running bot).
PostgreSQL is not serialised: services use atomic statements, upserts and row locks instead.
"""
from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.errors import CareerbotError, DomainError, StorageUnavailable

from .faults import root_cause, translate_faults

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
SQLITE_BUSY_TIMEOUT_MS = 15_000
PG_CONNECT_TIMEOUT_S = 10
_WRITE_OPTION = "careerbot_write"
UNREACHABLE = "Can't reach the database ({cause}); check DATABASE_URL and that the database server is running."
SQLITE_UNOPENABLE = ("Can't open the SQLite database {path} ({cause}); check that DATABASE_URL names a file (not a "
                     "folder) in a folder this user can write.")
NO_SQLITE_FOLDER = ("Can't create the folder {folder} for the SQLite database ({reason}): set DATABASE_URL to a file "
                    "in a folder this user can write, or leave it empty for the default (see .env.example).")
_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}


class DatabaseBusy(StorageUnavailable):
    """SQLite stayed locked by another process for longer than the busy timeout."""


class DatabaseSetupError(CareerbotError):
    """The configured database can't be used as set (e.g. a SQLite folder that can't be created): a setting
    to fix, not an outage to wait out. The message says what to do."""


def normalise_url(url: str | URL) -> URL:
    """Accept plain `sqlite://` / `postgresql://` / `postgres://` URLs and pick the async driver."""
    parsed = make_url(url) if isinstance(url, str) else url
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for in-memory databases."""
    if url.get_backend_name() != "sqlite":
        return None
    name = url.database or ""
    if not name or name == ":memory:" or name.startswith("file:") or url.query.get("mode") == "memory":
        return None
    return Path(name)


def prepare_sqlite_folder(url: str | URL) -> None:
    """Create the folder of a SQLite file URL; `DatabaseSetupError` (one line saying what to do) when it
    can't be (under a file, on a read-only file system, no permission). Other URLs: nothing to do."""
    path = sqlite_file(normalise_url(url))
    if path is None:
        return
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        if isinstance(error, FileExistsError):  # `folder` itself is a file
            reason = "a file has that name"
        raise DatabaseSetupError(NO_SQLITE_FOLDER.format(folder=folder, reason=reason)) from None


def check_sqlite_location(url: str | URL) -> None:
    """Before a bot starts: the SQLite file's folder can be created and the file opened for writing, else
    `DatabaseSetupError` saying what to do (a local file that can't be opened is a setting to fix, not an
    outage to wait out). Opening creates an empty file, as the first connection would. Other URLs: nothing."""
    prepare_sqlite_folder(url)
    path = sqlite_file(normalise_url(url))
    if path is None:
        return
    try:
        sqlite3.connect(path).close()  # creates the file if it is missing (an empty file is an empty database)
        writable = os.access(path, os.W_OK)
    except sqlite3.Error as error:
        raise DatabaseSetupError(SQLITE_UNOPENABLE.format(path=path, cause=f"{type(error).__name__}: {error}")) from None
    if not writable:
        raise DatabaseSetupError(SQLITE_UNOPENABLE.format(path=path, cause="the file is read-only"))


def create_engine(url: str | URL, **engine_kwargs: Any) -> AsyncEngine:
    """An async engine; for a SQLite file, its folder is created and every connection gets the pragmas."""
    url = normalise_url(url)
    prepare_sqlite_folder(url)
    # A failed statement's error and log carry the SQL but never its parameters (member ids and text).
    engine_kwargs.setdefault("hide_parameters", True)
    if url.get_backend_name() == "postgresql":
        engine_kwargs.setdefault("pool_pre_ping", True)  # connections dropped by an outage are replaced
        # an unreachable host fails in seconds, not asyncpg's default minute
        engine_kwargs["connect_args"] = {"timeout": PG_CONNECT_TIMEOUT_S, **engine_kwargs.get("connect_args", {})}
    engine = create_async_engine(url, **engine_kwargs)
    if url.get_backend_name() == "sqlite":
        _install_sqlite_hooks(engine)
    return engine


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 driver (see "sqlite_transactions" in the
        # SQLAlchemy docs) so that SELECTs and DDL run inside real transactions, begun below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """One engine plus the session discipline every service uses."""

    def __init__(self, url: str | URL, **engine_kwargs: Any) -> None:
        self.url = normalise_url(url)
        self.engine = create_engine(self.url, **engine_kwargs)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, execution_options={_WRITE_OPTION: True}
        )
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self.unreachable = UNREACHABLE  # for operators; `{cause}` is filled in by translate_faults
        if self.is_sqlite:
            shown = str(sqlite_file(self.url) or "in memory").replace("{", "{{").replace("}", "}}")
            self.unreachable = SQLITE_UNOPENABLE.replace("{path}", shown)
        self.schema_pending = False  # True after a start without the database: migrate on first use
        self._schema_lock = asyncio.Lock()
        self._schema_failures = 0

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def defer_upgrade(self) -> None:
        """The database could not be reached at start: migrate it to head before the first session that
        reaches it (`ensure_schema`), so the bot recovers without a restart when it comes back."""
        self.schema_pending = True

    async def ensure_schema(self) -> None:
        """Apply the deferred migrations (see `defer_upgrade`) once the database can be reached; while it
        can't, raise `StorageUnavailable` with the message for members."""
        if not self.schema_pending:
            return
        failed = self._schema_failures
        async with self._schema_lock:
            if not self.schema_pending:
                return
            if self._schema_failures != failed:  # an attempt failed while this call waited: don't queue up another
                raise StorageUnavailable()
            try:
                await self.upgrade()
            except StorageUnavailable as error:
                self._schema_failures += 1  # start-up logged the outage once: each retry is only a debug line
                log.debug("database still unavailable (%s)", type(root_cause(error)).__name__)
                raise StorageUnavailable() from error
            self.schema_pending = False
            log.info("the database is reachable again: schema checked, saving works again")

    @asynccontextmanager
    async def _serialised(self) -> AsyncIterator[None]:
        if self._write_lock is None:
            yield
        else:
            async with self._write_lock:
                yield

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading; its transaction is rolled back when the block ends.
        A database that can't be reached raises `StorageUnavailable` (see `bot.storage.faults`)."""
        await self.ensure_schema()
        with translate_faults():
            async with self.sessionmaker() as session:
                yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One write transaction: committed when the block ends, rolled back if it raises.
        A database that can't be reached raises `StorageUnavailable`; SQLite locked for longer than
        the busy timeout raises `DatabaseBusy`."""
        await self.ensure_schema()  # before the write lock: migrating takes it too
        try:
            with translate_faults():
                async with self._serialised(), self._write_sessions() as session, session.begin():
                    yield session
        except OperationalError as exc:
            if self.is_sqlite and "locked" in str(exc.orig):
                raise DatabaseBusy("The database is busy right now; please try again in a moment.") from exc
            raise

    # ----------------------------------------------------------------------- migrations

    async def upgrade(self, revision: str = "head") -> list[str]:
        """Apply Alembic migrations up to `revision` (created tables, data kept); returns the revisions
        this call applied (none when another process had just applied them)."""
        return await self._alembic("upgrade", revision)

    async def downgrade(self, revision: str) -> None:
        await self._alembic("downgrade", revision)

    async def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with translate_faults(self.unreachable):
            async with self.engine.connect() as conn:
                return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())

    async def _alembic(self, command_name: str, revision: str) -> list[str]:
        config = alembic_config()
        applied: list[str] = []
        config.attributes["applied"] = applied
        with translate_faults(self.unreachable):
            async with self._serialised(), self.engine.connect() as conn:
                # On SQLite the migration's transaction starts with BEGIN IMMEDIATE, so a second process
                # migrating at once waits for the first and then finds the schema at head; on PostgreSQL
                # the migrations env takes an advisory lock for the same reason.
                await conn.execution_options(**{_WRITE_OPTION: True})
                await conn.run_sync(_run_alembic, config, command_name, revision, self.is_sqlite)
        return applied

    # ----------------------------------------------------------------------- backup and shutdown

    async def backup(self, destination: str | Path, *, overwrite: bool = False) -> Path:
        """Copy a live SQLite database consistently (sqlite3's online backup API) into one file."""
        source = sqlite_file(self.url)
        if source is None:
            raise DomainError("Backups are for SQLite files; use pg_dump for PostgreSQL.")
        if not source.exists():
            raise DomainError(f"There is no database at {source} yet.")
        destination = Path(destination)
        if destination.resolve() == source.resolve():
            raise DomainError("The backup path is the database itself; choose another path.")
        if destination.exists() and not overwrite:
            raise DomainError(f"{destination} already exists; choose another path.")
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DomainError(f"Not backed up: can't create the folder {destination.parent} ({exc.strerror}).") from exc
        await asyncio.to_thread(_sqlite_backup, source, destination)
        return destination

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config() -> Any:
    """A programmatic Alembic config pointing at the migrations shipped in this package."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.exists() else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["configure_logging"] = False
    return config


def _sqlite_pragma(conn: Connection, pragma: str) -> None:
    """Run a PRAGMA outside any transaction (the driver is in autocommit, see `_on_connect`)."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def _run_alembic(conn: Connection, config: Any, command_name: str, revision: str, sqlite: bool) -> None:
    """Run an Alembic command on `conn`. On SQLite, foreign keys are off while tables are rebuilt and
    checked afterwards, as SQLite's ALTER TABLE documentation prescribes."""
    from alembic import command

    if sqlite:
        _sqlite_pragma(conn, "foreign_keys = OFF")
    try:
        config.attributes["connection"] = conn
        getattr(command, command_name)(config, revision)
        if conn.in_transaction():
            conn.commit()
        if sqlite:
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            conn.commit()
            if broken:
                raise RuntimeError(f"migration left foreign keys pointing nowhere: {broken[:5]}")
    finally:
        if conn.in_transaction():
            conn.rollback()
        if sqlite:
            _sqlite_pragma(conn, "foreign_keys = ON")


def _sqlite_backup(source: Path, destination: Path) -> None:
    """Copy into `destination.partial`, check it, then rename; on any failure the partial file is removed
    and the reason is a `DomainError` (a corrupt source, a full disk, a lock held too long)."""
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
                (result,) = dst.execute("PRAGMA integrity_check").fetchone()
            finally:
                dst.close()
        finally:
            src.close()
        if result != "ok":
            first = " ".join(line for line in result.splitlines() if not line.startswith("***"))[:200]
            raise DomainError(f"Not backed up: {source} fails SQLite's integrity check ({first}).")
        partial.replace(destination)
    except (sqlite3.Error, OSError) as exc:
        raise DomainError(f"Not backed up: could not copy {source} ({exc}); "
                          "is it a SQLite database, and is there room at the destination?") from exc
    finally:
        partial.unlink(missing_ok=True)
