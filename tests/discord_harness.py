"""Drive the real bot through discord.py's own dispatch, with no network.

    async with make_harness(tmp_path) as h:           # or the `harness` fixture
        sent = await h.slash("ask", question="do I need a degree?", user=h.member)
        sent.reply.embeds[0]["title"]; sent.reply.ephemeral; sent.reply.allowed_mentions

`make_harness` builds `create_bot(Settings(...))` on a SQLite file and a copy of `knowledge/` in
`tmp_path`, runs `_async_setup_hook` and `setup_hook` (no login), adds a guild to the connection state and
replaces the HTTP layer (`bot.http.request`, `bot.http.get_from_cdn` and
`AsyncWebhookAdapter.request`) with a `Recorder`. Each helper builds a Discord API v10 payload, feeds it
to `state.parse_interaction_create` / `state.parse_message_create`, waits for the tasks the dispatch
started (`drain`) and returns what the bot sent in that step as a `Sent` list.

Option types come from the command's own parameters, so `h.slash("goal add", text="...", due="...")`
works for any command; pass `h.attachment(...)`, `h.channel(id)`, `h.role(id)` or `h.user_option(p)` for
attachment, channel, role and user options. Members: `h.member`, `h.other`, `h.moderator` (Manage
Server), `h.role_moderator` (has MOD_ROLE_ID), `h.owner` (all permissions), `h.another_bot`.

    await h.slash("goal list", user=h.other, guild=False)        # in a DM
    await h.autocomplete("goal done", "goal", "lin")             # -> the choices sent
    await h.click(custom_id, sent.reply, user=h.other)           # press a button on a recorded message
    await h.message(f"{h.mention()} question", mentions=(h.me,))  # MESSAGE_CREATE
    await h.message("thanks!", reply_to=sent.reply.message, mentions=(h.me,))  # a reply that pings the bot
    await h.message("", kind=7)                                    # a system message (a member joined)
    h.button_message("careerbot:vote:1:1")                       # a message from before a restart
    h.start_slash(...); h.start_slash(...); await h.drain()      # overlapping interactions
    h.assert_no_pings()                                          # every message so far pings nobody

The recorder, `Sent` and the payload pieces live in tests/discord_recorder.py. Settings overrides go
through `make_harness(tmp_path, ask_cooldown_rate=1, ...)`; the asking cooldown is lifted by default.
"""
from __future__ import annotations

import asyncio
import shutil
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

import discord
import pytest_asyncio
from discord.webhook.async_ import AsyncWebhookAdapter

from bot import Settings, create_bot
from tests.discord_recorder import (  # noqa: F401
    APP_ID,
    BOT_ID,
    EVERYDAY,
    FORUM_ID,
    GENERAL_ID,
    GUILD_ID,
    HELP_ID,
    MOD_ROLE_ID,
    OTHER_ROLE_ID,
    POST_ID,
    REPO,
    THREAD_ID,
    TIMESTAMP,
    Persona,
    Recorder,
    Resolved,
    Sent,
    SentList,
    snowflake,
)


def _is_timer(task: asyncio.Task) -> bool:
    """View timeouts and delete_after sleeps: tasks that wait on the clock, not on the step."""
    qualname = getattr(task.get_coro(), "__qualname__", "")
    return "timeout_task_impl" in qualname or "inner_call" in qualname


