"""Members' goals: add, list, complete, reopen, remove. Every write is one transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from bot.errors import DomainError, LimitReached, NotFound
from bot.storage.database import Database
from bot.storage.models import GOAL_TEXT_MAX, Goal
from bot.storage.queries import Clock, check_user_id, delete_row, get_row, member_write, storable, utcnow

MAX_YEARS_AHEAD = 10


@dataclass(frozen=True)
class GoalView:
    id: int
    text: str
    target_date: date | None
    created_at: datetime
    completed_at: datetime | None

    @property
    def done(self) -> bool:
        return self.completed_at is not None

    @classmethod
    def of(cls, goal: Goal) -> "GoalView":
        return cls(goal.id, goal.text, goal.target_date, goal.created_at, goal.completed_at)

    def due_note(self, today: date, overdue: str) -> str:
        """" (by 2025-12-31)", with `overdue` added once the date has passed on an open goal; "" when
        the goal has no date. Both faces write a goal's line with it."""
        if not self.target_date:
            return ""
        late = overdue if not self.done and self.target_date < today else ""
        return f" (by {self.target_date.isoformat()}{late})"


def goal_number(ref: str) -> int | None:
    """A goal's number as members type it, "3" or "#3"; None for anything else."""
    text = ref.strip().lstrip("#")
    return int(text) if text.isascii() and text.isdigit() else None  # "²".isdigit() is True, but int() refuses it


def parse_date(text: str) -> date | None:
    """A YYYY-MM-DD date, or None when the text is not one."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def earliest_today(now: datetime) -> date:
    """The date it is somewhere on Earth right now at the latest-running offset (UTC-12): a target
    date before this is in the past for every member, wherever they live."""
    return (now - timedelta(hours=12)).date()


def clean_goal_text(text: str) -> str:
    cleaned = " ".join(storable(text).split())
    if not cleaned:
        raise DomainError("A goal needs a description, e.g. \"Finish an end-to-end ML project\".")
    if len(cleaned) > GOAL_TEXT_MAX:
        raise DomainError(f"That goal is {len(cleaned)} characters long; keep it to {GOAL_TEXT_MAX} or fewer.")
    return cleaned


class GoalService:
    def __init__(self, db: Database, *, max_open: int = 20, clock: Clock = utcnow) -> None:
        self.db = db
        self.max_open = max_open
        self.clock = clock

    def _check_target(self, target: date | None, now: datetime) -> None:
        if target is None:
            return
        if target < earliest_today(now):
            raise DomainError(f"The target date {target.isoformat()} is in the past; pick today or a later date.")
        if target.year > now.year + MAX_YEARS_AHEAD:
            raise DomainError(f"Pick a target date within the next {MAX_YEARS_AHEAD} years.")

    async def _open_count(self, session, user_id: int) -> int:
        stmt = select(func.count()).select_from(Goal).where(Goal.user_id == user_id, Goal.completed_at.is_(None))
        return int((await session.execute(stmt)).scalar_one())

    def _limit_message(self) -> str:
        return (f"You already have {self.max_open} open goals, the most you can have. "
                "Complete or remove one first.")

    async def add(self, user_id: int, text: str, target_date: date | None = None) -> GoalView:
        check_user_id(user_id)
        cleaned = clean_goal_text(text)
        now = self.clock()
        self._check_target(target_date, now)
        async with member_write(self.db, user_id, now) as session:
            if await self._open_count(session, user_id) >= self.max_open:
                raise LimitReached(self._limit_message())
            goal = Goal(user_id=user_id, text=cleaned, target_date=target_date, created_at=now)
            session.add(goal)
            await session.flush()
            return GoalView.of(goal)

    async def list(self, user_id: int, *, include_done: bool = True) -> list[GoalView]:
        """Open goals first (soonest target first), then completed ones (most recent first)."""
        stmt = select(Goal).where(Goal.user_id == user_id)
        if not include_done:
            stmt = stmt.where(Goal.completed_at.is_(None))
        async with self.db.read() as session:
            goals = [GoalView.of(g) for g in (await session.execute(stmt)).scalars()]
        open_goals = sorted((g for g in goals if not g.done),
                            key=lambda g: (g.target_date is None, g.target_date or date.max, g.id))
        done = sorted((g for g in goals if g.done), key=lambda g: (g.completed_at, g.id), reverse=True)
        return open_goals + done

    async def get(self, user_id: int, goal_id: int) -> GoalView:
        async with self.db.read() as session:
            return GoalView.of(await self._owned(session, user_id, goal_id))

    async def _owned(self, session, user_id: int, goal_id: int) -> Goal:
        goal = await get_row(session, Goal, goal_id, owner=user_id)
        if goal is None:
            raise NotFound(f"You have no goal #{goal_id}.")
        return goal

    async def complete(self, user_id: int, goal_id: int) -> GoalView:
        """Mark a goal done (completing a done goal changes nothing)."""
        now = self.clock()
        async with member_write(self.db, user_id, now) as session:
            goal = await self._owned(session, user_id, goal_id)
            if goal.completed_at is None:
                goal.completed_at = now
            await session.flush()
            return GoalView.of(goal)

    async def reopen(self, user_id: int, goal_id: int) -> GoalView:
        now = self.clock()
        async with member_write(self.db, user_id, now) as session:
            goal = await self._owned(session, user_id, goal_id)
            if goal.completed_at is not None:
                if await self._open_count(session, user_id) >= self.max_open:
                    raise LimitReached(self._limit_message())
                goal.completed_at = None
            await session.flush()
            return GoalView.of(goal)

    async def remove(self, user_id: int, goal_id: int) -> GoalView:
        async with member_write(self.db, user_id, self.clock()) as session:
            return await delete_row(session, await self._owned(session, user_id, goal_id), GoalView.of)
