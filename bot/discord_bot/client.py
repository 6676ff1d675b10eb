"""The bot factory: `create_bot(settings, services=None)` returns a configured `CareerBot`.

Building the bot touches no network and does no I/O. Services (or the ones passed in) are attached and
the extensions loaded in `setup_hook`, which discord.py runs during login, or a test runs by hand. The
command tree is synced only to a development guild when `settings.dev_guild_id` is set; anything else
goes through `careerbot sync`, never a global sync on every start. With SHARD_COUNT set the bot is
discord.py's `AutoShardedBot` over SHARD_IDS (every shard when unset); see docs/deployment.md.
"""
from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands

from bot.admin.knowledge_sync import KnowledgeSync
from bot.container import Services, build_services
from bot.errors import StorageUnavailable
from bot.members.help_channel_snapshot import load_snapshot, save_snapshot
from bot.settings import Settings

from .checks import AskLimiter
from .conversations import Conversations
from .errors import CareerTree

log = logging.getLogger(__name__)

COGS_PACKAGE = "bot.discord_bot.cogs"
EXTENSIONS = tuple(f"{COGS_PACKAGE}.{name}" for name in (
    "ask", "kb", "settings", "help",                  # asking, moderators, server settings
    "roadmap", "goals", "checklist", "mydata",        # a member's own progress and data
))


def bot_intents() -> discord.Intents:
    """Only what the bot uses: guilds (servers, channels, roles, and threads and forum posts too),
    messages in servers and in DMs, and message content, which mentions and the configured ask channels
    need (the bot reads the question from the message). Interactions need no intent."""
    return discord.Intents(guilds=True, guild_messages=True, dm_messages=True, message_content=True)


class CareerBot(commands.Bot):
    """A `commands.Bot` holding the settings and services; cogs read `bot.services`."""

    def __init__(self, settings: Settings, services: Services | None = None, **options) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # required by commands.Bot; no prefix commands exist
            intents=bot_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=CareerTree,
            help_command=None,
            **options,
        )
        self.settings = settings
        self._services = services
        self._services_closed = False
        self.ask_limiter = AskLimiter(settings.ask_cooldown_rate, settings.ask_cooldown_seconds)
        self.warming: asyncio.Task | None = None  # building the answers' caches at start (setup_hook)
        self.conversations = Conversations()  # which earlier question a member's message follows up
        self.kb_lock = asyncio.Lock()  # /kb add, remove and reload never interleave
        self.ask_channel_cache: dict[int, frozenset[int]] = {}
        self.ask_channels_from_snapshot = False  # started without the database: the cache is the local snapshot's
        self.ask_channels_lock = asyncio.Lock()  # one read-and-save of them at a time
        self.extensions_loaded: list[str] = []
        self.knowledge_sync: KnowledgeSync | None = None  # set in setup_hook

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are attached in setup_hook; call it (or log in) first")
        return self._services

    async def setup_hook(self) -> None:
        if self._services is None:  # a database that can't be reached gives guides-only mode (one warning)
            self._services = await build_services(self.settings, tolerate_outage=True)
        services = self._services
        self.knowledge_sync = KnowledgeSync(services.knowledge, services.guide_changes, self.kb_lock,
                                            check_seconds=self.settings.knowledge_check_seconds)
        # on PostgreSQL: listen for other processes' changes
        await self.knowledge_sync.start(database_down=services.database_down_at_start)
        if not services.database_down_at_start:
            await self.load_ask_channels()
        else:  # the help channels as last read: answered there until the database is back
            self.ask_channel_cache.update(await asyncio.to_thread(load_snapshot, self.settings.state_dir))
            self.ask_channels_from_snapshot = True
        # the first answer would build the heading matcher and the speller: do it now, off the event loop
        self.warming = asyncio.create_task(asyncio.to_thread(services.answers.warm), name="careerbot-warm-answers")
        from .views import DYNAMIC_ITEMS

        self.add_dynamic_items(*DYNAMIC_ITEMS)
        for name in EXTENSIONS:
            await self.load_extension(name)
            self.extensions_loaded.append(name)
        guild_id = self.settings.dev_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to the development guild %s", len(synced), guild_id)

    async def load_ask_channels(self) -> bool:
        """Every server's help channels, read at start (so an outage that starts later leaves them answering)
        and saved as the snapshot a start without the database reads; False when the database is away (then
        servers are read, and cached, on first use once it is back). One at a time: the snapshot on disk is
        always the database's latest, never an older read finishing last."""
        async with self.ask_channels_lock:
            try:
                channels = await self.services.community.all_ask_channels()
            except StorageUnavailable:
                return False
            self.ask_channel_cache.clear()
            self.ask_channel_cache.update(channels)
            self.ask_channels_from_snapshot = False
            await asyncio.to_thread(save_snapshot, self.settings.state_dir, channels)
            return True

    async def ask_channels_changed(self, guild_id: int, channel_ids: frozenset[int]) -> None:
        """A moderator changed a server's help channels (stored already, and served): read every server's
        back from the database (other processes change theirs too) and save that as the snapshot. A read
        that began before the change and ends after it is followed by this one, so the change stands."""
        if not await self.load_ask_channels():
            self.ask_channel_cache[guild_id] = channel_ids  # the database went away meanwhile: keep the change

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: questions in messages are handled by the ask cog's listener."""

    async def on_ready(self) -> None:
        log.info("logged in as %s (id %s) in %d servers", self.user, getattr(self.user, "id", "?"), len(self.guilds))

    async def close(self) -> None:
        try:
            if self.knowledge_sync is not None:
                await self.knowledge_sync.close()
            await super().close()
        finally:
            if self._services is not None and not self._services_closed:
                self._services_closed = True
                await self._services.close()
                log.info("closed the database")


class ShardedCareerBot(CareerBot, commands.AutoShardedBot):
    """The same bot over several shards in one process (discord.py's AutoShardedBot)."""


def create_bot(settings: Settings, services: Services | None = None) -> CareerBot:
    """The configured bot; no network and no I/O until it logs in (or `setup_hook` is awaited). With
    SHARD_COUNT set, an `AutoShardedBot` running SHARD_IDS (or every shard) of that many."""
    if settings.shard_count is None:
        return CareerBot(settings, services)
    shard_ids = list(settings.shard_ids) if settings.shard_ids is not None else None
    return ShardedCareerBot(settings, services, shard_count=settings.shard_count, shard_ids=shard_ids)
