"""Roadmap progress and the reading list, keyed by the member's Discord user id.

Both are keyed by stable ids (roadmap item ids, guide section ids). The roadmap and guides are read
through zero-argument callables, so a knowledge reload swaps them under the services; records whose
item or section has since disappeared are kept and reported as retired, never deleted behind the
member's back.
"""
from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, select

from bot.errors import DomainError, LimitReached, NotFound
from bot.knowledge.roadmap import Roadmap, Stage
from bot.knowledge.roadmap_status import ItemProgress, RetiredProgress, RoadmapOverview, StageProgress, Status, next_item
from bot.storage.database import Database
from bot.storage.models import SECTION_ID_MAX, ReadingItem, RoadmapProgress
from bot.storage.queries import Clock, check_user_id, delete_row, get_row, member_write, storable, upsert, utcnow


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


class RoadmapProgressService:
    def __init__(self, db: Database, roadmap: Callable[[], Roadmap | None], *, clock: Clock = utcnow) -> None:
        self.db = db
        self._roadmap = roadmap
        self.clock = clock

    def roadmap(self) -> Roadmap:
        """The current roadmap (it changes when a moderator reloads the knowledge base)."""
        roadmap = self._roadmap()
        if roadmap is None:
            raise DomainError("The roadmap is not available right now; "
                              "a moderator needs to fix knowledge/roadmap.yaml.")
        return roadmap

    async def _records(self, user_id: int) -> dict[str, RoadmapProgress]:
        async with self.db.read() as session:
            rows = await session.execute(select(RoadmapProgress).where(RoadmapProgress.user_id == user_id))
            return {r.item_id: r for r in rows.scalars()}

    @staticmethod
    def _stage_progress(stage: Stage, records: Mapping[str, RoadmapProgress]) -> StageProgress:
        status = {item_id: Status(record.status) for item_id, record in records.items()}
        items = tuple(ItemProgress(i, status.get(i.id, Status.TODO)) for i in stage.items)
        return StageProgress(stage, items)

    async def overview(self, user_id: int) -> RoadmapOverview:
        roadmap = self.roadmap()
        records = await self._records(user_id)
        stages = tuple(self._stage_progress(s, records) for s in roadmap.stages)
        retired = tuple(RetiredProgress(r.item_id, Status(r.status), r.updated_at)
                        for r in sorted(records.values(), key=lambda r: r.item_id) if r.item_id not in roadmap.items)
        return RoadmapOverview(roadmap.title, stages, next_item(stages), retired)

    async def stage(self, user_id: int, ref: str | int) -> StageProgress:
        roadmap = self.roadmap()
        stage = roadmap.stage(ref)
        if stage is None:
            raise NotFound(f"There is no stage {str(ref)!r}; the roadmap has stages 1 to {len(roadmap.stages)}."
                           + _suggest(str(ref), [s.id for s in roadmap.stages]))
        return self._stage_progress(stage, await self._records(user_id))

    async def next_item(self, user_id: int) -> ItemProgress | None:
        return (await self.overview(user_id)).next_item

    async def set_status(self, user_id: int, item_id: str, status: Status) -> ItemProgress | RetiredProgress:
        """Record an item as done, doing or skipped; "todo" clears the record (not started)."""
        check_user_id(user_id)
        if status not in set(Status):
            raise DomainError(f"Status must be one of {', '.join(Status)}.")
        status = Status(status)
        roadmap = self.roadmap()
        item_id = storable(item_id).strip()
        item = roadmap.item(item_id)
        now = self.clock()
        async with member_write(self.db, user_id, now) as session:
            key = (RoadmapProgress.user_id == user_id, RoadmapProgress.item_id == item_id)
            if item is None:
                existing = (await session.execute(select(RoadmapProgress).where(*key))).scalar_one_or_none()
                if existing is None or status != "todo":
                    where = " is no longer on the roadmap" if existing is not None else " does not exist"
                    raise NotFound(f"Roadmap item {item_id!r}{where}." + _suggest(item_id, list(roadmap.items)))
                await session.execute(delete(RoadmapProgress).where(*key))
                return RetiredProgress(item_id, Status.TODO, now)
            if status == "todo":
                await session.execute(delete(RoadmapProgress).where(*key))
            else:
                values = {"user_id": user_id, "item_id": item_id, "status": status, "updated_at": now}
                await upsert(session, RoadmapProgress, values, ["user_id", "item_id"],
                             {"status": status, "updated_at": now})
            return ItemProgress(item, status)


# --------------------------------------------------------------------------- reading list

class SectionLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def heading(self) -> str: ...
    @property
    def guide_title(self) -> str: ...
    @property
    def url(self) -> str | None: ...


class GuideCatalog(Protocol):
    """What the reading list needs from the guides (bot.knowledge.guides.GuideSet fits)."""

    @property
    def sections(self) -> Mapping[str, SectionLike]: ...


