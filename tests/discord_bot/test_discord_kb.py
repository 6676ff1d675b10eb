"""/kb through Discord's real dispatch: reload, add, remove (autocomplete + confirmation), status, gaps."""
from __future__ import annotations

import asyncio
import gc
import logging
import threading
import weakref
from pathlib import Path

from sqlalchemy.exc import OperationalError

from tests.discord_harness import harness  # noqa: F401 - fixture

NEW_GUIDE = b"""---
id: quokka-study-plan
title: The quokkaboard study plan
url: https://example.org/quokkaboard
---

# The quokkaboard study plan

## What is the quokkaboard method

The quokkaboard method plans machine learning study in weekly quokkaboard sprints: one topic, one
small project, one written summary. Members who follow quokkaboard sprints finish more projects.
"""
BROKEN_GUIDE = b"""---
title: Broken guide
colour: red
---

# Broken guide

Some text.
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


async def test_reload_is_private_audited_and_swaps_the_knowledge(harness):
    before = harness.bot.services.knowledge.current
    sent = await harness.slash("kb reload", user=harness.moderator)
    assert sent[0].callback_type == 5 and sent[0].body["flags"] & 64
    assert sent.reply.ephemeral and "Now serving 4 guides" in sent.reply.text
    after = harness.bot.services.knowledge.current
    assert after is not before and after.loaded_by == str(harness.moderator.id)
    audit = await harness.bot.services.community.last_reload()
    assert audit.ok and audit.reloaded_by == harness.moderator.id
    status = (await harness.slash("kb status", user=harness.moderator)).reply
    assert status.ephemeral and f"<@{harness.moderator.id}>" in status.text and "succeeded" in status.text
    harness.assert_no_pings()


async def test_a_broken_guide_is_reported_by_file_and_line_and_the_old_knowledge_keeps_serving(harness):
    store = harness.bot.services.knowledge
    before = store.current
    (harness.settings.guides_dir / "broken.md").write_bytes(BROKEN_GUIDE)
    reply = (await harness.slash("kb reload", user=harness.moderator)).reply
    assert reply.ephemeral and "Reload failed" in reply.text
    assert "broken.md:3: unknown front matter key 'colour'" in reply.text
    assert "previous knowledge is still serving" in reply.text
    assert store.current is before
    answer = (await harness.slash("ask", question="do I need a degree to become an ML engineer?")).reply
    assert answer.embeds[0]["fields"]
    status = (await harness.slash("kb status", user=harness.moderator)).reply
    assert "failed (old knowledge kept)" in status.text
    harness.assert_no_pings()


async def test_members_are_refused_everywhere_and_the_commands_are_hidden_from_them(harness):
    for name, options in [("kb reload", {}), ("kb status", {}), ("kb gaps", {}), ("kb remove", {"guide": "x"}),
                          ("kb add", {"file": harness.attachment("g.md", NEW_GUIDE)})]:
        sent = await harness.slash(name, user=harness.member, **options)
        assert len(sent) == 1 and sent.reply.ephemeral and "This is for moderators" in sent.reply.content, name
    assert await harness.bot.services.community.last_reload() is None
    assert not (harness.settings.guides_dir / "g.md").exists()
    dm = (await harness.slash("kb status", user=harness.moderator, guild=False)).reply
    assert dm.ephemeral and "works in a server" in dm.content
    for group in ("kb", "settings"):
        payload = harness.command(group).to_dict(harness.bot.tree)
        assert str(payload["default_member_permissions"]) == "32"  # Manage Server
        assert payload["contexts"] == [0]  # servers only
    harness.assert_no_pings()


async def test_add_validates_writes_reloads_and_serves_the_new_guide(harness):
    guides = harness.settings.guides_dir
    sent = await harness.slash("kb add", user=harness.moderator, file=harness.attachment("Quokka Plan.md", NEW_GUIDE))
    assert sent.reply.ephemeral and "Added **The quokkaboard study plan** as `quokka-plan.md`" in sent.reply.text
    assert "5 guides" in sent.reply.text
    assert (guides / "quokka-plan.md").read_bytes() == NEW_GUIDE
    answer = (await harness.slash("ask", question="what is the quokkaboard method?")).reply
    assert "The quokkaboard study plan" in answer.embeds[0]["fields"][0]["name"]
    assert "https://example.org/quokkaboard" in answer.embeds[0]["fields"][0]["value"]
    harness.assert_no_pings()


async def test_bad_uploads_get_clear_replies_and_nothing_stored_changes(harness):
    guides = harness.settings.guides_dir
    before, knowledge = snapshot(guides), harness.bot.services.knowledge.current
    limit = harness.settings.max_guide_bytes
    cases = [
        (harness.attachment("big.md", b"x", size=limit + 1), "guides can be at most"),       # refused before download
        (harness.attachment("liar.md", b"# T\n\n" + b"x" * (limit + 10), size=100), "guides can be at most"),
        (harness.attachment("latin1.md", b"# Caf\xe9 guide\n\nSome caf\xe9 text.\n"), "latin1.md:1: the text is not UTF-8"),
        (harness.attachment("empty.txt", b"  \n"), "the file is empty"),
        (harness.attachment("slides.pdf", b"%PDF-1.4"), "must be `.md` or `.txt`"),
        (harness.attachment("../../.md", NEW_GUIDE), "can't be used as a guide's file name"),
        (harness.attachment("broken.md", BROKEN_GUIDE), "broken.md:3: unknown front matter key"),
        (harness.attachment("arya-how-to-become-ml-engineer.md", NEW_GUIDE), "already exists"),
        (harness.attachment("copy.md", NEW_GUIDE.replace(b"quokka-study-plan", b"arya-how-to-become-ml-engineer")),
         "already used by `arya-how-to-become-ml-engineer.md`"),
    ]
    for attachment, expected in cases:
        reply = (await harness.slash("kb add", user=harness.moderator, file=attachment)).reply
        assert reply.ephemeral and expected in reply.text, (attachment.data["filename"], reply.text)
    assert snapshot(guides) == before
    assert harness.bot.services.knowledge.current is knowledge
    harness.assert_no_pings()


async def test_a_path_in_the_file_name_is_stripped_to_a_name_inside_the_guides_folder(harness):
    root = harness.tmp_path
    before = {p for p in root.rglob("*") if p.is_file()}
    reply = (await harness.slash("kb add", user=harness.moderator, file=harness.attachment("../../x.md", NEW_GUIDE))).reply
    assert "as `x.md`" in reply.text
    created = {p for p in root.rglob("*") if p.is_file()} - before
    created = {p.relative_to(root).as_posix() for p in created if "sqlite" not in p.name}
    assert {p for p in created if not p.startswith("knowledge/.index/")} == {"knowledge/guides/x.md"}  # .index: a cache


async def test_replacing_a_guide_keeps_its_old_version_aside(harness):
    guides = harness.settings.guides_dir
    old = (guides / "arya-how-to-become-ml-engineer.md").read_bytes()
    new = old.replace(b"Machine Learning Engineer", b"ML Engineer", 1)
    reply = (await harness.slash("kb add", user=harness.moderator, replace=True,
                                 file=harness.attachment("arya-how-to-become-ml-engineer.md", new))).reply
    assert "4 guides" in reply.text, reply.text
    assert (guides / "arya-how-to-become-ml-engineer.md").read_bytes() == new
    kept = list((harness.settings.knowledge_dir / ".removed-guides").glob("*-replaced-arya-how-to-become-ml-engineer.md"))
    assert len(kept) == 1 and kept[0].read_bytes() == old


async def test_add_takes_the_upload_back_when_the_reload_fails(harness):
    guides = harness.settings.guides_dir
    (guides / "broken.md").write_bytes(BROKEN_GUIDE)  # already on disk, e.g. copied in by hand
    before, knowledge = snapshot(guides), harness.bot.services.knowledge.current
    reply = (await harness.slash("kb add", user=harness.moderator, file=harness.attachment("new.md", NEW_GUIDE))).reply
    assert "was not added" in reply.text and "broken.md:3" in reply.text and "taken back" in reply.text
    assert snapshot(guides) == before and harness.bot.services.knowledge.current is knowledge


async def test_remove_autocompletes_asks_for_confirmation_and_keeps_the_file_aside(harness):
    await harness.slash("kb add", user=harness.moderator, file=harness.attachment("quokka.md", NEW_GUIDE))
    choices = await harness.autocomplete("kb remove", "guide", "QUOKKA", user=harness.moderator)
    assert choices == [{"name": "The quokkaboard study plan (quokka-study-plan)", "value": "quokka-study-plan"}]
    assert len(await harness.autocomplete("kb remove", "guide", "", user=harness.moderator)) == 5
    ask = (await harness.slash("kb remove", user=harness.moderator, guide="quokka-study-plan")).reply
    assert ask.ephemeral and "Remove **The quokkaboard study plan** (`quokka.md`)" in ask.content
    confirm, cancel = ask.custom_ids
    assert harness.bot.services.knowledge.current.guides.guide("quokka-study-plan") is not None
    other = (await harness.click(confirm, ask, user=harness.owner)).reply  # another moderator
    assert other.ephemeral and "Only the person who started this" in other.content
    done = await harness.click(confirm, ask, user=harness.moderator)
    assert done[0].callback_type == 7 and done[0].body["components"] == []
    assert done[-1].kind == "edit_original" and "Removed **The quokkaboard study plan**" in done[-1].content
    kb = harness.bot.services.knowledge.current
    assert kb.guides.guide("quokka-study-plan") is None and len(kb.guides.guides) == 4
    kept = list((harness.settings.knowledge_dir / ".removed-guides").iterdir())
    assert [p.name.split("-", 1)[1] for p in kept] == ["quokka.md"] and kept[0].read_bytes() == NEW_GUIDE
    assert not (harness.settings.guides_dir / "quokka.md").exists()
    harness.assert_no_pings()


async def test_removing_a_guide_the_roadmap_needs_is_refused_and_the_guide_put_back(harness):
    guides = harness.settings.guides_dir
    before, knowledge = snapshot(guides), harness.bot.services.knowledge.current
    ask = (await harness.slash("kb remove", user=harness.moderator, guide="arya-how-to-become-ml-engineer")).reply
    done = await harness.click(ask.custom_ids[0], ask, user=harness.moderator)
    assert "Not removed" in done[-1].text and "roadmap.yaml:" in done[-1].text
    assert "unknown guide section 'arya-how-to-become-ml-engineer#" in done[-1].text
    assert snapshot(guides) == before and harness.bot.services.knowledge.current is knowledge
    harness.assert_no_pings()


async def test_remove_can_be_cancelled_and_unknown_guides_are_refused(harness):
    guides = harness.settings.guides_dir
    before = snapshot(guides)
    unknown = (await harness.slash("kb remove", user=harness.moderator, guide="../../etc/passwd")).reply
    assert unknown.ephemeral and "There is no guide with the id" in unknown.content and unknown.custom_ids == []
    ask = (await harness.slash("kb remove", user=harness.moderator, guide="edureka-how-to-become-ml-engineer")).reply
    cancelled = (await harness.click(ask.custom_ids[1], ask, user=harness.moderator)).reply
    assert cancelled.callback_type == 7 and "Cancelled" in cancelled.content
    buttons = [c for row in cancelled.body["components"] for c in row["components"]]
    assert buttons and all(c.get("disabled") for c in buttons)
    assert snapshot(guides) == before


async def test_an_unanswered_confirmation_expires_with_its_buttons_disabled(harness):
    from bot.discord_bot.progress_views import PanelView
    from bot.discord_bot.views import KB_CONFIRM_SECONDS

    before = snapshot(harness.settings.guides_dir)
    ask = (await harness.slash("kb remove", user=harness.moderator, guide="edureka-how-to-become-ml-engineer")).reply
    view = PanelView.live[int(ask.message["id"])]
    assert view.timeout == KB_CONFIRM_SECONDS
    start = len(harness.all_sent())
    await view.on_timeout()  # as if the minute had passed, without waiting for it
    expired = harness.all_sent()[start:]
    assert [s.kind for s in expired] == ["edit_original"] and expired[0].token == ask.token
    assert "expired; nothing was changed" in expired[0].content
    buttons = [c for row in expired[0].body["components"] for c in row["components"]]
    assert buttons and all(c.get("disabled") for c in buttons)
    assert snapshot(harness.settings.guides_dir) == before
    harness.assert_no_pings()


async def test_gaps_lists_unanswered_questions_with_counts_and_not_helpful_votes(harness):
    for _ in range(3):
        await harness.slash("ask", question="what is the best pizza topping in naples?")
    answer = (await harness.slash("ask", question="do I need a degree to become an ML engineer?")).reply
    await harness.click(answer.custom_ids[1], answer, user=harness.other)  # not helpful
    reply = (await harness.slash("kb gaps", user=harness.moderator)).reply
    assert reply.ephemeral
    assert "**3×** what is the best pizza topping in naples" in reply.text
    assert "👎 1 · 👍 0 — do I need a degree to become an ML engineer?" in reply.text
    harness.assert_no_pings()


OTHER_GUIDE = NEW_GUIDE.replace(b"quokka-study-plan", b"wombat-study-plan").replace(b"quokkaboard", b"wombatboard")


async def test_two_uploads_with_the_same_name_cannot_overwrite_each_other(harness):
    guides = harness.settings.guides_dir
    harness.start_slash("kb add", user=harness.moderator, file=harness.attachment("plan.md", NEW_GUIDE))
    harness.start_slash("kb add", user=harness.owner, file=harness.attachment("plan.md", OTHER_GUIDE))
    await harness.drain()
    replies = [s for s in harness.all_sent() if s.kind == "followup"]
    assert len(replies) == 2 and all(r.ephemeral for r in replies)
    added = [r for r in replies if "Guide added" in r.text]
    refused = [r for r in replies if "already exists" in r.text]
    assert len(added) == 1 and len(refused) == 1, [r.text for r in replies]
    winner = NEW_GUIDE if "quokkaboard" in added[0].text else OTHER_GUIDE
    assert (guides / "plan.md").read_bytes() == winner
    served = harness.bot.services.knowledge.current.guides
    assert len(served.guides) == 5 and served.guide(
        "quokka-study-plan" if winner is NEW_GUIDE else "wombat-study-plan") is not None
    harness.assert_no_pings()


def database_busy(*args, **kwargs):
    raise OperationalError("INSERT INTO knowledge_reloads ...", {}, Exception("database is locked"))


async def test_a_reload_that_cannot_be_audited_still_counts(harness, monkeypatch, caplog):
    monkeypatch.setattr(harness.bot.services.community, "record_reload", database_busy)
    with caplog.at_level(logging.WARNING, logger="bot.discord_bot.cogs.kb"):
        added = (await harness.slash("kb add", user=harness.moderator, file=harness.attachment("q.md", NEW_GUIDE))).reply
        reloaded = (await harness.slash("kb reload", user=harness.moderator)).reply
    assert "Guide added" in added.text and "Now serving 5 guides" in reloaded.text
    assert (harness.settings.guides_dir / "q.md").read_bytes() == NEW_GUIDE
    assert harness.bot.services.knowledge.current.guides.guide("quokka-study-plan") is not None
    assert [r.getMessage() for r in caplog.records].count(
        "could not record a knowledge reload (ok=True)") == 2  # no member id in logs


async def test_an_unexpected_reload_failure_still_takes_the_change_back(harness, monkeypatch, caplog):
    store = harness.bot.services.knowledge
    guides = harness.settings.guides_dir
    before, knowledge = snapshot(guides), store.current

    def reload(loaded_by=None):
        raise OSError(5, "Input/output error")
    monkeypatch.setattr(store, "reload", reload)
    with caplog.at_level(logging.ERROR):
        added = (await harness.slash("kb add", user=harness.moderator, file=harness.attachment("q.md", NEW_GUIDE))).reply
        assert added.ephemeral and added.content.startswith("Something went wrong on my side")
        assert snapshot(guides) == before  # the upload was taken back
        ask = (await harness.slash("kb remove", user=harness.moderator, guide="edureka-how-to-become-ml-engineer")).reply
        done = await harness.click(ask.custom_ids[0], ask, user=harness.moderator)
    assert done.reply.callback_type == 7 and done[-1].content.startswith("Something went wrong on my side")
    assert snapshot(guides) == before  # the guide moved aside was put back
    assert not list((harness.settings.knowledge_dir / ".removed-guides").iterdir())
    assert store.current is knowledge
    assert sum("Input/output error" in str(r.exc_info[1]) for r in caplog.records if r.exc_info) == 2


class Node:
    pass


async def test_a_reload_leaves_garbage_collectable(harness):
    """Cyclic garbage made before (or while) a reload is still freed by the collector afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()  # keep the collector from freeing it before the reload (it may run at any allocation)
    try:
        garbage = Node()
        garbage.self = garbage
        alive = weakref.ref(garbage)
        del garbage
        reply = (await harness.slash("kb reload", user=harness.moderator)).reply
        assert "Now serving 4 guides" in reply.text
        gc.collect()
        assert alive() is None, "the reload froze garbage into the permanent generation"
    finally:
        if was_enabled:
            gc.enable()


