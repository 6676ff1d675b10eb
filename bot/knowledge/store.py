"""The knowledge snapshot (guides + search index + roadmap) and the store that swaps it on reload.

A snapshot is immutable once built. `KnowledgeStore.reload()` builds a complete new snapshot and only
then replaces the current one in a single assignment, so readers see the old knowledge or the new,
never a half-built index; if building fails, the old snapshot keeps serving and the error says why.
"""
from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional, TypeVar

from bot.errors import KnowledgeError, Problem
from bot.knowledge.folder import check_guides, load_guides, too_big
from bot.knowledge.guides import MAX_GUIDE_BYTES, Guide, GuideSet, Passage, Section, parse_guide, read_text
from bot.knowledge.parsed import GuideCache
from bot.knowledge.roadmap import Roadmap
from bot.search.analysis import Analyser, analyser_for, current
from bot.search.analysis import install as serve_vocabulary
from bot.search.index import SearchIndex
from bot.search.saved_index import index_for
from bot.search.vocabulary import vocabulary_of


def passage_index_text(section: Section, passage: Passage) -> str:
    """What the index sees for a passage: its section heading (and parent heading) plus its own words."""
    heading = f"{section.parent_heading or ''} {section.heading}"
    return f"{heading}\n{passage.text if passage.indexed is None else passage.indexed}"


@dataclass(frozen=True)
class Knowledge:
    guides: GuideSet
    index: SearchIndex
    roadmap: Roadmap | None = None
    loaded_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    loaded_by: str | None = None
    warnings: tuple[str, ...] = ()
    version: int | None = None  # the shared knowledge version this was built for (None: not known)
    analyser: Analyser = field(default_factory=current)  # the vocabulary the index was built with
    folder: Path | None = field(default=None, compare=False)  # the knowledge folder it was built from, if any

    @property
    def passages(self) -> tuple[Passage, ...]:
        return self.guides.passages

    def section_of(self, passage: Passage) -> Section:
        return self.guides.sections[passage.section_id]


RoadmapLoader = Callable[[Path, set[str]], Roadmap]


T = TypeVar("T")
ROADMAP_MISSING = "the roadmap file is missing; put roadmap.yaml back in the knowledge folder"


Changes = Mapping[str, Optional[str]]  # guide file name -> its text, or None: removed


def once_per_snapshot(cache: dict[int, T], kb: Knowledge, build: Callable[[Knowledge], T]) -> T:
    """`build(kb)`, made once per knowledge snapshot and dropped from `cache` with the snapshot."""
    key = id(kb)
    found = cache.get(key)
    if found is None:
        found = cache[key] = build(kb)
        weakref.finalize(kb, cache.pop, key, None)
    return found


def with_changes(guides: list[Guide], problems: list[Problem], changes: Changes, guides_dir: Path,
                 max_bytes: int) -> tuple[list[Guide], list[Problem]]:
    """The folder's guides with moderators' changes applied by file name: a changed file's text replaces the
    folder's (or adds a guide), a removed one leaves it out, along with any problem it had. Changed texts
    are checked as the folder's files are, ids must stay unique; the guides come out in file-name order."""
    kept = [g for g in guides if Path(g.path).name not in changes]
    problems = [p for p in problems if Path(p.path).name not in changes
                and not (p.path == str(guides_dir) and any(t is not None for t in changes.values()))]
    for name, text in changes.items():
        if text is None:
            continue
        path = guides_dir / name
        data = text.encode("utf-8", "surrogatepass")
        try:
            if len(data) > max_bytes:
                raise KnowledgeError([Problem(str(path), 0, too_big(len(data), max_bytes))])
            kept.append(parse_guide(path, read_text(path, raw=data)))
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    kept.sort(key=lambda g: Path(g.path).name)
    unique: list[Guide] = []
    seen: dict[str, str] = {}
    for guide in kept:
        if guide.id in seen:
            problems.append(Problem(str(guide.path), 0, f"duplicate guide id {guide.id!r}, already used by "
                                                        f"{Path(seen[guide.id]).name}; give one a new id"))
            continue
        seen[guide.id] = guide.path
        unique.append(guide)
    problems.sort(key=lambda p: p.path)
    return unique, problems


