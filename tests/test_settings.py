"""Settings: typed and bounded, one line naming a bad one, the token a secret, .env with real env winning."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from bot.settings import Settings, SettingsError

REPO = Path(__file__).resolve().parent.parent
NAMES = ["DISCORD_TOKEN", "DATABASE_URL", "KNOWLEDGE_DIR", "DEV_GUILD_ID", "KB_GUILD_ID", "LOG_LEVEL",
         "ASK_COOLDOWN_SECONDS", "ASK_COOLDOWN_RATE", "MAX_OPEN_GOALS", "MAX_GUIDE_BYTES"]
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.settings-secret-token"


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment (none of the settings set) and an empty .env; returns a setter."""
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    dotenv = tmp_path / ".env"
    dotenv.write_text("")

    def load(**values: str) -> Settings:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        return Settings.from_env(dotenv)
    load.dotenv = dotenv
    return load


@pytest.mark.parametrize("name, value, says", [
    ("ASK_COOLDOWN_SECONDS", "nan", "finite number"),
    ("ASK_COOLDOWN_SECONDS", "inf", "finite number"),
    ("ASK_COOLDOWN_SECONDS", "0", "greater than 0"),
    ("ASK_COOLDOWN_SECONDS", "ten", "valid number"),
    ("ASK_COOLDOWN_RATE", "0", "greater than or equal to 1"),
    ("MAX_OPEN_GOALS", "-5", "greater than or equal to 1"),
    ("MAX_OPEN_GOALS", "2.5", "valid integer"),
    ("MAX_GUIDE_BYTES", "99999999999", "less than or equal to"),
    ("KB_GUILD_ID", "abc", "server id"),
    ("DEV_GUILD_ID", "-1", "server id"),
    ("LOG_LEVEL", "LOUD", "'DEBUG'"),
])
def test_a_bad_setting_is_refused_with_one_line_naming_it(env, name, value, says):
    with pytest.raises(SettingsError) as refused:
        env(**{name: value})
    line = str(refused.value)
    assert "\n" not in line and line.startswith(f"Bad setting: {name} ") and says in line
    assert f"got {value!r}" in line and ".env.example" in line


def test_every_bad_setting_is_named_on_the_same_line(env):
    with pytest.raises(SettingsError) as refused:
        env(ASK_COOLDOWN_SECONDS="nan", MAX_OPEN_GOALS="-5")
    line = str(refused.value)
    assert "\n" not in line and "ASK_COOLDOWN_SECONDS" in line and "MAX_OPEN_GOALS" in line


def test_good_values_are_typed_and_blank_ones_take_the_default(env):
    s = env(ASK_COOLDOWN_SECONDS="2.5", ASK_COOLDOWN_RATE="4", MAX_OPEN_GOALS="7", KB_GUILD_ID="123456789012345678",
            LOG_LEVEL="debug", DEV_GUILD_ID="", DISCORD_TOKEN="   ", KNOWLEDGE_DIR="/tmp/k")
    assert (s.ask_cooldown_seconds, s.ask_cooldown_rate, s.max_open_goals) == (2.5, 4, 7)
    assert s.kb_guild_id == 123456789012345678 and s.dev_guild_id is None and s.log_level == "DEBUG"
    assert s.discord_token is None and s.knowledge_dir == Path("/tmp/k") and s.guides_dir == Path("/tmp/k/guides")
    assert s.database_url.startswith("sqlite+aiosqlite:///") and s.database_url.endswith("careerbot.sqlite3")


def test_dotenv_is_read_and_real_environment_variables_win(env):
    env.dotenv.write_text(f"DISCORD_TOKEN={TOKEN}\nMAX_OPEN_GOALS=9\nASK_COOLDOWN_RATE=5\nUNRELATED=1\n")
    s = env(ASK_COOLDOWN_RATE="6")
    assert s.token == TOKEN and s.max_open_goals == 9 and s.ask_cooldown_rate == 6
    env.dotenv.write_text("MAX_OPEN_GOALS=-5\n")  # a bad value in .env is named like one in the environment
    with pytest.raises(SettingsError, match="MAX_OPEN_GOALS"):
        env()


def test_keywords_win_and_none_means_not_given(env):
    s = Settings.from_env(env.dotenv, knowledge_dir=None, max_open_goals=3)
    assert s.max_open_goals == 3 and s.knowledge_dir.name == "knowledge"


def test_settings_built_in_python_take_keywords_only_and_validate_assignment(monkeypatch, tmp_path):
    monkeypatch.setenv("MAX_OPEN_GOALS", "7")
    s = Settings(discord_token=TOKEN, database_url="sqlite+aiosqlite://", knowledge_dir=str(tmp_path))
    assert s.max_open_goals == 20 and s.knowledge_dir == tmp_path  # the environment is not read
    s.kb_guild_id = 42
    assert s.kb_guild_id == 42
    with pytest.raises(ValidationError):
        s.max_open_goals = -5
    with pytest.raises(ValidationError):
        Settings(ask_cooldown_seconds=float("nan"))
    assert s.max_open_goals == 20


def test_the_token_is_a_secret_never_shown(env):
    s = env(DISCORD_TOKEN=f" {TOKEN} ")
    assert isinstance(s.discord_token, SecretStr) and s.token == TOKEN
    assert TOKEN not in repr(s) and TOKEN not in str(s) and TOKEN not in s.model_dump_json()
    assert Settings(discord_token=SecretStr(TOKEN)).token == TOKEN


