"""Which earlier question a message follows up: the asker's reply to the bot's answer, or the asker's next
message in a thread (or forum post) the bot answered them in.

Kept in memory only, per process, for the last `LIMIT` answers: a follow-up after a restart is read as a
new question. Only the asker's own messages follow up; someone else's message in that thread is theirs
(answered only when it mentions the bot, and then as a question of its own).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import discord

LIMIT = 10_000


@dataclass(frozen=True)
class Turn:
    asker_id: int
    question: str  # the question a chain of follow-ups is about (its first, standalone question)


class Conversations:
    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._turns: OrderedDict[tuple[str, int], Turn] = OrderedDict()

    def _put(self, key: tuple[str, int], turn: Turn) -> None:
        self._turns[key] = turn
        self._turns.move_to_end(key)
        while len(self._turns) > self.limit:
            self._turns.popitem(last=False)

    def remember(self, *, asker_id: int, question: str, answer_id: int | None, thread_id: int | None) -> None:
        """After answering: the answer message (for replies to it) and the thread it is in (if any)."""
        turn = Turn(asker_id, question)
        if answer_id is not None:
            self._put(("message", answer_id), turn)
        if thread_id is not None:
            self._put(("thread", thread_id), turn)

    def earlier_question(self, message: discord.Message) -> str | None:
        """The question this message follows up, if its author is the one who asked it."""
        reference = message.reference
        keys = []
        if reference is not None and reference.message_id is not None:
            keys.append(("message", reference.message_id))
        if isinstance(message.channel, discord.Thread):
            keys.append(("thread", message.channel.id))
        for key in keys:
            turn = self._turns.get(key)
            if turn is not None and turn.asker_id == message.author.id:
                return turn.question
        return None

    def forget(self, asker_id: int) -> None:
        """A member's "delete my data": their questions leave memory too."""
        for key in [k for k, t in self._turns.items() if t.asker_id == asker_id]:
            del self._turns[key]
