"""`/help`: what the bot can do, with an example of each command."""
from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from ..client import CareerBot
from ..embeds import FOOTER, fit

ASKING = (
    "`/ask question: do I need a degree to become an ML engineer?`\n"
    "The answer quotes the community's guides, with numbered sources. Rate it with the buttons, save the "
    "sources to your reading list, or open more sources.\n"
    "You can also mention me with a question (in threads too), right-click a message and choose "
    "**Apps > Ask the guides**, or post in a channel or forum the moderators set up for questions."
)
PROGRESS = (
    "`/roadmap` — the learning path the guides describe and how far along you are; mark items done, in "
    "progress or skipped with its buttons (`/roadmap stage: 2` opens one stage).\n"
    "`/goal add text: finish a linear algebra course` — personal goals (also `/goal list`, `/goal done`, "
    "`/goal reopen`, `/goal remove`).\n"
    "`/checklist show` — your reading list (sources saved from answers); `/checklist read entry:` ticks one off.\n"
    "`/mydata export` and `/mydata delete` — see or delete everything the bot stores about you.\n"
    "Replies about your own progress are only visible to you."
)
MODERATORS = (
    "`/kb reload` — re-read the guides; if one is broken the current answers keep working and I list each problem.\n"
    "`/kb add file:` — add a `.md` or `.txt` guide. `/kb remove guide:` — remove one (with confirmation).\n"
    "`/kb status` — what is being served and the last reload. `/kb gaps` — questions the guides missed and "
    "answers rated not helpful.\n"
    "`/settings ask-channel add channel: #career-help` — answer every question there without a mention "
    "(also `remove`, `list`). `/settings moderator-role role: @Mentors` — who counts as a moderator."
)


class Help(commands.Cog):
    def __init__(self, bot: CareerBot) -> None:
        self.bot = bot

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction) -> None:
        """What this bot can do, with examples."""
        embed = discord.Embed(
            title="careerbot: answers from the community's ML career guides",
            description="I answer questions about becoming a machine learning engineer by quoting the guides this "
                        "community keeps, and help you track your own progress.",
            colour=discord.Colour.blurple(),
        )
        embed.add_field(name="Ask", value=ASKING, inline=False)
        embed.add_field(name="Your progress", value=PROGRESS, inline=False)
        embed.add_field(name="Moderators (Manage Server or the moderator role)", value=MODERATORS, inline=False)
        embed.set_footer(text=FOOTER)
        await interaction.response.send_message(embed=fit(embed), ephemeral=True)


async def setup(bot: CareerBot) -> None:
    await bot.add_cog(Help(bot))
