"""`/checklist show|read|unread|remove`: the member's reading list (guide sections they saved from answers
with the "Save to my reading list" button), with autocomplete over their own entries. Every reply is private.
"""
from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import StorageUnavailable
from bot.members.progress import ReadingEntry

from ..client import CareerBot
from ..embeds import bullet_lines, clean, info_embed, truncate

EMPTY = ("Your reading list is empty. Under an answer from /ask, press **Save to my reading list** to keep its "
         "sources here.")


def number(entry: ReadingEntry) -> str:
    """An entry's number as "#7": never mistaken for a heading's own numbering ("3. Masters or Ph.D.")."""
    return f"**#{entry.id}**"


def entry_ref(text: str) -> str:
    """What a member typed: "#7" and "7" are the same entry."""
    text = text.strip()
    return text[1:] if text.startswith("#") and text[1:].isdigit() else text


def entry_line(entry: ReadingEntry) -> str:
    title = clean(entry.title)
    if entry.url and not entry.retired:
        title = f"[{title}]({entry.url})"
    source = "no longer in the guides" if entry.retired else clean(entry.guide_title or "")
    return f"{'✅' if entry.read else '⬜'} {number(entry)} · {title} — {source}"


class Checklist(commands.GroupCog, group_name="checklist",
                group_description="Your reading list of guide sections (only you see it)"):
    def __init__(self, bot: CareerBot) -> None:
        self.bot = bot
        super().__init__()

    @property
    def reading(self):
        return self.bot.services.reading

    @app_commands.command(name="show")
    async def show(self, interaction: discord.Interaction) -> None:
        """Show your reading list: unread sections first, then the ones you have read."""
        entries = await self.reading.list(interaction.user.id)
        if not entries:
            await interaction.response.send_message(EMPTY, ephemeral=True)
            return
        read = sum(e.read for e in entries)
        embed = info_embed(f"Your reading list ({read}/{len(entries)} read)")
        embed.description = bullet_lines([entry_line(e) for e in entries])
        embed.set_footer(text="Tick one off with /checklist read, or drop it with /checklist remove.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="read")
    @app_commands.describe(entry="A section on your reading list (start typing to search)")
    async def read(self, interaction: discord.Interaction, entry: app_commands.Range[str, 1, 300]) -> None:
        """Mark a section on your reading list as read."""
        done = await self.reading.mark_read(interaction.user.id, entry_ref(entry), True)
        await interaction.response.send_message(f"Marked {number(done)} · {clean(done.title)} as read.", ephemeral=True)

    @app_commands.command(name="unread")
    @app_commands.describe(entry="A section you marked as read (start typing to search)")
    async def unread(self, interaction: discord.Interaction, entry: app_commands.Range[str, 1, 300]) -> None:
        """Mark a section on your reading list as not read yet."""
        undone = await self.reading.mark_read(interaction.user.id, entry_ref(entry), False)
        await interaction.response.send_message(f"Marked {number(undone)} · {clean(undone.title)} as unread.",
                                                ephemeral=True)

    @app_commands.command(name="remove")
    @app_commands.describe(entry="The section to take off your reading list (start typing to search)")
    async def remove(self, interaction: discord.Interaction, entry: app_commands.Range[str, 1, 300]) -> None:
        """Take a section off your reading list."""
        removed = await self.reading.remove(interaction.user.id, entry_ref(entry))
        await interaction.response.send_message(f"Removed {clean(removed.title)} from your reading list.",
                                                ephemeral=True)

    async def choices(self, interaction: discord.Interaction, current: str, read: bool | None):
        try:
            entries = await self.reading.list(interaction.user.id)
        except StorageUnavailable:  # the database is down: an empty list, the command itself says why
            return []
        needle = current.casefold().strip()
        out = []
        for e in entries:
            if read is not None and e.read != read:
                continue
            name = f"#{e.id} · {' '.join(e.title.split())}" + (f" — {e.guide_title}" if e.guide_title else "")
            if needle in name.casefold() or needle in e.section_id.casefold():
                out.append(app_commands.Choice(name=truncate(name, 100), value=str(e.id)))
        return out[:25]

    @read.autocomplete("entry")
    async def unread_choices(self, interaction: discord.Interaction, current: str):
        return await self.choices(interaction, current, False)

    @unread.autocomplete("entry")
    async def read_choices(self, interaction: discord.Interaction, current: str):
        return await self.choices(interaction, current, True)

    @remove.autocomplete("entry")
    async def any_choices(self, interaction: discord.Interaction, current: str):
        return await self.choices(interaction, current, None)


async def setup(bot: CareerBot) -> None:
    await bot.add_cog(Checklist(bot))
