"""The member commands of the local console, with the syntax they have on Discord.

`handle_command(line, services, user_id)` takes one line starting with "/" and returns plain text for
a terminal. It needs `services.goals` (GoalService), `services.roadmap_progress`
(RoadmapProgressService), `services.reading` (ReadingListService) and `services.privacy`
(PrivacyService). Bad input comes back as a message, never as an exception.
"""
from __future__ import annotations

import asyncio
import getpass
import shlex
from datetime import date
from pathlib import Path
from typing import Any

from bot.errors import CareerbotError, DomainError
from bot.knowledge.roadmap_status import ItemProgress, StageProgress, Status
from bot.members.goals import GoalView, goal_number, parse_date
from bot.members.progress import ReadingEntry

HELP = """\
Roadmap
  /roadmap                          your progress through every stage, and what to do next
  /roadmap stage <number|id>        one stage's checklist
  /roadmap next                     the next suggested item
  /roadmap card <file.png>          draw your progress as a picture (the card /roadmap shows on Discord)
  /roadmap done|doing|skip|reset <item-id>
Goals
  /goal add <text> [--by YYYY-MM-DD]
  /goal list
  /goal done|reopen|remove <goal-id>
Reading list
  /checklist show
  /checklist save <n|section-id>    n: a source of the last answer, by its number in [brackets]
  /checklist read|unread|remove <#number|section-id>
Your data
  /mydata export                    everything stored about you, as JSON
  /mydata delete                    delete everything stored about you (asks to confirm)"""

MARKS = {Status.DONE: "[x]", Status.DOING: "[~]", Status.SKIPPED: "[-]", Status.TODO: "[ ]"}
STATUS_WORDS = {**{s.value: s for s in Status}, "skip": Status.SKIPPED, "reset": Status.TODO}


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an apostrophe in "I'll finish ..." is not a quote
        return text.split()


def _goal_id(words: list[str], usage: str) -> int:
    number = goal_number(words[0]) if len(words) == 1 else None
    if number is None:
        raise DomainError(f"Usage: {usage}")
    return number


def _one(words: list[str], usage: str) -> str:
    if len(words) != 1:
        raise DomainError(f"Usage: {usage}")
    return words[0]


async def handle_command(line: str, services: Any, user_id: int, *, cited: list[str] | None = None) -> str:
    """Run one slash command for the member `user_id` and return what to print. `cited`: the section ids
    the last answer cited, in order (for `/checklist save <n>`)."""
    words = _words(line.strip())
    if not words or not words[0].startswith("/"):
        return "Commands start with /. Type /help for the list."
    command, args = words[0].lower(), words[1:]
    handlers = {"/help": _help, "/roadmap": _roadmap, "/goal": _goal, "/goals": _goal,
                "/checklist": lambda a, s, u: _checklist(a, s, u, cited), "/mydata": _mydata}
    handler = handlers.get(command)
    if handler is None:
        return f"Unknown command {command}. Type /help for the list."
    try:
        return await handler(args, services, user_id)
    except CareerbotError as exc:
        return str(exc)


async def _help(_args: list[str], _services: Any, _user_id: int) -> str:
    return HELP


# ----------------------------------------------------------------------------- roadmap

def _item_line(p: ItemProgress) -> str:
    where = f"  (read: {p.item.section})" if p.item.kind == "read" and p.item.section else ""
    return f"  {MARKS[p.status]} {p.item.id}: {p.item.title}{where}"


def _stage_text(stage: StageProgress) -> str:
    s = stage.stage
    head = f"Stage {s.number}: {s.title} [{s.id}] - {stage.finished}/{stage.total} ({stage.percent}%)"
    return "\n".join([head, f"  {s.summary}", *(_item_line(i) for i in stage.items),
                      "[x] done  [~] doing  [-] skipped  [ ] not started"])


def _next_text(item: ItemProgress | None) -> str:
    if item is None:
        return "You have finished every item on the roadmap. Keep learning!"
    verb = "Read" if item.item.kind == "read" else "Do"
    return f"Next: {verb} \"{item.item.title}\" ({item.item.id}, stage {item.item.stage_id})."


