"""`/mydata export|delete`: everything the bot stores about the member, as a private JSON file, or
deleted for good after a confirmation button (see `progress_views.DeleteConfirmView`)."""
from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.members.privacy import as_json

from ..client import CareerBot
from ..mydata_views import DELETE_WARNING, MYDATA_ITEMS, DeleteConfirmView


class MyData(commands.GroupCog, group_name="mydata",
             group_description="Export or delete everything careerbot stores about you"):
    def __init__(self, bot: CareerBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="export")
    async def export(self, interaction: discord.Interaction) -> None:
        """Download everything stored about you as a JSON file (only you can see it)."""
        exported = await self.bot.services.privacy.export(interaction.user.id)
        records = sum(len(rows) for rows in exported["data"].values())
        text = as_json(exported)
        file = discord.File(io.BytesIO(text.encode("utf-8")), filename=f"careerbot-data-{interaction.user.id}.json")
        await interaction.response.send_message(
            f"Everything careerbot stores about you: {records} record{'s' if records != 1 else ''}, as JSON.",
            file=file, ephemeral=True)

    @app_commands.command(name="delete")
    async def delete(self, interaction: discord.Interaction) -> None:
        """Delete everything stored about you, for good (you confirm with a button first)."""
        view = DeleteConfirmView(interaction.user.id)
        await view.send(interaction, content=DELETE_WARNING, ephemeral=True)


async def setup(bot: CareerBot) -> None:
    bot.add_dynamic_items(*MYDATA_ITEMS)
    await bot.add_cog(MyData(bot))


async def teardown(bot: CareerBot) -> None:
    bot.remove_dynamic_items(*MYDATA_ITEMS)
