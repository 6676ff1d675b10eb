"""The one error boundary: failures become a short private reply, unexpected ones a logged traceback.

`CareerTree.on_error` handles every slash command and context menu. Buttons (DynamicItem callbacks,
which discord.py would only log) call `report_error` through `guarded`, so they get the same replies.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

import discord
from discord import app_commands

from bot.errors import CareerbotError

log = logging.getLogger("bot.discord_bot.errors")

UNEXPECTED = "Something went wrong on my side. It has been logged; please try again in a moment."


class FriendlyCheckFailure(app_commands.CheckFailure):
    """A check failure whose message is written for the member (not a moderator, on cooldown, ...)."""


def cooldown_message(retry_after: float) -> str:
    seconds = max(1, round(retry_after))
    return f"You're asking quickly. Please try again in {seconds} second{'s' if seconds != 1 else ''}."


def describe(error: Exception) -> str | None:
    """A member-facing message for an expected failure, or None for a bug (which gets logged)."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, CareerbotError):
        return str(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return cooldown_message(error.retry_after)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server, not in direct messages."
    if isinstance(error, app_commands.MissingPermissions):
        return "You need the Manage Server permission for this."
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return f"I'm missing permissions here ({missing}); ask a moderator to grant them."
    if isinstance(error, FriendlyCheckFailure):
        return str(error)
    if isinstance(error, app_commands.TransformerError):
        return f"I couldn't read `{discord.utils.escape_markdown(str(error.value))[:100]}` as a {error.type.name}."
    if isinstance(error, app_commands.CommandNotFound):
        return "I don't know that command any more; it may have been renamed. Try /help."
    if isinstance(error, app_commands.CommandSignatureMismatch):
        return "That command changed since Discord last saw it; please try again in a minute."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    return None


async def defer_public(interaction: discord.Interaction) -> None:
    """Show "thinking…" publicly; `finish_public` sends the answer. If something fails in between,
    `send_private` removes the public placeholder so the error reply stays private."""
    interaction.extras["public_defer"] = True
    await interaction.response.defer(thinking=True)


async def finish_public(interaction: discord.Interaction, **kwargs) -> None:
    await interaction.followup.send(**kwargs)
    interaction.extras.pop("public_defer", None)


async def send_private(interaction: discord.Interaction, content: str | None = None, **kwargs) -> None:
    """Reply only the member can see, whether or not the interaction was already answered."""
    if interaction.extras.pop("public_defer", False):
        # The first follow-up after a public defer would replace the public placeholder: remove it.
        try:
            await interaction.delete_original_response()
        except discord.HTTPException:
            log.warning("could not remove the placeholder of interaction %s", interaction.id)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(ephemeral=True, **{"content": content, **kwargs})
        else:
            await interaction.response.send_message(content, ephemeral=True, **kwargs)
    except discord.HTTPException:
        log.warning("could not send a private reply to interaction %s", interaction.id, exc_info=True)


async def report_error(interaction: discord.Interaction, error: Exception) -> None:
    message = describe(error)
    if message is None:
        original = getattr(error, "original", error)
        data: Mapping[str, object] = interaction.data or {}
        command = getattr(interaction.command, "qualified_name", None) or data.get("custom_id")
        log.error("error in %r (guild %s)", command, interaction.guild_id,  # no member id or text in logs
                  exc_info=(type(original), original, original.__traceback__))
        message = UNEXPECTED
    await send_private(interaction, message)


async def guarded(interaction: discord.Interaction, handler: Callable[[], Awaitable[None]]) -> None:
    """Run a button or listener handler inside the same boundary as the command tree."""
    try:
        await handler()
    except Exception as error:  # noqa: BLE001 - this is the boundary
        await report_error(interaction, error)


class CareerTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)
