"""The local console started while its database is down behaves like the bot: it starts in guides-only mode,
says so once (one line, on stderr), answers questions from the guides, says "Saving is unavailable right
now" to the member commands, and saves again once the database is back, without a restart (the migrations
run on the first use that reaches it).

The outage is a refused port for PostgreSQL as the real driver meets it (`careerbot chat` in a subprocess),
a refused connection on SQLite (`tests.db_faults.Outage`) and a stopped TCP proxy in front of PostgreSQL
(skipped without TEST_DATABASE_URL). The database comes back between two console lines: the scripted input
ends the outage when the console asks for the next line, so nothing waits on a clock.
"""
from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from bot.cli.console import SAVE_HINT, run_console
from bot.storage.database import normalise_url
from tests.cli.test_cli_database import REPO, closed_port
from tests.conftest import PG_URL
from tests.db_faults import PgProxy, databases_start_down
from tests.discord_harness import harness_settings

UNAVAILABLE = "Saving is unavailable right now"
GUIDES_ONLY = "Starting in guides-only mode"
COVERED = "Do I need a degree to become an ML engineer?"
GOAL = "learn linear algebra"
PERSONAL = ["/goal add learn linear algebra", "/goal list", "/roadmap", "/roadmap next", "/checklist show",
            "/checklist save 1", "/mydata export", "/mydata delete confirm"]


class Script:
    """The console's standard input: one line per `readline`, then end of input. A callable in the script
    runs (on the console's input thread) when the console asks for the line after it; `replies[i]` is what
    the console printed for line i."""

    def __init__(self, stdout: io.StringIO, *items: str | Callable[[], None]) -> None:
        self.items, self.stdout = list(items), stdout
        self.replies: list[str] = []
        self._printed = 0
        self._asked = False

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        if self._asked:  # everything printed since the last line was read answers that line
            text = self.stdout.getvalue()
            self.replies.append(text[self._printed:])
            self._printed = len(text)
        self._asked = True
        while self.items and callable(self.items[0]):
            self.items.pop(0)()  # type: ignore[operator]
        return f"{self.items.pop(0)}\n" if self.items else ""


def assert_guides_only(replies: list[str], personal: list[str]) -> None:
    answer = replies[0]
    assert "Sources:" in answer and "[1] " in answer and UNAVAILABLE not in answer, answer
    for command, reply in zip(personal, replies[1:1 + len(personal)], strict=True):
        assert reply.startswith(UNAVAILABLE) and reply.count("\n") == 1, (command, reply)


def one_start_up_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert GUIDES_ONLY in lines[0] and "saving is unavailable" in lines[0] and "Traceback" not in err
    return lines[0]


def chat(*args: str, database_url: str, lines: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "DISCORD_TOKEN": "", "DATABASE_URL": database_url, "KNOWLEDGE_DIR": str(REPO / "knowledge")}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=120, input="".join(f"{line}\n" for line in lines))


@pytest.mark.parametrize("command", [("chat",), ("run",)])
def test_the_console_starts_without_its_postgres_server_and_answers_from_the_guides(command):
    """The server's port refuses connections (asyncpg's real ConnectionRefusedError): exit 0, one line."""
    out = chat(*command, database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/test",
               lines=[COVERED, *PERSONAL, "/help"])
    assert out.returncode == 0, out.stderr
    err = out.stderr
    if command == ("run",):  # `careerbot run` without a token says first that it starts the console
        first, err = err.split("\n", 1)
        assert first.startswith("No DISCORD_TOKEN is set")
    line = one_start_up_line(err)
    assert line.startswith("Can't reach the database (ConnectionRefusedError")
    assert out.stdout.count(UNAVAILABLE) == len(PERSONAL)
    assert "Sources:" in out.stdout and "/mydata export" in out.stdout  # the answer, and /help still works


async def test_a_console_started_while_sqlite_is_down_answers_from_the_guides_and_saves_once_it_is_back(
        tmp_path, monkeypatch, caplog):
    outages = databases_start_down(monkeypatch)
    caplog.set_level(logging.INFO)
    stdout, stderr = io.StringIO(), io.StringIO()
    back = [f"/goal add {GOAL}", "/goal list", "/checklist save 1", "/checklist show", COVERED]
    script = Script(stdout, COVERED, *PERSONAL, lambda: outages[0].end(), *back)
    settings = harness_settings(tmp_path)
    assert await run_console(settings, stdin=script, stdout=stdout, stderr=stderr) == 0

    line = one_start_up_line(stderr.getvalue())
    assert line.startswith("Can't open the SQLite database") and "ConnectionRefusedError" in line
    assert outages[0].refused > len(PERSONAL)  # every member command tried the database again
    assert_guides_only(script.replies, PERSONAL)
    added, listed, saved, shown, again = script.replies[1 + len(PERSONAL):]
    assert SAVE_HINT not in script.replies[0] and SAVE_HINT in again  # no hint to save while saving is down
    assert added.startswith(f"Added goal #1: {GOAL}")
    assert listed == f"Your goals:\n  [ ] #1 {GOAL}\n"
    assert saved.startswith("Saved #1 · ")  # source [1] of the answer given while saving was unavailable
    assert shown.startswith("Your reading list (0/1 read):")
    # said once, on stderr: nothing logged at WARNING or above (no line per refused command either)
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "saving works again" in caplog.text


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
async def test_a_console_started_while_postgres_is_down_saves_and_serves_the_guide_changes_once_it_is_back(tmp_path):
    """Up to date but for a moderator's guide change kept in the database; the server is down when the console
    starts: the folder's guides answer, and once a member command reaches the server again the console saves
    and serves the database's knowledge version (the changed guide), as the bot's knowledge check does."""
    from bot.storage.database import Database
    from bot.storage.guide_changes import Change, GuideChanges
    from tests.discord_bot.test_discord_kb import NEW_GUIDE
    from tests.discord_bot.test_multi_process import QUESTION, fresh_database

    loop = asyncio.get_running_loop()
    async with fresh_database() as url, PgProxy(normalise_url(url).port or 5432) as proxy:
        db = Database(url)
        try:
            await db.upgrade()
            await GuideChanges(db).commit(expected=0, change=Change("quokka.md", "add", NEW_GUIDE.decode()))
        finally:
            await db.dispose()
        await proxy.stop()  # the server is down: its port refuses connections
        proxied = normalise_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)

        def server_back() -> None:  # on the console's input thread, while the console waits for a line
            asyncio.run_coroutine_threadsafe(proxy.start(), loop).result(timeout=30)

        stdout, stderr = io.StringIO(), io.StringIO()
        script = Script(stdout, COVERED, *PERSONAL, QUESTION, server_back, f"/goal add {GOAL}", "/goal list",
                        QUESTION)
        assert await run_console(harness_settings(tmp_path, database_url=proxied), stdin=script, stdout=stdout,
                                 stderr=stderr) == 0
        assert one_start_up_line(stderr.getvalue()).startswith("Can't reach the database (ConnectionRefusedError")
        assert_guides_only(script.replies, PERSONAL)
        before, added, listed, after = script.replies[1 + len(PERSONAL):]
        assert "The quokkaboard study plan" not in before  # the folder's guides only
        assert added.startswith(f"Added goal #1: {GOAL}") and listed == f"Your goals:\n  [ ] #1 {GOAL}\n"
        assert "The quokkaboard study plan" in after  # the database's knowledge version, without a restart
