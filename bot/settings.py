"""Typed settings, taken from keywords, the environment, or a `.env` file.

`Settings(discord_token=..., database_url=...)` sets values directly; `Settings.from_env()` reads
`CAREERBOT_*`-free plain names (DISCORD_TOKEN, DATABASE_URL, KNOWLEDGE_DIR, ...) after loading `.env`
with python-dotenv. The token is kept out of `repr` so it never reaches a log line.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from dotenv import load_dotenv

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE_DIR = REPO_ROOT / "knowledge"
DEFAULT_DATA_DIR = REPO_ROOT / "data"


def default_database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    return f"sqlite+aiosqlite:///{(data_dir / 'careerbot.sqlite3').as_posix()}"


def _int_or_none(name: str, value: str | None) -> int | None:
    value = (value or "").strip()
    if value and not (value.isascii() and value.isdigit()):
        raise ValueError(f"{name} must be a server id (digits only), got {value!r}")
    return int(value) if value else None


@dataclass
class Settings:
    """Every setting the bot and CLI use. `.env.example` documents each one."""

    discord_token: str | None = field(default=None, repr=False)
    database_url: str = ""
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    dev_guild_id: int | None = None
    kb_guild_id: int | None = None  # the server whose moderators may change the guides every server shares
    log_level: str = "INFO"
    ask_cooldown_seconds: float = 10.0
    ask_cooldown_rate: int = 3
    max_open_goals: int = 20
    max_guide_bytes: int = 256 * 1024

    def __post_init__(self) -> None:
        self.knowledge_dir = Path(self.knowledge_dir)
        if not self.database_url:
            self.database_url = default_database_url()
        if self.discord_token is not None:
            self.discord_token = self.discord_token.strip() or None

    @property
    def guides_dir(self) -> Path:
        return self.knowledge_dir / "guides"

    @property
    def roadmap_path(self) -> Path:
        return self.knowledge_dir / "roadmap.yaml"

    @classmethod
    def from_env(cls, env_file: str | os.PathLike | None = None, **overrides) -> "Settings":
        """Load `.env` (without overriding real environment variables), then read the environment."""
        load_dotenv(env_file or REPO_ROOT / ".env", override=False)
        env = os.environ
        values: dict = {
            "discord_token": env.get("DISCORD_TOKEN"),
            "database_url": env.get("DATABASE_URL", ""),
            "knowledge_dir": Path(env.get("KNOWLEDGE_DIR") or DEFAULT_KNOWLEDGE_DIR),
            "dev_guild_id": _int_or_none("DEV_GUILD_ID", env.get("DEV_GUILD_ID")),
            "kb_guild_id": _int_or_none("KB_GUILD_ID", env.get("KB_GUILD_ID")),
            "log_level": env.get("LOG_LEVEL", "INFO").upper(),
        }
        numeric = {
            "ASK_COOLDOWN_SECONDS": ("ask_cooldown_seconds", float),
            "ASK_COOLDOWN_RATE": ("ask_cooldown_rate", int),
            "MAX_OPEN_GOALS": ("max_open_goals", int),
            "MAX_GUIDE_BYTES": ("max_guide_bytes", int),
        }
        for name, (attr, kind) in numeric.items():
            if env.get(name, "").strip():
                try:
                    values[attr] = kind(env[name])
                except ValueError as exc:
                    raise ValueError(f"{name} must be a number, got {env[name]!r}") from exc
        known = {f.name for f in fields(cls)}
        values.update({k: v for k, v in overrides.items() if k in known and v is not None})
        return cls(**values)
