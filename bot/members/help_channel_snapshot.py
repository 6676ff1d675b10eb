"""The servers' help channels as last read from the database, kept in a local file for a start without it.

The database holds which channels are help channels (`/settings ask-channel`). A bot that starts while its
database is down could otherwise not tell a help channel from any other and would stay silent there until
the database is back. So every time the bot reads them all, or a moderator changes them, it writes this
snapshot (`<STATE_DIR>/help_channels.json`), and a start without the database answers in the channels it
names until the database is back; then the database is the truth again. Only server and channel ids are
kept, never anything a member wrote. The file is checked like the knowledge caches (`checked_json.py`): a
damaged, cut-off or hand-edited file reads as no snapshot, and writing is best effort.
"""
from __future__ import annotations

from pathlib import Path

from bot.knowledge.checked_json import read_checked, write_checked

SNAPSHOT_FILE = "help_channels.json"
SNAPSHOT_FORMAT = 1
_IDENTITY = "careerbot help channels"


def snapshot_path(state_dir: Path) -> Path:
    return Path(state_dir) / SNAPSHOT_FILE


def save_snapshot(state_dir: Path, channels: dict[int, frozenset[int]]) -> None:
    """Every server's help channels (servers without any left out), in one atomic write; best effort."""
    data = {str(guild): sorted(ids) for guild, ids in sorted(channels.items()) if ids}
    write_checked(snapshot_path(state_dir), SNAPSHOT_FORMAT, _IDENTITY, data)


def load_snapshot(state_dir: Path) -> dict[int, frozenset[int]]:
    """The saved help channels, or none when there is no snapshot or it is not one this module wrote."""
    data = read_checked(snapshot_path(state_dir), SNAPSHOT_FORMAT, _IDENTITY)
    if not isinstance(data, dict):
        return {}
    found: dict[int, frozenset[int]] = {}
    for guild, ids in data.items():
        if not (isinstance(guild, str) and guild.isdigit() and isinstance(ids, list)
                and all(type(i) is int and i > 0 for i in ids)):
            return {}  # not what `save_snapshot` writes
        found[int(guild)] = frozenset(ids)
    return found
