"""The `careerbot` command line: a thin layer over the services built by the composition root.

    careerbot ask [--json] [--top K] [--knowledge DIR] ["QUESTION"]   (no question + --json: one per stdin line)
    careerbot chat                      the local console (ask, and /roadmap, /goal, ... as a local member)
    careerbot kb check [DIR]            validate a knowledge folder, list every problem
    careerbot eval [FILE ...]           hit@1, hit@3, MRR@10, answer hit and abstention per labelled file
    careerbot db upgrade | db backup PATH
    careerbot run                       the Discord bot (or the local console when no token is set)
    careerbot sync [--guild ID]         register slash commands with Discord
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
from pathlib import Path

from bot.answers.service import DEFAULT_TOP, MAX_TOP
from bot.cli.format import format_answer
from bot.errors import CareerbotError
from bot.settings import REPO_ROOT, Settings, SettingsError

DEFAULT_EVAL_FILE = REPO_ROOT / "tests" / "data" / "eval.jsonl"


def _top(value: str) -> int:
    if not value.strip().isdigit() or not 1 <= int(value) <= MAX_TOP:
        raise argparse.ArgumentTypeError(f"give a whole number from 1 to {MAX_TOP}, not {value!r}")
    return int(value)


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(knowledge_dir=getattr(args, "knowledge", None))


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.container import build_answering

    _, answers = build_answering(_settings(args))

    def one(question: str) -> tuple[dict | str, bool]:
        asked = question.strip()  # JSON echoes the question as given, only trimmed at the ends
        try:
            answer = answers.answer(question, top=args.top)
        except CareerbotError as exc:  # same shape as an answer: answered false, the message as the answer
            payload = {"question": asked, "answered": False, "answer": str(exc), "citations": [], "kind": "rejected",
                       "note": None}
            return (payload if args.json else str(exc)), False
        if not args.json:
            return format_answer(answer), True
        return {**answer.to_json(), "question": asked}, True

    if args.question is None:
        if not args.json:
            print("Give a question, or use --json to read one question per line from standard input.", file=sys.stderr)
            return 2
        if sys.stdin is None:
            print("No standard input to read questions from.", file=sys.stderr)
            return 2
        if hasattr(sys.stdin, "reconfigure"):  # a stray non-UTF-8 byte becomes U+FFFD, not a failed batch
            sys.stdin.reconfigure(encoding="utf-8", errors="replace")
        frozen = False
        for line in sys.stdin:  # one JSON line out for every line in, blank lines included
            out, _ = one(line.rstrip("\r\n"))
            print(json.dumps(out, ensure_ascii=False), flush=True)
            if not frozen:  # the knowledge and the answers' caches are built now, and live as long as the process:
                gc.freeze()  # kept out of cyclic GC, whose first full pass over them (about 0.2 s at 100k
                frozen = True  # passages) would otherwise fall in the middle of the batch
        return 0
    out, ok = one(args.question)
    print(json.dumps(out, ensure_ascii=False) if args.json else out)
    return 0 if ok else 2


def _printable(text: str) -> str:
    """A file name as one safe terminal line: control characters (a newline in a name) escaped."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def cmd_kb_check(args: argparse.Namespace) -> int:
    from bot.errors import KnowledgeError, Problem
    from bot.knowledge.folder import check_guides, scan_folder
    from bot.knowledge.roadmap import load_roadmap
    from bot.knowledge.store import ROADMAP_MISSING
    from bot.search.vocabulary import VOCABULARY_FILE, load_vocabulary

    settings = _settings(args)
    folder = Path(args.dir) if args.dir else settings.knowledge_dir
    is_knowledge = (folder / "guides").is_dir()  # a knowledge folder, or just a folder of guides
    guides_dir = folder / "guides" if is_knowledge else folder
    guides, problems = check_guides(guides_dir, root=folder, max_bytes=settings.max_guide_bytes)
    skipped = scan_folder(guides_dir, folder)[2] if guides_dir.is_dir() else []
    roadmap = folder / "roadmap.yaml"
    if is_knowledge and not roadmap.is_file():
        problems.append(Problem(str(roadmap), 0, ROADMAP_MISSING))
    elif roadmap.is_file() and guides:
        try:
            load_roadmap(roadmap, {sid for g in guides for sid in (s.id for s in g.sections)})
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    if (folder / VOCABULARY_FILE).is_file():
        try:
            load_vocabulary(folder / VOCABULARY_FILE)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    for problem in problems + skipped:  # every file not read as a guide is named, with the reason
        print(_printable(problem.path + (f":{problem.line}" if problem.line else "") + f": {problem.message}"))
    passages = sum(len(s.passages) for g in guides for s in g.sections)
    print(f"{len(guides)} guide(s), {passages} passage(s), {len(problems)} problem(s), {len(skipped)} file(s) "
          "skipped", file=sys.stderr)
    return 1 if problems else 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.answers.evaluation import evaluate, load_items
    from bot.container import build_answering

    _, answers = build_answering(_settings(args))
    paths = [Path(f) for f in (args.files or [DEFAULT_EVAL_FILE])]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"careerbot eval: No such file: {', '.join(missing)}; give JSON Lines files of labelled questions",
              file=sys.stderr)
        return 1
    sets = [(p, load_items(p)) for p in paths]
    for path, items in sets:
        report = evaluate(answers, items, name=str(path))
        if args.json:
            print(json.dumps(report.as_dict()))
            continue
        print(f"{path}: {report.in_scope} in scope, {report.off_topic} off topic")
        print(f"  hit@1 {report.hit1:.3f}  hit@3 {report.hit3:.3f}  MRR@10 {report.mrr10:.3f}  "
              f"answer hit {report.answer_hit:.3f}")
        print(f"  off-topic abstention {report.off_topic_abstention:.3f}  "
              f"in-scope false abstention {report.false_abstention:.3f}")
        if args.verbose:
            for miss in report.misses:
                print("  miss:", json.dumps(miss, ensure_ascii=False))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.cli.console import run_console

    return asyncio.run(run_console(_settings(args)))


