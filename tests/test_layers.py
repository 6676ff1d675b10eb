"""The import contract: every arrow points down, and nothing below the faces imports discord.

    faces           bot.discord_bot, bot.cli          (bot.cli starts bot.discord_bot for `run` and `sync`)
    composition     bot.container, bot.render         (the root that builds the services; the roadmap card)
    member services bot.members, bot.admin (guide changes: rebuild, undo, audit, shared by every process)
    storage         bot.storage
    pure core       bot.answers -> bot.knowledge -> bot.search
    base            bot.errors, bot.settings, bot.logs

A module may import its own package and the packages listed for it in ALLOWED, nothing else of ours.
Imports made only for type checking (under `if TYPE_CHECKING:`) are not arrows and are not counted.
"""
import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "bot"
DISCORD_FREE = ["errors.py", "settings.py", "logs.py", "container.py", "search", "knowledge", "answers",
                "members", "admin", "storage", "render", "cli"]
DISCORD_FREE_FILES = ["settings.py", "logs.py", "container.py", "errors.py"]

BASE = {"errors", "settings", "logs"}
CORE_SEARCH = BASE | {"search"}
CORE_KNOWLEDGE = CORE_SEARCH | {"knowledge"}
CORE = CORE_KNOWLEDGE | {"answers"}
ALLOWED = {
    "errors": set(), "logs": set(), "settings": {"errors"},
    "search": CORE_SEARCH, "knowledge": CORE_KNOWLEDGE, "answers": CORE,
    "storage": BASE | {"knowledge"},  # the progress table's CHECK lists the roadmap's statuses
    "members": CORE | {"storage"},
    "render": CORE_KNOWLEDGE,
    "container": CORE | {"storage", "members"},
    "admin": CORE | {"storage", "members"},
    "cli": CORE | {"storage", "members", "admin", "render", "container", "discord_bot"},
    "discord_bot": CORE | {"storage", "members", "admin", "render", "container"},
}
FACES = {"cli", "discord_bot"}
PLACED: dict[str, str] = {}  # a file placed in another layer than its folder's (none today)


def _type_checking_only(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            lines.update(n.lineno for child in node.body for n in ast.walk(child) if hasattr(n, "lineno"))
    return lines


def imported_modules(path: Path, *, runtime_only: bool = False) -> set[str]:
    """Absolute names of the modules `path` imports (relative imports resolved within `bot`)."""
    tree = ast.parse(path.read_text())
    skip = _type_checking_only(tree) if runtime_only else set()
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    names = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                names.add(node.module)
            elif node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                names.add(".".join(base + ([node.module] if node.module else [])))
    return names


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "bot" or len(parts) < 2:
        return None
    return parts[1]


def test_no_discord_import_in_domain_source():
    files = [p for d in DISCORD_FREE if (PACKAGE / d).is_dir() for p in (PACKAGE / d).rglob("*.py")]
    files += [PACKAGE / f for f in DISCORD_FREE_FILES if (PACKAGE / f).exists()]
    assert len(files) > 10
    offenders = {str(p): m for p in files for m in imported_modules(p) if m.split(".")[0] == "discord"}
    assert offenders == {}


def test_domain_import_does_not_load_discord():
    code = ("import sys, bot, bot.container, bot.cli, bot.answers.service, bot.members.progress, bot.storage.database;"
            "print('discord' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_arrow_points_down():
    """Each module imports only its own layer and the layers below it (see the module docstring)."""
    seen_layers, offenders = set(), []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue  # Alembic's env.py and revisions belong to storage and import its models
        own = path.stem if path.parent == PACKAGE else path.relative_to(PACKAGE).parts[0]
        own = PLACED.get(path.relative_to(PACKAGE).as_posix(), own)
        if own == "__init__":
            continue
        seen_layers.add(own)
        allowed = ALLOWED[own] | {own}
        for module in imported_modules(path, runtime_only=True):
            layer = layer_of(module)
            if layer is not None and layer not in allowed:
                offenders.append(f"{path.relative_to(PACKAGE.parent)} imports {module}")
    assert seen_layers == set(ALLOWED), "a new top-level module or package needs its place in ALLOWED"
    assert offenders == []


def test_the_pure_core_imports_no_storage_and_no_face():
    """The core (search, knowledge, answers) runs without a database or a face: none of them in its imports."""
    for layer in ("search", "knowledge", "answers"):
        assert not (ALLOWED[layer] & ({"storage", "members", "container"} | FACES))
    assert not any(FACES & ALLOWED[layer] for layer in ALLOWED if layer not in FACES)