@contextmanager
def gc_paused() -> Iterator[None]:
    """Cyclic garbage collection off meanwhile (and as it was, after): building 200,000 sections and
    passages (parsed or read back) otherwise triggers collections that scan everything built so far again
    and again (about two thirds of the time at 100k passages), while none of it is garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _guides(knowledge_dir: Path, guides_dir: Path, *, strict: bool, max_guide_bytes: int,
            changes: Changes | None) -> tuple[GuideSet, tuple[str, ...]]:
    """The guides `build_knowledge` serves, and the warnings about files left out."""
    cache = GuideCache(knowledge_dir)  # guides parsed before, by file name and text (saved in knowledge_dir/.index)
    try:
        if changes:
            good, problems = with_changes(*check_guides(guides_dir, root=knowledge_dir, max_bytes=max_guide_bytes,
                                                        cache=cache), changes, guides_dir, max_guide_bytes)
            if problems and (strict or not good):
                raise KnowledgeError(problems)
            return GuideSet.of(good), tuple(str(p) for p in problems)
        if not strict:
            good, problems = check_guides(guides_dir, root=knowledge_dir, max_bytes=max_guide_bytes, cache=cache)
            if problems and not good:
                raise KnowledgeError(problems)
            return GuideSet.of(good), tuple(str(p) for p in problems)
        return load_guides(guides_dir, root=knowledge_dir, max_bytes=max_guide_bytes, cache=cache), ()
    finally:
        cache.save()


def build_knowledge(knowledge_dir: Path, *, strict: bool = True, roadmap_loader: Optional[RoadmapLoader] = None,
                    loaded_by: str | None = None, max_guide_bytes: int = MAX_GUIDE_BYTES,
                    changes: Changes | None = None) -> Knowledge:
    """Load guides (and the roadmap, when a loader is given), and index every passage.

    `strict`: any problem raises KnowledgeError (a reload), a missing roadmap.yaml too. Not strict
    (start-up): broken guide files are skipped and a broken or missing roadmap left out, each reported in
    `warnings`, so the bot still starts. Guide files past `max_guide_bytes`, and links in guides/ that lead
    out of `knowledge_dir`, are broken files. `changes` (moderators' changes kept in the database, see
    `with_changes`) are applied over the folder's guides and checked the same way.
    """
    knowledge_dir = Path(knowledge_dir)
    guides_dir = knowledge_dir / "guides"
    with gc_paused():
        guides, warnings = _guides(knowledge_dir, guides_dir, strict=strict, max_guide_bytes=max_guide_bytes,
                                   changes=changes)
    vocabulary, vocabulary_warnings = vocabulary_of(knowledge_dir, strict=strict)
    warnings += vocabulary_warnings
    analyser = analyser_for(vocabulary)
    index = index_for(knowledge_dir,  # saved in knowledge_dir/.index: unchanged knowledge is not re-indexed
                      lambda: (passage_index_text(guides.sections[p.section_id], p) for p in guides.passages), analyser)
    roadmap: Roadmap | None = None
    roadmap_path = knowledge_dir / "roadmap.yaml"
    if roadmap_loader is not None:
        try:
            if not roadmap_path.is_file():  # a reload must not quietly drop the roadmap members are following
                raise KnowledgeError([Problem(str(roadmap_path), 0, ROADMAP_MISSING)])
            roadmap = roadmap_loader(roadmap_path, guides.section_ids)
        except KnowledgeError as exc:
            if strict:
                raise
            warnings += tuple(str(p) for p in exc.problems)  # start without a roadmap rather than not at all
    return Knowledge(guides, index, roadmap, loaded_by=loaded_by, warnings=warnings, analyser=analyser,
                     folder=knowledge_dir)


class KnowledgeStore:
    """Holds the current snapshot; `reload` is all-or-nothing and safe to call from a worker thread."""

    def __init__(self, knowledge_dir: Path, roadmap_loader: Optional[RoadmapLoader] = None,
                 max_guide_bytes: int = MAX_GUIDE_BYTES):
        self.knowledge_dir = Path(knowledge_dir)
        self.roadmap_loader = roadmap_loader
        self.max_guide_bytes = max_guide_bytes
        self.changes: Changes = {}  # moderators' changes the current knowledge was built with
        self._current: Knowledge | None = None
        self._lock = threading.Lock()

    @property
    def current(self) -> Knowledge:
        if self._current is None:
            self.load_initial()
        assert self._current is not None
        return self._current

    def load_initial(self) -> Knowledge:
        """First load: skips broken guide files (reported in `warnings`) so the bot still starts."""
        with self._lock:
            if self._current is None:
                self._serve(build_knowledge(self.knowledge_dir, strict=False, roadmap_loader=self.roadmap_loader,
                                            max_guide_bytes=self.max_guide_bytes, changes=self.changes))
            assert self._current is not None
            return self._current

    def reload(self, loaded_by: str | None = None, *, changes: Changes | None = None, install: bool = True) -> Knowledge:
        """Rebuild everything strictly (with `changes`, else the ones in use); on any problem raise
        KnowledgeError and keep the old snapshot. `install=False` only builds: `install()` swaps it in later."""
        with self._lock:
            changes = self.changes if changes is None else changes
            fresh = build_knowledge(self.knowledge_dir, strict=True, roadmap_loader=self.roadmap_loader,
                                    loaded_by=loaded_by, max_guide_bytes=self.max_guide_bytes, changes=changes)
            if install:
                self._serve(fresh)
                self.changes = changes
            return fresh

    def install(self, knowledge: Knowledge, changes: Changes | None = None) -> None:
        """Serve `knowledge` (built by `reload(install=False)` from `changes`), in one assignment."""
        with self._lock:
            self._serve(knowledge)
            if changes is not None:
                self.changes = changes

    def _serve(self, knowledge: Knowledge) -> None:
        """Serve `knowledge`, and its vocabulary for every question from now on (callers hold the lock)."""
        self._current = knowledge
        serve_vocabulary(knowledge.analyser)
