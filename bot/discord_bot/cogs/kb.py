"""`/kb`: moderator tools for the knowledge base (reload, add, remove, status, gaps).

Hidden from members by `default_permissions(manage_guild=True)` and checked again on every use
(Manage Server or the moderator role). Rebuilding runs in a worker thread; the store swaps the new
snapshot in one step, or raises and keeps the old one serving; each attempt is audited (best effort).
Every reply is private. On SQLite the guides folder is changed and reloaded, as ever (and the change kept
in the database too); on PostgreSQL changes live in the database and reach every process (see
`knowledge_sync`), and the folder is left as shipped.

The steps every change shares (rebuild off the event loop, undo on disk when refused, audit) are
`bot.admin.guides.GuideAdmin`; the files are changed by `bot.knowledge.files`.
"""
from __future__ import annotations

import asyncio
import errno
import logging
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from bot.admin.guides import GuideAdmin, summary
from bot.errors import DomainError, KnowledgeError, NotFound
from bot.knowledge.files import cannot_write, check_upload, remove_guide, safe_guide_name, too_big, write_guide
from bot.knowledge.folder import read_guide_file
from bot.knowledge.guides import read_text
from bot.knowledge.store import Knowledge
from bot.storage.guide_changes import Change

from ..checks import ModeratorsOnly, kb_editor_only, kb_home_problem
from ..client import CareerBot
from ..embeds import NOT_COVERED, bullet_lines, clean, info_embed, timestamp, truncate
from ..progress_views import short_hash
from ..views import KB_ITEMS, KbRemoveView

log = logging.getLogger(__name__)
KEPT = "Nothing changed: the previous knowledge is still serving."


def already_exists(name: str) -> str:
    return f"A guide file named `{name}` already exists. Use `replace: True` to update it, or rename your file."


