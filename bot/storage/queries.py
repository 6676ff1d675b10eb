"""Statements the services share: a dialect-aware upsert, the per-member row lock, a UTC clock.

Upserts are single atomic statements (`INSERT ... ON CONFLICT`) on SQLite and PostgreSQL, so
concurrent writers never lose an update; counters are updated with `SET count = count + 1`.
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any, TypeVar, cast

from sqlalchemy import Table, and_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import DomainError

from .database import Database
from .models import MAX_ROW_ID, Base, Member

Clock = Callable[[], datetime]
MAX_SNOWFLAKE = 2**63 - 1
RowT = TypeVar("RowT", bound=Base)
Shown = TypeVar("Shown")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@asynccontextmanager
async def member_write(db: Database, user_id: int, now: datetime) -> AsyncIterator[AsyncSession]:
    """A write transaction that holds the member's row lock (`lock_member`) from the start, so one
    member's writes run one at a time."""
    async with db.write() as session:
        await lock_member(session, user_id, now)
        yield session


async def delete_row(session: AsyncSession, row: RowT, show: Callable[[RowT], Shown]) -> Shown:
    """Delete `row` and return `show(row)`, taken before the delete."""
    shown = show(row)
    await session.delete(row)
    return shown


async def rows_changed(session: AsyncSession, statement: Any) -> int:
    """Run an UPDATE or DELETE and return how many rows it touched."""
    return cast(CursorResult[Any], await session.execute(statement)).rowcount


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str | None) -> str:
    """Member text as every database can store and compare it: NUL characters removed (PostgreSQL can't
    hold them; SQLite can) and lone surrogates, which have no UTF-8 form (undecodable input bytes become
    them), replaced by U+FFFD. Applied to every piece of member text on its way in, so neither ever
    fails a write."""
    return _LONE_SURROGATE.sub("\ufffd", (text or "").replace("\x00", ""))


def check_user_id(user_id: int) -> int:
    """Discord ids are positive 64-bit integers; anything else is a programming error."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) or not 0 < user_id <= MAX_SNOWFLAKE:
        raise ValueError(f"not a Discord id: {user_id!r}")
    return user_id


async def get_row(session: AsyncSession, model: type[RowT], row_id: int, *, owner: int | None = None) -> RowT | None:
    """The row with this id, or None: for an id no row can have, a missing row, or (with `owner`) a row
    that belongs to another member, which looks exactly like a missing one."""
    row = await session.get(model, row_id) if 0 < row_id <= MAX_ROW_ID else None
    if row is not None and owner is not None and getattr(row, "user_id", None) != owner:
        return None
    return row


async def upsert(
    session: AsyncSession,
    model: type[Base],
    values: Mapping[str, Any],
    keys: Sequence[str],
    set_: Mapping[str, Any] | None = None,
) -> None:
    """Insert `values`, or when a row with the same `keys` exists, update it with `set_` (an empty or
    missing `set_` leaves the existing row alone). `set_` values may be SQL expressions such as
    `Model.count + 1`, evaluated atomically against the existing row."""
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = insert(model).values(**values)
        if set_:
            stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=dict(set_))
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
        await session.execute(stmt)
    else:
        await generic_upsert(session, model, values, keys, set_)


async def generic_upsert(session: AsyncSession, model: type[Base], values: Mapping[str, Any], keys: Sequence[str],
                         set_: Mapping[str, Any] | None = None) -> None:
    """Upsert for databases without `ON CONFLICT`: update, else insert in a savepoint, else update again."""
    table = cast(Table, model.__table__)
    where = and_(*(table.c[k] == values[k] for k in keys))
    if set_ and await rows_changed(session, update(table).where(where).values(**set_)):
        return
    try:
        async with session.begin_nested():
            await session.execute(table.insert().values(**values))
    except IntegrityError:
        if set_:
            await session.execute(update(table).where(where).values(**set_))


async def lock_member(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Make sure the member's row exists and hold its lock until the transaction ends.

    On PostgreSQL this is `SELECT ... FOR UPDATE`, which serialises one member's concurrent writes
    (so caps such as "20 open goals" hold); on SQLite every write transaction is already exclusive.
    A write racing the member's own "delete my data" lands after the deletion, never on a missing row.
    """
    check_user_id(user_id)
    for _attempt in range(3):
        await upsert(session, Member, {"user_id": user_id, "created_at": now}, ["user_id"])
        if session.get_bind().dialect.name == "sqlite":
            return
        locked = select(Member.user_id).where(Member.user_id == user_id).with_for_update()
        if (await session.execute(locked)).first() is not None:
            return
        # "Delete my data" removed the row between the upsert (which found it) and the lock: insert it
        # again, or the member's write would fail on its foreign key.
    raise DomainError("Your data is being deleted right now; please try again in a moment.")
