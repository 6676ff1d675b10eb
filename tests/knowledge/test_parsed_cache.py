"""The parsed guides saved beside the knowledge: unchanged files are read back, anything changed or damaged
is parsed again, never trusted, and a folder that can't be written still serves."""
import hashlib
import json
from pathlib import Path

import pytest

from bot.knowledge import checked_json, parsed
from bot.knowledge.folder import load_guides
from bot.knowledge.store import build_knowledge

REPO_KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture
def parses(monkeypatch):
    """The names of the guide files really parsed (a guide read back from the cache is not one)."""
    names: list[str] = []
    original = parsed.parse_guide

    def counting(path, text):
        names.append(Path(path).name)
        return original(path, text)

    monkeypatch.setattr(parsed, "parse_guide", counting)
    return names


def guide_files(knowledge: Path) -> list[Path]:
    return sorted((knowledge / "guides").glob("*.md"))


def cache_file(knowledge: Path) -> Path:
    return knowledge / ".index" / "guides.json"


def fresh(knowledge: Path):
    """The guides as parsed from their files, without any cache."""
    return load_guides(knowledge / "guides", root=knowledge)


def test_read_back_sections_and_passages_are_the_parsers_to_the_field(knowledge, parses):
    # read back without the dataclasses' __init__ (one __dict__ per object): the same fields in the same
    # order, equal, the same hash and repr, and still frozen
    build_knowledge(knowledge, strict=True)
    back = build_knowledge(knowledge, strict=True)
    assert len(parses) == len(guide_files(knowledge))
    made = fresh(knowledge).sections
    assert back.guides.sections.keys() == made.keys()
    for sid, section in back.guides.sections.items():
        assert type(section) is type(made[sid])
        assert list(vars(section).items()) == list(vars(made[sid]).items())
        assert hash(section) == hash(made[sid]) and repr(section) == repr(made[sid])
        for passage, other in zip(section.passages, made[sid].passages, strict=True):
            assert type(passage) is type(other) and list(vars(passage).items()) == list(vars(other).items())
            assert hash(passage) == hash(other) and repr(passage) == repr(other)
    passage = back.passages[0]
    with pytest.raises(AttributeError):
        passage.text = "changed"  # type: ignore[misc]


def test_unchanged_guides_are_read_back_not_parsed(knowledge, parses):
    first = build_knowledge(knowledge, strict=True)
    assert sorted(parses) == [p.name for p in guide_files(knowledge)]
    second = build_knowledge(knowledge, strict=True)
    assert len(parses) == len(guide_files(knowledge))  # nothing parsed the second time
    assert second.guides == first.guides == fresh(knowledge)
    assert second.passages == first.passages and second.guides.sections == first.guides.sections
    assert all(g.words is not None for g in second.guides.guides)  # counted once, read back
    assert list(second.guides.word_counts().items()) == list(fresh(knowledge).word_counts().items())


def test_a_changed_guide_alone_is_parsed_again(knowledge, parses):
    build_knowledge(knowledge, strict=True)
    guide = guide_files(knowledge)[0]
    guide.write_text(guide.read_text(encoding="utf-8") + "\n## A new section\n\nZebras study linear algebra.\n",
                     encoding="utf-8")
    parses.clear()
    kb = build_knowledge(knowledge, strict=True)
    assert parses == [guide.name]
    assert kb.guides == fresh(knowledge)
    assert any("Zebras study" in p.text for p in kb.passages)
    parses.clear()
    build_knowledge(knowledge, strict=True)
    assert parses == []  # saved again with the change


def test_a_renamed_guide_is_parsed_again(knowledge, parses):
    build_knowledge(knowledge, strict=True)
    guide = guide_files(knowledge)[0]
    guide.rename(guide.with_name("renamed-" + guide.name))
    parses.clear()
    kb = build_knowledge(knowledge, strict=True)
    assert parses == ["renamed-" + guide.name]
    assert kb.guides == fresh(knowledge)


