"""The console as a new user meets it: citations say how to save them and `/checklist save <n>` saves
citation [n] of the last answer; Ctrl-C at the prompt exits at once, cleanly; after Ctrl-D the shell's
prompt starts on a new line (both on a real pseudo-terminal, in a subprocess)."""
from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys

import pytest

from bot.cli.console import SAVE_HINT, Session, handle_line
from bot.container import build_services
from tests.discord_harness import REPO, harness_settings

COVERED = "Do I need a degree to become an ML engineer?"


@pytest.fixture
async def console_services(tmp_path):
    services = await build_services(harness_settings(tmp_path))
    yield services
    await services.close()


async def test_checklist_save_n_saves_citation_n_of_the_last_answer(console_services):
    session = Session()
    assert "no answer to save from yet" in await handle_line("/checklist save 1", console_services, session=session)
    answer = await handle_line(COVERED, console_services, session=session)
    assert "[2] " in answer and answer.endswith(SAVE_HINT)
    second = session.cited[1]
    saved = await handle_line("/checklist save 2", console_services, session=session)
    assert saved.startswith("Saved #1 · ")
    entries = await console_services.reading.list(1)
    assert [e.section_id for e in entries] == [second]
    assert "already on your reading list (#1)" in await handle_line("/checklist save [2]", console_services,
                                                                     session=session)
    assert f"sources [1] to [{len(session.cited)}]" in await handle_line("/checklist save 99", console_services,
                                                                         session=session)
    off_topic = await handle_line("what is the best pizza topping in naples?", console_services, session=session)
    assert SAVE_HINT not in off_topic and session.cited == []


def start_console(tmp_path) -> tuple[subprocess.Popen, int]:
    """`careerbot chat` on a pseudo-terminal (so it is interactive), on a fresh database."""
    master, slave = pty.openpty()
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{(tmp_path / 'db.sqlite3').as_posix()}",
           "KNOWLEDGE_DIR": str(REPO / "knowledge")}
    env.pop("DISCORD_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "chat"], stdin=slave, stdout=slave, stderr=slave,
                            cwd=tmp_path, env=env, start_new_session=True)
    os.close(slave)
    return proc, master


def read_until(master: int, marker: bytes, proc: subprocess.Popen) -> bytes:
    out = b""
    while marker not in out:
        ready, _, _ = select.select([master], [], [], 60)
        assert ready, f"no {marker!r} from the console; got {out!r}"
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the console exited: the terminal is closed
            break
        out += chunk
    return out


def read_rest(master: int) -> bytes:
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            return out
        if not chunk:
            return out
        out += chunk


def test_ctrl_c_at_the_prompt_exits_at_once_and_cleanly(tmp_path):
    proc, master = start_console(tmp_path)
    try:
        assert b"Ctrl-D or /quit to leave." in read_until(master, b"> ", proc)
        os.kill(proc.pid, signal.SIGINT)  # what Ctrl-C sends; nothing is typed after it
        assert proc.wait(timeout=60) == 130  # before the fix this waited for Enter (the bound is not a timing)
        rest = read_rest(master)
        assert b"Traceback" not in rest and rest.replace(b"\r", b"") == b"\n"
    finally:
        proc.kill()
        os.close(master)


def test_after_ctrl_d_the_shell_prompt_starts_on_a_new_line(tmp_path):
    proc, master = start_console(tmp_path)
    try:
        read_until(master, b"> ", proc)
        os.write(master, b"\x04")  # Ctrl-D at the prompt: end of input
        assert proc.wait(timeout=60) == 0
        assert read_rest(master).replace(b"\r", b"") in (b"\n", b"^D\n")
    finally:
        proc.kill()
        os.close(master)
