"""The guide loader: good guides load whole; every kind of bad file is named by file and line."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.domain.errors import KnowledgeError
from bot.domain.guides import check_guides, load_guides, parse_guide, read_text, slugify
from bot.domain.passages import MAX_PASSAGE_CHARS, split_passages

REPO = Path(__file__).resolve().parent.parent
GUIDES = REPO / "knowledge" / "guides"
RAW = REPO.parent / "shared" / "guides"

GOOD = """---
id: tiny-guide
title: "A tiny guide"
url: https://example.org/tiny
---

# A tiny guide

Intro text.

## Learn Python

Python is the language most job descriptions ask for.
"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def test_bundled_guides_load_with_stable_section_ids():
    guides = load_guides(GUIDES)
    assert [g.id for g in guides.guides] == sorted(p.stem for p in GUIDES.glob("*.md"))
    assert "arya-how-to-become-ml-engineer#1-undergraduate-degree" in guides.sections
    edureka = guides.guide("edureka-how-to-become-ml-engineer")
    assert edureka.author == "Sahiti Kappagantula" and edureka.url == "https://www.edureka.co"
    assert guides.guide("arya-how-to-become-ml-engineer").url is None  # no address named in the text
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in guides.passages)
    assert all(p.section_id in guides.sections for p in guides.passages)


def test_cleaned_guides_keep_the_raw_wording():
    if not RAW.is_dir():
        pytest.skip("shared/guides not beside the repository")
    raw = " ".join((RAW / "arya-how-to-become-ml-engineer.txt").read_text().split())
    for passage in load_guides(GUIDES).passages:
        if passage.guide_id == "arya-how-to-become-ml-engineer":
            for line in passage.text.splitlines():
                assert " ".join(line.lstrip("- ").split()) in raw


def test_raw_txt_guides_load(tmp_path):
    if not RAW.is_dir():
        pytest.skip("shared/guides not beside the repository")
    for path in RAW.glob("*.txt"):
        shutil.copy(path, tmp_path / path.name)
    guides = load_guides(tmp_path)
    assert len(guides.guides) == 4
    simplilearn = guides.guide("simplilearn-ml-career-guide")
    assert simplilearn.title.startswith("Machine Learning Career Guide")  # the "1080*80 ad" line is skipped
    arya = guides.guide("arya-how-to-become-ml-engineer")
    assert "What does an ML engineer do?" in [s.heading for s in arya.sections]
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in guides.passages)
    headings = [s.heading for s in simplilearn.sections]
    assert "Step 4: Gain Practical Experience" in headings  # a heading straight after a bullet list
    assert "2. Core Mathematics and Statistics" in headings
    assert not any("notoriously tough" in h for h in headings)  # a lead-in sentence is not a heading
    from bot.domain.roadmap import load_roadmap  # the raw files give the same section ids as the cleaned ones
    load_roadmap(GUIDES.parent / "roadmap.yaml", guides.section_ids)


@pytest.mark.parametrize(
    "name, content, line, words",
    [
        ("empty.md", "", 0, "empty"),
        ("blank.txt", "   \n\n", 0, "empty"),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00", 0, "binary"),
        ("latin1.txt", "Title\n\nCaf\xe9 au lait\n".encode("latin-1"), 3, "UTF-8"),
        ("badyaml.md", "---\nid: x\ntitle: \"unclosed\n---\n\ntext\n", 3, "front matter"),
        ("notitle.md", "---\nid: no-title\n---\n\nJust text, no heading.\n", 1, "no title"),
        ("badid.md", "---\nid: Bad Id!\ntitle: T\n---\n\ntext\n", 2, "id"),
        ("unknownkey.md", "---\nid: k\ntitle: T\nauthr: typo\n---\n\ntext\n", 4, "unknown front matter key"),
        ("unclosed.md", "---\nid: k\ntitle: T\n\ntext\n", 1, "never ends"),
        ("headingonly.md", "# Title only\n", 0, "no text"),
    ],
)
def test_bad_files_are_named_with_file_and_line(tmp_path, name, content, line, words):
    path = write(tmp_path, name, content)
    with pytest.raises(KnowledgeError) as err:
        parse_guide(path, read_text(path))
    problem = err.value.problems[0]
    assert Path(problem.path).name == name
    assert problem.line == line
    assert words.lower() in problem.message.lower()
    assert name in str(problem)


