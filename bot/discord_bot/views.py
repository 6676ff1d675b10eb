"""Buttons. Answer buttons are `DynamicItem`s whose namespaced `custom_id` carries the state
(`careerbot:vote:<answer_id>:<1|0>`, `careerbot:save:<answer_id>`, `careerbot:more:<answer_id>`), so they
keep working after a restart. So does the `/kb remove` confirmation (`KbRemoveView`,
`careerbot:kbrm:<user_id>:<expires>:<remove|cancel>:<guide>`): author-only, and a late click changes nothing.
"""
from __future__ import annotations

import asyncio
import math
import re
import time
from typing import TYPE_CHECKING, cast

import discord

from bot.answers.service import Citation
from bot.errors import NotFound
from bot.knowledge.guides import Section
from bot.storage.models import MAX_ROW_ID

from .context import career_bot
from .embeds import Retired, sources_embed, truncate
from .errors import guarded, send_private
from .progress_views import CUSTOM_ID_MAX, PanelView, retire, short_hash

if TYPE_CHECKING:
    from .cogs.kb import KnowledgeBase

ID = r"[0-9]{1,10}"



class VoteButton(discord.ui.DynamicItem[discord.ui.Button],
                 template=rf"careerbot:vote:(?P<answer_id>{ID}):(?P<helpful>[01])"):
    """Helpful / not helpful: one vote per member per answer (voting again changes the vote)."""

    def __init__(self, answer_id: int, helpful: bool) -> None:
        super().__init__(discord.ui.Button(
            label="Helpful" if helpful else "Not helpful",
            emoji="\N{THUMBS UP SIGN}" if helpful else "\N{THUMBS DOWN SIGN}",
            style=discord.ButtonStyle.secondary,
            custom_id=f"careerbot:vote:{answer_id}:{int(helpful)}",
        ))
        self.answer_id = answer_id
        self.helpful = helpful

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /) -> "VoteButton":
        return cls(int(match["answer_id"]), match["helpful"] == "1")

    async def callback(self, interaction: discord.Interaction) -> None:
        async def handle() -> None:
            if self.answer_id > MAX_ROW_ID:
                raise NotFound("That answer is no longer stored, so it can't take votes.")
            await career_bot(interaction).services.community.vote(self.answer_id, interaction.user.id, self.helpful)
            word = "helpful" if self.helpful else "not helpful"
            extra = "" if self.helpful else " The moderators will see it, so the guides can improve."
            await send_private(interaction, f"Thanks, your vote is recorded: {word}.{extra}")
        await guarded(interaction, handle)


class SaveButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"careerbot:save:(?P<answer_id>{ID})"):
    """Save the answer's cited sections (the ones shown) to the member's own reading list."""

    def __init__(self, answer_id: int) -> None:
        super().__init__(discord.ui.Button(
            label="Save to my reading list", emoji="\N{BOOKMARK}", style=discord.ButtonStyle.primary,
            custom_id=f"careerbot:save:{answer_id}",
        ))
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /) -> "SaveButton":
        return cls(int(match["answer_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def handle() -> None:
            services = career_bot(interaction).services
            record = await services.community.get_answer(self.answer_id)
            section_ids = list(record.cited_section_ids)[:3]
            result = await services.reading.save_many(interaction.user.id, section_ids)  # one transaction
            saved = [f"{e.title} ({e.guide_title})" for e in result.saved]
            already = [f"{e.title} ({e.guide_title})" for e in result.already]
            missing = len(result.missing)
            lines = [f"Saved to your reading list: {', '.join(saved)}." if saved else ""]
            if already:
                lines.append(f"Already on your list: {', '.join(already)}.")
            if missing:
                lines.append(f"{missing} source{'s are' if missing != 1 else ' is'} no longer in the guides.")
            if result.full:
                lines.append(f"Not saved: {len(result.full)} (no room left). {services.reading.full_message()}")
            if saved or already:
                lines.append("See your list with /checklist show.")
            if not section_ids:
                lines.append("This answer has no sources to save.")
            await send_private(interaction, truncate("\n".join(x for x in lines if x), 2000))
        await guarded(interaction, handle)


class MoreSourcesButton(discord.ui.DynamicItem[discord.ui.Button],
                        template=rf"careerbot:more:(?P<answer_id>{ID})"):
    """Show the sources after the first three, only to the member who asked for them."""

    def __init__(self, answer_id: int) -> None:
        super().__init__(discord.ui.Button(
            label="More sources", emoji="\N{OPEN BOOK}", style=discord.ButtonStyle.secondary,
            custom_id=f"careerbot:more:{answer_id}",
        ))
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /) -> "MoreSourcesButton":
        return cls(int(match["answer_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def handle() -> None:
            bot = career_bot(interaction)
            record = await bot.services.community.get_answer(self.answer_id)
            if record.cited_section_ids:  # the sources the answer cited, as the guides have them now
                sections = bot.services.knowledge.current.guides.sections
                cited = [stored_citation(rank, section_id, sections.get(section_id))
                         for rank, section_id in enumerate(record.cited_section_ids, 1)]
                await send_private(interaction, embed=sources_embed(record.question, cited))
                return
            # an answer logged without its sources: search again
            answer = await asyncio.to_thread(bot.services.answers.answer, record.question)
            await send_private(interaction, embed=sources_embed(answer.question, answer.citations))
        await guarded(interaction, handle)


def stored_citation(rank: int, section_id: str, section: Section | None) -> Citation | Retired:
    """A cited section from the current knowledge, or a note that it has been removed since."""
    if section is None:
        return Retired(rank, section_id)
    return Citation(rank, section.guide_id, section.id, section.guide_title, section.heading, section.url,
                    section.text, 0.0)


DYNAMIC_ITEMS = (VoteButton, SaveButton, MoreSourcesButton)


def answer_view(answer_id: int, *, more: bool = True) -> discord.ui.View:
    """The buttons under an answer; persistent (no timeout) because their state is in the custom_id."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(answer_id, True))
    view.add_item(VoteButton(answer_id, False))
    view.add_item(SaveButton(answer_id))
    if more:
        view.add_item(MoreSourcesButton(answer_id))
    return view


# --------------------------------------------------------------------------- the /kb remove confirmation

KB_CONFIRM_SECONDS = 60
NOT_YOUR_CONFIRMATION = "Only the person who started this can confirm or cancel it."
KB_EXPIRED = "This confirmation expired; nothing was changed. Run /kb remove again if you still want to."
_GUIDE_KEY = r"~[0-9a-f]{12}|[a-z0-9][a-z0-9-]{0,79}"


def guide_key(guide_id: str, prefix_len: int) -> str:
    """The guide id, or `~` and 12 hex digits of its SHA-256 when the custom_id would pass 100 characters."""
    return guide_id if prefix_len + len(guide_id) <= CUSTOM_ID_MAX else short_hash(guide_id)


class KbRemoveView(PanelView):
    """Remove / Cancel for `/kb remove`: `DynamicItem`s whose custom_id holds the moderator, the expiry and
    the guide, so a click after a restart still works in time and a late one changes nothing. Unanswered,
    it expires after `KB_CONFIRM_SECONDS` with its buttons disabled."""

    refusal = NOT_YOUR_CONFIRMATION
    expired_content = "This confirmation expired; nothing was changed."

    def __init__(self, user_id: int, guide_id: str, *, disabled: bool = False, expires: int | None = None) -> None:
        super().__init__(user_id, timeout=KB_CONFIRM_SECONDS)
        expires = expires or math.ceil(time.time() + KB_CONFIRM_SECONDS)
        for action in ("remove", "cancel"):
            self.add_item(RemoveGuideButton(user_id, expires, action, guide_id))
        if disabled:
            self.disable()


class RemoveGuideButton(discord.ui.DynamicItem[discord.ui.Button],
                        template=rf"careerbot:kbrm:(?P<user_id>[0-9]{{1,20}}):(?P<expires>[0-9]{{1,12}}):"
                                 rf"(?P<action>remove|cancel):(?P<guide>{_GUIDE_KEY})"):
    """Confirm or cancel removing a guide; the `KnowledgeBase` cog does the removal."""

    def __init__(self, user_id: int, expires: int, action: str, guide: str) -> None:
        prefix = f"careerbot:kbrm:{user_id}:{expires}:{action}:"
        remove = action == "remove"
        super().__init__(discord.ui.Button(
            label="Remove" if remove else "Cancel",
            style=discord.ButtonStyle.danger if remove else discord.ButtonStyle.secondary,
            custom_id=prefix + guide_key(guide, len(prefix))))
        self.user_id, self.expires, self.action, self.guide = user_id, expires, action, guide

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /) -> "RemoveGuideButton":
        return cls(int(match["user_id"]), int(match["expires"]), match["action"], match["guide"])

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id == self.user_id:
            return True
        await send_private(interaction, NOT_YOUR_CONFIRMATION)
        return False

    async def callback(self, interaction: discord.Interaction) -> None:
        async def handle() -> None:
            retire(interaction.message.id if interaction.message else None)
            done = KbRemoveView(self.user_id, self.guide, disabled=True, expires=self.expires)
            done.stop()  # shown disabled; nothing left to time out
            if self.action == "cancel":
                await interaction.response.edit_message(content="Cancelled; nothing was changed.", view=done)
            elif time.time() > self.expires:
                await interaction.response.edit_message(content=KB_EXPIRED, view=done)
            else:
                cog = cast("KnowledgeBase | None", career_bot(interaction).get_cog("KnowledgeBase"))
                if cog is None:
                    raise NotFound("The guide tools are not loaded right now; nothing was changed.")
                await cog.remove_confirmed(interaction, self.guide)
        await guarded(interaction, handle)


KB_ITEMS = (RemoveGuideButton,)
