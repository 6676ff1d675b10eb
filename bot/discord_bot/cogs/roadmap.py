"""`/roadmap`: the member's progress through the roadmap's stages, with a panel to open a stage and mark
items done, in progress or skipped (buttons that keep working after a restart, see `progress_views`).
The overview carries the roadmap card (a PNG drawn by `bot.render.roadmap_card`, with alt text).

Private by default; `public: True` shares the panel and card in the channel (only its owner can use the
buttons).
"""
from __future__ import annotations

import difflib

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import DomainError, NotFound
from bot.knowledge.roadmap import Stage

from ..client import CareerBot
from ..embeds import truncate
from ..progress_views import ROADMAP_ITEMS, overview_panel, stage_panel


class RoadmapCog(commands.Cog, name="Roadmap"):
    def __init__(self, bot: CareerBot) -> None:
        self.bot = bot

    @app_commands.command(name="roadmap")
    @app_commands.describe(stage="Open one stage's checklist (start typing its number or name)",
                           public="Share your progress in this channel (default: only you see it)")
    async def roadmap(self, interaction: discord.Interaction,
                      stage: app_commands.Range[str, 1, 100] | None = None, public: bool = False) -> None:
        """Your progress through the ML engineer roadmap, the next suggested item, and buttons to mark items."""
        owner = interaction.user.display_name if public else None
        if stage is not None:
            stage = self.stage_ref(stage)
        if stage is None:
            panel = await overview_panel(self.bot, interaction.user.id, interaction.user.display_name, owner=owner)
        else:
            panel = await stage_panel(self.bot, interaction.user.id, stage, owner=owner)
        await panel.view.send(interaction, embed=panel.embed, files=panel.files, ephemeral=not public)

    def stage_ref(self, typed: str) -> str:
        """A stage as typed (number, id, or a picked choice); anything else is refused naming stages by their
        titles (the service's message would suggest an internal id)."""
        roadmap = self.bot.services.roadmap_progress.roadmap()
        if roadmap.stage(typed) is not None:
            return typed
        keys: dict[str, Stage] = {}  # a stage's id, title and title words, each leading to the stage
        for s in roadmap.stages:
            for key in [s.id, s.title.casefold(), *s.title.casefold().split()]:
                keys.setdefault(key, s)
        close = difflib.get_close_matches(typed.casefold().strip(), list(keys), n=1)
        hint = f" Did you mean {keys[close[0]].number}. {keys[close[0]].title}?" if close else ""
        raise NotFound(f"There is no stage {truncate(typed, 80)!r}; the roadmap has stages 1 to {len(roadmap.stages)}."
                       f"{hint} Pick one from the list as you type.")

    @roadmap.autocomplete("stage")
    async def stage_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        try:
            roadmap = self.bot.services.roadmap_progress.roadmap()
        except DomainError:  # no valid roadmap loaded; the command itself says so
            return []
        needle = current.casefold().strip()
        return [app_commands.Choice(name=truncate(f"{s.number}. {s.title}", 100), value=s.id)
                for s in roadmap.stages
                if not needle or needle == str(s.number) or needle in s.id or needle in s.title.casefold()][:25]


async def setup(bot: CareerBot) -> None:
    bot.add_dynamic_items(*ROADMAP_ITEMS)
    await bot.add_cog(RoadmapCog(bot))


async def teardown(bot: CareerBot) -> None:
    bot.remove_dynamic_items(*ROADMAP_ITEMS)
