"""The roadmap card: a member's progress as a PNG, the same for Discord and the console.

`render_card(overview, name)` draws one bar per stage (done, skipped, in progress and to-do segments, in
that order from the left), the overall percent, the next suggested item and the member's display name
(as plain text), and returns a `Card`: the PNG bytes and the alt text with the same figures. It is CPU
work: the Discord face calls it through `asyncio.to_thread`.

The card has its own opaque background, so it reads the same on Discord's dark and light themes; the
segment colours are from the Okabe-Ito palette (distinct with the common colour-vision deficiencies) and
a legend names them. The font is Source Sans Pro from the `font-source-sans-pro` package (SIL OFL 1.1),
so the card looks the same on every machine. `bar_box(row)` gives a bar's rectangle (row -1 is the
overall bar): tests read the pixels there.
"""
from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from PIL import Image, ImageDraw, ImageFont

from bot.knowledge.roadmap_status import ItemProgress, RoadmapOverview, StageProgress, Status

WIDTH = 1000
PAD = 40
HEADER = 125            # name, title, overall figures and the overall bar
ROW = 40                # one stage
BAR_X0, BAR_X1 = 460, 880
BAR_H = 18
OVERALL_Y = 118
FIRST_ROW_Y = PAD + HEADER
MAX_ROWS = 20           # more stages than this are summed up in one line
ALT_MAX = 1024          # Discord's limit for an attachment's description
NAME_MAX = 40

BACKGROUND = (30, 31, 34)
TEXT = (242, 243, 245)
MUTED = (181, 186, 193)
COLOURS = {               # Okabe-Ito: bluish green, sky blue, orange; a grey track for "to do"
    Status.DONE: (0, 158, 115),
    Status.SKIPPED: (86, 180, 233),
    Status.DOING: (230, 159, 0),
    Status.TODO: (78, 80, 88),
}
ORDER = (Status.DONE, Status.SKIPPED, Status.DOING, Status.TODO)
LABELS = {Status.DONE: "done", Status.SKIPPED: "skipped", Status.DOING: "in progress", Status.TODO: "to do"}


@dataclass(frozen=True)
class Card:
    png: bytes
    alt: str
    width: int
    height: int
    filename: str = "roadmap.png"


# --------------------------------------------------------------------------- fonts and text

def _font_path(bold: bool) -> str:
    name = "SourceSansPro-Bold.ttf" if bold else "SourceSansPro-Regular.ttf"
    return str(files("font_source_sans_pro") / "files" / name)


@lru_cache(maxsize=16)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_path(bold), size)


@lru_cache(maxsize=4096)
def _has_glyph(char: str, bold: bool) -> bool:
    """False when the font would draw its 'missing glyph' box for `char` (emoji, CJK, ...)."""
    f = font(20, bold)
    missing = f.getmask("\uE000")  # a private-use code point: never in Source Sans Pro
    mask = f.getmask(char)
    return mask.size != missing.size or bytes(mask) != bytes(missing)


def printable(text: str, *, bold: bool = False) -> str:
    """Text the font can draw: control and format characters and glyphs it lacks are left out."""
    out = []
    for char in " ".join((text or "").split()):
        if unicodedata.category(char)[0] == "C":
            continue
        out.append(char if char == " " or _has_glyph(char, bold) else "")
    return " ".join("".join(out).split())


def display_name(name: str) -> str:
    shown = printable(name, bold=True)[:NAME_MAX]
    return shown or "Member"


def fit_text(text: str, width: int, f: ImageFont.FreeTypeFont) -> str:
    if f.getlength(text) <= width:
        return text
    while text and f.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


# --------------------------------------------------------------------------- geometry

def shown_rows(stage_count: int) -> int:
    return min(stage_count, MAX_ROWS)


def card_height(stage_count: int) -> int:
    more = 1 if stage_count > MAX_ROWS else 0
    return FIRST_ROW_Y + (shown_rows(stage_count) + more) * ROW + 95 + PAD


