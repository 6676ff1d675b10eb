"""The console's member commands, run as the local member against a real database."""
from __future__ import annotations

import json

from bot.cli.console_progress import handle_command

ME, SOMEONE_ELSE = 1, 2
STATS = "arya-how-to-become-ml-engineer#2-statistics"


async def run(services, line: str, user_id: int = ME) -> str:
    return await handle_command(line, services, user_id)


async def test_help_and_unknown_commands(services):
    assert "/goal add <text> [--by YYYY-MM-DD]" in await run(services, "/help")
    assert await run(services, "/nope") == "Unknown command /nope. Type /help for the list."


async def test_roadmap_commands(services):
    overview = await run(services, "/roadmap")
    assert overview.startswith("Becoming a machine learning engineer: 0/63 items (0%)")
    assert "  1. Foundations and a degree [foundations] 0/7 (0%)" in overview
    assert 'Next: Read "What exactly a machine learning engineer is" (read-what-an-mle-is, stage foundations).' in overview

    assert await run(services, "/roadmap done read-what-an-mle-is") == (
        "read-what-an-mle-is is now done. Stage 1 (Foundations and a degree): 1/7 (14%).")
    assert "is now skipped" in await run(services, "/roadmap skip read-what-an-mle-does")
    assert "is now doing" in await run(services, "/roadmap doing choose-your-route")
    stage = await run(services, "/roadmap stage 1")
    assert stage.startswith("Stage 1: Foundations and a degree [foundations] - 2/7 (28%)")
    assert "  [x] read-what-an-mle-is: What exactly a machine learning engineer is" in stage
    assert "  [-] read-what-an-mle-does:" in stage and "  [~] choose-your-route:" in stage
    assert await run(services, "/roadmap next") == (
        'Next: Do "Choose your route (degree, bootcamp or self-taught) and write down a plan for it" '
        "(choose-your-route, stage foundations).")
    assert "is now not started" in await run(services, "/roadmap reset choose-your-route")
    assert "Did you mean 'read-what-an-mle-is'" in await run(services, "/roadmap done read-what-an-mle")
    assert (await run(services, "/roadmap stage maths")).startswith("Stage 3: Maths and statistics")
    assert "no stage '99'" in await run(services, "/roadmap stage 99")
    assert (await run(services, "/roadmap stage")).startswith("Usage:")
    assert "0/63" in await run(services, "/roadmap", SOMEONE_ELSE)


async def test_goal_commands(services):
    added = await run(services, "/goal add Ship my first end-to-end project --by 2025-12-31")
    assert added.startswith("Added goal #") and added.endswith("Ship my first end-to-end project (by 2025-12-31)")
    goal_id = added.split("#")[1].split(":")[0]
    assert "I'll practise LeetCode" in await run(services, "/goal add I'll practise LeetCode")  # apostrophes are fine
    listed = await run(services, "/goal list")
    assert listed.splitlines()[1] == f"  [ ] #{goal_id} Ship my first end-to-end project (by 2025-12-31)"
    assert await run(services, f"/goal done #{goal_id}") == f"Completed goal #{goal_id}: Ship my first end-to-end project"
    assert f"  [x] #{goal_id}" in await run(services, "/goal")
    assert (await run(services, f"/goal reopen {goal_id}")).startswith("Reopened")
    assert await run(services, f"/goal remove {goal_id}", SOMEONE_ELSE) == f"You have no goal #{goal_id}."
    assert (await run(services, f"/goal remove {goal_id}")).startswith("Removed")
    assert "in the past" in await run(services, "/goal add Too late --by 2020-01-01")
    assert "write it as YYYY-MM-DD" in await run(services, "/goal add Soon --by tomorrow")
    assert "needs a description" in await run(services, "/goal add --by 2025-12-31")
    assert (await run(services, "/goal done")).startswith("Usage: /goal done <goal-id>")
    assert "no goals yet" in await run(services, "/goal list", SOMEONE_ELSE)


async def test_checklist_commands(services):
    assert "reading list is empty" in await run(services, "/checklist show")
    assert await run(services, f"/checklist save {STATS}") == "Saved #1 · 2. Statistics to your reading list."
    assert "already on your reading list" in await run(services, f"/checklist save {STATS}")
    assert await run(services, "/checklist read #1") == "Marked #1 · 2. Statistics as read."  # "#1" or "1"
    shown = await run(services, "/checklist")
    assert shown.splitlines()[:3] == ["Your reading list (1/1 read):",
                                      "  [x] #1 · 2. Statistics - How to become a Machine Learning Engineer?",
                                      f"      {STATS}"]
    assert (await run(services, f"/checklist unread {STATS}")).endswith("as unread.")
    assert "is not on your reading list" in await run(services, "/checklist remove 1", SOMEONE_ELSE)
    assert await run(services, "/checklist remove 1") == "Removed 2. Statistics from your reading list."
    assert "There is no guide section" in await run(services, "/checklist save nowhere#nothing")


async def test_mydata_commands(services):
    await run(services, "/goal add Learn SQL")
    exported = json.loads(await run(services, "/mydata export"))
    assert [g["text"] for g in exported["data"]["goals"]] == ["Learn SQL"]
    assert "Type /mydata delete confirm" in await run(services, "/mydata delete")
    assert "Learn SQL" in await run(services, "/goal list")  # nothing deleted without confirmation
    assert (await run(services, "/mydata delete confirm")).startswith("Deleted everything stored about you (2 records)")
    assert all(rows == [] for rows in json.loads(await run(services, "/mydata export"))["data"].values())
