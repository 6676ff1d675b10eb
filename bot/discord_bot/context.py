"""The bot behind an interaction, typed: the one place that narrows `interaction.client` to CareerBot.

Commands can annotate `interaction: discord.Interaction[CareerBot]`; components, views and checks
override discord.py methods typed for any client, so they ask `career_bot(interaction)`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

import discord

if TYPE_CHECKING:
    from .client import CareerBot


def career_bot(interaction: discord.Interaction) -> CareerBot:
    return cast("CareerBot", interaction.client)
