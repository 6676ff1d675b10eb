"""/roadmap through Discord's real dispatch: the overview, stage pages, the select menus and status buttons
(owner-only, still working after a restart and after the panel expired), stale ids, and no pings.

Helpers local to this file: `choose` (a select-menu interaction, which the shared harness has no helper
for) and `shown` (the panel message as Discord keeps it after an update: same id and flags, new content).
"""
from __future__ import annotations

from bot.discord_bot import progress_views
from bot.discord_bot.progress_views import PanelView, resolve_item, short_hash, status_custom_id
from tests.discord_harness import Sent, SentList, harness, make_harness  # noqa: F401 - fixture

FIRST = "read-what-an-mle-is"    # stage 1's first item: the first "next" suggestion
SECOND = "read-what-an-mle-does"
MATHS_FIRST = "read-core-maths"   # stage 3 ("maths")


async def choose(h, custom_id: str, message: dict | Sent, value: str, *, user=None) -> SentList:
    """Pick `value` in the select menu `custom_id` on `message`."""
    message = message.message if isinstance(message, Sent) else message
    data = {"custom_id": custom_id, "component_type": 3, "values": [value]}
    return await h._feed_interaction(h.interaction(3, data, user=user, channel_id=int(message["channel_id"]),
                                                   message=message))


def shown(message: dict, update: Sent) -> dict:
    """`message` after the bot updated it in place (a type 7 callback keeps the message's id and flags)."""
    assert update.callback_type == 7, f"expected an update of the message, got {update.kind} {update.callback_type}"
    body = update.body
    return {**message, "content": body.get("content") or "", "embeds": body.get("embeds") or [],
            "components": body.get("components") or []}


def components(sent: Sent) -> list[dict]:
    return [c for row in sent.body.get("components") or [] for c in row["components"]]


def component(sent: Sent, custom_id: str) -> dict:
    return next(c for c in components(sent) if c["custom_id"] == custom_id)


async def statuses(h, user) -> dict[str, str]:
    overview = await h.bot.services.roadmap_progress.overview(user.id)
    return {p.item.id: p.status for s in overview.stages for p in s.items if p.status != "todo"}


async def test_overview_is_private_with_progress_bars_the_next_item_and_a_panel(harness):
    uid = harness.member.id
    sent = await harness.slash("roadmap")
    reply = sent.reply
    assert reply.callback_type == 4 and reply.ephemeral
    embed = reply.embeds[0]
    assert embed["title"] == "Becoming a machine learning engineer" and "author" not in embed
    assert embed["description"] == "**Overall** ▱▱▱▱▱▱▱▱▱▱ 0/63 · 0%"
    stages = [f for f in embed["fields"] if f["inline"]]
    assert [f["name"] for f in stages][:3] == ["1. Foundations and a degree", "2. Programming and software engineering",
                                               "3. Maths and statistics"] and len(stages) == 9
    assert stages[0]["value"] == "▱▱▱▱▱▱▱▱▱▱ 0/7 · 0%"
    next_up = next(f for f in embed["fields"] if f["name"].startswith("Next up"))
    assert next_up["name"] == "Next up · stage 1: Foundations and a degree"
    assert "What exactly a machine learning engineer is (not started)" in next_up["value"]
    assert FIRST not in reply.text and "[Machine Learning Career Guide" in next_up["value"]  # titles, not ids
    assert reply.custom_ids == [f"careerbot:rms:{uid}"] + [f"careerbot:rmn:{uid}:{FIRST}:{s}"
                                                          for s in ("done", "doing", "skipped")]
    select = component(reply, f"careerbot:rms:{uid}")
    assert select["type"] == 3 and [o["value"] for o in select["options"]][:2] == ["foundations", "programming"]
    assert all(len(c) <= 100 for c in reply.custom_ids)
    assert reply.allowed_mentions == {"parse": []}
    harness.assert_no_pings()


