"""Plain-text rendering of an answer for the terminal (used by `careerbot ask` and the console)."""
from __future__ import annotations

from bot.answers.service import Answer

QUOTE_CHARS = 300


def format_answer(answer: Answer) -> str:
    if not answer.answered and not answer.related:
        return answer.answer
    lines = [answer.answer]
    if answer.answered and answer.note:
        lines += ["", answer.note]
    lines += ["", "Related reading (not an answer):" if answer.related else "Sources:"]
    for c in answer.citations:
        link = f" <{c.url}>" if c.url else ""
        lines.append(f"[{c.rank}] {c.title} › {c.section}{link}")
        quote = c.text if len(c.text) <= QUOTE_CHARS else c.text[: QUOTE_CHARS - 3].rstrip() + "..."
        lines.extend(f"    > {line}" for line in quote.splitlines() if line.strip())
    return "\n".join(lines)
