"""Roadmap embeds: the overview (a progress bar per stage and the next suggested item) and a stage page."""
from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.knowledge.roadmap_status import ItemProgress, RetiredProgress, RoadmapOverview, StageProgress, Status, percent

from .embeds import BRAND, bullet_lines, clean, fit, truncate

EMOJI = {Status.DONE: "\N{WHITE HEAVY CHECK MARK}",
         Status.DOING: "\N{ANTICLOCKWISE DOWNWARDS AND UPWARDS OPEN CIRCLE ARROWS}",
         Status.SKIPPED: "\N{BLACK RIGHT-POINTING DOUBLE TRIANGLE WITH VERTICAL BAR}\N{VARIATION SELECTOR-16}",
         Status.TODO: "\N{WHITE LARGE SQUARE}"}
WORD = {Status.DONE: "done", Status.DOING: "in progress", Status.SKIPPED: "skipped", Status.TODO: "not started"}


# --------------------------------------------------------------------------- rendering

def bar(finished: int, total: int, width: int = 10) -> str:
    filled = finished * width // total if total else width
    return "\N{BLACK PARALLELOGRAM}" * filled + "\N{WHITE PARALLELOGRAM}" * (width - filled)


def progress_line(finished: int, total: int) -> str:
    return f"{bar(finished, total)} {finished}/{total} · {percent(finished, total)}%"


def _source(item, guides) -> str:
    section = guides.sections.get(item.section) if item.section and guides is not None else None
    if section is None:
        return ""
    name = clean(f"{section.guide_title} › {section.heading}")
    return f"[{name}]({section.url})" if section.url else name


def item_summary(progress: ItemProgress, guides) -> str:
    item = progress.item
    verb = "Read" if item.kind == "read" else "Do"
    lines = [f"{EMOJI[progress.status]} **{verb}:** {clean(item.title)} ({WORD[progress.status]})"]
    source = _source(item, guides)
    if source:
        lines.append(f"Source: {source}")
    if item.note:
        lines.append(clean(item.note))
    return truncate("\n".join(lines), 1024)


def retired_summary(retired: Sequence[RetiredProgress]) -> str:
    """Records for items dropped from the roadmap, counted by status (their ids mean nothing to a member)."""
    counts: dict[Status, int] = {}
    for record in retired:
        counts[record.status] = counts.get(record.status, 0) + 1
    n = len(retired)
    by_status = ", ".join(f"{c} {WORD[status]}" for status, c in counts.items())
    return (f"You keep your records for {n} item{'s' if n != 1 else ''} that {'are' if n != 1 else 'is'} "
            f"no longer on the roadmap ({by_status}); they don't count toward your progress.")


def _embed(title: str, owner: str | None) -> discord.Embed:
    embed = discord.Embed(title=truncate(title, 256), colour=BRAND)
    if owner:
        embed.set_author(name=truncate(f"{owner}'s progress", 256))
    return embed


def overview_embed(overview: RoadmapOverview, guides, *, owner: str | None = None) -> discord.Embed:
    embed = _embed(overview.title, owner)
    embed.description = f"**Overall** {progress_line(overview.finished, overview.total)}"
    stages = overview.stages
    for stage in stages[:23]:
        s = stage.stage
        embed.add_field(name=truncate(f"{s.number}. {s.title}", 256),
                        value=progress_line(stage.finished, stage.total), inline=True)
    if len(stages) > 23:
        embed.add_field(name="More stages", value=f"… and {len(stages) - 23} more; pick one below.", inline=False)
    if overview.next_item is None:
        embed.add_field(name="Next up", value="You have finished every item on the roadmap. Keep learning!", inline=False)
    else:
        upcoming = next(s.stage for s in stages if s.stage.id == overview.next_item.item.stage_id)
        embed.add_field(name=truncate(f"Next up · stage {upcoming.number}: {upcoming.title}", 256),
                        value=item_summary(overview.next_item, guides), inline=False)
    if overview.retired:
        embed.add_field(name="No longer on the roadmap", value=retired_summary(overview.retired), inline=False)
    embed.set_footer(text="Pick a stage below to open its checklist. Done and skipped items count as finished.")
    return fit(embed)


def stage_focus(stage: StageProgress, item_id: str | None = None) -> ItemProgress:
    """The item the status buttons act on: the one asked for, else the stage's next unfinished item."""
    if item_id is not None:
        for progress in stage.items:
            if progress.item.id == item_id:
                return progress
    return stage.next_item() or stage.items[0]


def stage_embed(stage: StageProgress, focus: ItemProgress, stage_count: int, guides, *,
                owner: str | None = None) -> discord.Embed:
    s = stage.stage
    embed = _embed(f"Stage {s.number} of {stage_count}: {s.title}", owner)
    lines = []
    for progress in stage.items:
        title = clean(progress.item.title)
        if progress is focus:
            title = f"\N{BLACK RIGHT-POINTING SMALL TRIANGLE} **{title}**"
        lines.append(f"{EMOJI[progress.status]} {title}")
    embed.description = truncate(f"{clean(s.summary)}\n{progress_line(stage.finished, stage.total)}\n\n"
                                 + bullet_lines(lines, 3500), 4096)
    embed.add_field(name="Selected", value=item_summary(focus, guides), inline=False)
    embed.set_footer(text="Choose an item, then mark it with the buttons. "
                          "✅ done · 🔄 in progress · ⏭️ skipped · ⬜ not started")
    return fit(embed)
