"""Guide files for `/kb add` and `/kb remove`: safe names, validation before writing, undoable changes.

Nothing here trusts an uploaded name: `safe_guide_name("../../x.md")` is `x.md`, always inside the
guides folder. Writes go to a hidden temporary file first and are swapped in with `os.replace`; every
change returns an `undo` that puts the folder back exactly as it was, used when the reload that
follows fails. Removed guides, and the old version of a replaced one, are kept in
`<knowledge>/.removed-guides/`, never deleted. A write that fails (a full disk) leaves nothing behind:
no temporary file, no kept copy; `cannot_write` says so in words a moderator can act on.
"""
from __future__ import annotations

import errno
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from bot.errors import DomainError
from bot.knowledge.guides import GUIDE_SUFFIXES, Guide, parse_guide, read_text, slugify

Undo = Callable[[], None]


def safe_guide_name(filename: str, quote: Callable[[str], str] = str) -> str:
    """A plain `lower-case-name.md|.txt` from an uploaded file name, or DomainError saying why not.
    `quote` makes the given name safe to show where it is read (Discord: `escape_markdown`)."""
    raw = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, suffix = raw.rpartition(".")
    shown = quote(raw[:80]) or "(no name)"
    if not dot or f".{suffix.lower()}" not in GUIDE_SUFFIXES:
        raise DomainError(f"Guides must be `.md` or `.txt` files; `{shown}` is not.")
    slug = slugify(stem, 80, fallback="")
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


def cannot_write(error: OSError) -> str:
    """What a moderator is told when a guide file can't be written or moved (nothing was changed)."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk the guides are stored on is full"
    else:
        why = f"the guides folder could not be written to ({error.strerror or type(error).__name__})"
    return (f"Nothing was changed: {why}. The previous knowledge is still serving; free some space "
            "on the bot's server (or ask whoever runs it), then try again.")


def _keep(target: Path, kept: Path) -> None:
    """Keep `target`'s current version at `kept`: a hard link (no copy, no disk space), else a copy."""
    try:
        os.link(target, kept)
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise
        shutil.copyfile(target, kept)


def write_guide(guides_dir: Path, name: str, data: bytes) -> Undo:
    """Write `guides_dir/name` atomically, keeping a replaced file's old version in `.removed-guides/`;
    the undo restores the previous file (moving the kept version back) or removes the new one. If the
    write fails (OSError, e.g. a full disk) the temporary file and any kept version are removed and the
    error raised: the folder is as it was."""
    target = guides_dir / name
    if not inside(guides_dir, target) or target.parent.resolve() != guides_dir.resolve():
        raise DomainError("That file name points outside the guides folder.")
    temporary = guides_dir / f".{name}.uploading"
    kept: Path | None = None
    try:
        temporary.write_bytes(data)  # first, so a full disk fails before any old version is kept aside
        if target.exists():
            kept = _kept_path(guides_dir.parent, f"replaced-{name}")
            _keep(target, kept)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        if kept is not None:
            kept.unlink(missing_ok=True)
        raise

    def undo() -> None:
        if kept is None:
            target.unlink(missing_ok=True)
        else:
            os.replace(kept, target)
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