async def test_only_the_home_server_may_change_the_guides_every_server_shares(harness):
    from tests.discord_harness import GUILD_ID

    other = harness.guild_payload()
    other.update(id=str(GUILD_ID + 1), name="Another server", channels=[], threads=[])
    harness.state._add_guild_from_data(other)  # the bot is now in two servers, sharing one knowledge folder
    for name, options in [("kb reload", {}), ("kb remove", {"guide": "arya-how-to-become-ml-engineer"}),
                          ("kb add", {"file": harness.attachment("g.md", NEW_GUIDE)})]:
        sent = await harness.slash(name, user=harness.moderator, **options)
        assert len(sent) == 1 and sent.reply.ephemeral and "KB_GUILD_ID" in sent.reply.content, name
    assert await harness.bot.services.community.last_reload() is None
    assert not (harness.settings.guides_dir / "g.md").exists()
    status = (await harness.slash("kb status", user=harness.moderator)).reply  # reading is still allowed
    assert status.ephemeral and "Serving 4 guides" in status.text

    harness.settings.kb_guild_id = GUILD_ID + 1  # another server is home: not here either
    sent = await harness.slash("kb reload", user=harness.moderator)
    assert "home server" in sent.reply.content and await harness.bot.services.community.last_reload() is None
    harness.settings.kb_guild_id = GUILD_ID  # this one is home
    sent = await harness.slash("kb reload", user=harness.moderator)
    assert "Now serving 4 guides" in sent.reply.text
    harness.assert_no_pings()


