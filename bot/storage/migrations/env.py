"""Alembic environment for careerbot.

The app runs migrations through `bot.storage.database.Database.upgrade()`, which hands its own
connection over in `config.attributes["connection"]`. Run from the `alembic` command line instead, the
URL is taken from the settings (DATABASE_URL or `.env`), never from alembic.ini.
"""
from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from bot.storage.models import Base

config = context.config
target_metadata = Base.metadata

if config.config_file_name and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from bot.settings import Settings

    return Settings.from_env().database_url


def _configure(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
        # bot.storage.database makes SQLite DDL transactional (it emits BEGIN itself), so an upgrade
        # is all-or-nothing on SQLite as on PostgreSQL.
        transactional_ddl=True if sqlite else None,
        on_version_apply=_record_step,
    )


def _record_step(ctx: Any, step: Any, heads: Any, run_args: Any) -> None:
    """Tell `Database.upgrade()` which revisions this run applied."""
    applied = config.attributes.get("applied")
    if applied is not None:
        applied.extend(step.up_revision_ids)  # on a downgrade, the revision taken away


# Any fixed 64-bit key, the same in every careerbot process: "careerbot" in ASCII.
MIGRATION_LOCK_KEY = 0x6361_7265_6572_626F


def do_run_migrations(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Two `careerbot db upgrade` (or two bots starting) at once: the second waits here until the first
        # commits, then finds the schema at head. A transaction-level lock, so it ends with the
        # migration's transaction (or the connection) and can never be left behind.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    from bot.storage.database import normalise_url

    url = normalise_url(_database_url())
    context.configure(
        url=url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.get_backend_name() == "sqlite",
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async_migrations() -> None:
    from bot.storage.database import create_engine

    engine = create_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        asyncio.run(_run_async_migrations())
    else:
        do_run_migrations(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