async def test_next_item_buttons_mark_it_and_move_on(harness):
    uid = harness.member.id
    panel = (await harness.slash("roadmap")).reply
    message = panel.message
    done = (await harness.click(f"careerbot:rmn:{uid}:{FIRST}:done", message)).reply
    assert done.callback_type == 7 and "is now done" in done.content  # the panel is updated in place
    assert "1/63" in done.embeds[0]["description"]
    assert f"careerbot:rmn:{uid}:{SECOND}:doing" in done.custom_ids  # the next suggestion moved on
    message = shown(message, done)
    doing = (await harness.click(f"careerbot:rmn:{uid}:{SECOND}:doing", message)).reply
    assert "is now in progress" in doing.content
    assert component(doing, f"careerbot:rmn:{uid}:{SECOND}:doing")["disabled"]  # its current status
    skipped = (await harness.click(f"careerbot:rmn:{uid}:{SECOND}:skipped", shown(message, doing))).reply
    assert "is now skipped" in skipped.content and "2/63" in skipped.embeds[0]["description"]
    assert await statuses(harness, harness.member) == {FIRST: "done", SECOND: "skipped"}
    harness.assert_no_pings()


async def test_stage_select_opens_a_stage_with_an_item_select_and_status_buttons(harness):
    uid = harness.member.id
    panel = (await harness.slash("roadmap")).reply
    page = (await choose(harness, f"careerbot:rms:{uid}", panel, "maths")).reply
    assert page.callback_type == 7 and page.embeds[0]["title"] == "Stage 3 of 9: Maths and statistics"
    assert "Learn the linear algebra" in page.embeds[0]["description"] and MATHS_FIRST not in page.text
    assert page.custom_ids == [f"careerbot:rms:{uid}", f"careerbot:rmi:{uid}"] + [
        f"careerbot:rm:{uid}:{MATHS_FIRST}:{s}" for s in ("done", "doing", "skipped", "todo")] + [f"careerbot:rmo:{uid}"]
    stage_options = component(page, f"careerbot:rms:{uid}")["options"]
    assert [o["value"] for o in stage_options if o.get("default")] == ["maths"]
    items = component(page, f"careerbot:rmi:{uid}")["options"]
    assert len(items) == 7 and items[0]["value"] == MATHS_FIRST and items[0]["default"]
    assert component(page, f"careerbot:rm:{uid}:{MATHS_FIRST}:todo")["disabled"]  # not started yet
    assert page.embeds[0]["fields"][0]["name"] == "Selected"
    harness.assert_no_pings()


async def test_item_select_and_status_buttons_mark_items_on_a_stage_page(harness):
    uid = harness.member.id
    message = (await harness.slash("roadmap", stage="maths")).reply.message
    target = "study-linear-algebra"
    picked = (await choose(harness, f"careerbot:rmi:{uid}", message, target)).reply
    assert f"careerbot:rm:{uid}:{target}:doing" in picked.custom_ids
    message = shown(message, picked)
    doing = (await harness.click(f"careerbot:rm:{uid}:{target}:doing", message)).reply
    assert "is now in progress" in doing.content
    assert f"careerbot:rm:{uid}:{target}:done" in doing.custom_ids  # the selection stays on the item
    message = shown(message, doing)
    done = (await harness.click(f"careerbot:rm:{uid}:{target}:done", message)).reply
    assert "is now done" in done.content and "1/7 · 14%" in done.embeds[0]["description"]
    assert f"careerbot:rm:{uid}:{MATHS_FIRST}:done" in done.custom_ids  # moved on to the next unfinished item
    assert await statuses(harness, harness.member) == {target: "done"}
    message = shown(message, done)
    again = (await choose(harness, f"careerbot:rmi:{uid}", message, target)).reply
    reset = (await harness.click(f"careerbot:rm:{uid}:{target}:todo", shown(message, again))).reply
    assert "is now not started" in reset.content
    assert await statuses(harness, harness.member) == {}
    back = (await harness.click(f"careerbot:rmo:{uid}", shown(message, reset))).reply
    assert back.callback_type == 7 and back.embeds[0]["title"] == "Becoming a machine learning engineer"
    harness.assert_no_pings()


async def test_stage_option_autocompletes_and_bad_stages_get_a_clear_private_reply(harness):
    choices = await harness.autocomplete("roadmap", "stage", "math")
    assert choices == [{"name": "3. Maths and statistics", "value": "maths"}]
    assert len(await harness.autocomplete("roadmap", "stage", "")) == 9
    assert [c["value"] for c in await harness.autocomplete("roadmap", "stage", "5")] == ["data-and-mlops"]
    page = (await harness.slash("roadmap", stage="3")).reply
    assert page.ephemeral and page.embeds[0]["title"].startswith("Stage 3 of 9")
    bad = (await harness.slash("roadmap", stage="mathz")).reply
    assert bad.ephemeral and not bad.embeds and "There is no stage 'mathz'" in bad.content
    assert "Did you mean 3. Maths and statistics?" in bad.content and "'maths'" not in bad.content
    harness.assert_no_pings()


