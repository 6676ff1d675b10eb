"""The roadmap: ordered stages of becoming an ML engineer, each with checklist items.

`load_roadmap(path, section_ids)` reads `knowledge/roadmap.yaml` and validates it against the guides'
section ids. It either returns a complete `Roadmap` or raises `KnowledgeError` listing every problem
with its file and line (taken from the YAML node marks), so a reload never half-succeeds.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.errors import KnowledgeError, Problem

ItemKind = Literal["read", "task"]
ITEM_KINDS: tuple[str, ...] = ("read", "task")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_MAX = 64
TITLE_MAX = 200
SUMMARY_MAX = 300
_TOP_KEYS = {"version": False, "title": False, "stages": True}
_STAGE_KEYS = {"id": True, "title": True, "summary": True, "items": True}
_ITEM_KEYS = {"id": True, "kind": True, "title": True, "section": False, "note": False}


@dataclass(frozen=True)
class Item:
    id: str
    kind: ItemKind
    title: str
    stage_id: str
    section: str | None = None  # for "read": the section to read; for "task": where the guides describe it
    note: str | None = None


@dataclass(frozen=True)
class Stage:
    id: str
    number: int  # 1-based position in the roadmap
    title: str
    summary: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Roadmap:
    title: str
    stages: tuple[Stage, ...]
    path: str = ""
    items: dict[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", {i.id: i for s in self.stages for i in s.items})

    def item(self, item_id: str) -> Item | None:
        return self.items.get(item_id)

    def stage(self, ref: str | int) -> Stage | None:
        """A stage by its 1-based number ("3" or 3) or its id."""
        text = str(ref).strip()
        if text.isascii() and text.isdigit():
            n = int(text)
            return self.stages[n - 1] if 1 <= n <= len(self.stages) else None
        return next((s for s in self.stages if s.id == text), None)

    def stage_of(self, item_id: str) -> Stage | None:
        item = self.items.get(item_id)
        return None if item is None else self.stage(item.stage_id)

    @property
    def all_items(self) -> tuple[Item, ...]:
        return tuple(i for s in self.stages for i in s.items)


def load_roadmap(path: Path, section_ids: set[str]) -> Roadmap:
    """Read and validate a roadmap file; raise KnowledgeError naming the file and entry of each problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError([Problem(str(path), 0, "the roadmap file does not exist")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError([Problem(str(path), 0, f"cannot read the roadmap ({exc})")]) from None
    return parse_roadmap(text, section_ids, str(path))


def parse_roadmap(text: str, section_ids: set[str], path: str = "roadmap.yaml") -> Roadmap:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or "invalid YAML"
        line = mark.line + 1 if mark is not None else 0
        raise KnowledgeError([Problem(path, line, f"invalid YAML ({reason})")]) from None
    checker = _Checker(path, section_ids)
    roadmap = checker.roadmap(root)
    if checker.problems or roadmap is None:
        raise KnowledgeError(checker.problems or [Problem(path, 0, "the roadmap is empty")])
    return roadmap


def _label(kind: str, number: int, node: Node) -> str:
    """How problems name an entry: by its id when it has a valid one, else by its position."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == "id" and isinstance(value, ScalarNode):
                if ID_PATTERN.match(value.value) and len(value.value) <= ID_MAX:
                    return f"{kind} {value.value!r}"
    return f"{kind} {number}"


class _Checker:
    """Walks the YAML node tree, building the roadmap and collecting every problem on the way."""

    def __init__(self, path: str, section_ids: set[str]):
        self.path = path
        self.section_ids = section_ids
        self.problems: list[Problem] = []
        self.stage_ids: set[str] = set()
        self.item_ids: dict[str, str] = {}

    def add(self, node: Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 0
        self.problems.append(Problem(self.path, line, message))

    def roadmap(self, root: Node | None) -> Roadmap | None:
        fields = self.mapping(root, "the roadmap", _TOP_KEYS)
        if fields is None:
            return None
        if "version" in fields:
            version = fields["version"]
            if not (isinstance(version, ScalarNode) and version.value == "1"):
                self.add(version, "the roadmap: version must be 1")
        title = self.text(fields.get("title"), "the roadmap", "title", TITLE_MAX) if "title" in fields else None
        stages_node = fields.get("stages")
        if stages_node is None:
            return None
        if not isinstance(stages_node, SequenceNode) or not stages_node.value:
            self.add(stages_node, "the roadmap: stages must be a non-empty list")
            return None
        stages = [self.stage(node, n) for n, node in enumerate(stages_node.value, start=1)]
        if any(s is None for s in stages):
            return None
        return Roadmap(title or "Roadmap", tuple(s for s in stages if s is not None), self.path)

    def stage(self, node: Node, number: int) -> Stage | None:
        where = _label("stage", number, node)
        fields = self.mapping(node, where, _STAGE_KEYS)
        if fields is None:
            return None
        stage_id = self.identifier(fields.get("id"), where)
        if stage_id is not None:
            if stage_id in self.stage_ids:
                self.add(fields["id"], f"{where}: duplicate stage id {stage_id!r}")
            self.stage_ids.add(stage_id)
        title = self.text(fields.get("title"), where, "title", TITLE_MAX)
        summary = self.text(fields.get("summary"), where, "summary", SUMMARY_MAX)
        items_node = fields.get("items")
        items: list[Item | None] = []
        if isinstance(items_node, SequenceNode) and items_node.value:
            items = [self.item(child, n, where, stage_id or "") for n, child in enumerate(items_node.value, 1)]
        elif items_node is not None:
            self.add(items_node, f"{where}: items must be a non-empty list")
        if stage_id is None or title is None or summary is None or not items or None in items:
            return None
        return Stage(stage_id, number, title, summary, tuple(i for i in items if i is not None))

    def item(self, node: Node, number: int, stage_where: str, stage_id: str) -> Item | None:
        where = f"{_label('item', number, node)} in {stage_where}"
        fields = self.mapping(node, where, _ITEM_KEYS)
        if fields is None:
            return None
        item_id = self.identifier(fields.get("id"), where)
        if item_id is not None:
            if item_id in self.item_ids:
                first = self.item_ids[item_id]
                self.add(fields["id"], f"{where}: duplicate item id {item_id!r}, already used in {first}")
            else:
                self.item_ids[item_id] = stage_where
        kind = self.text(fields.get("kind"), where, "kind", 10)
        if kind is not None and kind not in ITEM_KINDS:
            self.add(fields["kind"], f"{where}: kind must be one of {', '.join(ITEM_KINDS)}, not {kind!r}")
            kind = None
        title = self.text(fields.get("title"), where, "title", TITLE_MAX)
        note = self.text(fields["note"], where, "note", SUMMARY_MAX) if "note" in fields else None
        section = self.section(fields.get("section"), where) if "section" in fields else None
        if kind == "read" and "section" not in fields:
            self.add(node, f"{where}: a read item needs `section:` with a guide section id")
        if item_id is None or kind is None or title is None or (kind == "read" and section is None):
            return None
        return Item(item_id, kind, title, stage_id, section, note)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ scalars and mappings

    def mapping(self, node: Node | None, where: str, keys: dict[str, bool]) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.add(node, f"{where} must be a mapping of `key: value` lines")
            return None
        fields: dict[str, Node] = {}
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key in fields:
                self.add(key_node, f"{where}: duplicate key {key!r}")
            elif key not in keys:
                self.add(key_node, f"{where}: unknown key {key!r}; allowed: {', '.join(keys)}")
            else:
                fields[key] = value
        for key, required in keys.items():
            if required and key not in fields:
                self.add(node, f"{where}: missing `{key}:`")
        return fields

    def text(self, node: Node | None, where: str, key: str, max_length: int) -> str | None:
        if node is None:
            return None
        if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:null" or not node.value.strip():
            self.add(node, f"{where}: {key} must be a non-empty piece of text")
            return None
        value = " ".join(node.value.split())
        if len(value) > max_length:
            self.add(node, f"{where}: {key} is {len(value)} characters; keep it under {max_length}")
            return None
        return value

    def identifier(self, node: Node | None, where: str) -> str | None:
        value = self.text(node, where, "id", ID_MAX)
        if value is not None and not ID_PATTERN.match(value):
            self.add(node, f"{where}: id {value!r} must be lower-case letters and digits joined by single dashes")
            return None
        return value

    def section(self, node: Node | None, where: str) -> str | None:
        value = self.text(node, where, "section", 300)
        if value is None or value in self.section_ids:
            return value
        close = difflib.get_close_matches(value, sorted(self.section_ids), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.add(node, f"{where}: unknown guide section {value!r}{hint}")
        return None
