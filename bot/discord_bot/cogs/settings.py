"""`/settings`: per-server settings, stored in the database.

`/settings ask-channel add|remove|list` chooses the channels and forums where every question is
answered without a mention (moderators). `/settings moderator-role` chooses the role that may use the
moderator tools (Manage Server only, so a moderator can't promote others). Every reply is private.
"""
from __future__ import annotations

from typing import Union

import discord
from discord import app_commands
from discord.ext import commands

from ..checks import ModeratorsOnly, is_manager
from ..client import CareerBot
from ..embeds import info_embed

AskChannel = Union[discord.TextChannel, discord.ForumChannel]


def channel_list(ids: tuple[int, ...]) -> str:
    return ", ".join(f"<#{c}>" for c in ids) or "none (members ask with /ask or by mentioning me)"


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class ServerSettings(ModeratorsOnly, commands.GroupCog, group_name="settings",
                     group_description="Moderators: this server's bot settings"):
    ask_channel = app_commands.Group(name="ask-channel",
                                     description="Channels and forums where I answer every question without a mention")

    def __init__(self, bot: CareerBot) -> None:
        self.bot = bot
        super().__init__()

    @property
    def community(self):
        return self.bot.services.community

    def remember(self, config) -> None:
        self.bot.ask_channel_cache[config.guild_id] = frozenset(config.ask_channel_ids)

    @ask_channel.command(name="add")
    @app_commands.describe(channel="A text channel or forum; in a forum I answer each new post")
    async def ask_channel_add(self, interaction: discord.Interaction,
                              channel: AskChannel) -> None:
        """Answer every question in this channel or forum without a mention."""
        config = await self.community.add_ask_channel(interaction.guild_id, channel.id)
        self.remember(config)
        where = "each new post in" if channel.type is discord.ChannelType.forum else "every message in"
        await interaction.response.send_message(
            f"I'll answer {where} {channel.mention}. Ask channels: {channel_list(config.ask_channel_ids)}", ephemeral=True)
        await self.bot.ask_channels_changed(config.guild_id, frozenset(config.ask_channel_ids))

    @ask_channel.command(name="remove")
    @app_commands.describe(channel="The channel or forum to stop answering in without a mention")
    async def ask_channel_remove(self, interaction: discord.Interaction,
                                 channel: AskChannel) -> None:
        """Stop answering every question in this channel or forum."""
        config = await self.community.remove_ask_channel(interaction.guild_id, channel.id)
        self.remember(config)
        await interaction.response.send_message(
            f"I'll only answer in {channel.mention} when mentioned. Ask channels: {channel_list(config.ask_channel_ids)}",
            ephemeral=True)
        await self.bot.ask_channels_changed(config.guild_id, frozenset(config.ask_channel_ids))

    @ask_channel.command(name="list")
    async def ask_channel_list(self, interaction: discord.Interaction) -> None:
        """Show the channels and forums where I answer without a mention."""
        config = await self.community.guild_settings(interaction.guild_id)
        self.remember(config)
        await interaction.response.send_message(
            embed=info_embed("Ask channels", channel_list(config.ask_channel_ids)), ephemeral=True)

    @app_commands.command(name="moderator-role")
    @app_commands.describe(role="The role that may use /kb and /settings; leave empty to remove the current one")
    async def moderator_role(self, interaction: discord.Interaction, role: discord.Role | None = None) -> None:
        """Choose the role whose members may use the moderator tools (Manage Server only)."""
        await is_manager(interaction)
        if role is not None and role.is_default():
            await interaction.response.send_message("Choose a specific role, not @everyone.", ephemeral=True)
            return
        await self.community.set_moderator_role(interaction.guild_id, role.id if role else None)
        if role is None:
            text = "Removed the moderator role: only members with Manage Server can use the moderator tools now."
        else:
            text = (f"Members with {role.mention} can now use /kb and /settings. Discord still hides those commands "
                    "from them until you allow the role in Server Settings > Integrations.")
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: CareerBot) -> None:
    await bot.add_cog(ServerSettings(bot))
