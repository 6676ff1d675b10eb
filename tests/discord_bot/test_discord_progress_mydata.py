"""/mydata through Discord's real dispatch: the private JSON export, and delete with its confirmation buttons
(owner-only, cancel, expiry, timeout, and still working after a restart)."""
from __future__ import annotations

import json
import re
import time

from bot.discord_bot import mydata_views
from bot.discord_bot.progress_views import PanelView
from tests.discord_harness import harness, make_harness  # noqa: F401 - fixture

SECTION = "simplilearn-ml-career-guide#what-exactly-is-a-machine-learning-engineer"


async def give_data(h, persona) -> None:
    s = h.bot.services
    await s.goals.add(persona.id, f"Goal of {persona.name}")
    await s.roadmap_progress.set_status(persona.id, "read-what-an-mle-is", "done")
    await s.reading.save(persona.id, SECTION)


async def stored(h, persona) -> int:
    exported = json.loads(await h.bot.services.privacy.export_json(persona.id))
    return sum(len(rows) for rows in exported["data"].values())


def buttons(sent) -> list[dict]:
    return [c for row in sent.body.get("components") or [] for c in row["components"]]


async def test_export_is_a_private_json_file_of_the_members_own_data(harness):
    await give_data(harness, harness.member)
    await give_data(harness, harness.other)
    reply = (await harness.slash("mydata export")).reply
    assert reply.ephemeral and reply.content == "Everything careerbot stores about you: 4 records, as JSON."
    assert [name for name, _ in reply.files] == [f"careerbot-data-{harness.member.id}.json"]
    exported = json.loads(reply.files[0][1])
    assert exported["format"] == "careerbot-member-export/1" and exported["user_id"] == str(harness.member.id)
    assert [g["text"] for g in exported["data"]["goals"]] == ["Goal of member"]
    assert [r["item_id"] for r in exported["data"]["roadmap_progress"]] == ["read-what-an-mle-is"]
    assert "Goal of other" not in reply.files[0][1].decode()
    empty = (await harness.slash("mydata export", user=harness.another_bot)).reply
    assert empty.content.endswith("0 records, as JSON.") and empty.files
    harness.assert_no_pings()


async def test_delete_asks_for_confirmation_and_only_the_member_can_confirm(harness):
    uid = harness.member.id
    await give_data(harness, harness.member)
    await give_data(harness, harness.other)
    before = time.time()
    ask = (await harness.slash("mydata delete")).reply
    after = time.time()
    assert ask.ephemeral and "for good" in ask.content
    confirm, cancel = ask.custom_ids
    assert re.fullmatch(rf"careerbot:mydata:{uid}:\d+:delete", confirm) and cancel == confirm[:-6] + "cancel"
    # the expiry is CONFIRM_SECONDS after the command ran, however busy the machine (no tolerance to outrun)
    expires = int(confirm.split(":")[3])
    assert before + mydata_views.CONFIRM_SECONDS <= expires <= after + mydata_views.CONFIRM_SECONDS + 1
    assert [b["style"] for b in buttons(ask)] == [4, 2]  # danger, secondary
    refused = (await harness.click(confirm, ask, user=harness.other)).reply
    assert refused.ephemeral and "Only the member who asked" in refused.content
    cancelled = (await harness.click(cancel, ask)).reply
    assert cancelled.callback_type == 7 and cancelled.content == "Cancelled; nothing was deleted."
    assert cancelled.body["components"] == []
    assert await stored(harness, harness.member) == 4
    ask = (await harness.slash("mydata delete")).reply
    done = (await harness.click(ask.custom_ids[0], ask)).reply
    assert done.callback_type == 7 and done.content.startswith("Deleted everything stored about you (4 records)")
    assert done.body["components"] == []
    assert await stored(harness, harness.member) == 0
    assert await stored(harness, harness.other) == 4  # nobody else's data
    assert await harness.bot.services.goals.list(uid) == []
    harness.assert_no_pings()


async def test_an_expired_confirmation_deletes_nothing(harness):
    uid = harness.member.id
    await give_data(harness, harness.member)
    late = f"careerbot:mydata:{uid}:{int(time.time()) - 1}:delete"
    reply = (await harness.click(late, harness.button_message(late, ephemeral=True))).reply
    assert reply.callback_type == 7 and reply.content.startswith("This confirmation expired; nothing was deleted")
    assert await stored(harness, harness.member) == 4
    harness.assert_no_pings()


async def test_the_confirmation_times_out_with_its_buttons_disabled(harness):
    ask = (await harness.slash("mydata delete")).reply
    view = PanelView.live[int(ask.message["id"])]
    assert view.timeout == mydata_views.CONFIRM_SECONDS
    start = len(harness.recorder.sent)
    await view.on_timeout()  # as if its minute had passed, without waiting for it
    await harness.drain()
    (expired,) = [s for s in harness.recorder.sent[start:] if s.kind == "edit_original"]
    assert expired.content.startswith("This confirmation expired; nothing was deleted")
    assert len(buttons(expired)) == 2 and all(b["disabled"] for b in buttons(expired))
    harness.assert_no_pings()


async def test_a_confirmation_still_works_after_a_restart(tmp_path):
    async with make_harness(tmp_path) as first:
        await give_data(first, first.member)
        ask = (await first.slash("mydata delete")).reply
    async with make_harness(tmp_path) as second:
        done = (await second.click(ask.custom_ids[0], ask.message)).reply
        assert done.content.startswith("Deleted everything stored about you (4 records)")
        assert await stored(second, second.member) == 0
