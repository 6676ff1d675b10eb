"""`/goal add|list|done|reopen|remove`: the member's own goals, with autocomplete over their goals.

Every reply is private. A goal is picked from the autocomplete list (its value is the goal's number);
someone else's goal number gets the same "you have no goal #N" as a missing one, and nothing changes.
"""
from __future__ import annotations

from datetime import date

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import DomainError, StorageUnavailable
from bot.members.goals import GOAL_TEXT_MAX, GoalView, goal_number, parse_date

from ..client import CareerBot
from ..embeds import bullet_lines, clean, info_embed, truncate

PICK = "Pick one of your goals from the list as you type, or give its number (like 3)."


def parse_due(text: str | None) -> date | None:
    if text is None or not text.strip():
        return None
    due = parse_date(text)
    if due is None:
        raise DomainError(f"`{discord.utils.escape_markdown(text.strip())}` is not a date; write it as YYYY-MM-DD, "
                          "like 2025-12-31.")
    return due


def parse_goal_id(ref: str) -> int:
    number = goal_number(ref)
    if number is None:
        raise DomainError(PICK)
    return number


def goal_line(goal: GoalView, today: date) -> str:
    return f"{'✅' if goal.done else '⬜'} **#{goal.id}** {clean(goal.text)}{goal.due_note(today, ' — **overdue**')}"


class Goals(commands.GroupCog, group_name="goal", group_description="Your personal goals (only you see them)"):
    def __init__(self, bot: CareerBot) -> None:
        self.bot = bot
        super().__init__()

    @property
    def goals(self):
        return self.bot.services.goals

    @app_commands.command(name="add")
    @app_commands.describe(text="What you want to achieve, e.g. finish an end-to-end ML project",
                           due="Optional target date as YYYY-MM-DD, e.g. 2025-12-31")
    async def add(self, interaction: discord.Interaction, text: app_commands.Range[str, 1, GOAL_TEXT_MAX],
                  due: app_commands.Range[str, 1, 40] | None = None) -> None:
        """Add a personal goal, with an optional target date."""
        goal = await self.goals.add(interaction.user.id, text, parse_due(due))
        when = f" (by {goal.target_date.isoformat()})" if goal.target_date else ""
        await interaction.response.send_message(f"Added goal **#{goal.id}**: {clean(goal.text)}{when}", ephemeral=True)

    @app_commands.command(name="list")
    async def list_goals(self, interaction: discord.Interaction) -> None:
        """Show your goals: open ones first (soonest target first), then completed ones."""
        goals = await self.goals.list(interaction.user.id)
        if not goals:
            text = "You have no goals yet. Add one with `/goal add text: … due: YYYY-MM-DD`."
            await interaction.response.send_message(text, ephemeral=True)
            return
        today = self.goals.clock().date()
        done = sum(g.done for g in goals)
        embed = info_embed(f"Your goals ({done}/{len(goals)} done)")
        embed.description = bullet_lines([goal_line(g, today) for g in goals])
        embed.set_footer(text="Mark one with /goal done, or undo with /goal reopen.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def _act(self, interaction: discord.Interaction, action, verb: str, ref: str) -> None:
        goal = await action(interaction.user.id, parse_goal_id(ref))
        await interaction.response.send_message(f"{verb} goal **#{goal.id}**: {clean(goal.text)}", ephemeral=True)

    @app_commands.command(name="done")
    @app_commands.describe(goal="One of your open goals (start typing to search)")
    async def done(self, interaction: discord.Interaction, goal: app_commands.Range[str, 1, 100]) -> None:
        """Mark one of your goals as done."""
        await self._act(interaction, self.goals.complete, "Completed", goal)

    @app_commands.command(name="reopen")
    @app_commands.describe(goal="One of your completed goals (start typing to search)")
    async def reopen(self, interaction: discord.Interaction, goal: app_commands.Range[str, 1, 100]) -> None:
        """Reopen a goal you marked as done."""
        await self._act(interaction, self.goals.reopen, "Reopened", goal)

    @app_commands.command(name="remove")
    @app_commands.describe(goal="The goal to remove for good (start typing to search)")
    async def remove(self, interaction: discord.Interaction, goal: app_commands.Range[str, 1, 100]) -> None:
        """Remove one of your goals."""
        await self._act(interaction, self.goals.remove, "Removed", goal)

    async def choices(self, interaction: discord.Interaction, current: str, which: str) -> list[app_commands.Choice[str]]:
        try:
            goals = await self.goals.list(interaction.user.id)
        except StorageUnavailable:  # the database is down: an empty list, the command itself says why
            return []
        wanted = [g for g in goals if which == "all" or g.done == (which == "done")]
        needle = current.casefold().strip().lstrip("#")
        out = []
        for g in wanted:
            label = f"#{g.id} {' '.join(g.text.split())}"
            if needle in label.casefold():  # the number or the words, not the date
                name = label + (f" (by {g.target_date.isoformat()})" if g.target_date else "")
                out.append(app_commands.Choice(name=truncate(name, 100), value=str(g.id)))
        return out[:25]

    @done.autocomplete("goal")
    async def open_goal_choices(self, interaction: discord.Interaction, current: str):
        return await self.choices(interaction, current, "open")

    @reopen.autocomplete("goal")
    async def done_goal_choices(self, interaction: discord.Interaction, current: str):
        return await self.choices(interaction, current, "done")

    @remove.autocomplete("goal")
    async def any_goal_choices(self, interaction: discord.Interaction, current: str):
        return await self.choices(interaction, current, "all")


async def setup(bot: CareerBot) -> None:
    await bot.add_cog(Goals(bot))
