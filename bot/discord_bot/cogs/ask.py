"""Asking: `/ask`, the "Ask the guides" message menu, and questions in messages (a literal mention anywhere,
every message with text in a configured ask channel, the opening post of a thread in a configured forum,
asked with the post's title).

Each path calls one service, `services.answers.answer` (in a worker thread, so a search never blocks the
event loop), logs the answer for the feedback buttons and, when the guides don't cover it, records the
question for the moderators.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import re

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.exc import SQLAlchemyError

from bot.answers.service import MAX_QUESTION_CHARS, check_question, is_small_talk
from bot.errors import DomainError, StorageUnavailable

from ..checks import ask_cooldown
from ..client import CareerBot
from ..conversations import Conversations
from ..embeds import SHOWN_CITATIONS, answer_embed
from ..errors import UNEXPECTED, cooldown_message, defer_public, finish_public
from ..views import answer_view

log = logging.getLogger(__name__)
NO_TEXT = "That message has no text I can ask the guides about."
REPLIED = "I answered in a reply to that message."


def where(message: discord.Message) -> str:
    """Where a message was, for a log line: its server, never its author, id or channel (a DM's is theirs)."""
    return f"server {message.guild.id}" if message.guild else "a direct message"


class Ask(commands.Cog):
    def __init__(self, bot: CareerBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name="Ask the guides", callback=self.ask_about_message)
        self.menu.checks.append(ask_cooldown)
        self.conversations: Conversations = bot.conversations

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    # ------------------------------------------------------------------ the one service call

    async def respond(self, question: str, *, user_id: int, guild_id: int | None) -> dict:
        """Answer, log the answer, and return the message to send (embed and, when answered, buttons)."""
        return (await self.respond_in_turn(question, user_id=user_id, guild_id=guild_id))[0]

    async def respond_in_turn(self, question: str, *, user_id: int, guild_id: int | None,
                              previous: str | None = None) -> tuple[dict, str]:
        """`respond`, reading the question as a possible follow-up of `previous`; also returns the question
        a further follow-up is about. If the log can't be written (database busy or down), the member
        still gets the answer, without the buttons that would need it."""
        services = self.bot.services
        answer = await asyncio.to_thread(services.answers.answer, question, previous=previous)
        topic = answer.follows or answer.question
        return await self.message_for(answer, user_id=user_id, guild_id=guild_id), topic

    async def message_for(self, answer, *, user_id: int, guild_id: int | None) -> dict:
        services = self.bot.services
        if answer.kind == "small_talk":  # "thanks!": a short friendly line, nothing logged, no gap recorded
            return {"content": answer.answer}
        try:
            answer_id = await services.community.record_answer(
                user_id, answer.question, answered=answer.answered, guild_id=guild_id,
                count_unanswered=answer.reason != "not_english",  # a gap in the guides, not a language
                cited_section_ids=[c.section_id for c in answer.citations])
        except StorageUnavailable:  # the database is down or busy: answer anyway, say nothing alarming
            log.warning("could not log an answer (database unavailable); sending it without feedback buttons")
            answer_id = None
        except SQLAlchemyError:
            log.warning("could not log an answer; sending it without feedback buttons", exc_info=True)
            answer_id = None
        if not answer.answered or answer_id is None:
            return {"embed": answer_embed(answer)}
        return {"embed": answer_embed(answer),
                "view": answer_view(answer_id, more=len(answer.citations) > SHOWN_CITATIONS)}

    # ------------------------------------------------------------------ slash command and menu

    @app_commands.command(name="ask")
    @app_commands.describe(question="Your question about an ML engineering career, e.g. do I need a degree?")
    @app_commands.check(ask_cooldown)
    async def ask(self, interaction: discord.Interaction,
                  question: app_commands.Range[str, 1, MAX_QUESTION_CHARS]) -> None:
        """Ask the community's career guides; the answer quotes and links its sources."""
        check_question(question)  # a bad question gets a private reply from the error boundary
        await defer_public(interaction)
        reply = await self.respond(question, user_id=interaction.user.id, guild_id=interaction.guild_id)
        await finish_public(interaction, **reply)

    async def ask_about_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Answer the selected message's text from the guides, as a reply to that message (no ping)."""
        if not (message.content or "").strip():
            raise DomainError(NO_TEXT)
        check_question(message.content)
        await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await self.respond(message.content, user_id=interaction.user.id, guild_id=interaction.guild_id)
        try:
            await message.reply(mention_author=False, **reply)
        except discord.HTTPException:  # the bot can't post there (e.g. a DM it isn't in): answer privately
            await interaction.followup.send(ephemeral=True, **reply)
            return
        await interaction.followup.send(REPLIED, ephemeral=True)

    # ------------------------------------------------------------------ questions in messages

    async def ask_channels(self, guild_id: int) -> frozenset[int]:
        cache = self.bot.ask_channel_cache
        # started without the database, the snapshot's; once something has reached the database again (a
        # member command, the knowledge check), its help channels. No database attempt per message meanwhile.
        if self.bot.ask_channels_from_snapshot and not self.bot.services.database.schema_pending:
            await self.bot.load_ask_channels()
        if guild_id not in cache:
            config = await self.bot.services.community.guild_settings(guild_id)
            cache[guild_id] = frozenset(config.ask_channel_ids)
        return cache[guild_id]

    def mentions_me(self, message: discord.Message) -> bool:
        """True only for a literal `<@id>` / `<@!id>` in the text: replying to the bot with the default
        reply-ping also puts it in `message.mentions`, and "thanks, that helped!" is not a question."""
        me = self.bot.user
        return me is not None and re.search(rf"<@!?{me.id}>", message.content or "") is not None

    @staticmethod
    def is_forum_post(message: discord.Message) -> bool:
        """The opening message of a forum post: a thread whose id is the message's."""
        channel = message.channel
        return isinstance(channel, discord.Thread) and message.id == channel.id

    async def should_answer(self, message: discord.Message) -> bool:
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None:
            return False
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return False  # joins, pins, "thread created" and other system messages
        if message.guild is None:
            return True  # a direct message to the bot is a question for it
        if self.mentions_me(message):
            return True
        if self.conversations.earlier_question(message) is not None:
            return True  # the asker follows up on their answer (a reply to it, or in its thread)
        channels = await self.ask_channels(message.guild.id)
        channel = message.channel
        if channel.id in channels:
            return True
        return self.is_forum_post(message) and getattr(channel, "parent_id", None) in channels

    def question_of(self, message: discord.Message) -> str:
        me = self.bot.user
        text = re.sub(rf"<@!?{me.id}>", " ", message.content or "").strip() if me else (message.content or "")
        if self.is_forum_post(message):
            title = getattr(message.channel, "name", "") or ""
            text = f"{title}\n{text}".strip()  # the post's title is part of the question
        return text

    @commands.Cog.listener("on_message")
    async def answer_in_place(self, message: discord.Message) -> None:
        found = await self.question_in(message)
        if found is None:
            return
        try:
            await self.reply_in_place(message, *found)
        except discord.HTTPException:
            log.warning("could not reply to a message in %s", where(message), exc_info=True)
        except Exception:
            log.exception("error answering a message in %s", where(message))
            with contextlib.suppress(discord.HTTPException):
                await message.reply(UNEXPECTED, mention_author=False)

    async def question_in(self, message: discord.Message) -> tuple[str, bool] | None:
        """The question to answer in `message` and whether the bot was addressed, or None to stay silent.
        Asked on purpose (a mention or a DM) gets told what is wrong with the question; a message in an
        ask channel that isn't a usable question (an image, "?!") or is small talk is left alone."""
        try:
            if not await self.should_answer(message):
                return None
        except StorageUnavailable:  # the ask channels are unknown until the database is back: say nothing
            return None
        except Exception:  # e.g. the ask channels could not be read: say nothing rather than reply everywhere
            log.warning("could not decide whether to answer a message in %s", where(message), exc_info=True)
            return None
        addressed = message.guild is None or self.mentions_me(message)
        question = self.question_of(message)
        if not addressed:
            try:
                check_question(question)
            except DomainError:
                return None
            if is_small_talk(question):  # "thanks!", "anyone here?" in a help channel: no public reply
                return None
        return question, addressed

    async def reply_in_place(self, message: discord.Message, question: str, addressed: bool) -> None:
        retry_after = self.bot.ask_limiter.hit(message.author.id)
        if retry_after is not None:
            await message.reply(cooldown_message(retry_after), mention_author=False)
            return
        try:
            if addressed:  # an ask-channel message was checked already, and is answered only if it passed
                check_question(question)
            reply, topic = await self.respond_in_turn(
                question, user_id=message.author.id, guild_id=message.guild.id if message.guild else None,
                previous=self.conversations.earlier_question(message))
        except DomainError as error:
            await message.reply(str(error), mention_author=False)
            return
        sent = await message.reply(mention_author=False, **reply)
        if "embed" in reply:  # an answer (not small talk): later messages may follow it up
            thread = message.channel.id if isinstance(message.channel, discord.Thread) else None
            self.conversations.remember(asker_id=message.author.id, question=topic,
                                        answer_id=getattr(sent, "id", None), thread_id=thread)


async def setup(bot: CareerBot) -> None:
    await bot.add_cog(Ask(bot))