async def _roadmap(args: list[str], services: Any, user_id: int) -> str:
    progress = services.roadmap_progress
    if not args:
        view = await progress.overview(user_id)
        lines = [f"{view.title}: {view.finished}/{view.total} items ({view.percent}%)"]
        for stage in view.stages:
            s = stage.stage
            lines.append(f"  {s.number}. {s.title} [{s.id}] {stage.finished}/{stage.total} ({stage.percent}%)")
        lines.append(_next_text(view.next_item))
        if view.retired:
            retired = ", ".join(f"{r.item_id} ({r.status})" for r in view.retired)
            lines.append(f"Retired items you have records for (no longer on the roadmap): {retired}")
        lines.append("See a stage's checklist with /roadmap stage <number>.")
        return "\n".join(lines)
    sub, rest = args[0].lower(), args[1:]
    if sub == "stage":
        return _stage_text(await progress.stage(user_id, _one(rest, "/roadmap stage <number|id>")))
    if sub == "next":
        return _next_text(await progress.next_item(user_id))
    if sub == "card":
        return await _card(_one(rest, "/roadmap card <file.png>"), await progress.overview(user_id))
    if sub in STATUS_WORDS:
        item_id = _one(rest, f"/roadmap {sub} <item-id>")
        result = await progress.set_status(user_id, item_id, STATUS_WORDS[sub])
        if not isinstance(result, ItemProgress):
            return f"Cleared your record for the retired item {item_id}."
        stage = await progress.stage(user_id, result.item.stage_id)
        state = {"todo": "not started"}.get(result.status, result.status)
        return (f"{result.item.id} is now {state}. Stage {stage.stage.number} ({stage.stage.title}): "
                f"{stage.finished}/{stage.total} ({stage.percent}%).")
    return "Usage: /roadmap [stage <n>|next|card <file.png>|done|doing|skip|reset <item-id>]"


def _local_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "Local member"


async def _card(where: str, overview) -> str:
    from bot.render.roadmap_card import render_card

    path = Path(where).expanduser()
    if path.is_dir():
        path = path / "roadmap.png"
    if path.suffix.lower() != ".png":
        return f"The card is a PNG picture: give a file name ending in .png, like /roadmap card {path.stem or 'roadmap'}.png"
    card = await asyncio.to_thread(render_card, overview, _local_name())
    try:
        path.write_bytes(card.png)
    except OSError as exc:
        return f"Could not write {path}: {exc.strerror or exc}. Pick a folder you can write to."
    return f"Wrote your roadmap card ({card.width}x{card.height} px, {len(card.png) // 1024 + 1} KB) to {path}.\n{card.alt}"


# ----------------------------------------------------------------------------- goals

def _goal_line(goal: GoalView, today: date) -> str:
    return f"  {'[x]' if goal.done else '[ ]'} #{goal.id} {goal.text}{goal.due_note(today, ' - overdue')}"


def _parse_goal_add(args: list[str]) -> tuple[str, date | None]:
    target: date | None = None
    words: list[str] = []
    it = iter(args)
    for word in it:
        if word in ("--by", "--due"):
            value = next(it, None)
            if value is None:
                raise DomainError("Give a date after --by, like --by 2025-12-31.")
            target = parse_date(value)
            if target is None:
                raise DomainError(f"{value!r} is not a date; write it as YYYY-MM-DD.")
        else:
            words.append(word)
    return " ".join(words), target


