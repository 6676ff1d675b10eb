"""scripts/start.sh sets up once and reinstalls only when pyproject.toml changed; later starts are quiet.
Run on a copy of the script with a stand-in .venv that records what it was asked to do (no pip, no network)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.discord_harness import REPO

STUB = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$(dirname "$0")/../../calls.log"
"""


def project(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "start.sh", tmp_path / "scripts" / "start.sh")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "careerbot"):
        (bin_dir / name).write_text(STUB)
        (bin_dir / name).chmod(0o755)
    return tmp_path


def start(root: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    log = root / "calls.log"
    log.unlink(missing_ok=True)
    done = subprocess.run(["bash", str(root / "scripts" / "start.sh"), "--require-token"], capture_output=True,
                          text=True, check=True)
    return done, log.read_text().splitlines()


def test_start_sets_up_once_and_again_only_when_pyproject_changes(tmp_path):
    root = project(tmp_path)
    first, calls = start(root)
    assert [c for c in calls if "pip install" in c] == [
        "python -m pip install -qq --disable-pip-version-check --upgrade pip",
        "python -m pip install -qq --disable-pip-version-check -e ."]
    assert calls[-1] == "careerbot run --require-token" and "Setting up .venv" in first.stderr

    again, calls = start(root)
    assert calls == ["careerbot run --require-token"]  # straight to the bot: no pip, nothing printed
    assert again.stdout == again.stderr == ""

    (root / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["y"]\n')
    _, calls = start(root)
    assert sum("pip install" in c for c in calls) == 2
    _, calls = start(root)
    assert calls == ["careerbot run --require-token"]