async def test_the_event_loop_keeps_serving_while_a_reload_is_mid_build(harness, monkeypatch):
    """Deterministic, no timing: the rebuild is held mid-build on an event this test controls; meanwhile a
    member's `/ask` is answered, which can only happen if the build is off the event loop. (A build on the
    loop would block it until the hold gives up, and the test records that the hold was never released.)
    The lag figures for a 100k-passage reload are measured by scripts/event_loop_lag.py."""
    store = harness.bot.services.knowledge
    real_reload = store.reload
    loop = asyncio.get_running_loop()
    building = asyncio.Event()
    release = threading.Event()
    released: list[bool] = []

    def held_reload(*args, **kwargs):
        loop.call_soon_threadsafe(building.set)
        released.append(release.wait(timeout=20))  # only a broken (on-loop) build ever waits this out
        return real_reload(*args, **kwargs)

    monkeypatch.setattr(store, "reload", held_reload)
    before = set(asyncio.all_tasks())
    harness.start_slash("kb reload", user=harness.moderator)
    reload_tasks = [t for t in asyncio.all_tasks() if t not in before]
    for task in reload_tasks:
        harness.ignore_task(task)
    await asyncio.wait_for(building.wait(), timeout=20)
    answered = await harness.slash("ask", user=harness.member, question="Do I need a degree to become an ML engineer?")
    release.set()
    await asyncio.gather(*reload_tasks)
    await harness.drain()
    assert released == [True], "the build blocked the event loop"
    assert answered.reply.embeds and answered.reply.embeds[0]["title"].startswith("Q: ")
    reloaded = [s for s in harness.all_sent() if s.kind == "followup" and "Now serving 4 guides" in s.text]
    assert len(reloaded) == 1


