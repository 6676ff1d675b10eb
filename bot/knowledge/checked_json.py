"""A JSON file of derived data kept in `<knowledge>/.index/`, never trusted blindly.

The same checks as the parsed guides (`parsed.py`, which keeps one line per guide instead): two lines, a
header with the format, an identity (a SHA-256 of everything the data is made from) and a SHA-256 of the
second line, which holds the data as plain JSON (no pickle: reading it runs no code whatever it holds).
Another identity, a checksum that does not match (a flipped byte, a cut-off file) or anything unreadable
reads as nothing, and the caller makes the data again; writing is best effort (a folder that can't be
written leaves things as they were).
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

CACHE_DIR = ".index"  # beside the parsed guides and the saved search index


def cache_path(knowledge_dir: Path, name: str) -> Path:
    return Path(knowledge_dir) / CACHE_DIR / name


def read_checked(path: Path, fmt: int, identity: str) -> Any | None:
    """The data saved at `path` for this format and identity, or None."""
    try:
        data = path.read_bytes()
        head, _, body = data.partition(b"\n")
        header = json.loads(head)
        if (not isinstance(header, dict) or header.get("format") != fmt or header.get("identity") != identity
                or header.get("sha256") != hashlib.sha256(body).hexdigest()):
            return None
        return json.loads(body)
    except (OSError, ValueError):
        return None


def write_checked(path: Path, fmt: int, identity: str, data: Any) -> None:
    """Save `data` (JSON, non-ASCII escaped) at `path`, atomically; nothing when the folder can't be written."""
    body = json.dumps(data, separators=(",", ":")).encode("ascii")
    header = json.dumps({"format": fmt, "identity": identity, "sha256": hashlib.sha256(body).hexdigest()}).encode()
    write_atomically(path, header + b"\n" + body)


def write_atomically(path: Path, content: bytes) -> None:
    """`content` at `path` or nothing: written to a file of this process and thread, then renamed over it;
    best effort (a read-only or full folder leaves what was there)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except OSError:
        pass  # read-only or full: serve without saving
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