async def test_public_roadmap_is_shared_but_only_its_owner_can_use_it(harness):
    uid = harness.member.id
    panel = (await harness.slash("roadmap", public=True)).reply
    assert not panel.ephemeral and panel.embeds[0]["author"]["name"] == "member's progress"
    refused = (await harness.click(f"careerbot:rmn:{uid}:{FIRST}:done", panel, user=harness.other)).reply
    assert refused.ephemeral and "another member's roadmap" in refused.content
    refused = (await choose(harness, f"careerbot:rms:{uid}", panel, "maths", user=harness.other)).reply
    assert refused.ephemeral and refused.callback_type == 4  # the shared message is left alone
    assert await statuses(harness, harness.member) == {} and await statuses(harness, harness.other) == {}
    done = (await harness.click(f"careerbot:rmn:{uid}:{FIRST}:done", panel)).reply
    assert done.callback_type == 7 and done.embeds[0]["author"]["name"] == "member's progress"  # still shared
    harness.assert_no_pings()


async def test_stale_and_unknown_items_get_a_clear_reply_and_nothing_is_lost(harness):
    uid = harness.member.id
    await harness.bot.services.roadmap_progress.set_status(uid, FIRST, "done")
    for custom_id, expected in [
        (f"careerbot:rm:{uid}:no-such-item:done", "That roadmap item is no longer on the roadmap"),
        (f"careerbot:rm:{uid}:~0123456789ab:done", "no longer on the roadmap"),
    ]:
        reply = (await harness.click(custom_id, harness.button_message(custom_id, ephemeral=True))).reply
        assert reply.ephemeral and expected in reply.content
    select = {"type": 1, "components": [{"type": 3, "custom_id": f"careerbot:rmi:{uid}",
                                          "options": [{"label": "gone", "value": "gone-item"}]}]}
    message = harness.recorder._message({"components": [select], "flags": 64}, None, None)
    reply = (await choose(harness, f"careerbot:rmi:{uid}", message, "gone-item")).reply
    assert reply.ephemeral and "no longer on the roadmap" in reply.content
    assert await statuses(harness, harness.member) == {FIRST: "done"}
    harness.assert_no_pings()


async def test_long_item_ids_are_hashed_to_fit_a_custom_id(harness):
    uid = harness.member.id
    long_id = "x" * 64
    custom_id = status_custom_id("rm", 10**19, long_id, "skipped")
    assert len(custom_id) <= 100 and custom_id == f"careerbot:rm:{10**19}:{short_hash(long_id)}:skipped"
    assert status_custom_id("rm", uid, FIRST, "done") == f"careerbot:rm:{uid}:{FIRST}:done"
    roadmap = harness.bot.services.roadmap_progress.roadmap()
    assert resolve_item(roadmap, short_hash("study-calculus")) == "study-calculus"
    hashed = f"careerbot:rm:{uid}:{short_hash('study-calculus')}:doing"  # a button for an item with a long id
    reply = (await harness.click(hashed, harness.button_message(hashed, ephemeral=True))).reply
    assert reply.callback_type == 7 and "is now in progress" in reply.content
    assert await statuses(harness, harness.member) == {"study-calculus": "doing"}


async def test_roadmap_buttons_and_menus_keep_working_after_a_restart(tmp_path):
    async with make_harness(tmp_path) as first:
        uid = first.member.id
        panel = (await first.slash("roadmap")).reply
        page = (await choose(first, f"careerbot:rms:{uid}", panel, "programming")).reply
        stage_message = shown(panel.message, page)
    async with make_harness(tmp_path) as second:  # a new bot process on the same database
        done = (await second.click(f"careerbot:rmn:{uid}:{FIRST}:done", panel.message)).reply
        assert done.callback_type == 7 and "is now done" in done.content
        picked = (await choose(second, f"careerbot:rmi:{uid}", stage_message, "learn-python-data-stack")).reply
        assert picked.callback_type == 7 and "learn-python-data-stack:done" in " ".join(picked.custom_ids)
        stage_message = shown(stage_message, picked)
        skip = (await second.click(f"careerbot:rm:{uid}:learn-python-data-stack:skipped", stage_message)).reply
        assert "is now skipped" in skip.content
        assert await statuses(second, second.member) == {FIRST: "done", "learn-python-data-stack": "skipped"}
        refused = (await second.click(f"careerbot:rmo:{uid}", stage_message, user=second.other)).reply
        assert refused.ephemeral and "another member's roadmap" in refused.content
        second.assert_no_pings()