def cmd_db(args: argparse.Namespace) -> int:
    from bot.cli.db import run_db_command

    return asyncio.run(run_db_command(_settings(args), args.db_command, getattr(args, "path", None)))


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.discord_token is None and not args.require_token:
        print("No DISCORD_TOKEN is set, so starting the local console instead of the Discord bot "
              "(see README: 'Run it on Discord').", file=sys.stderr)
        return cmd_chat(args)
    from bot.discord_bot.runner import run

    return run(settings)


def cmd_sync(args: argparse.Namespace) -> int:
    from bot.discord_bot.runner import sync

    return sync(_settings(args), args.guild)


def build_parser() -> argparse.ArgumentParser:
    knowledge = argparse.ArgumentParser(add_help=False)  # before or after the command: `careerbot --knowledge D ask`
    knowledge.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                           help="knowledge folder (default: KNOWLEDGE_DIR, else the knowledge/ folder shipped with careerbot)")
    parser = argparse.ArgumentParser(prog="careerbot", description="Career answers from cited guides, and a roadmap.",
                                     parents=[knowledge])
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer one question (or, with --json, one per stdin line)", parents=[knowledge])
    ask.add_argument("question", nargs="?", help="the question; omit it with --json to read stdin")
    ask.add_argument("--json", action="store_true", help="print JSON objects instead of text")
    ask.add_argument("--top", type=_top, default=DEFAULT_TOP, metavar="K",
                     help=f"number of citations (1-{MAX_TOP}, default {DEFAULT_TOP})")
    ask.set_defaults(func=cmd_ask)

    kb = sub.add_parser("kb", help="knowledge base tools").add_subparsers(dest="kb_command", required=True)
    check = kb.add_parser("check", help="validate a knowledge folder and list every problem")
    check.add_argument("dir", nargs="?", help="folder with guides (default: the knowledge folder)")
    check.set_defaults(func=cmd_kb_check)

    ev = sub.add_parser("eval", help="retrieval quality on a labelled question file", parents=[knowledge])
    ev.add_argument("files", nargs="*", metavar="FILE",
                    help="JSON Lines files of labelled questions, each reported apart (default: tests/data/eval.jsonl)")
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    ev.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    ev.set_defaults(func=cmd_eval)

    chat = sub.add_parser("chat", help="the local console", parents=[knowledge])
    chat.set_defaults(func=cmd_chat)

    db = sub.add_parser("db", help="database tools").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply migrations up to the newest schema").set_defaults(func=cmd_db)
    backup = db.add_parser("backup", help="consistent copy of a live SQLite database")
    backup.add_argument("path", help="where to write the copy")
    backup.set_defaults(func=cmd_db)

    run = sub.add_parser("run", help="start the Discord bot (the local console when no token is set)")
    run.add_argument("--require-token", action="store_true", help="fail instead of falling back to the console")
    run.set_defaults(func=cmd_run)

    sync = sub.add_parser("sync", help="register slash commands with Discord")
    sync.add_argument("--guild", type=int, metavar="ID", help="sync to one server only (instant)")
    sync.set_defaults(func=cmd_sync)
    return parser


def _database_errors() -> tuple[type[BaseException], ...]:
    """SQLAlchemy's base error when SQLAlchemy was imported (none can be raised otherwise): `ask` doesn't
    import it, which saves about 0.2 s of its start."""
    errors = sys.modules.get("sqlalchemy.exc")
    return (errors.SQLAlchemyError,) if errors is not None else ()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CareerbotError, SettingsError) as exc:  # a bad setting: one line naming it
        print(str(exc), file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (`careerbot ask ... | head`): not an error
        sys.stderr.close()
        return 0
    except Exception as exc:  # bad settings, files, database URLs
        database = _database_errors()
        if not isinstance(exc, (ValueError, OSError, *database)):
            raise
        if database and isinstance(exc, database):  # the driver's own words, one line, and what to check
            from bot.storage.faults import root_cause

            cause = root_cause(exc)
            said = (str(cause).strip().splitlines() or [""])[0]
            print(f"careerbot {args.command}: the database refused: {said} ({type(cause).__name__}); check "
                  "DATABASE_URL (the database, user and password) in .env or the environment", file=sys.stderr)
            return 1
        print(f"careerbot {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130

