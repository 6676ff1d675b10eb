"""knowledge/roadmap.yaml and its loader: the shipped content is valid, every broken entry is named."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.knowledge.roadmap import load_roadmap, parse_roadmap
from bot.knowledge.store import KnowledgeStore

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
SECTIONS = {"g#a", "g#b", "g#c"}


def roadmap_text(body: str) -> str:
    return textwrap.dedent(body).lstrip()


VALID = roadmap_text("""
    title: Test roadmap
    stages:
      - id: one
        title: Stage one
        summary: The first stage.
        items:
          - id: read-a
            kind: read
            title: Read A
            section: g#a
          - id: do-b
            kind: task
            title: Do B
      - id: two
        title: Stage two
        summary: The second stage.
        items:
          - id: read-c
            kind: read
            title: Read C
            section: g#c
    """)


def problems(text: str, sections: set[str] = SECTIONS) -> list[tuple[int, str]]:
    with pytest.raises(KnowledgeError) as info:
        parse_roadmap(text, sections, "knowledge/roadmap.yaml")
    assert all(p.path == "knowledge/roadmap.yaml" for p in info.value.problems)
    return [(p.line, p.message) for p in info.value.problems]


def test_the_shipped_roadmap_follows_the_guides(real_guides, real_roadmap):
    stages = [s.id for s in real_roadmap.stages]
    assert stages == ["foundations", "programming", "maths", "machine-learning", "data-and-mlops",
                      "portfolio", "experience", "interviews", "keep-learning"]
    for stage in real_roadmap.stages:
        kinds = {i.kind for i in stage.items}
        assert kinds == {"read", "task"}, stage.id  # every stage has readings and practical tasks
        assert stage.summary and len(stage.items) >= 4
    reads = [i for i in real_roadmap.all_items if i.kind == "read"]
    assert all(i.section in real_guides.section_ids for i in reads)
    tasks = {i.id for i in real_roadmap.all_items if i.kind == "task"}
    assert {"build-end-to-end-project", "host-with-documentation", "practise-coding-problems"} <= tasks
    assert len(real_roadmap.items) == len(real_roadmap.all_items)  # ids are unique


def test_stage_lookup_by_number_or_id():
    roadmap = parse_roadmap(VALID, SECTIONS)
    assert roadmap.stage(1).id == "one" and roadmap.stage("2").id == "two" and roadmap.stage("two").number == 2
    assert roadmap.stage(0) is None and roadmap.stage("3") is None and roadmap.stage("nope") is None
    assert roadmap.stage_of("read-c").id == "two" and roadmap.item("do-b").section is None


def test_unknown_section_is_named_with_its_line_and_a_suggestion():
    found = problems(VALID.replace("section: g#c", "section: g#cc"))
    assert found == [(21, "item 'read-c' in stage 'two': unknown guide section 'g#cc'; did you mean 'g#c'?")]


def test_duplicate_ids_are_errors():
    text = VALID.replace("id: read-c", "id: read-a").replace("id: two", "id: one")
    found = problems(text)
    assert (14, "stage 'one': duplicate stage id 'one'") in found
    assert (18, "item 'read-a' in stage 'one': duplicate item id 'read-a', already used in stage 'one'") in found


@pytest.mark.parametrize("change, expected", [
    (("kind: task", "kind: chore"), (12, "item 'do-b' in stage 'one': kind must be one of read, task, not 'chore'")),
    (("title: Do B", "titel: Do B"), (13, "item 'do-b' in stage 'one': unknown key 'titel'; allowed: id, kind, title, section, note")),
    (("id: do-b", "id: Do_B"), (11, "item 2 in stage 'one': id 'Do_B' must be lower-case letters and digits joined by single dashes")),
    (("        section: g#a\n", ""), (7, "item 'read-a' in stage 'one': a read item needs `section:` with a guide section id")),
    (("summary: The second stage.", "summary: ''"), (16, "stage 'two': summary must be a non-empty piece of text")),
    (("title: Read A\n", "title: Read A\n        title: Again\n"), (10, "item 'read-a' in stage 'one': duplicate key 'title'")),
])
def test_malformed_entries_are_named(change, expected):
    old, new = change
    assert old in VALID
    assert expected in problems(VALID.replace(old, new, 1))


def test_structure_errors():
    assert problems("- just\n- a list\n") == [(1, "the roadmap must be a mapping of `key: value` lines")]
    assert problems("title: x\nstages: []\n") == [(2, "the roadmap: stages must be a non-empty list")]
    assert problems("stages:\n  - id: a\n    title: A\n    summary: S\n    items: {}\n") == [
        (5, "stage 'a': items must be a non-empty list")]
    assert problems("stages:\n  - id: a\n    title: [oops\n") == [
        (4, "invalid YAML (expected ',' or ']', but got '<stream end>')")]
    assert problems("") == [(0, "the roadmap must be a mapping of `key: value` lines")]


def test_every_problem_is_reported_at_once_with_the_file_name(tmp_path: Path):
    path = tmp_path / "roadmap.yaml"
    path.write_text(VALID.replace("g#a", "g#x").replace("g#c", "g#y"), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_roadmap(path, SECTIONS)
    assert len(info.value.problems) == 2
    assert "roadmap.yaml:10: item 'read-a' in stage 'one': unknown guide section 'g#x'" in str(info.value)
    with pytest.raises(KnowledgeError, match="does not exist"):
        load_roadmap(tmp_path / "missing.yaml", SECTIONS)


def test_a_reload_of_the_knowledge_base_reloads_the_roadmap(tmp_path: Path):
    shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    path = tmp_path / "knowledge" / "roadmap.yaml"
    store = KnowledgeStore(tmp_path / "knowledge", roadmap_loader=load_roadmap)
    first = store.current.roadmap
    assert first is not None and first.item("join-a-community") is not None

    path.write_text(path.read_text(encoding="utf-8").replace("id: join-a-community", "id: join-a-meetup"),
                    encoding="utf-8")
    reloaded = store.reload().roadmap
    assert reloaded.item("join-a-community") is None and reloaded.item("join-a-meetup") is not None

    path.write_text(path.read_text(encoding="utf-8").replace("#2-statistics", "#2-statistix"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="unknown guide section"):
        store.reload()
    assert store.current.roadmap is reloaded  # a failed reload keeps serving the last good roadmap