async def test_an_expired_panel_is_disabled_and_its_buttons_still_work(harness):
    uid = harness.member.id
    panel = (await harness.slash("roadmap")).reply
    view = PanelView.live[int(panel.message["id"])]
    start = len(harness.recorder.sent)
    await view.on_timeout()  # as if its ten minutes had passed, without waiting for them
    await harness.drain()
    expired = [s for s in harness.recorder.sent[start:] if s.kind == "edit_original"]
    assert len(expired) == 1 and expired[0].allowed_mentions == {"parse": []}
    assert all(c["disabled"] for c in components(expired[0])) and len(components(expired[0])) == 4
    assert "embeds" not in expired[0].payload  # only the components change
    # The DynamicItems are still registered: an old (or re-enabled) panel still works.
    done = (await harness.click(f"careerbot:rmn:{uid}:{FIRST}:done", panel)).reply
    assert done.callback_type == 7 and "is now done" in done.content


async def test_a_newer_panel_on_the_same_message_replaces_the_older_one(harness):
    uid = harness.member.id
    panel = (await harness.slash("roadmap")).reply
    message_id = int(panel.message["id"])
    first = PanelView.live[message_id]
    assert first.timeout == progress_views.PANEL_TIMEOUT and first.user_id == uid
    page = (await choose(harness, f"careerbot:rms:{uid}", panel, "maths")).reply
    second = PanelView.live[message_id]
    assert second is not first and first.is_finished() and not second.is_finished()
    start = len(harness.recorder.sent)
    await second.on_timeout()  # as if its ten minutes had passed
    edits = harness.recorder.sent[start:]
    assert [s.kind for s in edits] == ["edit_original"] and message_id not in PanelView.live
    assert page.path != edits[0].path and all(c["disabled"] for c in components(edits[0]))


async def test_the_roadmap_being_unavailable_is_a_short_private_reply(harness, monkeypatch):
    monkeypatch.setattr(harness.bot.services.roadmap_progress, "_roadmap", lambda: None)
    reply = (await harness.slash("roadmap", public=True)).reply
    assert reply.ephemeral and "The roadmap is not available right now" in reply.content
    assert await harness.autocomplete("roadmap", "stage", "ma") == []


async def test_records_for_items_dropped_from_the_roadmap_are_kept_until_the_member_clears_them(harness, monkeypatch):
    from dataclasses import replace

    from bot.knowledge.roadmap import Roadmap

    uid = harness.member.id
    progress = harness.bot.services.roadmap_progress
    await progress.set_status(uid, FIRST, "done")
    old = progress.roadmap()
    stages = tuple(replace(s, items=tuple(i for i in s.items if i.id != FIRST)) for s in old.stages)
    monkeypatch.setattr(progress, "_roadmap", lambda: Roadmap(old.title, stages))  # as a moderator's reload would
    panel = (await harness.slash("roadmap")).reply
    retired = next(f for f in panel.embeds[0]["fields"] if f["name"] == "No longer on the roadmap")
    assert "1 item that is no longer on the roadmap (1 done)" in retired["value"] and FIRST not in panel.text
    assert "0/62" in panel.embeds[0]["description"]
    stale = f"careerbot:rm:{uid}:{FIRST}:skipped"  # a button on a panel from before the reload
    refused = (await harness.click(stale, harness.button_message(stale, ephemeral=True))).reply
    assert refused.ephemeral and "That roadmap item is no longer on the roadmap" in refused.content
    records = await progress.overview(uid)
    assert [(r.item_id, r.status) for r in records.retired] == [(FIRST, "done")]  # nothing was lost
    clear = f"careerbot:rm:{uid}:{FIRST}:todo"
    cleared = (await harness.click(clear, harness.button_message(clear, ephemeral=True))).reply
    assert cleared.callback_type == 7 and "Cleared your record" in cleared.content and FIRST not in cleared.text
    assert (await progress.overview(uid)).retired == ()
    harness.assert_no_pings()
