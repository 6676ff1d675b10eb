"""Read a rendered roadmap card back: the colour runs along each bar's middle line."""
from __future__ import annotations

import io

from PIL import Image

from bot.render.roadmap_card import BACKGROUND, COLOURS, bar_box

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def open_card(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE), "not a PNG"
    return Image.open(io.BytesIO(png)).convert("RGB")


def bar_runs(image: Image.Image, row: int) -> dict[str, int]:
    """Pixels of each status colour along the middle of bar `row` (-1: the overall bar); any other
    colour counts as "other"."""
    x0, y0, x1, y1 = bar_box(row)
    names = {colour: status for status, colour in COLOURS.items()}
    counts = {status: 0 for status in COLOURS} | {"other": 0}
    for x in range(x0, x1):
        counts[names.get(image.getpixel((x, (y0 + y1) // 2)), "other")] += 1
    return counts


def just_outside(image: Image.Image, row: int) -> tuple[tuple, tuple]:
    """The pixels right before and right after the bar (background when the bar stays in its box)."""
    x0, y0, x1, y1 = bar_box(row)
    y = (y0 + y1) // 2
    return image.getpixel((x0 - 1, y)), image.getpixel((x1, y))


def assert_bar_follows(image: Image.Image, row: int, *, done: int, skipped: int, doing: int, total: int) -> None:
    """The bar's filled length (done + skipped), and each segment, follow the counts to within a pixel."""
    x0, _, x1, _ = bar_box(row)
    width = x1 - x0
    runs = bar_runs(image, row)
    assert runs["other"] == 0, runs
    assert abs(runs["done"] + runs["skipped"] - width * (done + skipped) / total) <= 1, (runs, done, skipped, total)
    assert abs(runs["done"] - width * done / total) <= 1, runs
    assert abs(runs["doing"] - width * doing / total) <= 1, runs
    assert sum(runs.values()) == width
    assert just_outside(image, row) == (BACKGROUND, BACKGROUND)
