"""The roadmap panel: views and `DynamicItem` components (embeds in roadmap_embeds.py, the /mydata
delete confirmation in mydata_views.py).

Every component is a `DynamicItem` whose namespaced custom_id names the member it belongs to, so it
keeps working after a restart, and a click by anyone else is refused (privately) with nothing changed:

    careerbot:rm:<user_id>:<item>:<status>      mark an item on a stage page (done|doing|skipped|todo)
    careerbot:rmn:<user_id>:<item>:<status>     mark the suggested next item on the overview
    careerbot:rms:<user_id>                     stage select (option values: stage ids)
    careerbot:rmi:<user_id>                     item select on a stage page (option values: item ids)
    careerbot:rmo:<user_id>                     back to the overview
    careerbot:mydata:<user_id>:<expires>:<delete|cancel>    the /mydata delete confirmation

`<item>` is the roadmap item id, or `~` plus 12 hex digits of its SHA-256 when the id would make the
custom_id longer than Discord's 100 characters. Progress is keyed by item id, so a stale button whose
item was dropped from the roadmap gets a clear private reply from the service.

Panels (`PanelView`) are fully dynamic views with a timeout: when one expires its components are disabled.
A click replaces the panel with a fresh one (and a fresh timeout); after a restart, old panels still work
through the DynamicItems. Views stay fully dynamic on purpose: discord.py's `ViewStore.remove_view`
(on stop or timeout) unregisters the DynamicItem classes of a view that also holds ordinary items.

Over 300 lines: the panel, its components and their custom-id scheme change together, so they are kept
in one file.
"""
from __future__ import annotations

import asyncio
import hashlib
import io
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import discord

from bot.errors import NotFound
from bot.knowledge.roadmap_status import FINISHED, STORED, ItemProgress, RoadmapOverview, StageProgress, Status
from bot.render.roadmap_card import render_card

from .context import career_bot
from .embeds import clean, truncate
from .errors import guarded, send_private
from .roadmap_embeds import EMOJI, WORD, overview_embed, stage_embed, stage_focus

if TYPE_CHECKING:
    from .client import CareerBot

CUSTOM_ID_MAX = 100
PANEL_TIMEOUT = 600.0  # under the 15 minutes an interaction token can edit its message
UID = r"[0-9]{1,20}"
ITEM = r"~[0-9a-f]{12}|[a-z0-9-]{1,64}"
STATUS = "|".join(Status)

BUTTONS = {Status.DONE: ("Done", discord.ButtonStyle.success), Status.DOING: ("In progress", discord.ButtonStyle.primary),
           Status.SKIPPED: ("Skip", discord.ButtonStyle.secondary),
           Status.TODO: ("Not started", discord.ButtonStyle.secondary)}
STALE_ITEM = "That roadmap item is no longer on the roadmap; open /roadmap again for the current one."
NOT_YOURS = "These buttons belong to another member's roadmap. Open your own with /roadmap."


# --------------------------------------------------------------------------- custom ids

def short_hash(item_id: str) -> str:
    return "~" + hashlib.sha256(item_id.encode()).hexdigest()[:12]


def status_custom_id(prefix: str, user_id: int, item_id: str, status: str) -> str:
    custom_id = f"careerbot:{prefix}:{user_id}:{item_id}:{status}"
    if len(custom_id) > CUSTOM_ID_MAX:
        custom_id = f"careerbot:{prefix}:{user_id}:{short_hash(item_id)}:{status}"
    return custom_id


def resolve_item(roadmap, key: str) -> str:
    """The item id behind a custom_id's item part (an id, or `~hash` of one still on the roadmap)."""
    if not key.startswith("~"):
        return key
    found = next((item_id for item_id in roadmap.items if short_hash(item_id) == key), None)
    if found is None:
        raise NotFound(STALE_ITEM)
    return found


