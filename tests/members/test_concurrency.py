"""200 members doing 20 mixed operations each, all at once, end in exactly the state a sequential model
predicts: no lost update, no "database is locked" (or any other unexpected error) reaching a member.

Each member's operations are generated from a seeded RNG while a plain-Python model of the services is
run alongside, so every operation carries its expected outcome (including the expected LimitReached of
a small goal cap). Shared rows — votes on the same answers, counts of the same unanswered questions —
are where lost updates would show. Also here: "delete my data" racing the member's own writes, and two
schema upgrades at once.
"""
from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.errors import LimitReached
from bot.storage.database import Database
from tests.storage.test_storage import REVISIONS

MEMBERS, OPERATIONS, GOAL_CAP = 200, 20, 2
FIRST_MEMBER = 500_000_000_000_000_000
SECTIONS = ["arya-how-to-become-ml-engineer#2-statistics", "brainstation-ml-engineer-guide#data-skills",
            "simplilearn-ml-career-guide#step-3-create-a-standout-project-portfolio"]
ITEMS = ["read-what-an-mle-is", "choose-your-route", "learn-python-data-stack", "build-end-to-end-project"]
QUESTIONS = [["Is a PhD needed?", "is a phd NEEDED", "<@42> is a PhD needed"], ["What about Rust?", "what about rust"]]


@dataclass
class Model:
    """What one member's data should be after their operations, run one after another."""

    goals: list[str | None] = field(default_factory=list)  # by local index: "open", "done", or None (removed)
    progress: dict[str, str] = field(default_factory=dict)
    reading: dict[str, bool] = field(default_factory=dict)  # section -> read
    votes: dict[int, bool] = field(default_factory=dict)  # shared answer index -> helpful
    answers: int = 0

    def open_goals(self) -> int:
        return sum(1 for g in self.goals if g == "open")


def plan(member: int, rng: random.Random) -> tuple[list[tuple[str, Any, type | None]], Model]:
    """A member's operations with the outcome each should have, and the model state after them."""
    model, ops = Model(), []
    kinds = ["goal_add", "goal_done", "goal_reopen", "goal_remove", "status", "save", "read", "unsave",
             "vote", "unanswered", "answer", "overview", "list_goals", "list_reading"]
    for _ in range(OPERATIONS):
        live = [i for i, g in enumerate(model.goals) if g is not None]
        kind = rng.choice([k for k in kinds if (live or not k.startswith("goal_") or k == "goal_add")
                           and (model.reading or k not in ("read", "unsave"))])
        expect: type | None = None
        if kind == "goal_add":
            arg: Any = len(model.goals)
            if model.open_goals() >= GOAL_CAP:
                expect = LimitReached
            else:
                model.goals.append("open")
        elif kind in ("goal_done", "goal_reopen", "goal_remove"):
            arg = rng.choice(live)
            if kind == "goal_done":
                model.goals[arg] = "done"
            elif kind == "goal_remove":
                model.goals[arg] = None
            elif model.goals[arg] == "done" and model.open_goals() >= GOAL_CAP:
                expect = LimitReached
            else:
                model.goals[arg] = "open"
        elif kind == "status":
            arg = (rng.choice(ITEMS), rng.choice(["done", "doing", "skipped", "todo"]))
            model.progress.pop(arg[0], None) if arg[1] == "todo" else model.progress.update({arg[0]: arg[1]})
        elif kind == "save":
            arg = rng.choice(SECTIONS)
            model.reading.setdefault(arg, False)
        elif kind in ("read", "unsave"):
            arg = rng.choice(sorted(model.reading))
            model.reading.update({arg: True}) if kind == "read" else model.reading.pop(arg)
        elif kind == "vote":
            arg = (rng.randrange(3), rng.random() < 0.5)
            model.votes[arg[0]] = arg[1]
        elif kind == "unanswered":
            arg = rng.randrange(len(QUESTIONS))
            arg = (arg, rng.choice(QUESTIONS[arg]))
        elif kind == "answer":
            arg = None
            model.answers += 1
        else:
            arg = None
        ops.append((kind, arg, expect))
    return ops, model


