"""Load and validate the career guides in a knowledge folder.

A guide is a Markdown file with YAML front matter and `#` headings, or a plain `.txt` file whose first
line is its title and whose short title-like lines are headings. Each guide is split into sections
(stable id: `<guide-id>#<heading-slug>`) and each section into passages of at most 1,000 characters.
Reading a whole folder of them is `bot.knowledge.folder`.

Over 300 lines for a reason: parsing one guide is one job, and the checks against hostile input (front
matter that could blow up, links, sizes) sit beside the parsing they guard.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from bot.errors import KnowledgeError, Problem
from bot.knowledge.passages import MAX_PASSAGE_CHARS, split_passages

GUIDE_SUFFIXES = (".md", ".txt")
MAX_GUIDE_BYTES = 256 * 1024  # the default size limit for a guide file (settings: MAX_GUIDE_BYTES), /kb add's too
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
FRONT_MATTER_KEYS = {"id", "title", "author", "publisher", "url", "date", "tags"}
FRONT_MATTER_VALUE_CHARS = 1000  # longest front matter value (a title, an author, a url)
FRONT_MATTER_DEPTH = 2  # `key: value` lines, and a list such as `tags: [a, b]`
INTRO_SLUG = "introduction"
LEAD_IN_CHARS = 300  # a section with subsections and no more own text than this lists their headings
_AD_LINE = re.compile(r"^\s*\d{2,4}\s*[*x×]\s*\d{2,4}\s*ad\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+\))\s+")


@dataclass(frozen=True)
class Passage:
    id: str  # "<section id>:<n>"
    guide_id: str
    section_id: str
    text: str
    indexed: str | None = None  # what search sees, when not `text` (a lead-in's own words, without its contents)


@dataclass(frozen=True)
class Section:
    id: str
    guide_id: str
    guide_title: str
    heading: str
    parent_heading: str | None
    url: str | None
    line: int
    passages: tuple[Passage, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.passages)


@dataclass(frozen=True)
class Guide:
    id: str
    title: str
    path: str
    author: str | None = None
    publisher: str | None = None
    url: str | None = None
    date: str | None = None
    sections: tuple[Section, ...] = ()
    # how often each word occurs in its headings and in its passages (`guide_words`), when already counted
    # (read back with the parsed guides, bot/knowledge/parsed.py); not part of what the guide is
    words: tuple[dict[str, int], dict[str, int]] | None = field(default=None, compare=False, repr=False)


_NOT_A_TO_Z = bytes(c if 97 <= c <= 122 else 32 for c in range(256))  # bytes.translate: a-z kept, the rest spaces
WORD_CHUNK = 500  # texts counted per pass: short C-speed passes, so other threads get to run


def count_words(texts: Iterable[str]) -> Counter[str]:
    """How often each word occurs: the runs of a-z in the lower-cased texts (what `[A-Za-z]+` finds there),
    first seen first, found with C string methods (anything else, a non-ASCII letter too, separates)."""
    items = list(texts)
    counts: Counter[bytes] = Counter()
    for start in range(0, len(items), WORD_CHUNK):
        counts.update(" ".join(items[start:start + WORD_CHUNK]).lower().encode("ascii", "replace")
                      .translate(_NOT_A_TO_Z).split())
    return Counter({word.decode(): n for word, n in counts.items()})


def guide_words(guide: Guide) -> tuple[dict[str, int], dict[str, int]]:
    """The word counts of a guide's headings and of its passages' texts (`count_words`)."""
    if guide.words is not None:
        return guide.words
    return (dict(count_words(s.heading for s in guide.sections)),
            dict(count_words(p.text for s in guide.sections for p in s.passages)))


@dataclass(frozen=True)
class GuideSet:
    guides: tuple[Guide, ...]
    sections: dict[str, Section] = field(default_factory=dict)
    passages: tuple[Passage, ...] = ()

    @classmethod
    def of(cls, guides: list[Guide]) -> "GuideSet":
        ordered = tuple(sorted(guides, key=lambda g: g.id))
        sections = {s.id: s for g in ordered for s in g.sections}
        passages = tuple(p for s in sections.values() for p in s.passages)
        return cls(ordered, sections, passages)

    @property
    def section_ids(self) -> set[str]:
        return set(self.sections)

    def word_counts(self) -> Counter[str]:
        """How often each word occurs in every section heading, then every passage (`count_words` over the
        headings and then the passages, in order: the same counts, first seen first), from each guide's
        counts (saved with the parsed guides, so a restart doesn't count 100,000 passages again)."""
        headings: Counter[str] = Counter()
        texts: Counter[str] = Counter()
        for guide in self.guides:
            in_headings, in_texts = guide_words(guide)
            headings.update(in_headings)
            texts.update(in_texts)
        headings.update(texts)
        return headings

    def guide(self, guide_id: str) -> Guide | None:
        return next((g for g in self.guides if g.id == guide_id), None)


def slugify(text: str, max_length: int = 60, fallback: str = "section") -> str:
    """Lower-case ASCII letters and digits joined by single dashes (section ids, guide file names)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or fallback


# ---------------------------------------------------------------- reading a file

def read_text(path: Path, raw: bytes | None = None) -> str:
    """Decode a guide file, raising KnowledgeError for empty, binary or non-UTF-8 content."""
    data = path.read_bytes() if raw is None else raw
    if not data.strip():
        raise KnowledgeError([Problem(str(path), 0, "the file is empty; write the guide's text in it")])
    if b"\x00" in data[:8192]:
        raise KnowledgeError([Problem(str(path), 0, "this is a binary file, not a text guide; save it as UTF-8 .md or .txt")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KnowledgeError([Problem(str(path), line, "the text is not UTF-8; re-save the file as UTF-8")]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_guide(path: Path, text: str) -> Guide:
    """Parse one guide's text; `path` decides the format (.md or .txt) and names errors."""
    if path.suffix.lower() == ".md":
        meta, body, body_line = _front_matter(path, text)
    else:
        meta, body, body_line = {}, text, 1
    lines = body.split("\n")
    blocks = _md_blocks(lines) if path.suffix.lower() == ".md" else _txt_blocks(lines)
    title = meta.get("title")
    if title is not None and not isinstance(title, (str, int, float)):
        raise KnowledgeError([Problem(str(path), line_of(text, "title"),
                                      "title must be plain text, for example `title: How to become an ML engineer`")])
    if not title:
        first = next(((lvl, t, ln) for lvl, t, ln in blocks if lvl is not None), None)
        if first and (first[0] == 1 or path.suffix.lower() == ".txt"):
            title = first[1]
    if not title or not str(title).strip():
        raise KnowledgeError([Problem(str(path), 1,
                                      "the guide has no title: add `title:` to the front matter or a first line with the title")])
    title = str(title).strip()
    guide_id = str(meta.get("id") or slugify(path.stem, 80))
    if not ID_PATTERN.match(guide_id):
        raise KnowledgeError([Problem(str(path), 2, f"id {guide_id!r} must be lower-case letters, digits and dashes")])
    url = meta.get("url")
    guide = Guide(
        id=guide_id, title=title, path=str(path), url=url,
        author=_opt(meta.get("author")), publisher=_opt(meta.get("publisher")), date=_opt(meta.get("date")),
    )
    sections = _sections(guide, blocks, body_line)
    if not any(s.passages for s in sections):
        raise KnowledgeError([Problem(str(path), 0, "the guide has a title but no text under it")])
    return Guide(**{**guide.__dict__, "sections": tuple(s for s in sections if s.passages)})


def _opt(value) -> str | None:
    return None if value is None else str(value).strip() or None


def _front_matter(path: Path, text: str) -> tuple[dict, str, int]:
    if not text.startswith("---\n"):
        return {}, text, 1
    end = 3 if text.startswith("---\n---") else text.find("\n---", 4)  # an empty front matter is allowed
    if end < 0:
        raise KnowledgeError([Problem(str(path), 1,
                                      "the front matter starts with `---` but never ends; close it with a `---` line")])
    raw = text[4:end]
    try:
        _refuse_unsafe_yaml(path, raw)
        meta = _load_front_matter(path, raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "invalid YAML"
        raise KnowledgeError([Problem(str(path), line,
                                      f"invalid front matter ({reason}); check the quoting on this line")]) from None
    if not isinstance(meta, dict):
        raise KnowledgeError([Problem(str(path), 2, "the front matter must be `key: value` lines")])
    problems = []
    for key, value in meta.items():
        if key not in FRONT_MATTER_KEYS:
            allowed = ", ".join(sorted(FRONT_MATTER_KEYS))
            problems.append(Problem(str(path), line_of(text, str(key)),
                                    f"unknown front matter key {str(key)[:80]!r}; allowed: {allowed}"))
        elif key not in ("title", "tags") and isinstance(value, (dict, list)):
            problems.append(Problem(str(path), line_of(text, key),
                                    f"{key} must be plain text, for example `{key}: ...` on one line"))
    url = meta.get("url")
    if url is not None and not re.match(r"^https?://\S+$", str(url)):
        problems.append(Problem(str(path), line_of(text, "url"), "url must start with http:// or https://"))
    if problems:
        raise KnowledgeError(problems)
    body_start = text.find("\n", end + 1)
    body = text[body_start + 1:] if body_start >= 0 else ""
    return meta, body, text[: body_start + 1].count("\n") + 1


def _refuse_unsafe_yaml(path: Path, raw: str) -> None:
    """Refuse, before building any value, front matter that could grow far past its own size: anchors and
    aliases (`&a` / `*a`: a few hundred bytes of them expand to gigabytes), deep nesting, or a value longer
    than FRONT_MATTER_VALUE_CHARS. Reads YAML events only, which takes time and memory in proportion to
    the text; a syntax error is left to `yaml.safe_load` to report."""
    depth = 0
    for event in yaml.parse(raw, Loader=yaml.SafeLoader):
        line = (event.start_mark.line if event.start_mark else 0) + 2  # the front matter starts on the file's line 2
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise KnowledgeError([Problem(str(path), line, "front matter can't use YAML anchors or aliases "
                                                           "(`&name`, `*name`); write each value out in full")])
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > FRONT_MATTER_DEPTH:
                raise KnowledgeError([Problem(str(path), line, "front matter is nested too deeply; use plain "
                                                               "`key: value` lines (and a list only for tags)")])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent) and len(event.value) > FRONT_MATTER_VALUE_CHARS:
            raise KnowledgeError([Problem(str(path), line, f"this front matter value is {len(event.value):,} "
                                          f"characters; at most {FRONT_MATTER_VALUE_CHARS:,} are allowed")])


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a date stays the text it was written as (`date: 2020-02-30` is
    not an error, and `date:` is shown as written)."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _load_front_matter(path: Path, raw: str) -> dict | None:
    """The front matter's values, one `key: value` pair at a time, so that a value YAML can't build
    (`!!int 0x_`, `!!timestamp soon`) is reported at its own line instead of escaping as a ValueError."""
    loader = _FrontMatterLoader(raw)
    try:
        root = loader.get_single_node()
        if root is None:
            return {}
        if not isinstance(root, yaml.MappingNode):
            return None  # a list or a sentence: not `key: value` lines
        meta: dict = {}
        for key_node, value_node in root.value:
            try:
                key = loader.construct_object(key_node, deep=True)
                meta[key] = loader.construct_object(value_node, deep=True)
            except (ValueError, TypeError, AttributeError, OverflowError):
                raise KnowledgeError([Problem(str(path), key_node.start_mark.line + 2, "this front matter value "
                                              "can't be read; write it as plain text, without a `!!` tag")]) from None
        return meta
    finally:
        loader.dispose()


def line_of(text: str, key: str) -> int:
    """The line of `key:` in a guide's front matter; 0 (the whole file) when it has none, e.g. an id taken
    from the file name."""
    lines = text.split("\n")
    if not lines or lines[0] != "---":
        return 0
    for n, line in enumerate(lines[1:], start=2):
        if line.startswith("---"):
            break
        if line.startswith(f"{key}:"):
            return n
    return 0


# ---------------------------------------------------------------- blocks: (heading level | None, text, line)

Block = tuple[int | None, str, int]


@lru_cache(maxsize=1)
def _markdown():
    """CommonMark's block structure only: a heading's text is its inline token's `content`, which the block
    parser sets; the inline rules (emphasis, links, ...) would only parse it into children nobody reads.
    Made on first use, so a start that parses nothing (bot/knowledge/parsed.py) doesn't import markdown-it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").disable("inline")


def _md_headings(lines: list[str]) -> dict[int, tuple[int, str]]:
    """The (level, text) of every `#` heading, by line, as CommonMark reads the text (markdown-it-py): a `#`
    line inside a fenced or indented code block is code, not a heading."""
    tokens = _markdown().parse("\n".join(lines))
    return {token.map[0]: (int(token.tag[1:]), tokens[i + 1].content.strip())
            for i, token in enumerate(tokens)
            if token.type == "heading_open" and token.markup.startswith("#") and token.map}


def _md_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    start = 0
    headings = _md_headings(lines)
    for n, line in enumerate(lines):
        heading = headings.get(n)
        if heading or not line.strip():
            if para:
                blocks.append((None, "\n".join(para), start))
                para = []
            if heading:
                blocks.append((heading[0], heading[1], n))
            continue
        if not para:
            start = n
        para.append(line.rstrip())
    if para:
        blocks.append((None, "\n".join(para), start))
    return blocks


def _looks_like_heading(line: str, prev_blank: bool, next_blank: bool, after_list: bool = False) -> bool:
    """A short title-like line on its own: blank after it, and blank (or the end of a list) before it."""
    s = line.strip()
    if not ((prev_blank or after_list) and next_blank) or not s or len(s) > 90 or _BULLET.match(line):
        return False
    number = re.match(r"^(?:\d+[.)]|Step \d+:)\s", s)
    words = s[number.end():] if number else s
    if len(s.split()) > 12 or (s[-1] in ".,;!\"”)" and not number) or not (s[0].isupper() or s[0].isdigit()):
        return False
    return re.search(r"[.!?]\s", words) is None  # "Interviews are tough. They consist of:" is prose


def _txt_blocks(lines: list[str]) -> list[Block]:
    lines = ["" if _AD_LINE.match(line) else line for line in lines]
    blocks: list[Block] = []
    seen_title = False
    for n, line in enumerate(lines):
        if not line.strip():
            continue
        prev_blank = n == 0 or not lines[n - 1].strip()
        next_blank = n + 1 >= len(lines) or not lines[n + 1].strip()
        if not seen_title:
            blocks.append((1, line.strip(), n))
            seen_title = True
        elif _looks_like_heading(line, prev_blank, next_blank, n > 0 and _BULLET.match(lines[n - 1]) is not None):
            blocks.append((2, line.strip().rstrip(":").strip(), n))
        else:
            text = _BULLET.sub("- ", line.rstrip(), count=1) if _BULLET.match(line) else line.strip()
            if blocks and blocks[-1][0] is None and not prev_blank:
                blocks[-1] = (None, blocks[-1][1] + "\n" + text, blocks[-1][2])
            else:
                blocks.append((None, text, n))
    return blocks


def _with_contents(section: Section, children: list[Section]) -> Section:
    """A section whose own text only leads into its subsections ("Here are the characteristics of ...:")
    answers nothing when quoted alone, so its passage shows the subsections' headings after the lead-in.
    Search still sees only the lead-in: the subsections are indexed under their own headings already."""
    if not children or len(section.text) > LEAD_IN_CHARS:
        return section
    text = section.text
    for child in children:
        line = f"- {child.heading}"
        if len(text) + 1 + len(line) > MAX_PASSAGE_CHARS:
            break
        text = f"{text}\n{line}" if text else line
    return replace(section, passages=(Passage(f"{section.id}:0", section.guide_id, section.id, text, section.text),))


@dataclass
class _Draft:
    """A section while its blocks are gathered: the text under one heading."""

    heading: str
    parent: str | None
    line: int
    level: int
    paragraphs: list[str] = field(default_factory=list)


def _drafts(guide: Guide, blocks: list[Block], body_line: int) -> list[_Draft]:
    """The text under each heading; the text before the first one is the Introduction."""
    drafts = [_Draft("Introduction", None, body_line, 1)]
    parents: dict[int, str] = {}  # level -> the heading open at that level
    for level, text, n in blocks:
        if level is None:
            drafts[-1].paragraphs.append(text)
        elif not (level == 1 and text == guide.title):
            parents = {k: v for k, v in parents.items() if k < level}
            drafts.append(_Draft(text, parents[max(parents)] if parents else None, body_line + n, level))
            parents[level] = text
    return drafts


def _sections(guide: Guide, blocks: list[Block], body_line: int) -> list[Section]:
    drafts = _drafts(guide, blocks, body_line)
    used: set[str] = set()
    sections = []
    for i, draft in enumerate(drafts):
        slug = base = INTRO_SLUG if i == 0 else slugify(draft.heading)
        n = 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        sid = f"{guide.id}#{slug}"
        passages = tuple(Passage(f"{sid}:{k}", guide.id, sid, text) for k, text in enumerate(split_passages(draft.paragraphs)))
        sections.append(Section(sid, guide.id, guide.title, draft.heading, draft.parent, guide.url, draft.line, passages))
    return [_with_contents(section, _children(sections, drafts, i)) for i, section in enumerate(sections)]


def _children(sections: list[Section], drafts: list[_Draft], i: int) -> list[Section]:
    """The sections right under section `i`: those after it, before the next one at its level or above,
    whose parent heading is its heading."""
    children = []
    for j in range(i + 1, len(sections)):
        if drafts[j].level <= drafts[i].level:
            break
        if sections[j].parent_heading == sections[i].heading:
            children.append(sections[j])
    return children
