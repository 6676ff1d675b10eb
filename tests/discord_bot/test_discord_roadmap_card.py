"""The roadmap card through Discord's real dispatch: the PNG attached to the recorded /roadmap response
(private by default, shared with public:True), its alt text, bars that follow the stored progress, a fresh
card after a click, no stale card on a stage page, drawn in a worker thread; and no internal id in any
outgoing text."""
from __future__ import annotations

import threading

from bot.discord_bot import progress_views
from bot.render.roadmap_card import WIDTH, card_height
from tests.card_pixels import assert_bar_follows, bar_runs, open_card
from tests.discord_bot.test_discord_progress import FIRST, choose, shown
from tests.discord_harness import Sent, harness  # noqa: F401 - fixture

SECOND = "read-what-an-mle-does"


def card_of(sent: Sent):
    """The PNG attached to a recorded message, and its attachment entry (filename, description)."""
    assert [name for name, _ in sent.files] == ["roadmap.png"], sent.files
    attachments = sent.body.get("attachments") or []
    assert len(attachments) == 1 and attachments[0]["filename"] == "roadmap.png"
    return open_card(sent.files[0][1]), attachments[0]


def all_item_ids(h) -> list[str]:
    return list(h.bot.services.roadmap_progress.roadmap().items)


async def test_roadmap_attaches_a_private_card_whose_bars_follow_the_stored_progress(harness):
    uid = harness.member.id
    progress = harness.bot.services.roadmap_progress
    await progress.set_status(uid, FIRST, "done")
    await progress.set_status(uid, SECOND, "skipped")
    await progress.set_status(uid, "read-where-mles-come-from", "doing")
    reply = (await harness.slash("roadmap")).reply
    assert reply.callback_type == 4 and reply.ephemeral
    image, attachment = card_of(reply)
    assert image.size == (WIDTH, card_height(9))
    assert_bar_follows(image, 0, done=1, skipped=1, doing=1, total=7)
    assert_bar_follows(image, 1, done=0, skipped=0, doing=0, total=7)
    assert_bar_follows(image, -1, done=1, skipped=1, doing=1, total=63)
    alt = attachment["description"]
    assert alt.startswith("Roadmap progress card for member: 2 of 63 items finished (3%).")
    assert "Stage 1, Foundations and a degree: 28%, 1 done, 1 in progress, 1 skipped, 4 to do." in alt
    assert alt.endswith("Next: Read \u201cWhere ML engineers come from\u201d (stage 1).")
    harness.assert_no_pings()


async def test_a_click_sends_a_fresh_card_and_a_stage_page_drops_it(harness):
    uid = harness.member.id
    panel = (await harness.slash("roadmap")).reply
    assert bar_runs(card_of(panel)[0], 0)["done"] == 0
    done = (await harness.click(f"careerbot:rmn:{uid}:{FIRST}:done", panel)).reply
    assert done.callback_type == 7
    image, attachment = card_of(done)
    assert_bar_follows(image, 0, done=1, skipped=0, doing=0, total=7)
    assert "1 of 63 items finished" in attachment["description"]
    page = (await choose(harness, f"careerbot:rms:{uid}", shown(panel.message, done), "maths")).reply
    assert page.callback_type == 7 and page.files == [] and page.body["attachments"] == []  # no stale card
    back = (await harness.click(f"careerbot:rmo:{uid}", shown(panel.message, page))).reply
    assert_bar_follows(card_of(back)[0], 0, done=1, skipped=0, doing=0, total=7)


async def test_public_roadmap_shares_the_card_with_the_display_name_as_text(harness):
    reply = (await harness.slash("roadmap", public=True)).reply
    assert not reply.ephemeral
    _, attachment = card_of(reply)
    assert "card for member:" in attachment["description"] and "<@" not in attachment["description"]
    assert reply.allowed_mentions == {"parse": []}


async def test_the_card_is_drawn_in_a_worker_thread(harness, monkeypatch):
    threads = []
    real = progress_views.render_card

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(progress_views, "render_card", spy)
    await harness.slash("roadmap")
    assert len(threads) == 1 and threads[0] is not threading.main_thread()


async def test_no_internal_item_id_in_any_outgoing_text(harness):
    uid = harness.member.id
    panel = (await harness.slash("roadmap")).reply
    done = (await harness.click(f"careerbot:rmn:{uid}:{FIRST}:done", panel)).reply
    page = (await choose(harness, f"careerbot:rms:{uid}", shown(panel.message, done), "foundations")).reply
    await harness.click(f"careerbot:rm:{uid}:{SECOND}:doing", shown(panel.message, page))
    await harness.slash("roadmap", stage="3", public=True)
    texts = [s.text + " ".join(a.get("description") or "" for a in s.body.get("attachments") or [])
             for s in harness.all_sent() if s.is_message]
    assert len(texts) == 5
    for item_id in all_item_ids(harness):
        assert not any(item_id in text for text in texts), item_id
