"""Rendering: an `Answer` and other results as embeds that always fit Discord's limits.

Limits (Discord API v10): title 256, description 4096, field name 256, field value 1024, footer 2048,
25 fields, 6000 characters in all. Text from members is shown with markdown and mentions escaped; in a
title, where Discord shows backslash escapes as they are, markdown characters become look-alikes.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import discord
from discord.utils import TimestampStyle

from bot.answers.service import Answer, Citation

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
SHOWN_CITATIONS = 3
QUOTE_MAX = 600

BRAND = discord.Colour.blurple()
NOT_COVERED = discord.Colour.light_grey()
FOOTER = "Answers quote the community's guides; follow the sources before acting on them."


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    text = text or ""
    return text if len(text) <= limit else text[: max(0, limit - len(ellipsis))].rstrip() + ellipsis


def clean(text: str) -> str:
    """Member-written text made inert: no markdown formatting and no mention syntax."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(" ".join((text or "").split())))


# Embed titles render bold, italics, underline, strikethrough, code and spoilers, but show a backslash
# escape literally ("\*\*bold\*\*"). Member text in a title swaps the characters that would format for
# look-alikes that don't, so it reads exactly as typed.
PLAIN = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb", "|": "\u01c0",
                       "\\": "\u29f5"})


def plain(text: str) -> str:
    """Member-written text for an embed title: renders as plain text, with no markdown and no mentions."""
    return discord.utils.escape_mentions(" ".join((text or "").split()).translate(PLAIN))


def quote(text: str, limit: int = QUOTE_MAX) -> str:
    body = truncate(" ".join((text or "").split()), limit)
    return "> " + discord.utils.escape_mentions(body)


def citation_field(citation: Citation, *, quote_limit: int = QUOTE_MAX) -> tuple[str, str]:
    name = truncate(f"[{citation.rank}] {citation.title} — {citation.section}", FIELD_NAME_MAX)
    link = f"\n[Read the guide]({citation.url})" if citation.url else ""
    value = quote(citation.text, min(quote_limit, FIELD_VALUE_MAX - len(link) - 2)) + link
    return name, truncate(value, FIELD_VALUE_MAX)


def answer_embed(answer: Answer, *, shown: int = SHOWN_CITATIONS) -> discord.Embed:
    """The reply to a question: the answer with [n] markers, up to 3 cited passages, and the footer."""
    if not answer.answered:
        return not_covered_embed(answer)
    embed = discord.Embed(
        title=truncate(f"Q: {plain(answer.question)}", TITLE_MAX),
        description=truncate(answer.answer + (f"\n\n*{plain(answer.note)}*" if answer.note else ""), DESCRIPTION_MAX),
        colour=BRAND,
    )
    for citation in answer.citations[:shown]:
        name, value = citation_field(citation)
        embed.add_field(name=name, value=value, inline=False)
    more = len(answer.citations) - min(shown, len(answer.citations))
    footer = FOOTER + (f" {more} more source{'s' if more != 1 else ''} under More sources." if more > 0 else "")
    embed.set_footer(text=truncate(footer, FOOTER_MAX))
    return fit(embed)


def not_covered_embed(answer: Answer) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(f"Q: {plain(answer.question)}", TITLE_MAX),
        description=truncate(answer.note or answer.answer, DESCRIPTION_MAX),
        colour=NOT_COVERED,
    )
    if answer.related:  # the guides touch the topic without answering it: related reading, said as such
        for citation in answer.citations[:SHOWN_CITATIONS]:
            name, value = citation_field(citation)
            embed.add_field(name=f"Related reading: {name}"[:256], value=value, inline=False)
    if answer.reason == "not_english":  # the guides are English: the question wasn't judged against them
        embed.set_footer(text="The community's guides are written in English.")
        return fit(embed)
    embed.set_footer(text="I've noted the question for the moderators, so the guides can cover it.")
    return fit(embed)


@dataclass(frozen=True)
class Retired:
    """A source an answer cited that is no longer in the guides (removed or renamed since)."""

    rank: int
    section_id: str


def sources_embed(question: str, citations: Sequence[Citation | Retired], *,
                  start: int = SHOWN_CITATIONS) -> discord.Embed:
    """"More sources": the citations after the first three, shown to the member who asked for them."""
    rest = citations[start:]
    embed = discord.Embed(title=truncate(f"More sources: {plain(question)}", TITLE_MAX), colour=BRAND)
    if not rest:
        embed.description = "There are no more sources for this answer; the reply shows them all."
    retired = sum(isinstance(c, Retired) for c in rest)
    if retired:
        embed.description = (f"{retired} of these source{'s are' if retired != 1 else ' is'} no longer in the "
                             "guides (removed or renamed since this answer), so only a note is shown for it.")
    for citation in rest[:10]:
        if isinstance(citation, Retired):
            embed.add_field(name=f"[{citation.rank}] (no longer in the guides)",
                            value="This source was retired from the guides after the answer; its text is omitted.",
                            inline=False)
            continue
        name, value = citation_field(citation, quote_limit=300)
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=FOOTER)
    return fit(embed)


def fit(embed: discord.Embed) -> discord.Embed:
    """Shorten field values (longest first) until the whole embed is within 6,000 characters."""
    while len(embed) > EMBED_TOTAL_MAX and embed.fields:
        index = max(range(len(embed.fields)), key=lambda i: len(embed.fields[i].value or ""))
        field = embed.fields[index]
        value = field.value or ""
        excess = len(embed) - EMBED_TOTAL_MAX
        new_len = max(20, len(value) - excess - 1)
        if new_len >= len(value):
            embed.remove_field(len(embed.fields) - 1)
            continue
        embed.set_field_at(index, name=field.name, value=truncate(value, new_len), inline=field.inline)
    if len(embed) > EMBED_TOTAL_MAX and embed.description:
        embed.description = truncate(embed.description, max(0, len(embed.description) - (len(embed) - EMBED_TOTAL_MAX)))
    return embed


def info_embed(title: str, description: str = "", *, colour: discord.Colour = BRAND) -> discord.Embed:
    return fit(discord.Embed(title=truncate(title, TITLE_MAX), description=truncate(description, DESCRIPTION_MAX),
                             colour=colour))


def timestamp(moment: datetime | None, style: TimestampStyle = "R") -> str:
    return discord.utils.format_dt(moment, style) if moment else "never"


def bullet_lines(lines: list[str], limit: int = DESCRIPTION_MAX) -> str:
    """Join lines until the limit, then say how many were left out."""
    out: list[str] = []
    used = 0
    for n, line in enumerate(lines):
        rest = len(lines) - n
        tail = f"\n… and {rest} more" if rest else ""
        if used + len(line) + 1 + len(f"\n… and {rest} more") > limit:
            out.append(tail.strip())
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)
