"""Who may do what: the moderator check (paired with `default_permissions`) and the asking cooldown.

`default_permissions(manage_guild=True)` hides moderator commands from everyone else in the client;
server owners can change that in Server Settings > Integrations, so every moderator command checks
again at run time: Manage Server, or the role set with `/settings moderator-role`.
"""
from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from .context import career_bot
from .errors import FriendlyCheckFailure

NOT_MODERATOR = ("This is for moderators: you need the Manage Server permission or the moderator role "
                 "(set with /settings moderator-role).")
NOT_MANAGER = "Only members with the Manage Server permission can change who counts as a moderator."


def _member(user_id: int) -> int:
    return user_id


class AskLimiter:
    """A per-member cooldown shared by every way of asking (/ask, the context menu, mentions, channels):
    discord.py's own `CooldownMapping`, keyed by the member's id (it forgets members whose window passed)."""

    def __init__(self, rate: int, per: float) -> None:
        self.rate = max(1, int(rate))
        self.per = float(per)
        self._cooldowns: commands.CooldownMapping[int] = commands.CooldownMapping.from_cooldown(
            self.rate, self.per, _member)

    def hit(self, user_id: int) -> float | None:
        """Count one question; return the seconds to wait if the member is over the limit, else None."""
        if self.per <= 0:
            return None
        return self._cooldowns.update_rate_limit(user_id)

    def check(self, user_id: int) -> None:
        """Raise CommandOnCooldown (which the error boundary turns into "try again in N s")."""
        retry_after = self.hit(user_id)
        if retry_after is not None:
            raise app_commands.CommandOnCooldown(app_commands.Cooldown(self.rate, self.per), retry_after)


async def ask_cooldown(interaction: discord.Interaction) -> bool:
    """An app command check: the asking cooldown, keyed by the member."""
    bot = career_bot(interaction)
    bot.ask_limiter.check(interaction.user.id)
    return True


def can_manage(interaction: discord.Interaction) -> bool:
    perms = interaction.permissions
    return bool(perms.administrator or perms.manage_guild)


async def is_moderator(interaction: discord.Interaction) -> bool:
    """True for Manage Server or the configured moderator role; raises a friendly failure otherwise."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if can_manage(interaction):
        return True
    bot = career_bot(interaction)
    role_id = (await bot.services.community.guild_settings(interaction.guild_id)).moderator_role_id
    member = interaction.user
    if role_id and isinstance(member, discord.Member) and any(r.id == role_id for r in member.roles):
        return True
    raise FriendlyCheckFailure(NOT_MODERATOR)


async def is_manager(interaction: discord.Interaction) -> bool:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if can_manage(interaction):
        return True
    raise FriendlyCheckFailure(NOT_MANAGER)


def kb_home_problem(interaction: discord.Interaction) -> str | None:
    """Why this server may not change the guides, or None. Every server shares one knowledge folder, so
    only the configured home server (KB_GUILD_ID) may change it, or any server while the bot is in one."""
    bot = career_bot(interaction)
    home = bot.settings.kb_guild_id
    if home is not None:
        if interaction.guild_id == home:
            return None
        return ("The guides are shared by every server this bot is in, so they can only be changed from "
                "its home server. Ask the bot's owner.")
    if (bot.settings.shard_count or 1) > 1:  # each process sees only its shards' servers: count can't tell
        return ("This bot runs as several shards, each seeing only some of its servers, and they all share the "
                "guides, so they can be changed only from a home server: the bot's owner sets KB_GUILD_ID.")
    if len(bot.guilds) <= 1:
        return None
    return (f"This bot is in {len(bot.guilds)} servers and they all share the guides, so they can be changed "
            "only from a home server: the bot's owner sets KB_GUILD_ID to that server's id.")


async def is_kb_editor(interaction: discord.Interaction) -> bool:
    """A moderator (see `is_moderator`) of the server allowed to change the shared guides."""
    await is_moderator(interaction)
    problem = kb_home_problem(interaction)
    if problem:
        raise FriendlyCheckFailure(problem)
    return True


class ModeratorsOnly:
    """Put before `commands.GroupCog`: every command of the group runs the moderator check first."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await is_moderator(interaction)


moderator_only = app_commands.check(is_moderator)
kb_editor_only = app_commands.check(is_kb_editor)
manager_only = app_commands.check(is_manager)