# ---------------------------------------------------------------- hostile files and faults (issue 8)

def alias_bomb() -> bytes:
    """An alias bomb in `author:`, each level nine copies of the one before. The real one has 9 levels (387
    million strings); 5 levels (59,049) keep a regression a failed assertion, not an exhausted machine."""
    levels = ['author: [&l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"  &l{n} [" + ",".join([f"*l{n - 1}"] * 9) + "]" for n in range(1, 5)]
    return ("---\ntitle: Lol\n" + ",\n".join(levels) + "]\n---\n\n# Lol\n\nSome text.\n").encode()


async def test_add_refuses_an_alias_bomb_and_nothing_changes(harness):
    await harness.bot.warming  # the answers' caches built at start are saved in .index too: not part of this
    guides = harness.settings.guides_dir
    before, knowledge = snapshot(harness.settings.knowledge_dir), harness.bot.services.knowledge.current
    reply = (await harness.slash("kb add", user=harness.moderator, file=harness.attachment("lol.md", alias_bomb()))).reply
    assert reply.ephemeral and "`lol.md` was not added" in reply.text
    assert "lol.md:3: front matter can't use YAML anchors or aliases" in reply.text
    assert snapshot(harness.settings.knowledge_dir) == before and not (guides / "lol.md").exists()
    assert harness.bot.services.knowledge.current is knowledge and await harness.bot.services.community.last_reload() is None
    harness.assert_no_pings()


async def test_a_reload_refuses_hostile_guide_files_and_a_missing_roadmap(harness):
    store = harness.bot.services.knowledge
    knowledge_dir, guides = harness.settings.knowledge_dir, harness.settings.guides_dir
    before = store.current
    outside = harness.tmp_path / "outside.txt"
    outside.write_text("Passwords\n\nroot:x:0:0:root:/root:/bin/bash\n")
    hostile = {
        "lol.md": lambda: (guides / "lol.md").write_bytes(alias_bomb()),
        "passwd.txt": lambda: (guides / "passwd.txt").symlink_to(outside),
        "huge.txt": lambda: (guides / "huge.txt").write_bytes(b"Huge\n\n" + b"word " * harness.settings.max_guide_bytes),
        "roadmap.yaml": lambda: (knowledge_dir / "roadmap.yaml").rename(harness.tmp_path / "roadmap.yaml"),
    }
    expected = {"lol.md": "lol.md:3: front matter can't use YAML anchors",
                "passwd.txt": "passwd.txt: a link to a file outside the knowledge folder",
                "huge.txt": "huge.txt: the file is 1,280 KiB; guides can be at most 256 KiB",
                "roadmap.yaml": "roadmap.yaml: the roadmap file is missing"}
    for name, make in hostile.items():
        make()
        reply = (await harness.slash("kb reload", user=harness.moderator)).reply
        assert "Reload failed" in reply.text and expected[name] in reply.text, (name, reply.text)
        assert store.current is before and store.current.roadmap is not None
        if name != "roadmap.yaml":
            (guides / name).unlink()
    (harness.tmp_path / "roadmap.yaml").rename(knowledge_dir / "roadmap.yaml")
    assert "Now serving 4 guides" in (await harness.slash("kb reload", user=harness.moderator)).reply.text
    assert "root:x" not in (await harness.slash("ask", question="what is the root password?")).reply.text
    harness.assert_no_pings()


async def test_start_up_skips_hostile_files_and_starts_without_a_missing_roadmap(tmp_path, caplog):
    import shutil

    from tests.discord_harness import REPO, make_harness

    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO / "tests" / "data" / "knowledge", knowledge)
    (knowledge / "roadmap.yaml").unlink()
    (knowledge / "guides" / "lol.md").write_bytes(alias_bomb())
    (knowledge / "guides" / "passwd.txt").symlink_to("/etc/passwd")
    with caplog.at_level(logging.WARNING, logger="bot.container"):
        async with make_harness(tmp_path) as harness:
            logged = [r.getMessage() for r in caplog.records if r.name == "bot.container"]
            assert [m.split(":")[1].strip() for m in logged] == ["lol.md", "passwd.txt", "roadmap.yaml"]
            status = (await harness.slash("kb status", user=harness.moderator)).reply
            assert "Serving 4 guides" in status.text and "Skipped at start-up: lol.md:3: front matter" in status.text
            assert "passwd.txt: a link to a file outside" in status.text and "roadmap.yaml: the roadmap file is missing" in status.text
            answer = (await harness.slash("ask", question="do I need a degree to become an ML engineer?")).reply
            assert answer.embeds[0]["fields"]
            roadmap = (await harness.slash("roadmap")).reply
            assert "roadmap is not available right now" in roadmap.text
            harness.assert_no_pings()


