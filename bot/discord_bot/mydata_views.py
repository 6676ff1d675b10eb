"""The /mydata delete confirmation: Delete everything / Cancel buttons that only the member can press."""
from __future__ import annotations

import math
import time

import discord

from .context import career_bot
from .errors import guarded
from .progress_views import UID, PanelView, _Owned, retire

CONFIRM_SECONDS = 60
NOT_YOUR_CONFIRMATION = "Only the member who asked to delete their data can confirm or cancel it."
DELETE_WARNING = ("This deletes your goals, roadmap progress, reading list, logged questions and feedback votes, "
                  "for good. Download a copy first with /mydata export if you want one.")


# --------------------------------------------------------------------------- /mydata delete confirmation

class DeleteConfirmView(PanelView):
    """Delete everything / Cancel, for `CONFIRM_SECONDS`. The expiry is in the custom_id too, so a click
    after a restart still works in time, and a late one changes nothing."""

    refusal = NOT_YOUR_CONFIRMATION
    expired_content = "This confirmation expired; nothing was deleted. Run /mydata delete again if you still want to."

    def __init__(self, user_id: int) -> None:
        super().__init__(user_id, timeout=CONFIRM_SECONDS)
        expires = math.ceil(time.time() + CONFIRM_SECONDS)
        self.add_item(DeleteButton(user_id, expires, "delete"))
        self.add_item(DeleteButton(user_id, expires, "cancel"))


class DeleteButton(_Owned, discord.ui.DynamicItem[discord.ui.Button],
                   template=rf"careerbot:mydata:(?P<user_id>{UID}):(?P<expires>[0-9]{{1,12}}):(?P<action>delete|cancel)"):
    refusal = NOT_YOUR_CONFIRMATION

    def __init__(self, user_id: int, expires: int, action: str) -> None:
        delete = action == "delete"
        super().__init__(discord.ui.Button(
            label="Delete everything" if delete else "Cancel",
            style=discord.ButtonStyle.danger if delete else discord.ButtonStyle.secondary,
            custom_id=f"careerbot:mydata:{user_id}:{expires}:{action}"))
        self.user_id, self.expires, self.action = user_id, expires, action

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /) -> "DeleteButton":
        return cls(int(match["user_id"]), int(match["expires"]), match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        async def handle() -> None:
            retire(interaction.message.id if interaction.message else None)
            if self.action == "cancel":
                text = "Cancelled; nothing was deleted."
            elif time.time() > self.expires:
                text = DeleteConfirmView.expired_content
            else:
                report = await career_bot(interaction).services.privacy.delete(self.user_id)
                career_bot(interaction).conversations.forget(self.user_id)  # their questions leave memory too
                text = (f"Deleted everything stored about you ({report.total} record{'s' if report.total != 1 else ''}). "
                        "Anything you do with the bot from now on is stored afresh.")
            await interaction.response.edit_message(content=text, embed=None, view=None)
        await guarded(interaction, handle)


MYDATA_ITEMS = (DeleteButton,)
