"""`careerbot chat`: the local console. Type a question to get a cited answer; lines starting with `/`
use the same commands as Discord (`/roadmap`, `/goal add ...`, `/checklist ...`, `/mydata export`),
acting as one local member whose records persist in the configured database.

Input is read on a daemon thread, one line per prompt (`LineReader`): Ctrl-C at the prompt ends the
console at once, where a read in asyncio's default executor would hold the loop's shutdown until Enter.
The console remembers the last answer's citations, so `/checklist save 2` saves citation [2].

A database that can't be reached at start does not stop the console (as it doesn't stop the bot): one line
on stderr says saving is unavailable and questions are answered from the guides only; the member commands
say "Saving is unavailable right now…", and work again once the database is back (its migrations run on
the first use that reaches it), without a restart; on PostgreSQL the console then serves the database's
knowledge version, the moderators' guide changes included. A DATABASE_URL that can't work as set (a SQLite
folder that can't be created, a file that can't be opened) is still one line and exit 1.
"""
from __future__ import annotations

import asyncio
import queue
import sys
import threading
from dataclasses import dataclass, field

from bot.cli.format import format_answer
from bot.errors import CareerbotError
from bot.settings import Settings

LOCAL_MEMBER_ID = 1
BANNER = (
    "careerbot console: ask a career question, or try /roadmap, /goal add <text>, /checklist show, /help.\n"
    "Ctrl-D or /quit to leave."
)
SAVE_HINT = "Save a source to your reading list with /checklist save <n> (n is its number in [brackets])."


@dataclass
class Session:
    """What the console remembers between lines: the section ids the last answer cited, in order, and the
    question a follow-up ("and without a degree?", "what about a PhD?") is read in the light of."""

    cited: list[str] = field(default_factory=list)
    question: str | None = None


class LineReader:
    """Reads one line per `readline()` call on a daemon thread. A read still blocked when the console ends
    (Ctrl-C) is simply abandoned: the thread never holds up the event loop's shutdown or the exit."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.requests: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="console-input", daemon=True).start()

    def _serve(self) -> None:
        while True:
            loop, future = self.requests.get()
            if future is None:
                return
            try:
                line, error = self.stream.readline(), None
            except Exception as exc:  # noqa: BLE001 - handed to the waiting coroutine
                line, error = "", exc
            loop.call_soon_threadsafe(_settle, future, line, error)

    async def readline(self) -> str:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.requests.put((loop, future))
        return await future

    def close(self) -> None:
        self.requests.put((None, None))


def _settle(future: asyncio.Future, line: str, error: Exception | None) -> None:
    if future.done():  # cancelled meanwhile (Ctrl-C)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(line)


def _saving_paused(services) -> bool:
    """Started without the database and not reached since: no hint to save what can't be saved yet."""
    return services.members is None or bool(getattr(services.database, "schema_pending", False))


async def handle_line(line: str, services, user_id: int = LOCAL_MEMBER_ID, session: Session | None = None) -> str:
    """One console line in, the text to print out. Never raises for bad input. With a `session`, the last
    answer's citations are remembered for `/checklist save <n>`."""
    line = line.strip()
    if not line:
        return ""
    if line.startswith("/ask"):
        line = line[4:].strip()
        if not line:
            return "Usage: /ask <question>"
    elif line.startswith("/"):
        from bot.cli.console_progress import handle_command
        try:
            return await handle_command(line, services, user_id, cited=session.cited if session else None)
        except CareerbotError as exc:
            return str(exc)
    try:
        previous = session.question if session is not None else None
        answer = await asyncio.to_thread(services.answers.answer, line, previous=previous)
    except CareerbotError as exc:
        return str(exc)
    if (not answer.answered and answer.kind != "small_talk" and answer.reason != "not_english"
            and services.members is not None):
        try:
            await services.community.record_unanswered(None, line)
        except CareerbotError:
            pass  # nothing left to record once mentions and ids are stripped
    if session is not None and answer.kind != "small_talk":
        session.question = answer.follows or answer.question  # a chain of follow-ups keeps its first question
    if session is not None:
        session.cited = [c.section_id for c in answer.citations]
        if answer.citations and not _saving_paused(services):
            return format_answer(answer) + "\n" + SAVE_HINT
    return format_answer(answer)


def knowledge_sync(services, settings: Settings):
    """What keeps the console's guides those of the database, as the bot's does: on PostgreSQL, moderators'
    changes made on Discord (or in another process) reach a running console through NOTIFY and the periodic
    check (`KNOWLEDGE_CHECK_SECONDS`); a console started without its database catches up once it is back."""
    from bot.admin.knowledge_sync import KnowledgeSync

    return KnowledgeSync(services.knowledge, services.guide_changes, asyncio.Lock(),
                         check_seconds=settings.knowledge_check_seconds)


async def run_console(settings: Settings, stdin=None, stdout=None, stderr=None) -> int:
    from bot.container import build_services, check_database_setting

    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    check_database_setting(settings)  # a SQLite file that can't be used as set: one line, exit 1

    def guides_only(line: str) -> None:  # the database can't be reached: said once, then guides-only mode
        print(line, file=stderr, flush=True)

    services = await build_services(settings, tolerate_outage=True, announce=guides_only)
    sync = knowledge_sync(services, settings)
    interactive = stdin.isatty()
    reader, session = LineReader(stdin), Session()
    at_prompt = False
    try:
        # labels (or, on PostgreSQL, may replace) the served knowledge: before warming it, as the bot does
        await sync.start(database_down=services.database_down_at_start)
        catch_up = services.database_down_at_start and sync.shared  # at once, not at the next periodic check
        # the first answer, sooner (kept in a name: a task needs a reference)
        _warming = asyncio.create_task(asyncio.to_thread(services.answers.warm))
        if interactive:
            print(BANNER, file=stdout)
        while True:
            if interactive:
                print("> ", end="", file=stdout, flush=True)
            at_prompt = True
            line = await reader.readline()
            at_prompt = False
            if not line or line.strip() in {"/quit", "/exit"}:
                if not line and interactive:
                    print(file=stdout, flush=True)  # Ctrl-D: the shell's prompt starts on a line of its own
                break
            out = await handle_line(line, services, session=session)
            if out:
                print(out, file=stdout, flush=True)
            if catch_up and not services.database.schema_pending:  # the database is back (migrated)
                catch_up = False
                await sync.refresh()
    except asyncio.CancelledError:  # Ctrl-C (asyncio.run cancels this task): leave at once, tidily
        if interactive and at_prompt:
            print(file=stdout, flush=True)
        raise
    finally:
        reader.close()
        await sync.close()
        await services.close()
    return 0