def _window(items: list, index: int, size: int = 25) -> list:
    start = max(0, min(index - size // 2, len(items) - size))
    return items[start:start + size]


def stage_select(user_id: int, stages, current: str | None) -> "StageSelect":
    stages = list(stages)
    index = next((n for n, s in enumerate(stages) if s.stage.id == current), 0)
    options = [discord.SelectOption(
        label=truncate(f"{s.stage.number}. {s.stage.title}", 100), value=s.stage.id,
        description=f"{s.finished}/{s.total} finished · {s.percent}%",
        emoji=EMOJI[Status.DONE] if s.finished == s.total else None, default=s.stage.id == current)
        for s in _window(stages, index)]
    return StageSelect(user_id, options)


def item_select(user_id: int, stage: StageProgress, focus: ItemProgress) -> "ItemSelect":
    items = list(stage.items)
    options = [discord.SelectOption(
        label=truncate(p.item.title, 100), value=p.item.id, emoji=EMOJI[p.status],
        description=truncate(f"{'Read' if p.item.kind == 'read' else 'Task'} · {WORD[p.status]}", 100),
        default=p is focus) for p in _window(items, items.index(focus))]
    return ItemSelect(user_id, options)


class Panel(NamedTuple):
    """What a panel message shows: the embed, the components, and its attachments (the roadmap card on
    the overview, none on a stage page)."""

    embed: discord.Embed
    view: "PanelView"
    files: list[discord.File]

    async def show(self, interaction: discord.Interaction, content: str | None = None) -> None:
        """Replace the clicked panel's message with this panel (its attachments too: a stale card goes)."""
        await self.view.replace(interaction, content=content, embed=self.embed, attachments=self.files)


async def card_file(overview: RoadmapOverview, name: str) -> discord.File:
    """The roadmap card as an attachment, drawn in a worker thread (Pillow work stays off the event loop);
    its description is the alt text with the same figures."""
    card = await asyncio.to_thread(render_card, overview, name)
    return discord.File(io.BytesIO(card.png), filename=card.filename, description=card.alt)


async def overview_panel(bot: "CareerBot", user_id: int, name: str, *, owner: str | None = None) -> Panel:
    """The overview with the member's roadmap card; `name` is the display name drawn on the card."""
    overview = await bot.services.roadmap_progress.overview(user_id)
    view = PanelView(user_id)
    view.add_item(stage_select(user_id, overview.stages, None))
    if overview.next_item is not None:
        for status in STORED:
            view.add_item(StatusButton(user_id, overview.next_item, status, prefix="rmn", row=1))
    embed = overview_embed(overview, bot.services.knowledge.current.guides, owner=owner)
    return Panel(embed, view, [await card_file(overview, name)])


async def stage_panel(bot: "CareerBot", user_id: int, ref: str, *, focus_id: str | None = None,
                      owner: str | None = None) -> Panel:
    progress = bot.services.roadmap_progress
    stage_id = (await progress.stage(user_id, ref)).stage.id  # NotFound (with a suggestion) for a bad ref
    stages = (await progress.overview(user_id)).stages  # every stage's counts, for the select menu
    stage = next(s for s in stages if s.stage.id == stage_id)
    focus = stage_focus(stage, focus_id)
    view = PanelView(user_id)
    view.add_item(stage_select(user_id, stages, stage_id))
    view.add_item(item_select(user_id, stage, focus))
    for status in Status:
        view.add_item(StatusButton(user_id, focus, status, prefix="rm", row=2))
    view.add_item(OverviewButton(user_id))
    return Panel(stage_embed(stage, focus, len(stages), bot.services.knowledge.current.guides, owner=owner), view, [])


# --------------------------------------------------------------------------- the panel view

async def owner_check(interaction: discord.Interaction, user_id: int, refusal: str) -> bool:
    """Author-only: the owner's id is in every custom_id; anyone else gets a private refusal."""
    if interaction.user.id == user_id:
        return True
    await send_private(interaction, refusal)
    return False


def _owner(interaction: discord.Interaction) -> str | None:
    """The name shown on a public panel (a click can only come from its owner); None when private."""
    message = interaction.message
    return None if message is None or message.flags.ephemeral else interaction.user.display_name


def retire(message_id: int | None) -> None:
    """Stop the live panel on a message (its timeout must not touch what replaced it)."""
    old = PanelView.live.pop(message_id, None) if message_id is not None else None
    if old is not None:
        old.stop()


class PanelView(discord.ui.View):
    """DynamicItems with a timeout. `send` (a command's reply) and `replace` (a click on the panel) show it
    and keep the interaction that can edit its message; on timeout the components are disabled, unless a
    newer panel replaced this one on the same message (which stops it)."""

    live: ClassVar[dict[int, "PanelView"]] = {}
    refusal: ClassVar[str] = NOT_YOURS
    expired_content: ClassVar[str | None] = None  # None keeps the message's text

    def __init__(self, user_id: int, *, timeout: float | None = None) -> None:
        super().__init__(timeout=PANEL_TIMEOUT if timeout is None else timeout)
        self.user_id = user_id
        self.origin: discord.Interaction | None = None
        self.message_id: int | None = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # discord.py dispatches DynamicItems outside this view, so each item runs the same check itself.
        return await owner_check(interaction, self.user_id, self.refusal)

    async def send(self, interaction: discord.Interaction, *, ephemeral: bool, **kwargs: Any) -> None:
        if not kwargs.get("files", True):
            del kwargs["files"]
        callback = await interaction.response.send_message(view=self, ephemeral=ephemeral, **kwargs)
        self._track(interaction, getattr(callback, "message_id", None))

    async def replace(self, interaction: discord.Interaction, **kwargs: Any) -> None:
        await interaction.response.edit_message(view=self, **kwargs)
        self._track(interaction, interaction.message.id if interaction.message else None)

    def _track(self, interaction: discord.Interaction, message_id: int | None) -> None:
        self.origin = interaction
        self.message_id = message_id
        if message_id is not None:
            retire(message_id)
            PanelView.live[message_id] = self

    def stop(self) -> None:
        super().stop()
        if self.message_id is not None and PanelView.live.get(self.message_id) is self:
            del PanelView.live[self.message_id]

    def disable(self) -> None:
        for child in self.children:
            target = child.item if isinstance(child, discord.ui.DynamicItem) else child
            if hasattr(target, "disabled"):
                target.disabled = True

    async def on_timeout(self) -> None:
        if self.message_id is not None and PanelView.live.get(self.message_id) is self:
            del PanelView.live[self.message_id]
        if self.origin is None:
            return
        self.disable()
        try:
            if self.expired_content is None:
                await self.origin.edit_original_response(view=self)
            else:
                await self.origin.edit_original_response(view=self, content=self.expired_content)
        except discord.HTTPException:
            pass  # the message is gone, or its token expired: nothing to disable


class _Owned:
    """Mixin for DynamicItems: `user_id` from the custom_id owns the component."""

    user_id: int
    refusal: ClassVar[str] = NOT_YOURS

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return await owner_check(interaction, self.user_id, self.refusal)


# --------------------------------------------------------------------------- roadmap components

class StatusButton(_Owned, discord.ui.DynamicItem[discord.ui.Button],
                   template=rf"careerbot:(?P<prefix>rmn?):(?P<user_id>{UID}):(?P<item>{ITEM}):(?P<status>{STATUS})"):
    """Mark an item done / in progress / skipped / not started; `rmn` buttons sit on the overview."""

    def __init__(self, user_id: int, item: ItemProgress | str, status: Status, *, prefix: str = "rm",
                 row: int | None = None) -> None:
        key = item.item.id if isinstance(item, ItemProgress) else item
        label, style = BUTTONS[status]
        current = isinstance(item, ItemProgress) and item.status == status
        super().__init__(discord.ui.Button(label=label, style=style, emoji=EMOJI[status], disabled=current,
                                           custom_id=status_custom_id(prefix, user_id, key, status)), row=row)
        self.user_id, self.key, self.status, self.prefix = user_id, key, status, prefix

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /) -> "StatusButton":
        return cls(int(match["user_id"]), match["item"], Status(match["status"]), prefix=match["prefix"])

    async def callback(self, interaction: discord.Interaction) -> None:
        async def handle() -> None:
            bot = career_bot(interaction)
            progress = bot.services.roadmap_progress
            item_id = resolve_item(progress.roadmap(), self.key)
            if progress.roadmap().item(item_id) is None and self.status != Status.TODO:
                raise NotFound(STALE_ITEM)  # the service's message would name the internal id
            result = await progress.set_status(self.user_id, item_id, self.status)
            owner, name = _owner(interaction), interaction.user.display_name
            if not isinstance(result, ItemProgress):
                content = "Cleared your record for that item, which is no longer on the roadmap."
                panel = await overview_panel(bot, self.user_id, name, owner=owner)
            else:
                content = f"{EMOJI[self.status]} “{clean(result.item.title)}” is now {WORD[self.status]}."
                if self.prefix == "rmn":
                    panel = await overview_panel(bot, self.user_id, name, owner=owner)
                else:  # a finished item moves the selection on to the stage's next unfinished one
                    focus = None if self.status in FINISHED else item_id
                    panel = await stage_panel(bot, self.user_id, result.item.stage_id, focus_id=focus, owner=owner)
            await panel.show(interaction, truncate(content, 2000))
        await guarded(interaction, handle)


class StageSelect(_Owned, discord.ui.DynamicItem[discord.ui.Select], template=rf"careerbot:rms:(?P<user_id>{UID})"):
    """Open a stage's checklist."""

    def __init__(self, user_id: int, options: list[discord.SelectOption]) -> None:
        super().__init__(discord.ui.Select(custom_id=f"careerbot:rms:{user_id}", placeholder="Open a stage…",
                                           options=options, row=0))
        self.user_id = user_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /) -> "StageSelect":
        return cls(int(match["user_id"]), list(getattr(item, "options", [])))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def handle() -> None:
            values = self.item.values
            if not values:
                raise NotFound("Pick a stage from the list.")
            panel = await stage_panel(career_bot(interaction), self.user_id, values[0], owner=_owner(interaction))
            await panel.show(interaction)
        await guarded(interaction, handle)