def bar_box(row: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of a bar, x1 and y1 exclusive; row -1 is the overall bar, 0.. the stages."""
    if row < 0:
        return PAD, OVERALL_Y, WIDTH - PAD, OVERALL_Y + BAR_H
    y = FIRST_ROW_Y + row * ROW + (ROW - BAR_H) // 2
    return BAR_X0, y, BAR_X1, y + BAR_H


def segments(counts: dict[str, int], x0: int, x1: int) -> list[tuple[Status, int, int]]:
    """Split [x0, x1) into coloured runs in ORDER, each proportional to its count (cumulative rounding,
    so the runs tile the bar exactly)."""
    total = sum(counts.get(s, 0) for s in ORDER)
    if total == 0:
        return [(Status.DONE, x0, x1)]  # a stage with no items is complete
    out: list[tuple[Status, int, int]] = []
    seen, start = 0, x0
    for status in ORDER:
        seen += counts.get(status, 0)
        end = x0 + round((x1 - x0) * seen / total)
        if end > start:
            out.append((status, start, end))
        start = end
    return out


def _counts(stage: StageProgress) -> dict[str, int]:
    return {s: stage.count(s) for s in ORDER}


def _total_counts(overview: RoadmapOverview) -> dict[str, int]:
    return {s: sum(stage.count(s) for stage in overview.stages) for s in ORDER}


# --------------------------------------------------------------------------- text shared with alt text

def next_text(overview: RoadmapOverview) -> str:
    item: ItemProgress | None = overview.next_item
    if item is None:
        return "Every item is finished. Keep learning!"
    stage = next((s.stage for s in overview.stages if s.stage.id == item.item.stage_id), None)
    verb = "Read" if item.item.kind == "read" else "Do"
    where = f" (stage {stage.number})" if stage is not None else ""
    return f"Next: {verb} \u201c{item.item.title}\u201d{where}"


def alt_text(overview: RoadmapOverview, name: str) -> str:
    """The card's figures as one paragraph (the attachment's description)."""
    parts = [f"Roadmap progress card for {display_name(name)}: {overview.finished} of {overview.total} items "
             f"finished ({overview.percent}%)."]
    for stage in overview.stages:
        c = _counts(stage)
        parts.append(f"Stage {stage.stage.number}, {stage.stage.title}: {stage.percent}%, {c['done']} done, "
                     f"{c['doing']} in progress, {c['skipped']} skipped, {c['todo']} to do.")
    closing = " " + next_text(overview) + "."
    text = ""
    for n, part in enumerate(parts):
        more = len(parts) - n
        if len(text) + len(part) + 1 + len(f" … and {more} more stages.") + len(closing) > ALT_MAX:
            text += f" … and {more} more stages."
            break
        text = f"{text} {part}" if text else part
    return text + closing


# --------------------------------------------------------------------------- drawing

def _bar(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], counts: dict[str, int]) -> None:
    x0, y0, x1, y1 = box
    for status, start, end in segments(counts, x0, x1):
        draw.rectangle((start, y0, end - 1, y1 - 1), fill=COLOURS[status])


@lru_cache(maxsize=1)
def _palette() -> Image.Image:
    """A fixed palette: the exact bar colours, and 16 steps from the background to each text colour (the
    font's anti-aliasing), so the PNG is small and the bars keep their exact colours."""
    colours = [BACKGROUND, *COLOURS.values()]
    for ink in (TEXT, MUTED):
        for step in range(1, 16):
            r, g, b = (round(b + (i - b) * step / 15) for b, i in zip(BACKGROUND, ink))
            colours.append((r, g, b))
    flat = [v for colour in colours for v in colour]
    palette = Image.new("P", (1, 1))
    palette.putpalette(flat + flat[:3] * (256 - len(colours)))
    return palette


def render_card(overview: RoadmapOverview, name: str) -> Card:
    """Draw the card (about 1000 px wide) and return its PNG bytes and alt text."""
    stages = overview.stages
    height = card_height(len(stages))
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    right = WIDTH - PAD

    draw.text((PAD, PAD - 6), fit_text(display_name(name), 620, font(34, True)), font=font(34, True), fill=TEXT)
    draw.text((PAD, PAD + 38), fit_text(printable(overview.title), 620, font(22)), font=font(22), fill=MUTED)
    percent = f"{overview.percent}%"
    draw.text((right, PAD - 10), percent, font=font(52, True), fill=TEXT, anchor="ra")
    draw.text((right, PAD + 50), f"{overview.finished} of {overview.total} items finished", font=font(20),
              fill=MUTED, anchor="ra")
    _bar(draw, bar_box(-1), _total_counts(overview))

    label_font, count_font = font(22), font(22, True)
    for row, stage in enumerate(stages[:MAX_ROWS]):
        x0, y0, x1, y1 = bar_box(row)
        middle = (y0 + y1) // 2
        label = fit_text(f"{stage.stage.number}. {printable(stage.stage.title)}", BAR_X0 - PAD - 16, label_font)
        draw.text((PAD, middle), label, font=label_font, fill=TEXT, anchor="lm")
        _bar(draw, (x0, y0, x1, y1), _counts(stage))
        draw.text((right, middle), f"{stage.finished}/{stage.total}", font=count_font, fill=TEXT, anchor="rm")
    y = FIRST_ROW_Y + shown_rows(len(stages)) * ROW
    if len(stages) > MAX_ROWS:
        rest = stages[MAX_ROWS:]
        draw.text((PAD, y + ROW // 2), f"… and {len(rest)} more stages "
                  f"({sum(s.finished for s in rest)} of {sum(s.total for s in rest)} items finished)",
                  font=label_font, fill=MUTED, anchor="lm")
        y += ROW

    y += 20
    draw.text((PAD, y), fit_text(printable(next_text(overview)), WIDTH - 2 * PAD, font(22, True)),
              font=font(22, True), fill=TEXT)
    y += 50
    x = PAD
    for status in ORDER:
        draw.rectangle((x, y + 3, x + 17, y + 20), fill=COLOURS[status])
        draw.text((x + 26, y + 12), LABELS[status], font=font(18), fill=MUTED, anchor="lm")
        x += 26 + int(font(18).getlength(LABELS[status])) + 34
    draw.text((right, y + 12), "done and skipped count as finished", font=font(18), fill=MUTED, anchor="rm")

    buffer = io.BytesIO()
    image.quantize(palette=_palette(), dither=Image.Dither.NONE).save(buffer, "PNG", optimize=True)
    return Card(buffer.getvalue(), alt_text(overview, name), WIDTH, height)
