"""Connection-level database failures, recognised once and raised as one domain error.

A PostgreSQL outage surfaces in many shapes: `ConnectionRefusedError` (an `OSError`, not a
`SQLAlchemyError`) when the pool opens a connection, `TimeoutError` from asyncpg's connect timeout,
asyncpg's own errors (`CannotConnectNowError` while the server starts or stops, `TooManyConnectionsError`),
a `DBAPIError` with `connection_invalidated` when a live connection drops mid-statement, SQLAlchemy's
pool `TimeoutError`. SQLite's are a missing or unopenable file, an I/O error or a full disk.
`translate_faults` turns every one of them into `StorageUnavailable`, so callers catch one type and the
member is told plainly that saving is unavailable; a bug (a constraint, a bad statement) is left alone,
but stripped of PostgreSQL's DETAIL line, which quotes the row's values (member ids and text).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc

from bot.errors import CareerbotError, StorageUnavailable

log = logging.getLogger(__name__)

_SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error", "database or disk is full")


def _asyncpg_faults() -> tuple[type[BaseException], ...]:
    try:
        from asyncpg import exceptions as pg
    except ImportError:  # pragma: no cover - asyncpg is a dependency, but SQLite needs none of it
        return ()
    return (pg.PostgresConnectionError, pg.CannotConnectNowError, pg.ConnectionDoesNotExistError,
            pg.TooManyConnectionsError, pg.AdminShutdownError, pg.CrashShutdownError)


_ASYNCPG_FAULTS = _asyncpg_faults()


def is_unavailable(error: BaseException, _depth: int = 0) -> bool:
    """True when `error` (or what it wraps) means the database can't be reached or written right now."""
    if isinstance(error, CareerbotError) or _depth > 8:
        return False
    if isinstance(error, (OSError, sa_exc.TimeoutError) + _ASYNCPG_FAULTS):  # TimeoutError is an OSError
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        if isinstance(error, sa_exc.OperationalError) and any(
                text in str(error.orig).lower() for text in _SQLITE_UNAVAILABLE):
            return True
    inner = [getattr(error, "orig", None), error.__cause__]
    return any(e is not None and e is not error and is_unavailable(e, _depth + 1) for e in inner)


def root_cause(error: BaseException) -> BaseException:
    """The innermost error `error` wraps (the driver's or the operating system's)."""
    for _ in range(8):
        inner = getattr(error, "orig", None) or error.__cause__
        if inner is None or inner is error:
            break
        error = inner
    return error


def _drop_row_details(error: BaseException) -> None:
    """PostgreSQL puts the offending values in an error's DETAIL ("Key (user_id)=(...)", "Failing row
    contains (...)"), which asyncpg prints with the message: clear it, so a logged traceback of a failed
    write names no member id or text (`hide_parameters` already keeps the statement's parameters out)."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen or len(seen) > 16:
            continue
        seen.add(id(current))
        if getattr(current, "detail", None) and type(current).__module__.startswith("asyncpg"):
            current.detail = None  # type: ignore[attr-defined]
        orig = getattr(current, "orig", None)
        stack.extend([orig if isinstance(orig, BaseException) else None, current.__cause__, current.__context__])


@contextmanager
def translate_faults(message: str | None = None) -> Iterator[None]:
    """Raise `StorageUnavailable` for a connection-level failure inside the block; re-raise anything else.
    `message` (for operators) may name the `{cause}`; members get the default one. The log line names
    the failure's type and the driver's message, never the statement's parameters; with `message` it is
    only a debug line, since whoever reports the message (one line for `careerbot db upgrade`, one warning
    for a bot starting without its database) already names the cause."""
    try:
        yield
    except Exception as error:
        _drop_row_details(error)
        if not is_unavailable(error):
            raise
        root = root_cause(error)
        cause = f"{type(root).__name__}: {str(root)[:200]}"
        log.log(logging.DEBUG if message else logging.WARNING, "database unavailable (%s)", cause)
        raise (StorageUnavailable(message.format(cause=cause)) if message else StorageUnavailable()) from error