def full_disk(monkeypatch, folder: Path) -> None:
    """Every file write under `folder` stops half-way with ENOSPC, as on a full disk."""
    import errno

    real = Path.write_bytes

    def write_bytes(self, data):
        if folder in self.parents:
            real(self, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)
    monkeypatch.setattr(Path, "write_bytes", write_bytes)


async def test_a_full_disk_during_add_leaves_nothing_behind_and_says_so(harness, monkeypatch):
    await harness.bot.warming  # the answers' caches built at start are saved in .index too: not part of this
    knowledge_dir, guides = harness.settings.knowledge_dir, harness.settings.guides_dir
    before, knowledge = snapshot(knowledge_dir), harness.bot.services.knowledge.current
    full_disk(monkeypatch, knowledge_dir)
    old = (guides / "arya-how-to-become-ml-engineer.md").read_bytes()
    for name, replace in (("new.md", False), ("arya-how-to-become-ml-engineer.md", True)):
        replacement = old.replace(b"Machine Learning Engineer", b"ML Engineer", 1) if replace else NEW_GUIDE
        reply = (await harness.slash("kb add", user=harness.moderator, replace=replace,
                                     file=harness.attachment(name, replacement))).reply
        assert reply.ephemeral and f"`{name}` was not added" in reply.text, reply.text
        assert "the disk the guides are stored on is full" in reply.text and "Nothing was changed" in reply.text
        assert snapshot(knowledge_dir) == before  # no .uploading file, no kept copy of the old version
        assert harness.bot.services.knowledge.current is knowledge
    harness.assert_no_pings()