async def _goal(args: list[str], services: Any, user_id: int) -> str:
    goals = services.goals
    sub, rest = (args[0].lower(), args[1:]) if args else ("list", [])
    if sub == "add":
        text, target = _parse_goal_add(rest)
        goal = await goals.add(user_id, text, target)
        return f"Added goal #{goal.id}: {goal.text}" + (f" (by {target.isoformat()})" if target else "")
    if sub == "list":
        listed = await goals.list(user_id)
        if not listed:
            return "You have no goals yet. Add one with /goal add <text> [--by YYYY-MM-DD]."
        today = goals.clock().date()
        return "Your goals:\n" + "\n".join(_goal_line(g, today) for g in listed)
    actions = {"done": (goals.complete, "Completed"), "complete": (goals.complete, "Completed"),
               "reopen": (goals.reopen, "Reopened"), "remove": (goals.remove, "Removed"),
               "delete": (goals.remove, "Removed")}
    if sub in actions:
        action, verb = actions[sub]
        goal = await action(user_id, _goal_id(rest, f"/goal {sub} <goal-id>"))
        return f"{verb} goal #{goal.id}: {goal.text}"
    return "Usage: /goal add <text> [--by YYYY-MM-DD] | list | done|reopen|remove <goal-id>"


# ----------------------------------------------------------------------------- reading list

def _entry_line(e: ReadingEntry) -> str:
    source = "no longer in the guides (retired)" if e.retired else (e.guide_title or "")
    return f"  {'[x]' if e.read else '[ ]'} #{e.id} · {e.title} - {source}\n      {e.section_id}"


def _entry_ref(text: str) -> str:
    """"#3" and "3" are entry 3 (the "#" keeps entry numbers apart from headings' own, "2. Statistics")."""
    return text[1:] if text.startswith("#") and text[1:].isdigit() else text


def _cited(ref: str, cited: list[str] | None) -> str:
    """`/checklist save 2` (or [2]): the section the last answer cited as [2]; anything else is a section id."""
    number = ref.strip("[]")
    if not (number.isascii() and number.isdigit()):
        return ref
    if not cited:
        raise DomainError("There is no answer to save from yet. Ask a question first; then /checklist save <n> "
                          "saves its source [n].")
    if not 1 <= int(number) <= len(cited):
        raise DomainError(f"The last answer has sources [1] to [{len(cited)}]; pick one of those numbers.")
    return cited[int(number) - 1]


async def _checklist(args: list[str], services: Any, user_id: int, cited: list[str] | None = None) -> str:
    reading = services.reading
    sub, rest = (args[0].lower(), args[1:]) if args else ("show", [])
    if sub in ("show", "list"):
        entries = await reading.list(user_id)
        if not entries:
            return "Your reading list is empty. Save a cited section with /checklist save <section-id>."
        done = sum(e.read for e in entries)
        return f"Your reading list ({done}/{len(entries)} read):\n" + "\n".join(_entry_line(e) for e in entries)
    if sub == "save":
        entry, created = await reading.save(user_id, _cited(_one(rest, "/checklist save <n|section-id>"), cited))
        return (f"Saved #{entry.id} · {entry.title} to your reading list." if created
                else f"{entry.title} is already on your reading list (#{entry.id}).")
    if sub in ("read", "unread"):
        ref = _entry_ref(_one(rest, f"/checklist {sub} <#number|section-id>"))
        entry = await reading.mark_read(user_id, ref, sub == "read")
        return f"Marked #{entry.id} · {entry.title} as {sub}."
    if sub in ("remove", "delete"):
        entry = await reading.remove(user_id, _entry_ref(_one(rest, f"/checklist {sub} <#number|section-id>")))
        return f"Removed {entry.title} from your reading list."
    return "Usage: /checklist show | save <n|section-id> | read|unread|remove <#number|section-id>"


# ----------------------------------------------------------------------------- your data

async def _mydata(args: list[str], services: Any, user_id: int) -> str:
    sub = [a.lower() for a in args]
    if sub == ["export"]:
        return await services.privacy.export_json(user_id)
    if sub == ["delete"]:
        return ("This deletes your goals, roadmap progress, reading list, logged questions and feedback "
                "votes, for good. Type /mydata delete confirm to go ahead.")
    if sub == ["delete", "confirm"]:
        report = await services.privacy.delete(user_id)
        return f"Deleted everything stored about you ({report.total} records)."
    return "Usage: /mydata export | /mydata delete"