class Harness:
    def __init__(self, bot, settings: Settings, tmp_path: Path) -> None:
        self.bot, self.settings, self.tmp_path = bot, settings, tmp_path
        self.state = bot._connection
        self.channel_of_token: dict[str, tuple[int, int | None]] = {}
        self.recorder = Recorder(self.channel_of_token)
        self.member = Persona(700_000_000_000_000_001, "member")
        self.other = Persona(700_000_000_000_000_002, "other")
        self.moderator = Persona(700_000_000_000_000_003, "moderator", EVERYDAY | discord.Permissions(manage_guild=True))
        self.role_moderator = Persona(700_000_000_000_000_004, "rolemod", EVERYDAY, roles=(MOD_ROLE_ID,))
        self.owner = Persona(700_000_000_000_000_005, "owner", discord.Permissions.all())
        self.another_bot = Persona(700_000_000_000_000_006, "otherbot", EVERYDAY, bot=True)
        self.me = Persona(BOT_ID, "careerbot", EVERYDAY, bot=True)
        self._baseline: set[asyncio.Task] = set()

    # ------------------------------------------------------------------ setup

    def install(self) -> None:
        self.bot.http.request = self.recorder.http_request
        self.bot.http.get_from_cdn = self.recorder.get_from_cdn
        self.state.user = discord.ClientUser(state=self.state, data=self.me.user())
        self.state.application_id = APP_ID
        self.guild = self.state._add_guild_from_data(self.guild_payload())
        self._baseline = set(asyncio.all_tasks())

    def guild_payload(self) -> dict:
        text = lambda cid, name, pos: {"id": str(cid), "type": 0, "name": name, "position": pos, "guild_id": str(GUILD_ID),
                                       "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None}
        thread = lambda tid, parent, name, ttype: {
            "id": str(tid), "type": ttype, "name": name, "guild_id": str(GUILD_ID), "parent_id": str(parent),
            "owner_id": str(self.member.id), "message_count": 1, "member_count": 1, "rate_limit_per_user": 0,
            "flags": 0, "thread_metadata": {"archived": False, "auto_archive_duration": 1440,
                                            "archive_timestamp": TIMESTAMP, "locked": False}}
        role = lambda rid, name, perms: {"id": str(rid), "name": name, "permissions": str(perms), "position": 0,
                                         "color": 0, "hoist": False, "managed": False, "mentionable": True, "flags": 0}
        return {
            "id": str(GUILD_ID), "name": "ML careers", "owner_id": str(self.owner.id), "member_count": 6,
            "features": [], "emojis": [], "stickers": [], "large": False, "unavailable": False,
            "roles": [role(GUILD_ID, "@everyone", EVERYDAY.value), role(MOD_ROLE_ID, "Mentors", EVERYDAY.value),
                      role(OTHER_ROLE_ID, "Learners", EVERYDAY.value)],
            "channels": [text(GENERAL_ID, "general", 0), text(HELP_ID, "career-help", 1),
                         {**text(FORUM_ID, "career-forum", 2), "type": 15, "available_tags": []}],
            "threads": [thread(POST_ID, FORUM_ID, "How do I start?", 11), thread(THREAD_ID, GENERAL_ID, "chat", 11)],
            "members": [self.me.member(permissions=False)],
        }

    # ------------------------------------------------------------------ feeding payloads

    async def drain(self, timeout: float = 30.0, *, include_timers: bool = False) -> None:
        """Wait until every task the last dispatch started (and their children) is done. View timeouts
        are skipped unless `include_timers` (for a test that sets a tiny timeout on purpose)."""
        current = asyncio.current_task()
        for _ in range(10_000):
            pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()
                       and t not in self._baseline and (include_timers or not _is_timer(t))]
            if not pending:
                return
            done, still = await asyncio.wait(pending, timeout=timeout)
            if still:
                raise AssertionError(f"tasks still running after {timeout}s: {[t.get_name() for t in still]}")
        raise AssertionError("drain never settled")

    async def _feed_interaction(self, payload: dict) -> SentList:
        start = len(self.recorder.sent)
        self.state.parse_interaction_create(payload)
        await self.drain()
        return SentList(self.recorder.sent[start:])

    def interaction(self, itype: int, data: dict, *, user: Persona | None, channel_id: int | None = GENERAL_ID,
                    guild: bool = True, message: dict | None = None) -> dict:
        user = user or self.member
        iid, token = snowflake(), f"token-{snowflake()}"
        payload: dict[str, Any] = {
            "id": str(iid), "application_id": str(APP_ID), "type": itype, "token": token, "version": 1,
            "data": data, "locale": "en-US", "attachment_size_limit": 10 * 1024 * 1024, "entitlements": [],
            "app_permissions": str(EVERYDAY.value),
        }
        if guild:
            channel = self.guild.get_channel_or_thread(channel_id)
            ctype = channel.type.value if channel is not None else 0
            payload.update(guild_id=str(GUILD_ID), guild_locale="en-US", member=user.member(), context=0,
                           channel_id=str(channel_id),
                           channel={"id": str(channel_id), "type": ctype, "guild_id": str(GUILD_ID), "name": "c"},
                           authorizing_integration_owners={"0": str(GUILD_ID)})
            self.channel_of_token[token] = (channel_id, GUILD_ID)
        else:
            dm = 600_000_000_000_000_000 + user.id % 1000
            payload.update(user=user.user(), context=1, channel_id=str(dm),
                           channel={"id": str(dm), "type": 1, "recipients": [user.user()]},
                           authorizing_integration_owners={"1": str(user.id)})
            self.channel_of_token[token] = (dm, None)
        if message is not None:
            payload["message"] = message
        return payload

    def command(self, name: str):
        parts = name.split()
        command = self.bot.tree.get_command(parts[0])
        for part in parts[1:]:
            command = command.get_command(part) if command is not None else None
        if command is None:
            raise KeyError(f"no command {name!r}; have {[c.name for c in self.bot.tree.get_commands()]}")
        return command

    def _command_data(self, name: str, options: dict, focused: str | None = None) -> dict:
        command = self.command(name)
        resolved: dict[str, dict] = {}
        leaf: list[dict] = []
        for key, value in options.items():
            param = command.get_parameter(key)
            if param is None:
                raise KeyError(f"/{name} has no option {key!r}")
            option: dict[str, Any] = {"name": param.display_name, "type": param.type.value}
            if isinstance(value, Resolved):
                option["value"] = str(value.id)
                resolved.setdefault(value.kind, {})[str(value.id)] = value.data
                if value.member is not None:
                    resolved.setdefault("members", {})[str(value.id)] = value.member
            else:
                option["value"] = value
            if key == focused:
                option["focused"] = True
            leaf.append(option)
        parts = name.split()
        for depth in range(len(parts) - 1, 0, -1):
            kind = 1 if depth == len(parts) - 1 else 2
            leaf = [{"name": parts[depth], "type": kind, "options": leaf}]
        data: dict[str, Any] = {"id": str(snowflake()), "name": parts[0], "type": 1, "options": leaf}
        if resolved:
            data["resolved"] = resolved
        return data

    def start_slash(self, name: str, *, user: Persona | None = None, channel_id: int = GENERAL_ID,
                    guild: bool = True, **options) -> None:
        """Feed a slash command without waiting for it (to overlap several); `await drain()` after."""
        self.state.parse_interaction_create(self.interaction(2, self._command_data(name, options), user=user,
                                                             channel_id=channel_id, guild=guild))

    def ignore_task(self, task: asyncio.Task) -> None:
        """Let `drain` skip a task the test started itself (a monitor, a load generator)."""
        self._baseline.add(task)

    async def slash(self, name: str, *, user: Persona | None = None, channel_id: int = GENERAL_ID,
                    guild: bool = True, **options) -> SentList:
        return await self._feed_interaction(self.interaction(2, self._command_data(name, options), user=user,
                                                             channel_id=channel_id, guild=guild))

    async def autocomplete(self, name: str, focused: str, value: str = "", *, user: Persona | None = None,
                           **options) -> list[dict]:
        data = self._command_data(name, {**options, focused: value}, focused=focused)
        sent = await self._feed_interaction(self.interaction(4, data, user=user))
        callbacks = [s for s in sent if s.callback_type == 8]
        assert callbacks, f"no autocomplete result; sent {[(s.method, s.path) for s in sent]}"
        return callbacks[0].choices

    async def context_menu(self, name: str, target: dict, *, user: Persona | None = None,
                           channel_id: int = GENERAL_ID) -> SentList:
        data = {"id": str(snowflake()), "name": name, "type": 3, "target_id": target["id"],
                "resolved": {"messages": {target["id"]: target}}}
        return await self._feed_interaction(self.interaction(2, data, user=user, channel_id=channel_id))

    async def click(self, custom_id: str, message: dict | Sent, *, user: Persona | None = None,
                    channel_id: int | None = None) -> SentList:
        """Press the button `custom_id` on `message` (a recorded Sent, or a message payload)."""
        message = message.message if isinstance(message, Sent) else message
        assert message is not None, "that request returned no message to click on"
        channel_id = channel_id or int(message["channel_id"])
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._feed_interaction(self.interaction(3, data, user=user, channel_id=channel_id, message=message))

    def button_message(self, *custom_ids: str, channel_id: int = GENERAL_ID, ephemeral: bool = False) -> dict:
        """A message the bot might have sent earlier (e.g. before a restart) holding these buttons."""
        row = {"type": 1, "components": [{"type": 2, "style": 2, "label": cid, "custom_id": cid} for cid in custom_ids]}
        return self.recorder._message({"components": [row], "flags": 64 if ephemeral else 0}, channel_id, GUILD_ID)

    def message_payload(self, content: str, *, author: Persona | None = None, channel_id: int = GENERAL_ID,
                        mentions: tuple[Persona, ...] = (), mention_roles: tuple[int, ...] = (),
                        mention_everyone: bool = False, message_id: int | None = None, guild: bool = True,
                        kind: int | None = None, reply_to: dict | None = None,
                        attachments: tuple[str, ...] = ()) -> dict:
        """A MESSAGE_CREATE payload. `kind` is the message type (0 default, 19 reply, 7 member join, 6 pin,
        18 thread created, ...); `reply_to` a message payload this one replies to (type 19 unless `kind`);
        `attachments` file names of images attached to it."""
        author = author or self.member
        payload: dict[str, Any] = {
            "id": str(message_id or snowflake()), "channel_id": str(channel_id), "author": author.user(),
            "content": content, "timestamp": TIMESTAMP, "edited_timestamp": None, "tts": False,
            "mention_everyone": mention_everyone, "mentions": [{**p.user(), "member": p.member(with_user=False, permissions=False)} for p in mentions],
            "mention_roles": [str(r) for r in mention_roles], "attachments": [], "embeds": [], "pinned": False,
            "type": kind if kind is not None else (19 if reply_to else 0), "flags": 0, "components": [],
        }
        for name in attachments:
            aid = snowflake()
            url = f"https://cdn.discordapp.com/attachments/{channel_id}/{aid}/{name}"
            payload["attachments"].append({"id": str(aid), "filename": name, "size": 1024, "url": url,
                                           "proxy_url": url, "content_type": "image/png"})
        if reply_to is not None:
            payload["message_reference"] = {"type": 0, "message_id": reply_to["id"],
                                            "channel_id": reply_to["channel_id"]}
            if guild:
                payload["message_reference"]["guild_id"] = str(GUILD_ID)
            payload["referenced_message"] = reply_to
        if guild:
            payload.update(guild_id=str(GUILD_ID), member=author.member(with_user=False, permissions=False))
        return payload

    async def message(self, content: str, **kwargs) -> SentList:
        start = len(self.recorder.sent)
        self.state.parse_message_create(self.message_payload(content, **kwargs))
        await self.drain()
        return SentList(self.recorder.sent[start:])

    def mention(self) -> str:
        return f"<@{BOT_ID}>"

    # ------------------------------------------------------------------ option values

    def attachment(self, filename: str, data: bytes, *, content_type: str | None = "text/markdown",
                   size: int | None = None) -> Resolved:
        aid = snowflake()
        url = f"https://cdn.discordapp.com/attachments/{GENERAL_ID}/{aid}/{filename}"
        self.recorder.cdn[url] = data
        body = {"id": str(aid), "filename": filename, "size": len(data) if size is None else size, "url": url,
                "proxy_url": url}
        if content_type:
            body["content_type"] = content_type
        return Resolved("attachments", aid, body)

    def channel(self, channel_id: int) -> Resolved:
        ch = self.guild.get_channel_or_thread(channel_id)
        return Resolved("channels", channel_id, {"id": str(channel_id), "type": ch.type.value if ch else 0,
                                                 "name": getattr(ch, "name", "x"), "permissions": "0"})

    def role(self, role_id: int) -> Resolved:
        role = self.guild.get_role(role_id)
        return Resolved("roles", role_id, {"id": str(role_id), "name": role.name if role else "role", "permissions": "0",
                                           "position": 0, "color": 0, "hoist": False, "managed": False,
                                           "mentionable": True})

    def user_option(self, persona: Persona) -> Resolved:
        return Resolved("users", persona.id, persona.user(), persona.member(with_user=False))

    # ------------------------------------------------------------------ assertions

    def all_sent(self) -> list[Sent]:
        return list(self.recorder.sent)

    def assert_no_pings(self, sent: list[Sent] | None = None) -> None:
        """Every message the bot sent carries allowed_mentions that ping nobody."""
        for s in sent if sent is not None else self.recorder.sent:
            if s.is_message:
                mentions = s.allowed_mentions
                assert mentions is not None, f"{s.method} {s.path} has no allowed_mentions: {s.body}"
                assert mentions.get("parse") == [] and not mentions.get("users") and not mentions.get("roles") \
                    and not mentions.get("replied_user"), f"{s.method} {s.path} may ping: {mentions}"