async def run_member(services, user_id: int, ops, shared_answers: list[int]) -> tuple[list[int], list[str]]:
    """Perform the operations; return the real goal ids by local index, and anything unexpected."""
    goal_ids: list[int] = []
    unexpected: list[str] = []
    for kind, arg, expect in ops:
        try:
            if kind == "goal_add":
                goal_ids.append((await services.goals.add(user_id, f"goal {arg}")).id)
            elif kind == "goal_done":
                await services.goals.complete(user_id, goal_ids[arg])
            elif kind == "goal_reopen":
                await services.goals.reopen(user_id, goal_ids[arg])
            elif kind == "goal_remove":
                await services.goals.remove(user_id, goal_ids[arg])
            elif kind == "status":
                await services.roadmap_progress.set_status(user_id, *arg)
            elif kind == "save":
                await services.reading.save(user_id, arg)
            elif kind == "read":
                await services.reading.mark_read(user_id, arg)
            elif kind == "unsave":
                await services.reading.remove(user_id, arg)
            elif kind == "vote":
                await services.community.vote(shared_answers[arg[0]], user_id, arg[1])
            elif kind == "unanswered":
                await services.community.record_unanswered(None, arg[1])
            elif kind == "answer":
                await services.community.record_answer(user_id, "q", answered=True, guild_id=1)
            elif kind == "overview":
                await services.roadmap_progress.overview(user_id)
            elif kind == "list_goals":
                await services.goals.list(user_id)
            elif kind == "list_reading":
                await services.reading.list(user_id)
            if expect is not None:
                unexpected.append(f"{kind} {arg}: expected {expect.__name__}, got success")
        except Exception as exc:  # noqa: BLE001 - every failure is collected and compared below
            if expect is None or not isinstance(exc, expect):
                unexpected.append(f"{kind} {arg}: {type(exc).__name__}: {exc}")
    return goal_ids, unexpected


async def test_two_hundred_members_at_once(make_services):
    services = make_services(max_open_goals=GOAL_CAP)
    shared = [await services.community.record_answer(1, f"shared {i}", answered=True) for i in range(3)]
    plans = {FIRST_MEMBER + n: plan(n, random.Random(n)) for n in range(MEMBERS)}

    results = await asyncio.gather(*(run_member(services, uid, ops, shared) for uid, (ops, _m) in plans.items()))

    problems = [p for _ids, unexpected in results for p in unexpected]
    assert problems == [], problems[:10]
    for (uid, (_ops, model)), (goal_ids, _u) in zip(plans.items(), results):
        goals = {g.id: ("done" if g.done else "open") for g in await services.goals.list(uid)}
        assert goals == {goal_ids[i]: state for i, state in enumerate(model.goals) if state is not None}, uid
        overview = await services.roadmap_progress.overview(uid)
        statuses = {p.item.id: p.status for s in overview.stages for p in s.items if p.status != "todo"}
        assert statuses == model.progress, uid
        reading = {e.section_id: e.read for e in await services.reading.list(uid)}
        assert reading == model.reading, uid
        exported = (await services.privacy.export(uid))["data"]
        assert len(exported["answers"]) == model.answers, uid

    for index, answer_id in enumerate(shared):
        votes = [m.votes[index] for _ops, m in plans.values() if index in m.votes]
        tally = await services.community.tally(answer_id)
        assert (tally.helpful, tally.not_helpful) == (votes.count(True), votes.count(False))
    asked = Counter(arg[0] for ops, _m in plans.values() for kind, arg, _e in ops if kind == "unanswered")
    gaps = {g.question: g.count for g in await services.community.gaps()}
    assert gaps == {"is a phd needed": asked[0], "what about rust": asked[1]}



# A second process upgrading the same database: it prints REACHED just before its first statement that
# takes a lock or creates a table, then OK and the revisions it applied, or the error it got.
SECOND_UPGRADE = """
import asyncio, json, sys
from sqlalchemy import event
from bot.storage.database import Database
from tests.storage.test_storage import REVISIONS

async def main(url, kwargs):
    db = Database(url, **kwargs)
    seen = []
    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def before(conn, cursor, sql, *args):
        if not seen and ("pg_advisory" in sql or sql.startswith("BEGIN IMMEDIATE") or "CREATE TABLE" in sql):
            seen.append(sql)
            print("REACHED", flush=True)
    try:
        applied = await db.upgrade()
        print("OK", applied, flush=True)
    except Exception as exc:
        print(f"FAILED {type(exc).__name__}: {exc}", flush=True)
    finally:
        await db.dispose()

asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))
"""


