"""`careerbot run` and `careerbot sync`: start the bot, or sync its commands, and return an exit code.

A missing or rejected token gives one line saying what to do and a non-zero exit code; the token is
never printed or logged (a logging filter masks it in every record as well). SIGINT and SIGTERM close
the bot, which closes the database.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
import sys

import discord

from bot.settings import Settings

from .client import create_bot

log = logging.getLogger("bot.discord_bot.runner")

EXIT_OK, EXIT_NO_TOKEN, EXIT_BAD_TOKEN, EXIT_INTENTS, EXIT_ERROR = 0, 2, 3, 4, 1
NO_TOKEN = "DISCORD_TOKEN is not set: put it in .env or the environment (see README)"
BAD_TOKEN = ("Discord rejected the token: check DISCORD_TOKEN in .env or the environment "
             "(Developer Portal > your application > Bot > Reset Token)")
INTENTS = ("Discord refused the Message Content intent: enable it in the Developer Portal "
           "(your application > Bot > Privileged Gateway Intents)")


class RedactToken(logging.Filter):
    """Replace the token with *** in any log record, wherever it came from."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "***"), None
        if record.exc_info and record.exc_info[1] is not None and self.token in str(record.exc_info[1]):
            record.exc_info, record.exc_text = None, None
        return True


def setup_logging(settings: Settings) -> None:
    level = logging.getLevelName((settings.log_level or "INFO").upper())
    discord.utils.setup_logging(level=level if isinstance(level, int) else logging.INFO, root=True)
    if settings.discord_token:
        redact = RedactToken(settings.discord_token)
        for handler in logging.getLogger().handlers:
            handler.addFilter(redact)


def fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code


def run(settings: Settings) -> int:
    """Run the bot until SIGINT/SIGTERM or a fatal error; returns the process exit code."""
    if not settings.discord_token:
        return fail(NO_TOKEN, EXIT_NO_TOKEN)
    setup_logging(settings)
    try:
        return asyncio.run(_run(settings))
    except KeyboardInterrupt:
        return EXIT_OK


async def _run(settings: Settings) -> int:
    bot = create_bot(settings)
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task] = []

    def stop(name: str) -> None:
        log.info("received %s, shutting down", name)
        if not stopping:
            stopping.append(loop.create_task(bot.close()))

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop, sig.name)
        except (NotImplementedError, RuntimeError):  # e.g. Windows: Ctrl+C still raises KeyboardInterrupt
            pass
    try:
        async with bot:
            await bot.start(settings.discord_token)  # type: ignore[arg-type]
    except discord.LoginFailure:
        return fail(BAD_TOKEN, EXIT_BAD_TOKEN)
    except discord.PrivilegedIntentsRequired:
        return fail(INTENTS, EXIT_INTENTS)
    finally:
        if stopping:
            await stopping[0]
        await bot.close()
    log.info("stopped")
    return EXIT_OK


def sync(settings: Settings, guild_id: int | None = None) -> int:
    """Log in, sync the command tree globally (or to one guild, copying the global commands), print the
    counts and close. Syncing is explicit: the bot never syncs globally on start."""
    if not settings.discord_token:
        return fail(NO_TOKEN, EXIT_NO_TOKEN)
    setup_logging(settings)
    return asyncio.run(_sync(dataclasses.replace(settings, dev_guild_id=None), guild_id))


async def _sync(settings: Settings, guild_id: int | None) -> int:
    bot = create_bot(settings)
    try:
        async with bot:
            await bot.login(settings.discord_token)  # type: ignore[arg-type]  # runs setup_hook
            if guild_id:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                print(f"Synced {len(synced)} commands to server {guild_id} (they appear there at once).")
            else:
                synced = await bot.tree.sync()
                print(f"Synced {len(synced)} commands globally (Discord may take up to an hour to show them).")
    except discord.LoginFailure:
        return fail(BAD_TOKEN, EXIT_BAD_TOKEN)
    except discord.Forbidden:
        if guild_id:
            return fail(f"Discord refused the sync: is the bot in server {guild_id} with the applications.commands "
                        "scope?", EXIT_ERROR)
        return fail("Discord refused the global sync: check that DISCORD_TOKEN is this application's bot token.",
                    EXIT_ERROR)
    return EXIT_OK
