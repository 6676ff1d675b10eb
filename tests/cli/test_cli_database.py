"""A database that can't be used, from the command line and `careerbot run`: one line saying what to do,
a non-zero exit, no traceback and no log line besides it."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.discord_bot import runner
from tests.discord_bot.test_runner import TOKEN, dns_failure, restore_logging  # noqa: F401 - fixture
from tests.discord_harness import harness_settings

REPO = Path(__file__).resolve().parents[2]
NO_FOLDER = "Can't create the folder"
UNOPENABLE = "Can't open the SQLite database"


def careerbot(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DISCORD_TOKEN": "", "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=120, stdin=subprocess.DEVNULL)


def one_line(out: subprocess.CompletedProcess) -> str:
    assert out.returncode == 1 and out.stdout == "", (out.returncode, out.stdout)
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    assert "Traceback" not in out.stderr and "Error:" not in lines[0].split("(")[0]
    return lines[0]


def closed_port() -> int:
    async def probe() -> int:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        return port
    return asyncio.run(probe())


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL (PostgreSQL)")
@pytest.mark.parametrize("command", [("db", "upgrade"), ("chat",)])
@pytest.mark.parametrize("what, said", [("database", 'database "careerbot_no_such_db" does not exist'),
                                        ("user", 'role "careerbot_nobody" does not exist')])
def test_a_postgres_that_refuses_the_database_or_user_is_exactly_one_line(command, what, said):
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["TEST_DATABASE_URL"])
    url = url.set(database="careerbot_no_such_db") if what == "database" else url.set(username="careerbot_nobody")
    line = one_line(careerbot(*command, database_url=url.render_as_string(hide_password=False)))
    assert said in line and "check DATABASE_URL" in line


def test_db_upgrade_against_an_unreachable_postgres_is_exactly_one_line():
    out = careerbot("db", "upgrade", database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    line = one_line(out)
    assert line.startswith("Can't reach the database (ConnectionRefusedError") and "check DATABASE_URL" in line


def sqlite_under_a_file(tmp_path: Path) -> str:
    (tmp_path / "a-file").write_text("not a folder")
    return f"sqlite:///{(tmp_path / 'a-file' / 'data' / 'careerbot.sqlite3').as_posix()}"


@pytest.mark.parametrize("command", [("db", "upgrade"), ("chat",)])
def test_a_sqlite_folder_that_cant_be_created_is_one_line(tmp_path, command):
    line = one_line(careerbot(*command, database_url=sqlite_under_a_file(tmp_path)))
    assert line.startswith(NO_FOLDER) and str(tmp_path / "a-file") in line and "DATABASE_URL" in line


@pytest.mark.parametrize("command", [("db", "upgrade"), ("chat",)])
def test_a_sqlite_url_naming_a_folder_is_one_line(tmp_path, command):
    """A setting to fix, not an outage to wait out: the console does not start in guides-only mode."""
    line = one_line(careerbot(*command, database_url=f"sqlite:///{tmp_path.as_posix()}"))
    assert line.startswith(f"{UNOPENABLE} {tmp_path}") and "DATABASE_URL" in line and "server" not in line


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's read-only /proc")
def test_a_read_only_place_is_one_line():
    line = one_line(careerbot("db", "upgrade", database_url="sqlite:////proc/careerbot-test/careerbot.sqlite3"))
    assert line.startswith(f"{NO_FOLDER} /proc/careerbot-test")


def bot_start(tmp_path, monkeypatch, capsys, database_url: str) -> str:
    tried = dns_failure(monkeypatch)
    code = runner.run(harness_settings(tmp_path, discord_token=TOKEN, database_url=database_url))
    out, err = capsys.readouterr()
    assert code == runner.EXIT_ERROR and tried == []  # refused before logging in to Discord
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out + err and TOKEN not in out + err, err
    return lines[0]


def test_the_bot_refuses_a_sqlite_folder_that_cant_be_created_in_one_line(tmp_path, monkeypatch, capsys,
                                                                         restore_logging):
    assert bot_start(tmp_path, monkeypatch, capsys, sqlite_under_a_file(tmp_path)).startswith(NO_FOLDER)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's read-only /proc")
def test_the_bot_refuses_a_sqlite_file_it_cant_create_in_one_line(tmp_path, monkeypatch, capsys, restore_logging):
    line = bot_start(tmp_path, monkeypatch, capsys, "sqlite:////proc/careerbot-test.sqlite3")
    assert line.startswith(f"{UNOPENABLE} /proc/careerbot-test.sqlite3")
