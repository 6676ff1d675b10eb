"""Export everything stored about a member as JSON, or delete it.

Which tables name a member is declared once, in `bot.storage.models.MEMBER_COLUMNS`; this service
walks that list, so a new table holding user ids is exported and deleted as soon as it is declared
there (and `tests/members/test_privacy.py` fails until it is).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, delete, select, update

from bot.storage.database import Database
from bot.storage.models import MEMBER_COLUMNS, Base, Member
from bot.storage.queries import Clock, check_user_id, rows_changed, utcnow

EXPORT_FORMAT = "careerbot-member-export/1"


def _jsonable(value: Any, column: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is not None and isinstance(column.type, BigInteger):
        return str(value)  # Discord ids do not survive JavaScript's doubles
    return value


@dataclass(frozen=True)
class DeletionReport:
    user_id: int
    deleted: dict[str, int]  # table -> rows removed
    anonymised: dict[str, int]  # table -> rows where the member's id was cleared

    @property
    def total(self) -> int:
        return sum(self.deleted.values()) + sum(self.anonymised.values())


def as_json(exported: dict[str, Any]) -> str:
    """An export as the JSON file members download."""
    return json.dumps(exported, indent=2, ensure_ascii=False)


class PrivacyService:
    def __init__(self, db: Database, *, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    @staticmethod
    def _tables() -> list[tuple[Any, str, str]]:
        """(table, user id column, action) for every member table, children before parents."""
        order = [t.name for t in reversed(Base.metadata.sorted_tables)]
        tables = Base.metadata.tables
        return [(tables[name], *MEMBER_COLUMNS[name]) for name in order if name in MEMBER_COLUMNS]

    async def export(self, user_id: int) -> dict[str, Any]:
        """Every row that names the member, table by table, as JSON-ready data."""
        check_user_id(user_id)
        data: dict[str, list[dict[str, Any]]] = {}
        async with self.db.read() as session:
            for table, column, _action in sorted(self._tables(), key=lambda t: t[0].name):
                order = list(table.primary_key.columns)
                result = await session.execute(select(table).where(table.c[column] == user_id).order_by(*order))
                data[table.name] = [{k: _jsonable(v, table.c[k]) for k, v in row._mapping.items()} for row in result]
        return {
            "format": EXPORT_FORMAT,
            "user_id": str(user_id),
            "exported_at": self.clock().isoformat(),
            "data": data,
        }

    async def export_json(self, user_id: int) -> str:
        return as_json(await self.export(user_id))

    async def delete(self, user_id: int) -> DeletionReport:
        """Remove every row about the member and clear their id where a row is not about them, in one
        transaction. Rows that depend on deleted ones (votes on their answers) go by ON DELETE CASCADE."""
        check_user_id(user_id)
        deleted: dict[str, int] = {}
        anonymised: dict[str, int] = {}
        async with self.db.write() as session:
            # Take the member's row lock first, as every write of theirs does (`lock_member`), so a write
            # in flight finishes before the deletion starts and one arriving later waits for it to end:
            # the same lock order everywhere, so no deadlock and no write on a half-deleted member.
            await session.execute(select(Member.user_id).where(Member.user_id == user_id).with_for_update())
            for table, column, action in self._tables():
                where = table.c[column] == user_id
                if action == "delete":
                    deleted[table.name] = await rows_changed(session, delete(table).where(where))
                else:
                    stmt = update(table).where(where).values({column: None})
                    anonymised[table.name] = await rows_changed(session, stmt)
        return DeletionReport(user_id, deleted, anonymised)