@pytest.mark.parametrize("url", ["mysql://app:hunter2secret@db/app", "postgresql+psycopg2://app:hunter2secret@db/app",
                                 "sqlite+pysqlite:///x.db", "not a url", "postgresql://app:hunter2secret@db:abc/app"])
def test_an_unsupported_database_url_names_the_supported_ones(env, url):
    with pytest.raises(SettingsError) as refused:
        env(DATABASE_URL=url)
    line = str(refused.value)
    assert "\n" not in line and "DATABASE_URL" in line
    assert "sqlite+aiosqlite:///" in line and "postgresql+asyncpg://" in line
    assert "hunter2secret" not in line  # the URL may hold a password: never echoed


@pytest.mark.parametrize("url, driver", [
    ("sqlite:///data/x.db", "sqlite+aiosqlite:///data/x.db"),
    ("postgresql://app:p%40ss@db:5432/app", "postgresql+asyncpg://app:p%40ss@db:5432/app"),
    ("postgres://app@db/app", "postgresql+asyncpg://app@db/app"),
    ("postgresql+asyncpg://app@db/app", "postgresql+asyncpg://app@db/app"),
])  # an in-memory SQLite URL is refused from the environment (test below), accepted from code
def test_plain_urls_get_the_async_driver(env, url, driver):
    assert env(DATABASE_URL=url).database_url == driver
    assert Settings(database_url=url).database_url == driver
    assert "p%40ss" not in repr(Settings(database_url=url))


def test_the_example_env_file_is_valid_and_documents_every_setting(env):
    example = REPO / ".env.example"
    assert Settings.from_env(example).max_open_goals == 20
    documented = {line.lstrip("# ").split("=")[0] for line in example.read_text().splitlines()
                  if re.match(r"^(# )?[A-Z_]+=", line)} - {"TEST_DATABASE_URL"}
    assert documented == {name.upper() for name in Settings.model_fields}


def careerbot(*args: str, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in NAMES}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=REPO,
                          env={**full, "DISCORD_TOKEN": "", **env}, timeout=120)


@pytest.mark.parametrize("env", [{"ASK_COOLDOWN_SECONDS": "nan"}, {"MAX_OPEN_GOALS": "-5"},
                                 {"DATABASE_URL": "mysql://app:hunter2secret@db/app"},
                                 {"DATABASE_URL": "postgresql+psycopg2://app@db/app"}])
def test_the_command_line_prints_one_line_and_exits_1_on_a_bad_setting(env):
    out = careerbot("run", "--require-token", **env, DISCORD_TOKEN=TOKEN)
    assert out.returncode == 1 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and out.stderr.startswith("Bad setting: ")
    assert "Traceback" not in out.stderr and TOKEN not in out.stderr and "hunter2secret" not in out.stderr


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://", "sqlite+aiosqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_database_from_the_environment_is_refused(url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SettingsError, match="in-memory SQLite database, so nothing members save would be kept"):
        Settings.from_env(os.devnull)
    assert Settings(database_url=url).database_url.startswith("sqlite+aiosqlite://")  # code may still ask for one


AWKWARD_PATHS = ["/srv/data", "/home/José/données", "/tmp/with space/x", "/tmp/50%/x", "/tmp/a%20b/x", "/tmp/%zz/x",
                 "/tmp/a#b/x", "/tmp/user@host/x", "/tmp/a:b/x", "/tmp/a+b/x", "/tmp/a&b=c;d/x", "/tmp/new\nline/x",
                 "/tmp/tab\t/x", "/tmp/~me/x", "/tmp/数据/x", "/tmp/emoji😀/x", "C:/Users/me/data", "relative/data",
                 "", ":memory:", "%3Amemory%3A", "/tmp/a?b/x", "/tmp/?mode=ro", "/tmp/[::1]/x", "//double/slash",
                 "/tmp/back\\slash/x", "/tmp/quote'\"/x"]


def _by_sqlalchemy(url: str) -> str:
    """What supported_database_url made of a SQLite URL before it skipped SQLAlchemy for plain paths."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)


@pytest.mark.parametrize("path", AWKWARD_PATHS)
@pytest.mark.parametrize("scheme", ["sqlite+aiosqlite:///", "sqlite:///"])
def test_sqlite_urls_are_written_as_sqlalchemy_writes_them(path, scheme):
    # a plain SQLite URL (the default one among them) is normalised without importing SQLAlchemy: the same string
    from sqlalchemy.engine import make_url

    from bot.settings import in_memory_sqlite, supported_database_url

    url = scheme + path
    assert supported_database_url(url) == _by_sqlalchemy(url)
    normalised = supported_database_url(url)
    parsed = make_url(normalised)
    assert in_memory_sqlite(normalised) == (parsed.database in (None, "", ":memory:"))


@pytest.mark.parametrize("path", ["/srv/José data/50%", "/tmp/a#b@c:d+e", "/tmp/数据"])
def test_the_default_url_is_the_one_sqlalchemy_writes(path):
    from bot.settings import default_database_url

    s = Settings(knowledge_dir="/tmp/k", database_url=default_database_url(Path(path)))
    assert s.database_url == _by_sqlalchemy(default_database_url(Path(path)))
    assert Settings().database_url == _by_sqlalchemy(default_database_url())


def test_ask_does_not_import_sqlalchemy():
    # `careerbot ask` needs no database: SQLAlchemy (about 0.2 s of its start) is not imported for it
    code = ("import sys; from bot.cli import main; main(['ask', '--json', 'do I need a degree?']); "
            "print('sqlalchemy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "DATABASE_URL": ""}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