def harness_settings(tmp_path: Path, **overrides) -> Settings:
    knowledge = tmp_path / "knowledge"
    if not knowledge.exists():
        shutil.copytree(REPO / "tests" / "data" / "knowledge", knowledge, ignore=shutil.ignore_patterns(".index"))
    values: dict[str, Any] = dict(
        discord_token=None,
        database_url=f"sqlite+aiosqlite:///{(tmp_path / 'careerbot.sqlite3').as_posix()}",
        knowledge_dir=knowledge,
        state_dir=tmp_path / "state",
        ask_cooldown_rate=1000,   # tests that check the cooldown lower this
        ask_cooldown_seconds=60.0,
    )
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def make_harness(tmp_path: Path, **overrides) -> AsyncIterator[Harness]:
    """A bot built by the factory, set up without logging in, its HTTP layer recorded."""
    settings = harness_settings(tmp_path, **overrides)
    bot = create_bot(settings)  # services are built in setup_hook, as in production
    harness = Harness(bot, settings, tmp_path)
    original = AsyncWebhookAdapter.request
    AsyncWebhookAdapter.request = _adapter_method(harness.recorder)  # type: ignore[method-assign]
    try:
        await bot._async_setup_hook()
        await bot.setup_hook()
        harness.install()
        yield harness
        await harness.drain()
    finally:
        AsyncWebhookAdapter.request = original  # type: ignore[method-assign]
        await bot.close()


def _adapter_method(recorder: Recorder):
    async def request(adapter, route, session=None, **kwargs):
        return await recorder.webhook_request(adapter, route, session, **kwargs)
    return request


@pytest_asyncio.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    async with make_harness(tmp_path) as h:
        yield h