def test_duplicate_ids_and_all_or_nothing(tmp_path):
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, "b.md", GOOD)
    write(tmp_path, "c.txt", b"\x00\x01binary")
    good, problems = check_guides(tmp_path)
    assert [g.id for g in good] == ["tiny-guide"]
    messages = [str(p) for p in problems]
    assert any("b.md:2: duplicate guide id 'tiny-guide'" in m for m in messages)
    assert any(m.startswith("c.txt") and "binary" in m for m in messages)
    with pytest.raises(KnowledgeError) as err:
        load_guides(tmp_path)  # strict: one bad file means nothing is returned
    assert len(err.value.problems) == 2


def test_sections_and_passages_split_on_headings_and_size():
    long_para = " ".join(f"Sentence number {i} talks about models." for i in range(80))
    text = GOOD + "\n### Deeper\n\n" + long_para + "\n"
    guide = parse_guide(Path("tiny.md"), text)
    ids = [s.id for s in guide.sections]
    assert ids == ["tiny-guide#introduction", "tiny-guide#learn-python", "tiny-guide#deeper"]
    deeper = guide.sections[-1]
    assert deeper.parent_heading == "Learn Python"
    assert len(deeper.passages) > 1 and all(len(p.text) <= MAX_PASSAGE_CHARS for p in deeper.passages)
    assert " ".join(p.text for p in deeper.passages) == long_para  # cut, never changed


def test_a_lead_in_section_shows_its_subsections_but_is_searched_by_its_own_words():
    text = ("---\nid: lead\ntitle: Lead Guide\n---\n\n## Traits of a good engineer\n\n"
            "Here are the traits:\n\n### They Love Maths\n\nMaths matters.\n\n### They Ship Code\n\n"
            "Shipping matters.\n\n## Salary\n\n" + "Pay is good. " * 30 + "\n\n### In London\n\nMore.\n")
    sections = {s.heading: s for s in parse_guide(Path("lead.md"), text).sections}
    (lead,) = sections["Traits of a good engineer"].passages
    assert lead.text == "Here are the traits:\n- They Love Maths\n- They Ship Code"
    assert lead.indexed == "Here are the traits:"
    (salary,) = sections["Salary"].passages  # its own text is more than a lead-in: left alone
    assert salary.indexed is None and "In London" not in salary.text
    assert sections["They Love Maths"].passages[0].text == "Maths matters."


def test_split_passages_cuts_a_giant_word():
    pieces = split_passages(["x" * 2500])
    assert [len(p) for p in pieces] == [1000, 1000, 500]


def test_slugify():
    assert slugify("3. Masters or Ph.D.") == "3-masters-or-ph-d"
    assert slugify("It’s an Iterative process") == "its-an-iterative-process"
    assert slugify("???") == "section"


def test_sentences_do_not_end_at_abbreviations():
    from bot.domain.passages import split_sentences

    text = "It was the No. 1 job of 2019. Tools, e.g. Python, help. MLE vs. DS is a question! Next."
    assert split_sentences(text) == ["It was the No. 1 job of 2019.", "Tools, e.g. Python, help.",
                                     "MLE vs. DS is a question!", "Next."]


def test_front_matter_edge_cases(tmp_path):
    (tmp_path / "empty-front.md").write_text("---\n---\n# Titled Anyway\n\nSome text.\n")
    (tmp_path / "list-title.md").write_text("---\nid: lt\ntitle: [a, b]\n---\n\ntext\n")
    (tmp_path / "a.md").write_text("---\ntitle: A\nauthor: Someone\nid: same\n---\n\ntext\n")
    (tmp_path / "b.md").write_text("---\ntitle: B\nid: same\n---\n\ntext\n")
    guides, problems = check_guides(tmp_path)
    assert [g.title for g in guides] == ["A", "Titled Anyway"]
    found = {(Path(p.path).name, p.line): p.message for p in problems}
    assert "plain text" in found[("list-title.md", 3)]
    assert "duplicate guide id 'same'" in found[("b.md", 3)]
