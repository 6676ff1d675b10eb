"""careerbot: answers ML-engineer career questions from cited guides, and tracks members' progress.

`from bot import create_bot, Settings`: `Settings` is a pydantic-settings model (no discord); `create_bot`
imports discord.py lazily so the domain and the CLI's non-Discord commands never load it.
"""
from __future__ import annotations

from .settings import Settings

__all__ = ["Settings", "create_bot"]


def __getattr__(name: str):
    if name == "create_bot":
        from .discord_bot.client import create_bot
        return create_bot
    raise AttributeError(name)
