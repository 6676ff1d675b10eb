"""Goals, roadmap progress and the reading list, on every configured backend."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.errors import DomainError, LimitReached, NotFound
from bot.knowledge.guides import GuideSet
from bot.knowledge.roadmap import parse_roadmap
from bot.members.progress import ItemProgress, RetiredProgress

ALICE, BOB = 111_111_111_111_111_111, 222_222_222_222_222_222
STATS = "arya-how-to-become-ml-engineer#2-statistics"
PORTFOLIO = "simplilearn-ml-career-guide#step-3-create-a-standout-project-portfolio"


# ----------------------------------------------------------------------------- goals

async def test_goal_lifecycle(services, clock):
    goals = services.goals
    first = await goals.add(ALICE, "  Ship   an end-to-end project ", date(2025, 6, 1))
    second = await goals.add(ALICE, "Practise LeetCode weekly")
    assert first.text == "Ship an end-to-end project" and first.created_at == clock.now and not first.done
    assert [g.id for g in await goals.list(ALICE)] == [first.id, second.id]  # dated goals first

    clock.now += timedelta(days=1)
    done = await goals.complete(ALICE, first.id)
    assert done.done and done.completed_at == clock.now
    assert (await goals.complete(ALICE, first.id)).completed_at == done.completed_at  # idempotent
    assert [g.id for g in await goals.list(ALICE)] == [second.id, first.id]
    assert [g.id for g in await goals.list(ALICE, include_done=False)] == [second.id]

    assert not (await goals.reopen(ALICE, first.id)).done
    removed = await goals.remove(ALICE, second.id)
    assert removed.id == second.id and [g.id for g in await goals.list(ALICE)] == [first.id]


@pytest.mark.parametrize("text, message", [
    ("", "needs a description"),
    ("   \n ", "needs a description"),
    ("x" * 201, "201 characters long; keep it to 200"),
])
async def test_goal_text_is_checked(services, text, message):
    with pytest.raises(DomainError, match=message):
        await services.goals.add(ALICE, text)
    assert await services.goals.list(ALICE) == []


async def test_goal_text_of_exactly_200_characters_is_fine(services):
    assert len((await services.goals.add(ALICE, "x" * 200)).text) == 200


async def test_target_dates_in_the_past_are_refused_wherever_the_member_lives(services, clock):
    clock.now = datetime(2025, 3, 14, 2, 0, tzinfo=timezone.utc)  # still 13 March in Hawaii and on Baker Island
    await services.goals.add(ALICE, "due today somewhere", date(2025, 3, 13))
    with pytest.raises(DomainError, match="2025-03-12 is in the past"):
        await services.goals.add(ALICE, "too late", date(2025, 3, 12))
    with pytest.raises(DomainError, match="within the next 10 years"):
        await services.goals.add(ALICE, "too far", date(2040, 1, 1))


async def test_open_goal_cap(make_services):
    goals = make_services(max_open_goals=2).goals
    a = await goals.add(ALICE, "one")
    await goals.add(ALICE, "two")
    with pytest.raises(LimitReached, match="already have 2 open goals"):
        await goals.add(ALICE, "three")
    await goals.add(BOB, "the cap is per member")
    await goals.complete(ALICE, a.id)
    await goals.add(ALICE, "three")  # completing one makes room
    with pytest.raises(LimitReached):
        await goals.reopen(ALICE, a.id)  # ...and reopening would go over the cap
    assert len(await goals.list(ALICE, include_done=False)) == 2


async def test_another_members_goal_looks_missing(services):
    goal = await services.goals.add(ALICE, "mine")
    for action in (services.goals.complete, services.goals.reopen, services.goals.remove, services.goals.get):
        with pytest.raises(NotFound, match=f"You have no goal #{goal.id}."):
            await action(BOB, goal.id)
    with pytest.raises(NotFound):
        await services.goals.remove(ALICE, 10**12)
    assert [g.text for g in await services.goals.list(ALICE)] == ["mine"]


# ----------------------------------------------------------------------------- roadmap progress

async def test_progress_per_stage_and_overall(services, real_roadmap):
    progress = services.roadmap_progress
    fresh = await progress.overview(ALICE)
    assert fresh.finished == 0 and fresh.percent == 0 and fresh.total == len(real_roadmap.items)
    assert fresh.next_item.item.id == real_roadmap.stages[0].items[0].id

    first_stage = real_roadmap.stages[0]
    for item, status in zip(first_stage.items, ["done", "skipped", "doing", "done"]):
        result = await progress.set_status(ALICE, item.id, status)
        assert isinstance(result, ItemProgress) and result.status == status
    stage = await progress.stage(ALICE, 1)
    assert (stage.count("done"), stage.count("skipped"), stage.count("doing")) == (2, 1, 1)
    assert stage.finished == 3 and stage.percent == 3 * 100 // len(first_stage.items)  # skipped counts

    view = await progress.overview(ALICE)
    assert view.finished == 3 and view.percent == 3 * 100 // view.total
    assert view.next_item.item.id == first_stage.items[2].id  # the item in progress comes first
    assert (await progress.overview(BOB)).finished == 0

    await progress.set_status(ALICE, first_stage.items[0].id, "todo")  # reset
    assert (await progress.stage(ALICE, "foundations")).finished == 2
    await progress.set_status(ALICE, first_stage.items[0].id, "skipped")  # changing a status updates it
    assert (await progress.stage(ALICE, "foundations")).items[0].status == "skipped"


async def test_next_item_moves_to_the_next_stage_and_ends(services):
    roadmap = parse_roadmap(
        "stages:\n"
        "  - {id: a, title: A, summary: S, items: [{id: a1, kind: task, title: T1}]}\n"
        "  - {id: b, title: B, summary: S, items: [{id: b1, kind: task, title: T2}]}\n", set())
    services.swap(roadmap=roadmap)
    progress = services.roadmap_progress
    await progress.set_status(ALICE, "a1", "skipped")
    assert (await progress.next_item(ALICE)).item.id == "b1"
    await progress.set_status(ALICE, "b1", "done")
    assert await progress.next_item(ALICE) is None
    assert (await progress.overview(ALICE)).percent == 100


async def test_unknown_items_and_stages(services):
    progress = services.roadmap_progress
    with pytest.raises(NotFound, match="'read-what-an-mle-iz' does not exist. Did you mean 'read-what-an-mle-is'"):
        await progress.set_status(ALICE, "read-what-an-mle-iz", "done")
    with pytest.raises(NotFound, match="no stage '12'; the roadmap has stages 1 to 9"):
        await progress.stage(ALICE, 12)
    with pytest.raises(DomainError, match="Status must be one of"):
        await progress.set_status(ALICE, "read-what-an-mle-is", "finished")


async def test_items_removed_from_the_roadmap_are_kept_as_retired(services, real_roadmap):
    progress = services.roadmap_progress
    await progress.set_status(ALICE, "join-a-community", "done")
    await progress.set_status(ALICE, "read-what-an-mle-is", "doing")
    text = Path(real_roadmap.path).read_text(encoding="utf-8").replace("id: join-a-community", "id: join-a-meetup")
    smaller = parse_roadmap(text, {i.section for i in real_roadmap.all_items if i.section})
    services.swap(roadmap=smaller)  # a moderator's reload

    view = await progress.overview(ALICE)
    assert [(r.item_id, r.status) for r in view.retired] == [("join-a-community", "done")]
    assert view.finished == 0 and view.stages[0].count("doing") == 1
    with pytest.raises(NotFound, match="no longer on the roadmap"):
        await progress.set_status(ALICE, "join-a-community", "doing")
    assert isinstance(await progress.set_status(ALICE, "join-a-community", "todo"), RetiredProgress)
    assert (await progress.overview(ALICE)).retired == ()


async def test_a_missing_roadmap_is_a_clear_message(services):
    services.swap(roadmap=None)
    with pytest.raises(DomainError, match="roadmap is not available"):
        await services.roadmap_progress.overview(ALICE)


# ----------------------------------------------------------------------------- reading list

async def test_reading_list(services, clock):
    reading = services.reading
    stats, created = await reading.save(ALICE, STATS)
    assert created and stats.title == "2. Statistics" and not stats.read and not stats.retired
    assert stats.guide_title == "How to become a Machine Learning Engineer?"
    again, created = await reading.save(ALICE, STATS)
    assert not created and again.id == stats.id
    portfolio, _ = await reading.save(ALICE, PORTFOLIO)

    clock.now += timedelta(hours=1)
    assert (await reading.mark_read(ALICE, stats.id)).read_at == clock.now
    assert [e.section_id for e in await reading.list(ALICE)] == [PORTFOLIO, STATS]  # unread first
    assert not (await reading.mark_read(ALICE, str(stats.id), read=False)).read
    assert (await reading.mark_read(ALICE, PORTFOLIO)).read  # by section id too
    assert (await reading.remove(ALICE, PORTFOLIO)).id == portfolio.id
    assert [e.id for e in await reading.list(ALICE)] == [stats.id]


async def test_reading_list_refuses_unknown_and_foreign_entries(services):
    reading = services.reading
    with pytest.raises(NotFound, match="no guide section 'arya-how-to-become-ml-engineer#2-statistic'. Did you mean"):
        await reading.save(ALICE, STATS[:-1])
    entry, _ = await reading.save(ALICE, STATS)
    for ref in (entry.id, STATS, "99999"):
        with pytest.raises(NotFound, match="is not on your reading list"):
            await reading.mark_read(BOB, ref)
        with pytest.raises(NotFound):
            await reading.remove(BOB, ref)
    assert len(await reading.list(ALICE)) == 1


async def test_reading_list_cap(services):
    services.reading.max_items = 1
    await services.reading.save(ALICE, STATS)
    with pytest.raises(LimitReached, match="already holds 1 sections"):
        await services.reading.save(ALICE, PORTFOLIO)


async def test_sections_that_leave_the_guides_stay_listed_as_retired(services, real_guides):
    await services.reading.save(ALICE, STATS)
    await services.reading.save(ALICE, PORTFOLIO)
    without_stats = GuideSet(real_guides.guides, {k: v for k, v in real_guides.sections.items() if k != STATS})
    services.swap(guides=without_stats)
    entries = {e.section_id: e for e in await services.reading.list(ALICE)}
    assert entries[STATS].retired and entries[STATS].title == "2. Statistics" and entries[STATS].url is None
    assert not entries[PORTFOLIO].retired
    assert (await services.reading.mark_read(ALICE, STATS)).read  # still usable
    with pytest.raises(NotFound):
        await services.reading.save(BOB, STATS)
