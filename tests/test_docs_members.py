"""The README says what the code does: batch mode's rejected lines, the --knowledge default, and the
"What members see" section (its answer is the real one, its card is a real rendered card)."""
from __future__ import annotations

import json

from bot.render.roadmap_card import WIDTH
from bot.settings import DEFAULT_KNOWLEDGE_DIR, Settings
from tests.card_pixels import open_card
from tests.cli.test_cli import REPO, careerbot

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_batch_mode_rejected_lines_are_as_the_readme_says():
    out = careerbot("ask", "--json", stdin="!!!\n")
    [line] = [json.loads(x) for x in out.stdout.splitlines()]
    assert line["answered"] is False and line["kind"] == "rejected" and "no words" in line["answer"]
    assert "error" not in line and '"error"' not in README
    assert '`"answered": false`, `"kind":\n"rejected"` and the message as `"answer"`' in README


def test_the_knowledge_default_is_the_shipped_folder_as_the_docs_say():
    assert Settings().knowledge_dir == DEFAULT_KNOWLEDGE_DIR == REPO / "knowledge"
    assert "./knowledge" not in README and "the `knowledge/` folder that ships with careerbot" in README
    assert "./knowledge" not in (REPO / "bot" / "cli" / "__init__.py").read_text() + (REPO / ".env.example").read_text()


def test_what_members_see_shows_the_real_answer_and_a_real_card():
    from bot.container import build_answering
    from bot.discord_bot.embeds import answer_embed

    _, answers = build_answering(Settings())
    embed = answer_embed(answers.answer("Do I need a degree to become an ML engineer?"))
    section = README[README.index("## What members see"):README.index("## Storage")]
    assert embed.title in section and embed.description.split("\n")[0][:60] in section.replace("\n", " ")
    for field in embed.fields:
        assert field.name[:60] in section
    card = (REPO / "docs" / "roadmap-card.png").read_bytes()
    assert open_card(card).size[0] == WIDTH and len(card) < 40_000
    assert "docs/roadmap-card.png" in section and "/roadmap card PATH" in section