async def test_a_full_disk_while_keeping_the_old_version_leaves_nothing_behind(harness, monkeypatch):
    await harness.bot.warming  # the answers' caches built at start are saved in .index too: not part of this
    import errno
    import os
    import shutil

    knowledge_dir, guides = harness.settings.knowledge_dir, harness.settings.guides_dir
    before = snapshot(knowledge_dir)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    def no_hard_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    def half_a_copy(source, target):
        Path(target).write_bytes(Path(source).read_bytes()[:100])
        no_space()
    old = (guides / "arya-how-to-become-ml-engineer.md").read_bytes()
    for link, copy in ((no_space, shutil.copyfile), (no_hard_links, half_a_copy)):
        monkeypatch.setattr(os, "link", link)
        monkeypatch.setattr(shutil, "copyfile", copy)
        reply = (await harness.slash("kb add", user=harness.moderator, replace=True, file=harness.attachment(
            "arya-how-to-become-ml-engineer.md", old.replace(b"Machine Learning Engineer", b"ML Engineer", 1)))).reply
        assert "was not added" in reply.text and "the disk the guides are stored on is full" in reply.text
        assert snapshot(knowledge_dir) == before  # no half-written kept copy either
    monkeypatch.setattr(Path, "mkdir", no_space)  # /kb remove can't make .removed-guides/
    ask = (await harness.slash("kb remove", user=harness.moderator, guide="edureka-how-to-become-ml-engineer")).reply
    done = await harness.click(ask.custom_ids[0], ask, user=harness.moderator)
    assert "Nothing was changed: the disk the guides are stored on is full" in done[-1].content
    assert snapshot(knowledge_dir) == before and len(harness.bot.services.knowledge.current.guides.guides) == 4
    harness.assert_no_pings()
