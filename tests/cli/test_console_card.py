"""`/roadmap card PATH` in the console: the same card as on Discord, written to a file, with bars that
follow the stored progress; bad paths get a message, never a traceback."""
from __future__ import annotations

from bot.cli.console_progress import handle_command
from bot.render.roadmap_card import WIDTH, card_height
from tests.card_pixels import assert_bar_follows, open_card

ME = 1


async def test_the_console_writes_the_roadmap_card(services, tmp_path):
    roadmap = services.roadmap_progress.roadmap()
    items = roadmap.stages[2].items
    await handle_command(f"/roadmap done {items[0].id}", services, ME)
    await handle_command(f"/roadmap doing {items[1].id}", services, ME)
    target = tmp_path / "card.png"
    out = await handle_command(f"/roadmap card {target}", services, ME)
    assert out.startswith(f"Wrote your roadmap card ({WIDTH}x{card_height(9)} px") and str(target) in out
    assert "1 of 63 items finished (1%)" in out  # the alt text, with the same figures
    image = open_card(target.read_bytes())
    assert image.size == (WIDTH, card_height(9))
    assert_bar_follows(image, 2, done=1, skipped=0, doing=1, total=7)
    assert_bar_follows(image, 0, done=0, skipped=0, doing=0, total=7)

    (tmp_path / "dir").mkdir()
    assert "dir/roadmap.png" in await handle_command(f"/roadmap card {tmp_path / 'dir'}", services, ME)
    assert (tmp_path / "dir" / "roadmap.png").exists()


async def test_bad_card_paths_get_a_message(services, tmp_path):
    assert "ending in .png" in await handle_command(f"/roadmap card {tmp_path / 'card.jpg'}", services, ME)
    missing = tmp_path / "no" / "such" / "card.png"
    assert (await handle_command(f"/roadmap card {missing}", services, ME)).startswith(f"Could not write {missing}")
    assert await handle_command("/roadmap card", services, ME) == "Usage: /roadmap card <file.png>"
