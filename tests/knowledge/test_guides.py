"""The guide loader: good guides load whole; every kind of bad file is named by file and line."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.knowledge.folder import check_guides, load_guides
from bot.knowledge.guides import parse_guide, read_text, slugify
from bot.knowledge.passages import MAX_PASSAGE_CHARS, split_passages

REPO = Path(__file__).resolve().parents[2]
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
    from bot.knowledge.roadmap import load_roadmap  # the raw files give the same section ids as the cleaned ones
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
    from bot.knowledge.passages import split_sentences

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


# ---------------------------------------------------------------- hostile files (issue 8)

def bomb(levels: int = 4) -> str:
    """A YAML alias bomb in `author:`: each level is nine copies of the one before it. The real one (9
    levels, ~400 bytes) expands to 387 million strings; fewer levels keep an unguarded loader (a mutant)
    fast, so a regression fails these tests instead of exhausting memory."""
    lines = ['author: [&l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"],']
    for n in range(1, levels):
        lines.append(f"  &l{n} [" + ",".join([f"*l{n - 1}"] * 9) + "],")
    return "---\ntitle: Bomb\n" + "\n".join(lines).rstrip(",") + "]\n---\n\n# Bomb\n\nSome text.\n"


@pytest.mark.parametrize("front, line, words", [
    (bomb(), 3, "anchors or aliases"),
    ("---\ntitle: &t T\nauthor: *t\n---\n\ntext\n", 2, "anchors or aliases"),
    ("---\nid: m\ntitle: T\nauthor: x\ndate: {a: 1, b: {c: 2}}\n---\n\ntext\n", 5, "nested too deeply"),
    ("---\nid: m\ntitle: T\ndate: {day: 1}\n---\n\ntext\n", 4, "date must be plain text"),
    ("---\ntitle: T\nauthor: " + "[" * 5000 + "]" * 5000 + "\n---\n\ntext\n", 3, "nested too deeply"),
    ("---\ntitle: T\npublisher: " + "x" * 5000 + "\n---\n\ntext\n", 3, "5,000 characters"),
    ("---\ntitle: T\nauthor: [Ann, Bob]\n---\n\ntext\n", 3, "author must be plain text"),
    ("---\ntitle: T\nauthor: !!int 0x_\n---\n\ntext\n", 3, "can't be read"),  # was a ValueError traceback
    ("---\ntitle: T\nid: x\ndate: !!timestamp soon\n---\n\ntext\n", 4, "can't be read"),
])
def test_front_matter_that_could_blow_up_is_refused_with_file_and_line(tmp_path, front, line, words):
    path = write(tmp_path, "hostile.md", front)
    with pytest.raises(KnowledgeError) as err:
        parse_guide(path, read_text(path))
    (problem,) = err.value.problems
    assert (Path(problem.path).name, problem.line) == ("hostile.md", line) and words in problem.message


def test_the_full_size_bomb_is_refused_before_any_value_is_built(tmp_path, monkeypatch):
    from bot.knowledge import guides

    def never(*args, **kwargs):
        raise AssertionError("the front matter was loaded: its aliases would be expanded")
    monkeypatch.setattr(guides, "_load_front_matter", never)
    path = write(tmp_path, "lol.md", bomb(9))
    assert len(path.read_bytes()) < 500
    with pytest.raises(KnowledgeError, match="lol.md:3: front matter can't use YAML anchors or aliases"):
        parse_guide(path, read_text(path))


def test_tags_may_still_be_a_list_and_a_date_is_kept_as_written(tmp_path):
    path = write(tmp_path, "tags.md", "---\ntitle: Tagged\ntags: [career, ml]\ndate: 2020-02-30\n---\n\nText.\n")
    guide = parse_guide(path, read_text(path))  # an impossible date was a ValueError traceback
    assert (guide.title, guide.date) == ("Tagged", "2020-02-30")
    path = write(tmp_path, "dated.md", "---\ntitle: Dated\ndate: 2019-05-01\n---\n\nText.\n")
    assert parse_guide(path, read_text(path)).date == "2019-05-01"


def knowledge_folder(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    write(root / "guides", "good.md", GOOD)
    return root


def test_links_out_of_the_knowledge_folder_are_refused_and_links_inside_it_are_read(tmp_path):
    root = knowledge_folder(tmp_path)
    secret = write(tmp_path / "outside", "secret.txt", "Secret\n\nroot:x:0:0:root:/root:/bin/bash\n")
    (root / "guides" / "passwd.txt").symlink_to(secret)
    (root / "guides" / "gone.md").symlink_to(tmp_path / "nothing-here.md")
    write(root / "drafts", "draft.md", GOOD.replace("tiny-guide", "draft-guide"))
    (root / "guides" / "draft.md").symlink_to(root / "drafts" / "draft.md")
    guides, problems = check_guides(root / "guides", root=root)
    assert sorted(g.id for g in guides) == ["draft-guide", "tiny-guide"]
    found = {Path(p.path).name: p.message for p in problems}
    assert set(found) == {"passwd.txt", "gone.md"}
    assert "outside the knowledge folder" in found["passwd.txt"] and "does not exist" in found["gone.md"]
    assert not any("root:x" in p.text for g in guides for s in g.sections for p in s.passages)


def test_a_guide_past_the_size_limit_is_named_and_not_read(tmp_path):
    folder = tmp_path / "guides"
    write(folder, "good.md", GOOD)
    write(folder, "huge.txt", "Huge\n\n" + "word " * 1000)
    guides, problems = check_guides(folder, max_bytes=4096)
    assert [g.id for g in guides] == ["tiny-guide"]
    (problem,) = problems
    assert str(problem) == "huge.txt: the file is 5 KiB; guides can be at most 4 KiB (MAX_GUIDE_BYTES): split it into smaller guides"
    assert check_guides(folder, max_bytes=8192)[1] == []


def test_every_file_that_is_not_read_is_named_with_the_reason(tmp_path):
    from bot.knowledge.folder import scan_folder

    folder = tmp_path / "guides"
    write(folder, "good.md", GOOD)
    for name in ("..%2F..%2Fx.md", "...md", ".hidden.md", "notes.markdown", "slides.pdf", "README.md"):
        write(folder, name, GOOD)
    (folder / "sub.md").mkdir()
    files, problems, skipped = scan_folder(folder)
    assert [p.name for p in files] == ["good.md"] and problems == []
    reasons = {Path(p.path).name: p.message for p in skipped}
    assert set(reasons) == {"..%2F..%2Fx.md", "...md", ".hidden.md", "notes.markdown", "slides.pdf", "README.md", "sub.md"}
    assert all(m.startswith("skipped: ") for m in reasons.values())
    assert "hidden" in reasons["..%2F..%2Fx.md"] and "hidden" in reasons["...md"]
    assert "rename it to .md" in reasons["notes.markdown"] and "only .md and .txt" in reasons["slides.pdf"]
    assert "a folder" in reasons["sub.md"] and "README.md" in reasons["README.md"]


def test_kb_check_reports_hostile_files_and_names_every_skipped_one(tmp_path, capsys, monkeypatch):
    from bot.cli import main

    monkeypatch.delenv("MAX_GUIDE_BYTES", raising=False)
    root = knowledge_folder(tmp_path)
    shutil.copy(REPO / "knowledge" / "roadmap.yaml", root / "roadmap.yaml")
    for path in GUIDES.glob("*.md"):
        shutil.copy(path, root / "guides" / path.name)
    write(root / "guides", "bomb.md", bomb(5))
    (root / "guides" / "passwd.txt").symlink_to(write(tmp_path / "outside", "secret.txt", "Secret\n\ntext\n"))
    write(root / "guides", "huge.md", "# Huge\n\n" + "word " * 60_000)
    write(root / "guides", "..%2F..%2Fx.md", GOOD)
    write(root / "guides", "a.markdown", GOOD)
    write(root / "guides", "new\nline.pdf", b"%PDF")
    assert main(["kb", "check", str(root)]) == 1
    out = capsys.readouterr().out.splitlines()
    guides = root / "guides"
    assert f"{guides}/bomb.md:3: front matter can't use YAML anchors or aliases (`&name`, `*name`); write each value out in full" in out
    assert any(line.startswith(f"{guides}/passwd.txt: a link to a file outside the knowledge folder") for line in out)
    assert any(line.startswith(f"{guides}/huge.md: the file is 293 KiB; guides can be at most 256 KiB") for line in out)
    assert any(line.startswith(f"{guides}/..%2F..%2Fx.md: skipped: hidden") for line in out)
    assert any(line.startswith(f"{guides}/a.markdown: skipped: only .md and .txt files are guides") for line in out)
    assert any(line.startswith(f"{guides}/new\\nline.pdf: skipped:") for line in out)  # one line, escaped
    assert len(out) == 6


def test_start_up_skips_hostile_files_and_a_reload_refuses_them(tmp_path):
    from bot.knowledge.roadmap import load_roadmap
    from bot.knowledge.store import KnowledgeStore

    root = knowledge_folder(tmp_path)
    write(root / "guides", "bomb.md", bomb(5))
    (root / "guides" / "passwd.txt").symlink_to(write(tmp_path / "outside", "secret.txt", "Secret\n\ntext\n"))
    write(root / "guides", "huge.txt", "Huge\n\n" + "word " * 1000)
    store = KnowledgeStore(root, max_guide_bytes=4096)
    kb = store.current
    assert [g.id for g in kb.guides.guides] == ["tiny-guide"]
    assert [w.split(":")[0] for w in kb.warnings] == ["bomb.md", "huge.txt", "passwd.txt"]
    for name in ("bomb.md", "huge.txt", "passwd.txt"):
        with pytest.raises(KnowledgeError, match=name.replace(".", r"\.")):
            store.reload()
        assert store.current is kb
        (root / "guides" / name).unlink()
    assert store.reload() is not kb and store.current.warnings == ()
    assert KnowledgeStore(root, roadmap_loader=load_roadmap).current.roadmap is None  # no roadmap.yaml: see below


def test_a_missing_roadmap_starts_with_a_warning_and_refuses_a_reload(tmp_path):
    from bot.container import knowledge_store
    from bot.knowledge.roadmap import load_roadmap
    from bot.knowledge.store import KnowledgeStore, build_knowledge
    from bot.settings import Settings

    root = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", root)
    store = KnowledgeStore(root, roadmap_loader=load_roadmap)
    kb = store.current
    assert kb.roadmap is not None and kb.warnings == ()
    (root / "roadmap.yaml").unlink()
    with pytest.raises(KnowledgeError) as err:
        store.reload()
    assert [str(p) for p in err.value.problems] == [
        "roadmap.yaml: the roadmap file is missing; put roadmap.yaml back in the knowledge folder"]
    assert store.current is kb and store.current.roadmap is not None  # the old roadmap keeps serving
    started = build_knowledge(root, strict=False, roadmap_loader=load_roadmap)  # start-up: start, and say why
    assert started.roadmap is None and len(started.guides.guides) == 4
    assert started.warnings == ("roadmap.yaml: the roadmap file is missing; put roadmap.yaml back in the knowledge folder",)
    big = write(root / "guides", "big.txt", "Big\n\n" + "word " * 5000)  # the store gets the /kb add limit
    warnings = knowledge_store(Settings(knowledge_dir=root, max_guide_bytes=20 * 1024)).current.warnings
    assert warnings[0] == "big.txt: the file is 24 KiB; guides can be at most 20 KiB (MAX_GUIDE_BYTES): split it into smaller guides"
    big.unlink()


def test_kb_check_reports_a_missing_roadmap_like_a_reload_does(tmp_path, capsys):
    from bot.cli import main

    root = knowledge_folder(tmp_path)
    assert main(["kb", "check", str(root)]) == 1
    assert capsys.readouterr().out == f"{root}/roadmap.yaml: the roadmap file is missing; put roadmap.yaml back in the knowledge folder\n"
    assert main(["kb", "check", str(root / "guides")]) == 0  # a bare folder of guides needs no roadmap


def test_a_hash_line_in_a_code_block_is_code_not_a_heading():
    text = ("---\nid: code\ntitle: Code\n---\n\n# Code\n\n## Set up Python\n\nRun this:\n\n```bash\n"
            "# install the packages first\npip install numpy\n```\n\n    # an indented block too\n\n"
            "## Next steps\n\nPractise.\n")
    guide = parse_guide(Path("code.md"), text)
    assert [s.heading for s in guide.sections] == ["Set up Python", "Next steps"]
    assert "# install the packages first" in " ".join(p.text for p in guide.sections[0].passages)
