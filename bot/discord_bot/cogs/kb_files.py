"""Guide files for `/kb add` and `/kb remove`: safe names, validation before writing, undoable changes.

Nothing here trusts an uploaded name: `safe_guide_name("../../x.md")` is `x.md`, always inside the
guides folder. Writes go to a hidden temporary file first and are swapped in with `os.replace`; every
change returns an `undo` that puts the folder back exactly as it was, used when the reload that
follows fails. Removed guides, and the old version of a replaced one, are kept in
`<knowledge>/.removed-guides/`, never deleted.
"""
from __future__ import annotations

import os
import re
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import discord

from bot.domain.errors import DomainError
from bot.domain.guides import GUIDE_SUFFIXES, Guide, parse_guide, read_text

Undo = Callable[[], None]


def safe_guide_name(filename: str) -> str:
    """A plain `lower-case-name.md|.txt` from an uploaded file name, or DomainError saying why not."""
    raw = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, suffix = raw.rpartition(".")
    shown = discord.utils.escape_markdown(raw[:80]) or "(no name)"
    if not dot or f".{suffix.lower()}" not in GUIDE_SUFFIXES:
        raise DomainError(f"Guides must be `.md` or `.txt` files; `{shown}` is not.")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")[:80].rstrip("-")
    if not slug or slug == "readme":
        raise DomainError(f"`{shown}` can't be used as a guide's file name; rename it, e.g. `my-guide.md`.")
    return f"{slug}.{suffix.lower()}"


def check_upload(target: Path, data: bytes, max_bytes: int) -> Guide:
    """Validate an upload as the guide it would become; raises KnowledgeError (file:line) or DomainError."""
    if len(data) > max_bytes:
        raise DomainError(too_big(target.name, len(data), max_bytes))
    return parse_guide(target, read_text(target, raw=data))


def too_big(name: str, size: int, max_bytes: int) -> str:
    return (f"`{name}` is {size / 1024:,.0f} KiB; guides can be at most {max_bytes / 1024:,.0f} KiB. "
            "Split it into smaller guides.")


def inside(folder: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _kept_path(knowledge_dir: Path, name: str) -> Path:
    trash = knowledge_dir / ".removed-guides"
    trash.mkdir(exist_ok=True)
    return trash / f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%f')}-{name}"


def write_guide(guides_dir: Path, name: str, data: bytes) -> Undo:
    """Write `guides_dir/name` atomically, keeping a replaced file's old version in `.removed-guides/`;
    the undo restores the previous file (and drops the kept copy) or removes the new one."""
    target = guides_dir / name
    if not inside(guides_dir, target) or target.parent.resolve() != guides_dir.resolve():
        raise DomainError("That file name points outside the guides folder.")
    previous = target.read_bytes() if target.exists() else None
    kept = None
    if previous is not None:
        kept = _kept_path(guides_dir.parent, f"replaced-{name}")
        kept.write_bytes(previous)
    temporary = guides_dir / f".{name}.uploading"
    temporary.write_bytes(data)
    os.replace(temporary, target)

    def undo() -> None:
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            back = guides_dir / f".{name}.restoring"
            back.write_bytes(previous)
            os.replace(back, target)
            if kept is not None:
                kept.unlink(missing_ok=True)
    return undo


def remove_guide(knowledge_dir: Path, path: Path) -> Undo:
    """Move a guide file out of the guides folder into `.removed-guides/`; the undo moves it back."""
    guides_dir = knowledge_dir / "guides"
    if not inside(guides_dir, path) or not path.is_file():
        raise DomainError("That guide's file is not in the guides folder any more; run /kb reload.")
    kept = _kept_path(knowledge_dir, path.name)
    os.replace(path, kept)

    def undo() -> None:
        os.replace(kept, path)
    return undo
