"""What the Discord harness records and the payload pieces it is built from (see discord_harness.py).

`Recorder` stands in for Discord's HTTP API: `http_request` replaces `bot.http.request`,
`webhook_request` replaces `AsyncWebhookAdapter.request` (interaction callbacks and follow-ups) and
`get_from_cdn` serves attachment bytes. Each request becomes a `Sent`; its `body` is the message part.
"""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord

REPO = Path(__file__).resolve().parent.parent
APP_ID = 900_000_000_000_000_001
BOT_ID = 900_000_000_000_000_002
GUILD_ID = 800_000_000_000_000_001
GENERAL_ID = 800_000_000_000_000_010   # an ordinary text channel
HELP_ID = 800_000_000_000_000_011      # a text channel tests may configure as an ask channel
FORUM_ID = 800_000_000_000_000_012     # a forum channel
POST_ID = 800_000_000_000_000_013      # a forum post (thread) in FORUM_ID
THREAD_ID = 800_000_000_000_000_014    # a thread in GENERAL_ID
MOD_ROLE_ID = 800_000_000_000_000_020
OTHER_ROLE_ID = 800_000_000_000_000_021
TIMESTAMP = "2025-01-01T00:00:00.000000+00:00"
EVERYDAY = discord.Permissions(view_channel=True, send_messages=True, read_message_history=True,
                               use_application_commands=True, embed_links=True, attach_files=True,
                               send_messages_in_threads=True)
_snowflakes = itertools.count(1_000_000_000_000_000_000)


def snowflake() -> int:
    return next(_snowflakes)


@dataclass(frozen=True)
class Persona:
    id: int
    name: str
    permissions: discord.Permissions = EVERYDAY
    roles: tuple[int, ...] = ()
    bot: bool = False

    def user(self) -> dict:
        return {"id": str(self.id), "username": self.name, "discriminator": "0", "global_name": self.name,
                "avatar": None, "bot": self.bot, "public_flags": 0}

    def member(self, *, with_user: bool = True, permissions: bool = True) -> dict:
        data: dict[str, Any] = {"roles": [str(r) for r in self.roles], "joined_at": TIMESTAMP, "deaf": False,
                                "mute": False, "flags": 0, "nick": None, "avatar": None, "pending": False}
        if with_user:
            data["user"] = self.user()
        if permissions:
            data["permissions"] = str(self.permissions.value)
        return data


@dataclass(frozen=True)
class Resolved:
    """An option value that Discord sends as an id plus an entry in `data.resolved`."""

    kind: str  # "attachments", "channels", "roles", "users"
    id: int
    data: dict
    member: dict | None = None


@dataclass
class Sent:
    """One request the bot made. `body` is the message part (for callbacks, `payload["data"]`)."""

    method: str
    path: str
    url: str
    params: dict
    payload: dict | None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    response: Any = None
    token: str | None = None  # the interaction token, for interaction responses and follow-ups
    at: float = field(default_factory=time.perf_counter)

    @property
    def kind(self) -> str:
        if self.path.endswith("/callback"):
            return "callback"
        if self.path == "/webhooks/{webhook_id}/{webhook_token}" and self.method == "POST":
            return "followup"
        if self.path.endswith("/messages/@original"):
            return {"PATCH": "edit_original", "GET": "get_original", "DELETE": "delete_original"}[self.method]
        if self.path == "/channels/{channel_id}/messages" and self.method == "POST":
            return "message"
        return "other"

    @property
    def callback_type(self) -> int | None:
        return (self.payload or {}).get("type") if self.kind == "callback" else None

    @property
    def body(self) -> dict:
        if self.kind == "callback":
            return (self.payload or {}).get("data") or {}
        return self.payload or {}

    @property
    def is_message(self) -> bool:
        """True for anything that shows a message (not autocomplete results, defers or reads)."""
        if self.kind == "callback":
            return self.callback_type in (4, 7)
        return self.kind in ("followup", "edit_original", "message")

    content = property(lambda self: self.body.get("content") or "")
    embeds = property(lambda self: self.body.get("embeds") or [])
    flags = property(lambda self: int(self.body.get("flags") or 0))
    ephemeral = property(lambda self: bool(self.flags & 64))
    allowed_mentions = property(lambda self: self.body.get("allowed_mentions"))
    choices = property(lambda self: self.body.get("choices"))

    @property
    def custom_ids(self) -> list[str]:
        def walk(components):
            for c in components or []:
                if "custom_id" in c:
                    yield c["custom_id"]
                yield from walk(c.get("components"))
        return list(walk(self.body.get("components")))

    @property
    def message(self) -> dict | None:
        """The message object Discord would return (what a later button click refers to)."""
        if isinstance(self.response, dict):
            return (self.response.get("resource") or {}).get("message") or (self.response if "id" in self.response else None)
        return None

    @property
    def text(self) -> str:
        """Content plus every embed's title, description, field names and values, and footer."""
        parts = [self.content]
        for e in self.embeds:
            parts += [e.get("title", ""), e.get("description", ""), (e.get("footer") or {}).get("text", "")]
            parts += [f"{f['name']}\n{f['value']}" for f in e.get("fields", [])]
        return "\n".join(p for p in parts if p)