def test_a_removed_guide_leaves_the_cache(knowledge, parses):
    build_knowledge(knowledge, strict=True)
    removed = guide_files(knowledge)[0]
    text = removed.read_text(encoding="utf-8")
    removed.unlink()
    build_knowledge(knowledge, strict=True)
    entries = parsed.entries_of(cache_file(knowledge).read_bytes().partition(b"\n")[2])
    assert len(entries) == len(guide_files(knowledge))
    removed.write_text(text, encoding="utf-8")
    parses.clear()
    build_knowledge(knowledge, strict=True)
    assert parses == [removed.name]


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "not json", "empty", "another parser", "format 1",
                                    "nested too deep"])
def test_a_damaged_cache_is_ignored_and_written_again(knowledge, parses, damage, monkeypatch):
    expected = build_knowledge(knowledge, strict=True).guides
    target = cache_file(knowledge)
    data = bytearray(target.read_bytes())
    if damage == "flip a byte":
        data[-40] ^= 0x01  # inside a passage's text: still JSON, but not what was written
        target.write_bytes(bytes(data))
    elif damage == "truncate":
        target.write_bytes(bytes(data[: len(data) // 2]))
    elif damage == "not json":
        target.write_bytes(b"{not json\n[]")
    elif damage == "empty":
        target.write_bytes(b"")
    elif damage == "format 1":  # the earlier layout (all entries as one JSON object) under its own header
        head, _, body = bytes(data).partition(b"\n")
        entries = {key: json.loads(raw) for key, raw in parsed.entries_of(body).items()}
        old_body = json.dumps(entries).encode()
        header = {**json.loads(head), "format": 1, "sha256": hashlib.sha256(old_body).hexdigest()}
        target.write_bytes(json.dumps(header).encode() + b"\n" + old_body)
    elif damage == "nested too deep":  # under a valid checksum: json.loads raises RecursionError
        head, _, body = bytes(data).partition(b"\n")
        entries = parsed.entries_of(body)
        entries = {key: b"[" * 100_000 + b"]" * 100_000 for key in entries}
        new_body = parsed.body_of(entries)
        header = {**json.loads(head), "sha256": hashlib.sha256(new_body).hexdigest()}
        target.write_bytes(json.dumps(header).encode() + b"\n" + new_body)
    else:
        monkeypatch.setattr(parsed, "parser_identity", lambda: "a different parser")
    parses.clear()
    kb = build_knowledge(knowledge, strict=True)
    assert sorted(parses) == [p.name for p in guide_files(knowledge)]  # every guide parsed again
    assert kb.guides == expected == fresh(knowledge)
    parses.clear()
    build_knowledge(knowledge, strict=True)
    assert parses == []  # repaired on disk


def saved_entries(knowledge) -> dict:
    """The cache's entries, decoded (key -> entry)."""
    body = cache_file(knowledge).read_bytes().partition(b"\n")[2]
    return {key: json.loads(raw) for key, raw in parsed.entries_of(body).items()}


def save_entries(knowledge, entries: dict) -> None:
    """Write `entries` back under a header whose checksum matches, as something other than careerbot might."""
    target = cache_file(knowledge)
    header = json.loads(target.read_bytes().partition(b"\n")[0])
    body = parsed.body_of({key: json.dumps(entry).encode() for key, entry in entries.items()})
    header["sha256"] = hashlib.sha256(body).hexdigest()
    target.write_bytes(json.dumps(header).encode() + b"\n" + body)


def test_an_entry_of_the_wrong_shape_is_parsed_again(knowledge, parses):
    """Even an entry under a valid checksum (written by something else) is checked before it is used."""
    expected = build_knowledge(knowledge, strict=True).guides
    entries = saved_entries(knowledge)
    broken, bad_text, bad_line, bad_words = list(entries)[:4]
    entries[broken]["sections"][0] = ["x#y", "heading"]  # too few fields
    entries[bad_text]["sections"][0][4] = [12]  # a passage that is not text
    entries[bad_line]["sections"][0][3] = "12"  # a line that is not a number
    entries[bad_words]["words"][1]["python"] = "many"  # a count that is not a number
    save_entries(knowledge, entries)
    parses.clear()
    kb = build_knowledge(knowledge, strict=True)
    assert len(parses) == 4
    assert kb.guides == expected and kb.guides.word_counts() == fresh(knowledge).word_counts()


@pytest.mark.parametrize("how", ["a text where the passages' list goes", "a section of another guide"])
def test_an_entry_that_would_put_other_text_in_answers_is_parsed_again(knowledge, parses, how):
    expected = build_knowledge(knowledge, strict=True).guides
    entries = saved_entries(knowledge)
    first, second = list(entries)[:2]
    if how == "a text where the passages' list goes":
        entries[first]["sections"][0][4] = "Injected: pay $500 to get hired"  # would be 31 one-letter passages
    else:
        entries[first]["sections"][0][0] = entries[second]["sections"][0][0]
    save_entries(knowledge, entries)
    parses.clear()
    kb = build_knowledge(knowledge, strict=True)
    assert len(parses) == 1 and kb.guides == expected


@pytest.mark.parametrize("how", ["a file where the folder goes", "writes refused"])
def test_a_folder_that_cannot_be_written_still_serves(knowledge, parses, how, monkeypatch):
    if how == "a file where the folder goes":
        (knowledge / ".index").write_text("not a folder", encoding="utf-8")
    else:
        def refuse(*args, **kwargs):
            raise PermissionError(13, "Read-only file system")

        monkeypatch.setattr(checked_json.os, "replace", refuse)  # where the cache is written
    first = build_knowledge(knowledge, strict=True)
    second = build_knowledge(knowledge, strict=True)
    assert len(parses) == 2 * len(guide_files(knowledge))  # parsed each time, nothing saved
    assert first.guides == second.guides == fresh(knowledge)
    assert not cache_file(knowledge).exists()
    if how == "writes refused":
        assert [p.name for p in (knowledge / ".index").iterdir() if not p.is_dir()] == []  # no temporary left


def test_a_broken_guide_is_reported_every_time_and_never_cached(knowledge, parses):
    (knowledge / "guides" / "broken.md").write_text("---\ntitle: [unclosed\n---\n\ntext\n", encoding="utf-8")
    first = build_knowledge(knowledge, strict=False)
    second = build_knowledge(knowledge, strict=False)
    assert any("broken.md" in w for w in first.warnings) and first.warnings == second.warnings
    assert parses.count("broken.md") == 2


def test_the_cache_is_plain_json_keyed_by_name_and_text(knowledge):
    build_knowledge(knowledge, strict=True)
    head, _, body = cache_file(knowledge).read_bytes().partition(b"\n")
    header = json.loads(head)
    assert header["format"] == parsed.CACHE_FORMAT and header["parser"] == parsed.parser_identity()
    assert header["sha256"] == hashlib.sha256(body).hexdigest()
    guide = guide_files(knowledge)[0]
    entries = parsed.entries_of(body)
    assert parsed.file_key(guide, guide.read_text(encoding="utf-8")) in entries
    assert all(isinstance(json.loads(raw), dict) for raw in entries.values())  # each entry plain JSON


def test_headings_are_found_by_commonmark_s_block_structure():
    """The parser skips markdown-it's inline rules: the headings are those of a full CommonMark parse."""
    from markdown_it import MarkdownIt

    from bot.knowledge.guides import _md_headings

    full = MarkdownIt("commonmark")
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO_KNOWLEDGE / "guides").glob("*.md"))]
    texts.append("# A *b* `c` [d](e) #\n\n## &amp; x \\# y ##\n\n```\n# not\n```\n\n    # code\n\nSetext\n===\n\n"
                 "> # quoted\n\n- # in list\n\n#no space\n\n###### six ######\n")
    for text in texts:
        tokens = full.parse(text)
        expected = {t.map[0]: (int(t.tag[1:]), tokens[i + 1].content.strip()) for i, t in enumerate(tokens)
                    if t.type == "heading_open" and t.markup.startswith("#") and t.map}
        assert _md_headings(text.split("\n")) == expected and expected


def test_garbage_collection_is_as_it_was_after_a_build(knowledge):
    import gc

    from bot.errors import KnowledgeError

    assert gc.isenabled()
    build_knowledge(knowledge, strict=True)
    assert gc.isenabled()
    (knowledge / "guides" / "broken.md").write_text("", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        build_knowledge(knowledge, strict=True)  # a refused reload, too
    assert gc.isenabled()
    gc.disable()
    try:
        build_knowledge(knowledge, strict=False)
        assert not gc.isenabled()  # not turned on behind the caller's back
    finally:
        gc.enable()
