"""Export and delete: everything that names a member leaves with them, and nothing else."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import BigInteger, inspect, text

from bot.storage.models import MEMBER_COLUMNS, MEMBERLESS_TABLES, Base

ALICE, BOB = 123_456_789_012_345_678, 876_543_210_987_654_321
GUILD = 900_000_000_000_000_001
STATS = "arya-how-to-become-ml-engineer#2-statistics"


async def fill(services, user_id: int, other: int) -> dict[str, int]:
    goal = await services.goals.add(user_id, f"goal of {user_id}", date(2026, 1, 1))
    await services.goals.complete(user_id, goal.id)
    await services.goals.add(user_id, "another goal")
    await services.roadmap_progress.set_status(user_id, "read-what-an-mle-is", "done")
    await services.roadmap_progress.set_status(user_id, "choose-your-route", "doing")
    await services.reading.save(user_id, STATS)
    answer = await services.community.record_answer(user_id, f"<@{other}> what is MLOps?", answered=True,
                                                    cited_section_ids=[STATS], guild_id=GUILD)
    await services.community.record_unanswered(GUILD, f"<@{user_id}> can I skip maths?")
    await services.community.record_reload(user_id, True, "ok")
    await services.community.add_ask_channel(GUILD, 42)
    return {"answer": answer}


async def rows_naming(database, user_id: int) -> list[tuple[str, dict]]:
    """Every row, in every table in the database, with the member's id in any column."""
    async with database.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        found = []
        for table in tables:
            for row in (await conn.execute(text(f"SELECT * FROM {table}"))).mappings():
                if any(v == user_id or str(user_id) in str(v) for v in row.values()):
                    found.append((table, dict(row)))
    return found


async def test_export_then_delete_leaves_no_row_naming_the_member(services, database):
    alice = await fill(services, ALICE, BOB)
    bob = await fill(services, BOB, ALICE)
    await services.community.vote(bob["answer"], ALICE, helpful=True)  # Alice's vote on Bob's answer
    await services.community.vote(alice["answer"], BOB, helpful=False)  # Bob's vote on Alice's answer

    exported = json.loads(await services.privacy.export_json(ALICE))
    assert exported["user_id"] == str(ALICE) and exported["format"].startswith("careerbot-member-export/")
    data = exported["data"]
    assert set(data) == set(MEMBER_COLUMNS)
    assert sorted(g["text"] for g in data["goals"]) == ["another goal", f"goal of {ALICE}"]
    assert {p["item_id"]: p["status"] for p in data["roadmap_progress"]} == {
        "read-what-an-mle-is": "done", "choose-your-route": "doing"}
    assert [r["section_id"] for r in data["reading_items"]] == [STATS]
    assert [a["cited_section_ids"] for a in data["answers"]] == [[STATS]]
    assert [(v["answer_id"], v["helpful"]) for v in data["answer_votes"]] == [(bob["answer"], True)]
    assert [r["summary"] for r in data["knowledge_reloads"]] == ["ok"]
    assert all(row["user_id"] == str(ALICE) for row in data["goals"])  # ids as strings, safe in JavaScript
    assert await rows_naming(database, ALICE)  # sanity: the scan does see her rows

    report = await services.privacy.delete(ALICE)
    assert report.deleted["goals"] == 2 and report.deleted["members"] == 1
    assert report.anonymised == {"knowledge_reloads": 1, "guide_changes": 0}
    assert await rows_naming(database, ALICE) == []

    # Bob keeps everything of his own; only his vote on Alice's deleted answer went with it.
    bob_data = (await services.privacy.export(BOB))["data"]
    assert len(bob_data["goals"]) == 2 and len(bob_data["reading_items"]) == 1 and len(bob_data["answers"]) == 1
    assert [v["answer_id"] for v in bob_data["answer_votes"]] == []
    assert (await services.community.tally(bob["answer"])).helpful == 0
    assert [g.count for g in await services.community.gaps(GUILD)] == [2]  # aggregated, no user ids
    assert (await services.community.guild_settings(GUILD)).ask_channel_ids == (42,)

    after = (await services.privacy.export(ALICE))["data"]
    assert all(rows == [] for rows in after.values())
    assert (await services.privacy.delete(ALICE)).total == 0  # deleting twice is harmless


def test_every_table_declares_whether_it_names_members():
    tables = set(Base.metadata.tables)
    assert set(MEMBER_COLUMNS) | MEMBERLESS_TABLES == tables
    assert not set(MEMBER_COLUMNS) & MEMBERLESS_TABLES
    for name, (column, action) in MEMBER_COLUMNS.items():
        assert column in Base.metadata.tables[name].c and action in ("delete", "anonymise")
    # Any 64-bit id column that could hold a user id must be declared in MEMBER_COLUMNS.
    declared = {(t, c) for t, (c, _a) in MEMBER_COLUMNS.items()}
    for table in Base.metadata.tables.values():
        for column in table.columns:
            looks_personal = any(w in column.name for w in ("user", "member", "_by", "author"))
            if isinstance(column.type, BigInteger) and looks_personal:
                assert (table.name, column.name) in declared, f"{table.name}.{column.name}"