class SentList(list):
    """The requests of one step. `.reply` is the first message-bearing one."""

    @property
    def messages(self) -> list[Sent]:
        return [s for s in self if s.is_message]

    @property
    def reply(self) -> Sent:
        messages = self.messages
        assert messages, f"the bot sent no message; requests: {[(s.method, s.path) for s in self]}"
        return messages[-1] if messages[0].callback_type == 5 else messages[0]

    @property
    def deferred(self) -> bool:
        return any(s.callback_type in (5, 6) for s in self)


class Recorder:
    """Stands in for Discord's HTTP API: records each request and answers with plausible JSON."""

    def __init__(self, channel_of_token: dict[str, tuple[int, int | None]]) -> None:
        self.sent: list[Sent] = []
        self.cdn: dict[str, bytes] = {}
        self.messages: dict[int, dict] = {}
        self._channel_of_token = channel_of_token

    def _message(self, body: dict, channel_id: int | None, guild_id: int | None, *, message_id: int | None = None,
                 kind: int = 0) -> dict:
        mid = message_id or snowflake()
        msg = {
            "id": str(mid), "channel_id": str(channel_id or GENERAL_ID), "type": kind,
            "author": {"id": str(BOT_ID), "username": "careerbot", "discriminator": "0", "bot": True, "avatar": None},
            "content": body.get("content") or "", "embeds": body.get("embeds") or [],
            "components": body.get("components") or [], "attachments": [], "flags": int(body.get("flags") or 0),
            "timestamp": TIMESTAMP, "edited_timestamp": None, "tts": False, "mention_everyone": False,
            "mentions": [], "mention_roles": [], "pinned": False, "application_id": str(APP_ID),
        }
        if guild_id:
            msg["guild_id"] = str(guild_id)
        self.messages[mid] = msg
        return msg

    @staticmethod
    def _unpack(payload, multipart, files) -> tuple[dict | None, list[tuple[str, bytes]]]:
        if multipart:
            for part in multipart:
                if part.get("name") == "payload_json":
                    payload = json.loads(part["value"])
        out = []
        for f in files or []:
            f.fp.seek(0)
            out.append((f.filename, f.fp.read()))
        return payload, out

    async def http_request(self, route, *, files=None, form=None, **kwargs):
        payload, blobs = self._unpack(kwargs.get("json"), form, files)
        sent = Sent(route.method, route.path, route.url, dict(getattr(route, "_params", {}) or {}), payload, blobs)
        if sent.kind == "message":
            channel_id = int(route.channel_id)
            sent.response = self._message(payload or {}, channel_id, GUILD_ID, kind=19 if (payload or {}).get("message_reference") else 0)
        elif route.method == "GET" and "/messages/" in route.path:
            sent.response = self.messages.get(int(route.url.rsplit("/", 1)[1]), {})
        else:
            sent.response = {}
        self.sent.append(sent)
        return sent.response

    async def webhook_request(self, adapter, route, session=None, *, payload=None, multipart=None, files=None,
                              params=None, **kwargs):
        payload, blobs = self._unpack(payload, multipart, files)
        sent = Sent(route.method, route.path, route.url, dict(params or {}), payload, blobs,
                    token=str(route.webhook_token))
        channel_id, guild_id = self._channel_of_token.get(str(route.webhook_token), (GENERAL_ID, GUILD_ID))
        if sent.kind == "callback":
            ctype = payload["type"]
            body = payload.get("data") or {}
            response: dict[str, Any] = {"interaction": {"id": str(route.webhook_id), "type": 2}}
            if ctype in (4, 5, 7):
                msg = self._message(body, channel_id, guild_id, kind=20)
                response["interaction"].update(response_message_id=msg["id"], response_message_loading=ctype == 5,
                                               response_message_ephemeral=bool(int(body.get("flags") or 0) & 64))
                response["resource"] = {"type": ctype, "message": msg}
            sent.response = response
        elif sent.kind in ("followup", "edit_original", "get_original") or "/messages/" in route.path:
            sent.response = self._message(payload or {}, channel_id, guild_id)
        else:
            sent.response = None
        self.sent.append(sent)
        return sent.response

    async def get_from_cdn(self, url: str) -> bytes:
        if url not in self.cdn:
            raise discord.NotFound(_FakeResponse(404), "asset not found")
        return self.cdn[url]


class _FakeResponse:
    def __init__(self, status: int) -> None:
        self.status, self.reason = status, "Not Found"