@dataclass(frozen=True)
class ReadingEntry:
    id: int
    section_id: str
    title: str
    guide_title: str | None
    url: str | None
    saved_at: datetime
    read_at: datetime | None
    retired: bool  # the section is no longer in the guides

    @property
    def read(self) -> bool:
        return self.read_at is not None


@dataclass
class SaveResult:
    """What `save_many` did: newly saved, already on the list, not in the guides, no room left."""

    saved: list[ReadingEntry] = field(default_factory=list)
    already: list[ReadingEntry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    full: list[str] = field(default_factory=list)


class ReadingListService:
    def __init__(self, db: Database, guides: Callable[[], GuideCatalog], *, max_items: int = 200,
                 clock: Clock = utcnow) -> None:
        self.db = db
        self.guides = guides
        self.max_items = max_items
        self.clock = clock

    def _entry(self, row: ReadingItem) -> ReadingEntry:
        section = self.guides().sections.get(row.section_id)
        if section is None:
            return ReadingEntry(row.id, row.section_id, row.title or row.section_id, None, None,
                                row.saved_at, row.read_at, True)
        return ReadingEntry(row.id, row.section_id, section.heading, section.guide_title, section.url,
                            row.saved_at, row.read_at, False)

    async def list(self, user_id: int) -> list[ReadingEntry]:
        """Unread entries first, then read ones; each group in the order they were saved."""
        async with self.db.read() as session:
            rows = (await session.execute(select(ReadingItem).where(ReadingItem.user_id == user_id))).scalars()
            entries = [self._entry(r) for r in rows]
        return sorted(entries, key=lambda e: (e.read, e.saved_at, e.id))

    async def save(self, user_id: int, section_id: str) -> tuple[ReadingEntry, bool]:
        """Save a guide section; returns the entry and whether it was newly added."""
        result = await self.save_many(user_id, [section_id])
        if result.missing:
            section_id = (section_id or "").strip()
            raise NotFound(f"There is no guide section {section_id[:80]!r}."
                           + _suggest(section_id, list(self.guides().sections)))
        if result.full:
            raise LimitReached(self.full_message())
        return (result.saved[0], True) if result.saved else (result.already[0], False)

    def full_message(self) -> str:
        return (f"Your reading list already holds {self.max_items} sections, the most it can. "
                "Remove some you have read first.")

    async def save_many(self, user_id: int, section_ids: Sequence[str]) -> "SaveResult":
        """Save several sections in one transaction, as many as the list has room for, in order."""
        check_user_id(user_id)
        sections = self.guides().sections
        result = SaveResult()
        wanted = []
        for raw in section_ids:
            section_id = storable(raw).strip()
            section = sections.get(section_id) if len(section_id) <= SECTION_ID_MAX else None
            if section is None:
                result.missing.append(section_id)
            else:
                wanted.append(section)
        if not wanted:
            return result
        now = self.clock()
        async with member_write(self.db, user_id, now) as session:
            rows = (await session.execute(select(ReadingItem).where(ReadingItem.user_id == user_id))).scalars().all()
            existing = {row.section_id: row for row in rows}
            count = len(existing)
            for section in wanted:
                if section.id in existing:
                    result.already.append(self._entry(existing[section.id]))
                elif count >= self.max_items:
                    result.full.append(section.id)
                else:
                    row = ReadingItem(user_id=user_id, section_id=section.id, saved_at=now,
                                      title=section.heading[:SECTION_ID_MAX])
                    session.add(row)
                    await session.flush()
                    existing[section.id] = row
                    count += 1
                    result.saved.append(self._entry(row))
        return result

    async def _owned(self, session, user_id: int, ref: int | str) -> ReadingItem:
        text = storable(str(ref)).strip()
        if text.isascii() and text.isdigit():
            row = await get_row(session, ReadingItem, int(text), owner=user_id)
        else:
            stmt = select(ReadingItem).where(ReadingItem.user_id == user_id, ReadingItem.section_id == text)
            row = (await session.execute(stmt)).scalar_one_or_none()
        if row is None:
            raise NotFound(f"{text[:80]!r} is not on your reading list.")
        return row

    async def mark_read(self, user_id: int, ref: int | str, read: bool = True) -> ReadingEntry:
        """Mark an entry (by its number or section id) read or unread."""
        now = self.clock()
        async with member_write(self.db, user_id, now) as session:
            row = await self._owned(session, user_id, ref)
            if read and row.read_at is None:
                row.read_at = now
            elif not read:
                row.read_at = None
            await session.flush()
            return self._entry(row)

    async def remove(self, user_id: int, ref: int | str) -> ReadingEntry:
        async with member_write(self.db, user_id, self.clock()) as session:
            return await delete_row(session, await self._owned(session, user_id, ref), self._entry)
