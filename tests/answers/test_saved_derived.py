"""Data derived for answers and saved beside the knowledge (`<knowledge>/.index/`): the English list's words
and everyday table (english_list.py) and the heading matcher's n-gram counts (ranking.py). Unchanged:
read back, equal to what is made afresh; changed, damaged or of the wrong shape: made again; a folder
that can't be written: still served."""
import json
import shutil
from pathlib import Path

import pytest

from bot.answers import english_list, ranking
from bot.answers.english_list import english, from_spellchecker, load_english_list
from bot.knowledge.checked_json import write_checked
from bot.knowledge.store import build_knowledge


@pytest.fixture(scope="module")
def fresh_english():
    return from_spellchecker()


@pytest.fixture
def made(monkeypatch):
    """How often the English list was made from pyspellchecker (not read back)."""
    calls: list[int] = []
    original = english_list.from_spellchecker

    def counting():
        calls.append(1)
        return original()

    monkeypatch.setattr(english_list, "from_spellchecker", counting)
    return calls


def english_file(folder: Path) -> Path:
    return folder / ".index" / english_list.CACHE_FILE


def test_the_english_list_is_read_back_unchanged_and_equal(tmp_path, made, fresh_english):
    first = load_english_list(tmp_path)
    assert made == [1] and english_file(tmp_path).is_file()
    second = load_english_list(tmp_path)
    assert made == [1]  # read back, not made again
    assert second == first == fresh_english
    assert list(second.everyday.items()) == list(fresh_english.everyday.items())  # the floats to the bit
    checker = english()
    for word in ["internship", "chance", "oversaturated", "kaggke", "positon", "python", "infinity", "nan",
                 "xyzzyq", "matter", "degree"]:
        assert second.known(word) == bool(checker.known([word]))


def test_the_english_list_is_made_again_for_another_source(tmp_path, made, monkeypatch):
    load_english_list(tmp_path)
    monkeypatch.setattr(english_list, "source_identity", lambda: "another list or another stemmer")
    load_english_list(tmp_path)
    assert made == [1, 1]
    header = json.loads(english_file(tmp_path).read_bytes().partition(b"\n")[0])
    assert header["identity"] == "another list or another stemmer"  # saved again for what it is made from now


@pytest.mark.parametrize("damage", ["flip", "cut", "empty", "header", "shape", "floats"])
def test_a_damaged_english_list_is_made_again(tmp_path, made, fresh_english, damage):
    load_english_list(tmp_path)
    path = english_file(tmp_path)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
    elif damage == "cut":
        path.write_bytes(bytes(data[: len(data) - 100]))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "header":
        path.write_bytes(b"not json\n" + bytes(data).partition(b"\n")[2])
    elif damage == "shape":  # a valid checksum over the wrong shape
        write_checked(path, english_list.CACHE_FORMAT, english_list.source_identity(), {"words": ["a"], "everyday": []})
    else:
        write_checked(path, english_list.CACHE_FORMAT, english_list.source_identity(),
                      {"words": "a\nb", "everyday": [["go", "6.1"]]})
    again = load_english_list(tmp_path)
    assert made == [1, 1]
    assert again == fresh_english
    assert load_english_list(tmp_path) == fresh_english and made == [1, 1]  # saved whole again


def test_an_unwritable_folder_still_serves_the_english_list(tmp_path, made, fresh_english):
    (tmp_path / ".index").write_text("a file where the folder would be")  # nothing can be saved under it
    assert load_english_list(tmp_path) == fresh_english
    assert load_english_list(tmp_path) == fresh_english
    assert made == [1, 1]


# ------------------------------------------------------------------ the heading matcher's n-gram counts

@pytest.fixture
def counted(monkeypatch):
    """How often the headings' n-grams were counted (not read back)."""
    calls: list[int] = []
    original = ranking._df

    def counting(headings):
        calls.append(len(headings))
        return original(headings)

    monkeypatch.setattr(ranking, "_df", counting)
    return calls


def df_file(knowledge: Path) -> Path:
    return knowledge / ".index" / ranking.HEADING_DF_FILE


def unsaved_idf(kb) -> dict[str, float]:
    """The IDF as made without any saved counts."""
    return ranking.HeadingMatcher(type(kb)(kb.guides, kb.index)).idf  # a snapshot of no folder


def test_heading_counts_are_read_back_unchanged_and_equal(knowledge, counted):
    kb = build_knowledge(knowledge, strict=True)
    first = ranking.HeadingMatcher(kb)
    assert len(counted) == 1 and df_file(knowledge).is_file()
    second = ranking.HeadingMatcher(build_knowledge(knowledge, strict=True))
    assert len(counted) == 1  # read back
    assert list(second.idf.items()) == list(first.idf.items()) == list(unsaved_idf(kb).items())
    assert second.default_idf == first.default_idf
    question = second.vector("what does an ML engineer do?")
    for sid in list(kb.guides.sections)[:20]:
        assert second.similarity(question, sid) == first.similarity(question, sid)


def test_changed_headings_are_counted_again(knowledge, counted):
    ranking.HeadingMatcher(build_knowledge(knowledge, strict=True))
    guide = sorted((knowledge / "guides").glob("*.md"))[0]
    text = guide.read_text(encoding="utf-8")
    heading = next(line for line in text.splitlines() if line.startswith("## "))
    guide.write_text(text.replace(heading, heading + " and a brand new zebra heading", 1), encoding="utf-8")
    kb = build_knowledge(knowledge, strict=True)
    matcher = ranking.HeadingMatcher(kb)
    assert len(counted) == 2  # counted again
    assert matcher.idf == unsaved_idf(kb) and " zebr" in matcher.idf
    ranking.HeadingMatcher(kb)
    assert len(counted) == 3  # the new counts were saved: read back (the 3rd count is `unsaved_idf`'s)


@pytest.mark.parametrize("damage", ["flip", "cut", "shape", "negative"])
def test_damaged_heading_counts_are_counted_again(knowledge, counted, damage):
    kb = build_knowledge(knowledge, strict=True)
    ranking.HeadingMatcher(kb)
    path = df_file(knowledge)
    data = bytearray(path.read_bytes())
    identity = json.loads(bytes(data).partition(b"\n")[0])["identity"]
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
    elif damage == "cut":
        path.write_bytes(bytes(data[:-10]))
    elif damage == "shape":
        write_checked(path, ranking.HEADING_DF_FORMAT, identity, {"ngram": 3})
    else:
        write_checked(path, ranking.HEADING_DF_FORMAT, identity, [[" ml", -1]])
    matcher = ranking.HeadingMatcher(kb)
    assert len(counted) == 2
    assert matcher.idf == unsaved_idf(kb)


def test_an_unwritable_folder_still_serves_heading_matches(knowledge, counted):
    kb = build_knowledge(knowledge, strict=True)
    shutil.rmtree(knowledge / ".index")
    (knowledge / ".index").write_text("a file where the folder would be")
    matcher = ranking.HeadingMatcher(kb)
    assert matcher.idf == unsaved_idf(kb)
    ranking.HeadingMatcher(kb)
    assert len(counted) == 3  # nothing saved, nothing read back, still served
