"""The saved index: unchanged knowledge loads it, anything changed or damaged is rebuilt, never trusted."""
from pathlib import Path

import pytest

from bot.knowledge.store import build_knowledge
from bot.search import saved_index
from bot.search.index import SearchIndex

QUESTION = ["python", "portfolio", "interview"]


@pytest.fixture
def builds(monkeypatch):
    """Counts real index builds (a load from disk is not one)."""
    count = []
    original = SearchIndex.__init__

    def counting(self, *args, **kwargs):
        count.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "__init__", counting)
    return count


def hits(kb):
    return [(h.doc, round(h.score, 5)) for h in kb.index.search(QUESTION, 10)]


def saved_folder(knowledge: Path) -> Path:
    (folder,) = [p for p in (knowledge / ".index").iterdir() if p.is_dir()]
    return folder


def test_unchanged_knowledge_loads_the_saved_index(knowledge, builds):
    first = build_knowledge(knowledge, strict=True)
    second = build_knowledge(knowledge, strict=True)
    assert len(builds) == 1
    assert hits(second) == hits(first) and hits(first)
    assert second.index.vocab == first.index.vocab
    assert second.index.term_idf("python") == first.index.term_idf("python")
    assert not second.index.docs.flags.writeable  # served from the read-only memory-mapped files


def test_a_changed_guide_is_rebuilt(knowledge, builds):
    build_knowledge(knowledge, strict=True)
    old = saved_folder(knowledge)
    guide = next(g for g in sorted((knowledge / "guides").glob("*.md")) if "portfolio" in g.read_text(encoding="utf-8"))
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text.replace("portfolio", "zortfolio", 1), encoding="utf-8")  # same length, one letter
    kb = build_knowledge(knowledge, strict=True)
    assert len(builds) == 2
    assert kb.index.search(["zortfolio"], 1)
    assert saved_folder(knowledge) != old  # the old index is removed, the new one saved
    build_knowledge(knowledge, strict=True)
    assert len(builds) == 2


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "delete", "meta"])
def test_a_damaged_saved_index_is_rebuilt_and_saved_again(knowledge, builds, damage):
    expected = hits(build_knowledge(knowledge, strict=True))
    folder = saved_folder(knowledge)
    target = folder / ("meta.json" if damage == "meta" else "weights_data.npy")
    data = bytearray(target.read_bytes())
    if damage == "flip a byte":
        data[-5] ^= 0x40
        target.write_bytes(bytes(data))
    elif damage == "truncate":
        target.write_bytes(bytes(data[: len(data) // 2]))
    elif damage == "delete":
        target.unlink()
    else:
        target.write_text("{not json", encoding="utf-8")
    kb = build_knowledge(knowledge, strict=True)
    assert len(builds) == 2
    assert hits(kb) == expected
    build_knowledge(knowledge, strict=True)
    assert len(builds) == 2  # repaired on disk


def test_another_analyser_does_not_use_the_saved_index(knowledge, builds, monkeypatch):
    build_knowledge(knowledge, strict=True)
    monkeypatch.setattr(saved_index, "analyser_identity", lambda: b"a different analyser")
    build_knowledge(knowledge, strict=True)
    assert len(builds) == 2


def test_a_folder_that_cannot_be_written_still_serves(knowledge, builds, monkeypatch):
    def refuse(self, folder, key):
        raise PermissionError(13, "Read-only file system", str(folder))

    monkeypatch.setattr(SearchIndex, "save", refuse)
    first = build_knowledge(knowledge, strict=True)
    second = build_knowledge(knowledge, strict=True)
    assert len(builds) == 2 and hits(first) == hits(second) and hits(first)
    index_dir = knowledge / ".index"  # (the parsed guides, bot/knowledge/parsed.py, may be saved there)
    assert not index_dir.exists() or not any(p.is_dir() or p.suffix == ".npy" for p in index_dir.rglob("*"))


def test_an_empty_index_round_trips(tmp_path):
    SearchIndex([]).save(tmp_path / "i", "k")
    loaded = SearchIndex.load(tmp_path / "i", "k")
    assert loaded is not None and loaded.search(["x"], 3) == [] and loaded.n_docs == 0
    assert SearchIndex.load(tmp_path / "i", "other key") is None
