"""`careerbot db upgrade` and `careerbot db backup PATH`."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from bot.container import open_database
from bot.errors import CareerbotError


async def run_db_command(settings: Any, command: str, path: str | None = None, *,
                         out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one database command; print what happened and return the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    db = open_database(settings)
    where = db.url.render_as_string(hide_password=True)
    try:
        if command == "upgrade":
            before = await db.current_revision()
            applied = await db.upgrade()  # another process may have applied them since `before`
            after = await db.current_revision()
            change = f"upgraded from {before or 'an empty database'}" if applied else "already up to date"
            print(f"{where}: schema revision {after} ({change}).", file=out)
        elif command == "backup":
            if not path:
                print("Give the path to write the backup to: careerbot db backup PATH", file=err)
                return 2
            target = await db.backup(Path(path))
            print(f"Backed up {where} to {target} ({target.stat().st_size:,} bytes).", file=out)
        else:
            print(f"Unknown database command {command!r}; use upgrade or backup.", file=err)
            return 2
        return 0
    except CareerbotError as exc:
        print(str(exc), file=err)
        return 1
    finally:
        await db.dispose()
