"""The domain and storage layers never import discord (directly or through anything they import)."""
import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "bot"
DISCORD_FREE = ["domain", "storage", "render"]
DISCORD_FREE_FILES = ["settings.py", "logs.py", "container.py", "cli.py", "cli_db.py", "cli_format.py", "console.py", "console_progress.py"]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_discord_import_in_domain_source():
    files = [p for d in DISCORD_FREE for p in (PACKAGE / d).rglob("*.py")]
    files += [PACKAGE / f for f in DISCORD_FREE_FILES if (PACKAGE / f).exists()]
    assert len(files) > 10
    offenders = {str(p): m for p in files for m in imported_modules(p) if m.split(".")[0] == "discord"}
    assert offenders == {}


def test_domain_import_does_not_load_discord():
    code = ("import sys, bot, bot.container, bot.cli, bot.domain.answers, bot.domain.progress, bot.storage.database;"
            "print('discord' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