async def test_two_upgrades_at_once_on_an_empty_database_both_succeed(backend, tmp_path):
    """As two `careerbot db upgrade` (or two bots starting) would: this process is held mid-migration while
    a second process starts upgrading and reaches its first locking statement; then both go on. Without
    a migration lock the second creates its own alembic_version next to the first's and fails."""
    import json
    import sys

    from tests.conftest import REPO_ROOT
    from tests.db_faults import empty_database, pause_before

    async with empty_database(backend, tmp_path) as (url, kwargs):
        first = Database(url, **kwargs)
        try:
            with pause_before(first, lambda sql: "CREATE TABLE goals" in sql) as held:
                one = asyncio.ensure_future(first.upgrade())
                await asyncio.wait_for(held.reached.wait(), 60)
                child = await asyncio.create_subprocess_exec(
                    sys.executable, "-c", SECOND_UPGRADE, url, json.dumps(kwargs), cwd=REPO_ROOT,
                    stdout=asyncio.subprocess.PIPE)
                try:
                    assert (await asyncio.wait_for(child.stdout.readline(), 60)).strip() == b"REACHED"
                finally:
                    held.release()
                    await one
                    second = (await asyncio.wait_for(child.communicate(), 60))[0].decode().strip()
            assert second == "OK []" and child.returncode == 0  # the first applied everything
            assert await first.current_revision() == REVISIONS[-1]
        finally:
            await first.dispose()


async def test_delete_my_data_racing_the_members_own_writes_gives_only_clear_results(services):
    """A member deletes their data (twice) while 240 of their own writes are in flight: every write
    either lands or gets a clear domain error (no foreign-key or deadlock error reaching them)."""
    from bot.errors import CareerbotError

    uid = FIRST_MEMBER + 7
    goal_ids = [(await services.goals.add(uid, f"goal {i}")).id for i in range(3)]
    ops = []
    for i in range(40):
        ops += [lambda i=i: services.goals.add(uid, f"new \x00 goal {i}"),
                lambda i=i: services.goals.complete(uid, goal_ids[i % 3]),
                lambda i=i: services.roadmap_progress.set_status(uid, ITEMS[i % 4], "done"),
                lambda i=i: services.reading.save(uid, SECTIONS[i % 3]),
                lambda i=i: services.reading.mark_read(uid, SECTIONS[i % 3]),
                lambda i=i: services.goals.remove(uid, goal_ids[i % 3])]
    ops.insert(80, lambda: services.privacy.delete(uid))
    ops.insert(200, lambda: services.privacy.delete(uid))
    results = await asyncio.gather(*(op() for op in ops), return_exceptions=True)
    raw = [f"{type(r).__name__}: {r}" for r in results if isinstance(r, Exception) and not isinstance(r, CareerbotError)]
    assert raw == [], raw[:5]
    assert all(not isinstance(r, Exception) for r in results[80:81] + results[200:201])  # both deletions ran
    goals = await services.goals.list(uid)
    assert all("\x00" not in g.text for g in goals)


async def test_a_write_whose_member_row_is_deleted_under_it_lands_after_the_deletion(services, backend):
    """Forced interleaving (PostgreSQL; SQLite serialises writes): the write has found the member row,
    "delete my data" removes it and commits, then the write goes on. It must not fail on the foreign key."""
    if backend != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time, so this interleaving can't happen there")
    from tests.db_faults import pause_before

    uid = FIRST_MEMBER + 8
    await services.goals.add(uid, "old goal")
    with pause_before(services.database, lambda sql: "FOR UPDATE" in sql and "members" in sql) as gate:
        write = asyncio.ensure_future(services.goals.add(uid, "new goal"))
        await gate.reached.wait()  # the write has upserted the (existing) member row
        report = await services.privacy.delete(uid)
        gate.release()
        added = await write
    assert report.deleted["goals"] == 1 and report.deleted["members"] == 1
    assert [g.text for g in await services.goals.list(uid)] == [added.text] == ["new goal"]
