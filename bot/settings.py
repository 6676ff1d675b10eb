"""Typed, bounded settings (pydantic-settings), from keywords or from the environment and `.env`.

`Settings(discord_token=..., database_url=...)` takes keywords and defaults only, so code and tests get
exactly what they pass. `Settings.from_env()` reads the plain names (DISCORD_TOKEN, DATABASE_URL,
KNOWLEDGE_DIR, ...) from the environment and `.env` (real environment variables win; empty values count
as unset) and turns a bad value into a `SettingsError` whose one line names the setting. The token is a
`SecretStr`: it never appears in `repr`, in a log line or in an error message.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE_DIR = REPO_ROOT / "knowledge"
DEFAULT_DATA_DIR = REPO_ROOT / "data"
SUPPORTED_URLS = ("sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DB "
                  "(plain sqlite:/// and postgresql:// are read as these)")
_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "sqlite+aiosqlite": "sqlite+aiosqlite",
                  "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg",
                  "postgresql+asyncpg": "postgresql+asyncpg"}
_SECRET_FIELDS = {"discord_token", "database_url"}  # a bad value of these is never echoed


def default_database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    return f"sqlite+aiosqlite:///{(data_dir / 'careerbot.sqlite3').as_posix()}"


class SettingsError(ValueError):
    """A setting from the environment or `.env` is invalid; the message is one line naming it."""


class Settings(BaseSettings):
    """Every setting the bot and CLI use. `.env.example` documents each one."""

    model_config = SettingsConfigDict(validate_assignment=True, extra="ignore", env_ignore_empty=True,
                                      env_file_encoding="utf-8")

    discord_token: SecretStr | None = None
    database_url: str = Field(default_factory=default_database_url, repr=False)  # may hold a password
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    dev_guild_id: int | None = Field(default=None, ge=1, lt=2**63)
    kb_guild_id: int | None = Field(default=None, ge=1, lt=2**63)  # whose moderators may change the shared guides
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    ask_cooldown_seconds: float = Field(default=10.0, gt=0, le=86_400, allow_inf_nan=False)
    ask_cooldown_rate: int = Field(default=3, ge=1)
    max_open_goals: int = Field(default=20, ge=1, le=1_000)
    max_guide_bytes: int = Field(default=256 * 1024, ge=1_024, le=25 * 1024 * 1024)
    # Several processes (docs/deployment.md): Discord shards, and how often the knowledge version is checked
    shard_count: int | None = Field(default=None, ge=1, le=100_000)
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = None  # "0,1" in the environment
    knowledge_check_seconds: float = Field(default=30.0, ge=1, le=3_600, allow_inf_nan=False)
    # what the bot must remember without its database: the servers' help channels (help_channel_snapshot.py)
    state_dir: Path = DEFAULT_DATA_DIR

    @field_validator("shard_count", mode="before")
    @classmethod
    def _blank_count(cls, value: Any) -> Any:
        return (value.strip() or None) if isinstance(value, str) else value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _shard_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.strip().strip("[]").split(",") if p.strip()]
            if not all(p.isascii() and p.isdigit() for p in parts):
                raise ValueError("must be shard numbers separated by commas, e.g. 0,1")
            return tuple(int(p) for p in parts) or None
        return value

    @field_validator("shard_ids")
    @classmethod
    def _shards_exist(cls, value: tuple[int, ...] | None, info: ValidationInfo) -> tuple[int, ...] | None:
        if value is None:
            return None
        count = info.data.get("shard_count")
        if count is None:
            raise ValueError("needs SHARD_COUNT (the total number of shards over every process)")
        if len(set(value)) != len(value) or any(not 0 <= i < count for i in value):
            raise ValueError(f"must be different numbers from 0 to {count - 1} (SHARD_COUNT is {count})")
        return tuple(sorted(value))

    @field_validator("discord_token", mode="before")
    @classmethod
    def _token(cls, value: Any) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return (value.strip() or None) if isinstance(value, str) else value

    @field_validator("database_url", mode="before")
    @classmethod
    def _database_url(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return default_database_url()
        return supported_database_url(str(value).strip())

    @field_validator("log_level", "dev_guild_id", "kb_guild_id", mode="before")
    @classmethod
    def _blank_and_case(cls, value: Any, info) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return "INFO" if info.field_name == "log_level" else None
            if info.field_name == "log_level":
                return value.upper()
            if not (value.isascii() and value.isdigit()):
                raise ValueError("must be a server id (digits only)")
        return value

    @property
    def guides_dir(self) -> Path:
        return self.knowledge_dir / "guides"

    @property
    def roadmap_path(self) -> Path:
        return self.knowledge_dir / "roadmap.yaml"

    @property
    def token(self) -> str | None:
        """The token itself, for logging in only."""
        return self.discord_token.get_secret_value() if self.discord_token else None

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # keywords and defaults only; `from_env` adds the environment and .env

    @classmethod
    def from_env(cls, env_file: str | os.PathLike | None = None, **overrides: Any) -> "Settings":
        """Keywords (None = not given), then real environment variables, then `.env`; raises SettingsError."""
        given = {k: v for k, v in overrides.items() if k in cls.model_fields and v is not None}
        try:
            settings = _FromEnvironment(_env_file=Path(env_file) if env_file else REPO_ROOT / ".env", **given)
        except ValidationError as error:
            raise SettingsError(describe(error)) from None
        if in_memory_sqlite(settings.database_url):
            raise SettingsError("Bad setting: DATABASE_URL is an in-memory SQLite database, so nothing members save "
                                "would be kept; give a file, e.g. sqlite:///data/careerbot.sqlite3. Fix it in .env or "
                                "the environment (see .env.example).")
        return settings


class _FromEnvironment(Settings):
    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, dotenv_settings)


_PLAIN_SQLITE = "sqlite+aiosqlite:///"
_PLAIN_SQLITE_FORMS = (_PLAIN_SQLITE, "sqlite:///")


def _sqlite_file_url(path: str) -> str:
    """`sqlite+aiosqlite:///PATH` as SQLAlchemy writes it back (`make_url(...).render_as_string()`) for a
    PATH without `?`: its parser takes all of PATH as the database, %-escapes undone, and its writer quotes
    the database keeping only letters, digits, `_.-~`, space, `+` and `/`."""
    from urllib.parse import quote, unquote

    return _PLAIN_SQLITE + quote(unquote(path), safe=" +/")


def in_memory_sqlite(url: str) -> bool:
    """Is this (supported) URL an in-memory SQLite database, as SQLAlchemy's `make_url` reads it? A
    `sqlite+aiosqlite:///PATH` without `?` (the default URL, and most) is decided here without importing
    SQLAlchemy (about 0.2 s of `careerbot ask`'s start): its database is PATH, %-escapes undone, exactly
    what SQLAlchemy's parser makes of it (tests/test_settings.py compares both on awkward paths)."""
    if url.startswith(_PLAIN_SQLITE) and "?" not in url:
        from urllib.parse import unquote

        return unquote(url[len(_PLAIN_SQLITE):]) in ("", ":memory:")
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def supported_database_url(url: str) -> str:
    """The URL with its async driver (`sqlite://` -> `sqlite+aiosqlite://`, `postgresql://` -> asyncpg), or a
    ValueError naming the supported URLs. The URL itself (it may hold a password) is never in the message."""
    for plain in _PLAIN_SQLITE_FORMS:
        if url.startswith(plain) and "?" not in url:
            return _sqlite_file_url(url[len(plain):])
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # not a URL at all, or e.g. a port that is not a number
        raise ValueError(f"is not a valid database URL; use {SUPPORTED_URLS}") from None
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(f"{parsed.drivername}:// is not supported; use {SUPPORTED_URLS}")
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def describe(error: ValidationError) -> str:
    """One line naming every bad setting by its environment name, with what is wrong and what to do."""
    parts = []
    for problem in error.errors(include_url=False):
        name = str(problem["loc"][0]) if problem["loc"] else "settings"
        message = problem["msg"].removeprefix("Value error, ").removeprefix("Input ")
        if name in _SECRET_FIELDS or not isinstance(problem.get("input"), (str, int, float)):
            parts.append(f"{name.upper()} {message}")
        else:
            shown = str(problem["input"])
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            parts.append(f"{name.upper()} {message}, got {shown!r}")
    return "Bad setting: " + "; ".join(parts) + ". Fix it in .env or the environment (see .env.example)."
