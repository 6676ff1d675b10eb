"""Where a member stands on the roadmap: item statuses, the percent, the next suggested item.

Pure values, no storage: the member services fill them from the database, and every face (Discord
embeds and buttons, the console, the roadmap card) renders them. Each rule is written once, here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the storage layer imports Status without the roadmap's parser
    from bot.knowledge.roadmap import Item, Stage


class Status(StrEnum):
    """An item's state for one member, as on roadmap.sh; "todo" is stored as no record at all."""

    DONE = "done"
    DOING = "doing"
    SKIPPED = "skipped"
    TODO = "todo"


FINISHED = frozenset({Status.DONE, Status.SKIPPED})  # skipped counts toward completion, as on roadmap.sh
STORED = (Status.DONE, Status.DOING, Status.SKIPPED)  # the statuses a progress record can hold


def percent(finished: int, total: int) -> int:
    """Whole percent finished, rounded down; an empty roadmap or stage is complete."""
    return finished * 100 // total if total else 100


@dataclass(frozen=True)
class ItemProgress:
    item: Item
    status: Status


@dataclass(frozen=True)
class StageProgress:
    stage: Stage
    items: tuple[ItemProgress, ...]

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def finished(self) -> int:
        return sum(1 for i in self.items if i.status in FINISHED)

    @property
    def percent(self) -> int:
        return percent(self.finished, self.total)

    def next_item(self) -> ItemProgress | None:
        """The stage's next suggested item: one already in progress, else the first unfinished one."""
        unfinished = [i for i in self.items if i.status not in FINISHED]
        return next((i for i in unfinished if i.status == Status.DOING), unfinished[0] if unfinished else None)


@dataclass(frozen=True)
class RetiredProgress:
    """A member's record for an item that is no longer on the roadmap."""

    item_id: str
    status: Status
    updated_at: datetime


@dataclass(frozen=True)
class RoadmapOverview:
    title: str
    stages: tuple[StageProgress, ...]
    next_item: ItemProgress | None
    retired: tuple[RetiredProgress, ...]

    @property
    def total(self) -> int:
        return sum(s.total for s in self.stages)

    @property
    def finished(self) -> int:
        return sum(s.finished for s in self.stages)

    @property
    def percent(self) -> int:
        return percent(self.finished, self.total)


def next_item(stages: tuple[StageProgress, ...]) -> ItemProgress | None:
    """The earliest stage's next suggested item (see `StageProgress.next_item`)."""
    return next((found for found in (s.next_item() for s in stages) if found is not None), None)
