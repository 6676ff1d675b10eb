"""`careerbot run` and `careerbot sync`: start the bot, or sync its commands, and return an exit code.

A missing or rejected token, a refused intent or an unreachable Discord each give one line saying what
to do and their own exit code (below, and in the README). The token is never printed, and bot.logs masks
it in every log record. discord.py's "voice will NOT be supported" warnings are silenced: the bot uses no
voice. SIGINT and SIGTERM close the bot, which closes the database. A database that can't be reached is
not fatal: the bot starts in guides-only mode (bot.container); a SQLite folder that can't be created is a
bad setting, refused in one line before logging in.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys

import aiohttp
import discord

from bot.container import check_database_setting
from bot.errors import CareerbotError
from bot.logs import RedactToken, install_redaction
from bot.settings import Settings

from .client import create_bot

log = logging.getLogger("bot.discord_bot.runner")

EXIT_OK, EXIT_ERROR, EXIT_NO_TOKEN, EXIT_BAD_TOKEN, EXIT_INTENTS, EXIT_UNREACHABLE = 0, 1, 2, 3, 4, 5
NO_TOKEN = "DISCORD_TOKEN is not set: put it in .env or the environment (see README)"
BAD_TOKEN = ("Discord rejected the token: check DISCORD_TOKEN in .env or the environment "
             "(Developer Portal > your application > Bot > Reset Token)")
INTENTS = ("Discord refused the Message Content intent: enable it in the Developer Portal "
           "(your application > Bot > Privileged Gateway Intents)")
UNREACHABLE = ("Discord can't be reached ({error}): check this machine's internet connection, DNS and any proxy "
               "or firewall, then start again")
__all__ = ["RedactToken", "run", "setup_logging", "sync"]


def setup_logging(settings: Settings) -> None:
    """discord.py's log handler on the root logger, at LOG_LEVEL, with the token masked everywhere."""
    discord.utils.setup_logging(level=getattr(logging, settings.log_level, logging.INFO), root=True)
    install_redaction(settings.token)


def without_voice() -> None:
    """The bot joins no voice channel: don't warn that PyNaCl or davey (voice libraries) are missing."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


def unreachable(error: BaseException) -> str:
    return UNREACHABLE.format(error=str(error) or type(error).__name__)


def fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code


def run(settings: Settings) -> int:
    """Run the bot until SIGINT/SIGTERM or a fatal error; returns the process exit code."""
    if not settings.discord_token:
        return fail(NO_TOKEN, EXIT_NO_TOKEN)
    try:
        check_database_setting(settings)  # a SQLite folder that can't be created: say so before logging in
    except CareerbotError as error:
        return fail(str(error), EXIT_ERROR)
    setup_logging(settings)
    without_voice()
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
            await bot.login(settings.token)  # type: ignore[arg-type]  # runs setup_hook: services, knowledge
            gc.freeze()  # the knowledge snapshot lives for the whole run: keep it out of the collector's passes
            await bot.connect()
    except discord.LoginFailure:
        return fail(BAD_TOKEN, EXIT_BAD_TOKEN)
    except discord.PrivilegedIntentsRequired:
        return fail(INTENTS, EXIT_INTENTS)
    except aiohttp.ClientConnectionError as error:  # DNS, refused, TLS, a server timeout
        return fail(unreachable(error), EXIT_UNREACHABLE)
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
    try:
        check_database_setting(settings)
    except CareerbotError as error:
        return fail(str(error), EXIT_ERROR)
    setup_logging(settings)
    without_voice()
    return asyncio.run(_sync(settings.model_copy(update={"dev_guild_id": None}), guild_id))


async def _sync(settings: Settings, guild_id: int | None) -> int:
    bot = create_bot(settings)
    try:
        async with bot:
            await bot.login(settings.token)  # type: ignore[arg-type]  # runs setup_hook
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
    except aiohttp.ClientConnectionError as error:
        return fail(unreachable(error), EXIT_UNREACHABLE)
    except discord.Forbidden:
        if guild_id:
            return fail(f"Discord refused the sync: is the bot in server {guild_id} with the applications.commands "
                        "scope?", EXIT_ERROR)
        return fail("Discord refused the global sync: check that DISCORD_TOKEN is this application's bot token.",
                    EXIT_ERROR)
    return EXIT_OK