def problems_embed(title: str, error: KnowledgeError, note: str = KEPT) -> discord.Embed:
    lines = [f"• {discord.utils.escape_markdown(str(p))}" for p in error.problems]
    embed = info_embed(title, "", colour=discord.Colour.red())
    embed.description = truncate(note + "\n\n" + bullet_lines(lines, 3800), 4096)
    return embed


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class KnowledgeBase(ModeratorsOnly, commands.GroupCog, group_name="kb",
                    group_description="Moderators: manage the guides the bot answers from"):
    def __init__(self, bot: CareerBot) -> None:
        self.bot = bot
        super().__init__()

    @property
    def store(self):
        return self.bot.services.knowledge

    @property
    def sync(self):
        return self.bot.knowledge_sync

    @property
    def admin(self) -> GuideAdmin:
        return GuideAdmin(self.store, self.sync, self.bot.services.community)

    # ------------------------------------------------------------------ reload

    @app_commands.command(name="reload")
    @kb_editor_only
    async def reload(self, interaction: discord.Interaction) -> None:
        """Re-read every guide and the roadmap; on any problem the current knowledge keeps serving."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.kb_lock:
            kb, error = await self.admin.rebuild(interaction.user.id)
            if error is None and not self.sync.shared:
                await self.sync.record(None, interaction.user.id)
        if error is not None:
            await interaction.followup.send(embed=problems_embed("Reload failed", error), ephemeral=True)
            return
        assert kb is not None  # `rebuild` returns the knowledge or the error
        await interaction.followup.send(embed=info_embed("Reloaded", f"Now serving {summary(kb)}."), ephemeral=True)

    # ------------------------------------------------------------------ add

    @app_commands.command(name="add")
    @kb_editor_only
    @app_commands.describe(file="A .md or .txt guide (UTF-8; Markdown with front matter, or plain text)",
                           replace="Replace a guide with the same file name (default: no)")
    async def add(self, interaction: discord.Interaction, file: discord.Attachment, replace: bool = False) -> None:
        """Add a guide from an attached file, check it, then reload the knowledge base."""
        settings = self.bot.settings
        name = safe_guide_name(file.filename, discord.utils.escape_markdown)
        if file.size > settings.max_guide_bytes:
            raise DomainError(too_big(name, file.size, settings.max_guide_bytes))
        guides_dir = settings.guides_dir
        if not self.sync.shared and (guides_dir / name).exists() and not replace:
            raise DomainError(already_exists(name))
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        try:
            guide = await asyncio.to_thread(check_upload, guides_dir / name, data, settings.max_guide_bytes)
        except KnowledgeError as invalid:
            await interaction.followup.send(embed=problems_embed(f"`{name}` was not added", invalid, "Fix these and "
                                            "upload it again; nothing was written."), ephemeral=True)
            return
        if self.sync.shared:
            await self.add_shared(interaction, name, guide, read_text(guides_dir / name, raw=data), replace)
            return
        async with self.bot.kb_lock:
            if (guides_dir / name).exists() and not replace:  # again: another upload may have added it meanwhile
                raise DomainError(already_exists(name))
            self.refuse_id_clash(guide, name)
            action = "replace" if (guides_dir / name).exists() else "add"
            try:
                undo = await asyncio.to_thread(write_guide, guides_dir, name, data)
            except OSError as failure:  # a full disk: write_guide left nothing behind
                log.warning("could not write an uploaded guide: %s", errno.errorcode.get(failure.errno or 0, "OSError"))
                await interaction.followup.send(embed=info_embed(f"`{name}` was not added", cannot_write(failure),
                                                                 colour=discord.Colour.red()), ephemeral=True)
                return
            kb, error = await self.admin.rebuild_or_undo(interaction.user.id, undo)
            if error is None:
                await self.sync.record(Change(name, action, read_text(guides_dir / name, raw=data)), interaction.user.id)
        await self.added(interaction, name, guide, kb, error, f"The upload was taken back. {KEPT}")

    def refuse_id_clash(self, guide, name: str) -> None:
        clash = self.store.current.guides.guide(guide.id)
        if clash is not None and Path(clash.path).name != name:
            raise DomainError(f"The guide id `{guide.id}` is already used by `{Path(clash.path).name}`; "
                              "give the new guide another `id:` in its front matter.")

    async def add_shared(self, interaction: discord.Interaction, name: str, guide, text: str, replace: bool) -> None:
        """/kb add on shared knowledge: stored in the database and announced to every process."""
        async with self.bot.kb_lock:
            self.refuse_id_clash(guide, name)
            kb, error = await self.admin.rebuild(interaction.user.id,
                                           lambda: self.sync.add(name, text, replace, interaction.user.id))
        await self.added(interaction, name, guide, kb, error, KEPT)

    async def added(self, interaction: discord.Interaction, name: str, guide, kb, error, note: str) -> None:
        if error is not None:
            await interaction.followup.send(embed=problems_embed(f"`{name}` was not added", error, note),
                                            ephemeral=True)
            return
        text = (f"Added **{clean(guide.title)}** as `{name}` ({len(guide.sections)} sections).\n"
                f"Now serving {summary(kb)}.")
        await interaction.followup.send(embed=info_embed("Guide added", text), ephemeral=True)

    # ------------------------------------------------------------------ remove

    @app_commands.command(name="remove")
    @kb_editor_only
    @app_commands.describe(guide="The guide to remove (start typing its title or id)")
    async def remove(self, interaction: discord.Interaction, guide: str) -> None:
        """Remove a guide (after you confirm), then reload; the file is kept aside, not deleted."""
        guides = self.store.current.guides
        found = guides.guide(guide.strip())
        if found is None:
            raise NotFound(f"There is no guide with the id `{discord.utils.escape_markdown(guide[:80])}`; "
                           "pick one from the list as you type.")
        if len(guides.guides) == 1:
            raise DomainError("That is the only guide; add another one before removing it.")

        view = KbRemoveView(interaction.user.id, found.id)
        await view.send(interaction, ephemeral=True, content=(
            f"Remove **{clean(found.title)}** (`{Path(found.path).name}`) from the guides? "
            "Members' reading lists keep the titles they saved."))

    async def remove_confirmed(self, click: discord.Interaction, key: str) -> None:
        """The moderator pressed Remove (see `views.RemoveGuideButton`): move the guide aside and reload."""
        found = next((g for g in self.store.current.guides.guides if key in (g.id, short_hash(g.id))), None)
        if found is None:
            await click.response.edit_message(content="That guide is no longer in the guides; nothing was changed.",
                                              view=None)
            return
        await click.response.edit_message(content=f"Removing **{clean(found.title)}** and reloading…", view=None)
        if self.sync.shared:
            async with self.bot.kb_lock:
                kb, error = await self.admin.rebuild(click.user.id, lambda: self.sync.remove(Path(found.path), click.user.id))
            await self.removed(click, found, kb, error, KEPT)
            return
        async with self.bot.kb_lock:
            try:
                text = await asyncio.to_thread(read_guide_file, Path(found.path), self.bot.settings.max_guide_bytes)
            except (OSError, KnowledgeError):
                text = ""  # unreadable now: moving it aside still works, the record just lacks its text
            try:
                undo = await asyncio.to_thread(remove_guide, self.bot.settings.knowledge_dir, Path(found.path))
            except DomainError as refusal:
                await click.edit_original_response(content=str(refusal))
                return
            except OSError as failure:  # e.g. a full disk while making .removed-guides/
                log.warning("could not move a removed guide aside: %s", errno.errorcode.get(failure.errno or 0, "OSError"))
                await click.edit_original_response(content=cannot_write(failure))
                return
            kb, error = await self.admin.rebuild_or_undo(click.user.id, undo)
            if error is None:
                await self.sync.record(Change(Path(found.path).name, "remove", text), click.user.id)
        await self.removed(click, found, kb, error, f"The guide was put back. {KEPT}")

    async def removed(self, click: discord.Interaction, found, kb, error, note: str) -> None:
        if error is not None:
            await click.edit_original_response(content=None, embed=problems_embed("Not removed", error, note))
            return
        await click.edit_original_response(content=f"Removed **{clean(found.title)}**. Now serving {summary(kb)}.")

    @remove.autocomplete("guide")
    async def guide_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        needle = current.casefold().strip()
        choices = []
        for g in self.store.current.guides.guides:
            if needle in g.id or needle in g.title.casefold():
                choices.append(app_commands.Choice(name=truncate(f"{g.title} ({g.id})", 100), value=g.id))
        return choices[:25]

    # ------------------------------------------------------------------ status and gaps

    @app_commands.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """Show the guides being served, their size, and the last reload."""
        kb = self.store.current
        audit = await self.bot.services.community.last_reload()
        home = kb_home_problem(interaction) is None  # who reloaded is shown only where the guides are managed
        by = f" by <@{kb.loaded_by}>" if home and kb.loaded_by and kb.loaded_by.isascii() and kb.loaded_by.isdigit() else ""
        lines = [f"Serving {summary(kb)}.", f"Loaded {timestamp(kb.loaded_at)}{by}."]
        if audit is not None:
            who = f" by <@{audit.reloaded_by}>" if home and audit.reloaded_by else ""
            outcome = "succeeded" if audit.ok else "failed (old knowledge kept)"
            lines.append(f"Last reload attempt {timestamp(audit.reloaded_at)}{who} {outcome}.")
        lines.append(await self.versions(kb))
        if kb.warnings:
            lines.append("Skipped at start-up: " + "; ".join(kb.warnings[:5]))
        embed = info_embed("Knowledge base", "\n".join(lines))
        guides = [f"• {clean(g.title)} — `{g.id}`" for g in kb.guides.guides]
        embed.add_field(name="Guides", value=bullet_lines(guides, 1024) or "none", inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def versions(self, kb: Knowledge) -> str:
        """The knowledge version this process serves and the database's (every process should agree)."""
        served = "unknown" if kb.version is None else str(kb.version)
        try:
            latest = str(await self.sync.changes.version()) if self.sync.changes is not None else "unknown"
        except Exception:
            log.warning("could not read the knowledge version", exc_info=True)
            latest = "unknown (the database can't be reached)"
        shards = getattr(self.bot, "shard_ids", None)
        where = f" (shards {', '.join(map(str, shards))} of {self.bot.shard_count})" if shards else ""
        return f"Knowledge version: this process{where} serves {served}; the database is at {latest}."

    @app_commands.command(name="gaps")
    @app_commands.describe(limit="How many questions to list (1-25, default 10)")
    async def gaps(self, interaction: discord.Interaction, limit: app_commands.Range[int, 1, 25] = 10) -> None:
        """List recent questions the guides didn't cover, and answers members found unhelpful."""
        community = self.bot.services.community
        limit = max(1, min(int(limit), 25))
        gaps = await community.gaps(interaction.guild_id, limit=limit)
        unhelpful = await community.not_helpful(interaction.guild_id, limit=limit)
        embed = info_embed("What the guides are missing", colour=NOT_COVERED)
        embed.description = bullet_lines([f"**{g.count}×** {clean(g.question)} (last {timestamp(g.last_asked)})"
                                          for g in gaps], 3000) or "No unanswered questions yet."
        votes = [f"👎 {f.not_helpful} · 👍 {f.helpful} — {clean(f.question)}" for f in unhelpful]
        embed.add_field(name="Not helpful", value=bullet_lines(votes, 1024) or "No not-helpful votes yet.",
                        inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: CareerBot) -> None:
    bot.add_dynamic_items(*KB_ITEMS)
    await bot.add_cog(KnowledgeBase(bot))


async def teardown(bot: CareerBot) -> None:
    bot.remove_dynamic_items(*KB_ITEMS)
