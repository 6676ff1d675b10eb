"""The roadmap card (bot.render.roadmap_card): its size, and bars whose filled lengths follow the stored
progress, read back from the PNG's pixels; the alt text carries the same figures."""
from __future__ import annotations

from bot.render.roadmap_card import ALT_MAX, BAR_X0, BAR_X1, MAX_ROWS, WIDTH, card_height, display_name, render_card, segments
from tests.card_pixels import assert_bar_follows, bar_runs, open_card

ME = 1


async def mark(services, statuses: dict[str, str]) -> None:
    for item_id, status in statuses.items():
        await services.roadmap_progress.set_status(ME, item_id, status)


def assert_card_follows(card, overview) -> None:
    image = open_card(card.png)
    assert image.size == (WIDTH, card_height(len(overview.stages))) == (card.width, card.height)
    total = {s: sum(st.count(s) for st in overview.stages) for s in ("done", "skipped", "doing")}
    assert_bar_follows(image, -1, **total, total=overview.total)
    for row, stage in enumerate(overview.stages):
        assert_bar_follows(image, row, done=stage.count("done"), skipped=stage.count("skipped"),
                           doing=stage.count("doing"), total=stage.total)


async def test_an_empty_roadmap_card_is_all_track_and_small(services):
    overview = await services.roadmap_progress.overview(ME)
    card = render_card(overview, "Ada")
    assert_card_follows(card, overview)
    image = open_card(card.png)
    assert all(bar_runs(image, row)["todo"] == BAR_X1 - BAR_X0 for row in range(len(overview.stages)))
    assert 600 <= card.height <= 800 and len(card.png) < 40_000  # Discord shows it whole; a small upload
    assert card.alt.startswith("Roadmap progress card for Ada: 0 of 63 items finished (0%).")


async def test_bars_follow_the_stored_progress(services):
    roadmap = services.roadmap_progress.roadmap()
    first, second = roadmap.stages[0].items, roadmap.stages[1].items
    await mark(services, {first[0].id: "done", first[1].id: "done", first[2].id: "skipped", first[3].id: "doing",
                          second[0].id: "done"})
    overview = await services.roadmap_progress.overview(ME)
    card = render_card(overview, "Ada")
    assert_card_follows(card, overview)
    runs = bar_runs(open_card(card.png), 0)
    width = BAR_X1 - BAR_X0
    assert runs["done"] == round(width * 2 / 7) and runs["skipped"] == round(width * 3 / 7) - round(width * 2 / 7)

    await mark(services, {item.id: "done" for item in first})  # the whole first stage done
    overview = await services.roadmap_progress.overview(ME)
    card = render_card(overview, "Ada")
    assert_card_follows(card, overview)
    assert bar_runs(open_card(card.png), 0)["done"] == BAR_X1 - BAR_X0
    assert "Stage 1, Foundations and a degree: 100%, 7 done, 0 in progress, 0 skipped, 0 to do." in card.alt
    assert f"{overview.finished} of 63 items finished ({overview.percent}%)" in card.alt
    assert card.alt.endswith(f"Next: Read \u201c{second[1].title}\u201d (stage 2).")


def test_segments_tile_the_bar_in_order():
    assert segments({"done": 1, "skipped": 1, "doing": 1, "todo": 1}, 0, 100) == [
        ("done", 0, 25), ("skipped", 25, 50), ("doing", 50, 75), ("todo", 75, 100)]
    assert segments({"done": 0, "todo": 3}, 10, 20) == [("todo", 10, 20)]
    assert segments({}, 0, 10) == [("done", 0, 10)]  # a stage without items counts as complete


def test_display_names_are_plain_text_the_font_can_draw():
    assert display_name("Ada \U0001F680 Lovelace\u200b") == "Ada Lovelace"  # emoji and format characters dropped
    assert display_name("\U0001F680\U0001F680") == "Member"
    assert display_name("<@123> @everyone") == "<@123> @everyone"  # text on a picture pings nobody
    assert len(display_name("x" * 100)) == 40


async def test_many_stages_are_summed_up_and_the_alt_text_fits(services, real_roadmap):
    from dataclasses import replace

    stages = tuple(replace(s, number=n + 1, id=f"{s.id}-{n}") for n, s in enumerate(real_roadmap.stages * 3))
    services.content["roadmap"] = replace(real_roadmap, stages=stages)
    overview = await services.roadmap_progress.overview(ME)
    card = render_card(overview, "Ada")
    assert card.height == card_height(27) and open_card(card.png).size == (WIDTH, card.height)
    assert len(overview.stages) > MAX_ROWS and len(card.alt) <= ALT_MAX and "more stages." in card.alt
    assert card.alt.endswith("\u201cWhat exactly a machine learning engineer is\u201d.")
