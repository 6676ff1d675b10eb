"""A folder of guides: which files are read (and why the others are not), checked one by one, loaded
all or nothing.

`load_guides` reads a whole folder and either returns every guide or raises `KnowledgeError` listing each
problem by file and line: a load never half-succeeds. `check_guides` keeps the good guides and lists the
problems (start-up, `careerbot kb check`).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import KnowledgeError, Problem
from bot.knowledge.guides import GUIDE_SUFFIXES, MAX_GUIDE_BYTES, Guide, GuideSet, line_of, parse_guide, read_text

if TYPE_CHECKING:
    from bot.knowledge.parsed import GuideCache


def too_big(size: int, max_bytes: int) -> str:
    return (f"the file is {size / 1024:,.0f} KiB; guides can be at most {max_bytes / 1024:,.0f} KiB "
            "(MAX_GUIDE_BYTES): split it into smaller guides")


def _skip_reason(path: Path) -> str | None:
    """Why a folder entry is not read as a guide, or None when it is one. Links are checked before this."""
    if path.is_dir():
        return "skipped: a folder; guides must be files directly in the guides folder"
    if path.name.lower() == "readme.md":
        return "skipped: README.md describes the folder and is never read as a guide"
    suffix = path.suffix.lower()
    if suffix not in GUIDE_SUFFIXES:
        hint = "; rename it to .md" if suffix in (".markdown", ".mdown", ".mkd", ".text") else ""
        return f"skipped: only .md and .txt files are guides{hint}"
    if not path.is_file():
        return "skipped: not a regular file"
    return None


def scan_folder(directory: Path, root: Path | None = None) -> tuple[list[Path], list[Problem], list[Problem]]:
    """Sort a guides folder's entries into the files to read as guides, problems (a link that leads out of
    the knowledge folder `root`, or to nothing: refused, never read) and a note for every other entry saying
    why it is skipped (hidden, a folder, README.md, another extension)."""
    directory = Path(directory)
    allowed = (Path(root or directory).resolve(), directory.resolve())
    files: list[Path] = []
    problems: list[Problem] = []
    skipped: list[Problem] = []
    try:
        entries = sorted(directory.iterdir())
    except OSError as exc:
        return [], [Problem(str(directory), 0, f"cannot read the folder ({exc.strerror})")], []
    for path in entries:
        if path.name.startswith("."):
            skipped.append(Problem(str(path), 0, "skipped: hidden (the name starts with '.'); "
                                                 "rename it, e.g. `my-guide.md`, to use it as a guide"))
            continue
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                problems.append(Problem(str(path), 0, "a link to a file that does not exist; remove the link"))
                continue
            if not any(target.is_relative_to(folder) for folder in allowed):
                problems.append(Problem(str(path), 0, "a link to a file outside the knowledge folder, which is "
                                                      "never read; copy the guide into the guides folder instead"))
                continue
        reason = _skip_reason(path)
        if reason is None:
            files.append(path)
        else:
            skipped.append(Problem(str(path), 0, reason))
    return files, problems, skipped


def guide_files(directory: Path) -> list[Path]:
    return scan_folder(directory)[0]


def read_guide_file(path: Path, max_bytes: int = MAX_GUIDE_BYTES) -> str:
    """A guide file's text, refusing one past `max_bytes` (checked before reading, and while reading)."""
    size = path.stat().st_size
    if size <= max_bytes:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
        size = max(size, len(data))
    if size > max_bytes:
        raise KnowledgeError([Problem(str(path), 0, too_big(size, max_bytes))])
    return read_text(path, raw=data)


def check_guides(directory: Path, *, root: Path | None = None, max_bytes: int = MAX_GUIDE_BYTES,
                 cache: GuideCache | None = None) -> tuple[list[Guide], list[Problem]]:
    """Read every guide in `directory`; return the good guides and every problem found (sorted by file).
    Links must resolve inside `root` (the knowledge folder; by default `directory` itself). `cache`: the
    guides parsed before (`bot.knowledge.parsed`), for files whose name and text are unchanged."""
    directory = Path(directory)
    if not directory.is_dir():
        return [], [Problem(str(directory), 0, f"there is no folder {directory.resolve()}: the knowledge folder "
                                              "(--knowledge or KNOWLEDGE_DIR) must hold a guides/ folder")]
    files, problems, _ = scan_folder(directory, root)
    guides: list[Guide] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            text = read_guide_file(path, max_bytes)
            guide = parse_guide(path, text) if cache is None else cache.parse(path, text)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
            continue
        except OSError as exc:
            problems.append(Problem(str(path), 0, f"cannot read the file ({exc.strerror})"))
            continue
        if guide.id in seen:
            problems.append(Problem(str(path), line_of(text, "id"), f"duplicate guide id {guide.id!r}, already used by "
                                                                     f"{Path(seen[guide.id]).name}; give one a new id"))
            continue
        seen[guide.id] = guide.path
        guides.append(guide)
    if not guides and not problems:
        problems.append(Problem(str(directory), 0, "no guides found: add .md or .txt files"))
    problems.sort(key=lambda p: p.path)
    return guides, problems


def load_guides(directory: Path, strict: bool = True, *, root: Path | None = None,
                max_bytes: int = MAX_GUIDE_BYTES, cache: GuideCache | None = None) -> GuideSet:
    """Load every guide; with `strict`, any problem raises KnowledgeError and nothing is returned."""
    guides, problems = check_guides(directory, root=root, max_bytes=max_bytes, cache=cache)
    if problems and (strict or not guides):
        raise KnowledgeError(problems)
    return GuideSet.of(guides)