class ItemSelect(_Owned, discord.ui.DynamicItem[discord.ui.Select], template=rf"careerbot:rmi:(?P<user_id>{UID})"):
    """Choose the item the status buttons act on."""

    def __init__(self, user_id: int, options: list[discord.SelectOption]) -> None:
        super().__init__(discord.ui.Select(custom_id=f"careerbot:rmi:{user_id}", placeholder="Choose an item…",
                                           options=options, row=1))
        self.user_id = user_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /) -> "ItemSelect":
        return cls(int(match["user_id"]), list(getattr(item, "options", [])))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def handle() -> None:
            bot = career_bot(interaction)
            item_id = (self.item.values or [""])[0]
            item = bot.services.roadmap_progress.roadmap().item(item_id)
            if item is None:
                raise NotFound(STALE_ITEM)
            panel = await stage_panel(bot, self.user_id, item.stage_id, focus_id=item.id, owner=_owner(interaction))
            await panel.show(interaction)
        await guarded(interaction, handle)


class OverviewButton(_Owned, discord.ui.DynamicItem[discord.ui.Button], template=rf"careerbot:rmo:(?P<user_id>{UID})"):
    """Back from a stage page to the overview."""

    def __init__(self, user_id: int) -> None:
        super().__init__(discord.ui.Button(label="All stages", emoji="\N{WORLD MAP}", row=3,
                                           style=discord.ButtonStyle.secondary, custom_id=f"careerbot:rmo:{user_id}"))
        self.user_id = user_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /) -> "OverviewButton":
        return cls(int(match["user_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async def handle() -> None:
            panel = await overview_panel(career_bot(interaction), self.user_id, interaction.user.display_name,
                                         owner=_owner(interaction))
            await panel.show(interaction)
        await guarded(interaction, handle)


ROADMAP_ITEMS = (StatusButton, StageSelect, ItemSelect, OverviewButton)
