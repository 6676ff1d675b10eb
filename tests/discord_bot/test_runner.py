"""`careerbot run` / `sync` at the process level: an unreachable Discord, voice warnings, git-ignored secrets."""
from __future__ import annotations

import logging
import re
import shutil
import socket
import subprocess
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import discord
import pytest

from bot.discord_bot import runner
from bot.logs import uninstall_redaction
from tests.discord_harness import harness_settings

REPO = Path(__file__).resolve().parents[2]
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.runner-secret-token"


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level, factory = list(root.handlers), root.level, logging.getLogRecordFactory()
    yield
    uninstall_redaction()
    logging.setLogRecordFactory(factory)
    root.handlers[:], root.level = handlers, level


def dns_failure(monkeypatch) -> list[str]:
    """Discord's REST login fails the way aiohttp fails when discord.com does not resolve."""
    tried: list[str] = []

    async def static_login(self, token: str):
        tried.append(token)
        key = SimpleNamespace(host="discord.com", port=443, ssl=True)
        raise aiohttp.ClientConnectorDNSError(key, socket.gaierror(-3, "Temporary failure in name resolution"))
    monkeypatch.setattr(discord.http.HTTPClient, "static_login", static_login)
    return tried


@pytest.mark.parametrize("command", ["run", "sync"])
def test_an_unreachable_discord_gives_one_line_saying_what_to_check(tmp_path, monkeypatch, capsys, restore_logging,
                                                                    command):
    tried = dns_failure(monkeypatch)
    settings = harness_settings(tmp_path, discord_token=TOKEN)
    code = runner.run(settings) if command == "run" else runner.sync(settings)
    out, err = capsys.readouterr()
    assert code == runner.EXIT_UNREACHABLE == 5 and tried == [TOKEN]
    last = err.strip().splitlines()[-1]
    assert last.startswith("Discord can't be reached (Cannot connect to host discord.com:443")
    assert "internet connection, DNS" in last and "proxy" in last
    assert "Traceback" not in out + err and TOKEN not in out + err


def test_no_voice_warnings_for_a_bot_without_voice(tmp_path, monkeypatch, capsys, restore_logging):
    # discord.py warns once per process, from Client.__init__, when PyNaCl or davey is missing.
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    dns_failure(monkeypatch)
    assert runner.run(harness_settings(tmp_path, discord_token=TOKEN)) == 5
    err = capsys.readouterr().err
    assert "voice will NOT be supported" not in err and "PyNaCl" not in err and "davey" not in err


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs the git work tree")
@pytest.mark.parametrize("name, ignored", [(".env", True), (".env.local", True), (".env.production", True),
                                           (".env.example", False)])
def test_env_files_are_git_ignored_but_the_example(name, ignored):
    check = subprocess.run(["git", "check-ignore", "-q", "--no-index", name], cwd=REPO)
    assert (check.returncode == 0) is ignored


def test_the_readme_lists_every_exit_code():
    rows = re.findall(r"^\s*\| (\d+) \| (.+) \|$", (REPO / "README.md").read_text(), re.M)
    assert {int(code) for code, _ in rows} == {runner.EXIT_OK, runner.EXIT_ERROR, runner.EXIT_NO_TOKEN,
                                               runner.EXIT_BAD_TOKEN, runner.EXIT_INTENTS, runner.EXIT_UNREACHABLE}
    meaning = dict(rows)
    assert "bad setting" in meaning[str(runner.EXIT_ERROR)] and "can't be reached" in meaning[str(runner.EXIT_UNREACHABLE)]
