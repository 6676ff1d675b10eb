"""`careerbot chat`: the local console. Type a question to get a cited answer; lines starting with `/`
use the same commands as Discord (`/roadmap`, `/goal add ...`, `/checklist ...`, `/mydata export`),
acting as one local member whose records persist in the configured database.
"""
from __future__ import annotations

import asyncio
import sys

from .cli_format import format_answer
from .domain.errors import CareerbotError
from .settings import Settings

LOCAL_MEMBER_ID = 1
BANNER = (
    "careerbot console: ask a career question, or try /roadmap, /goal add <text>, /checklist show, /help.\n"
    "Ctrl-D or /quit to leave."
)


async def handle_line(line: str, services, user_id: int = LOCAL_MEMBER_ID) -> str:
    """One console line in, the text to print out. Never raises for bad input."""
    line = line.strip()
    if not line:
        return ""
    if line.startswith("/ask"):
        line = line[4:].strip()
        if not line:
            return "Usage: /ask <question>"
    elif line.startswith("/"):
        from .console_progress import handle_command
        try:
            return await handle_command(line, services, user_id)
        except CareerbotError as exc:
            return str(exc)
    try:
        answer = await asyncio.to_thread(services.answers.answer, line)
    except CareerbotError as exc:
        return str(exc)
    if not answer.answered and answer.kind != "small_talk" and services.community is not None:
        try:
            await services.community.record_unanswered(None, line)
        except CareerbotError:
            pass  # nothing left to record once mentions and ids are stripped
    return format_answer(answer)


async def run_console(settings: Settings, stdin=None, stdout=None) -> int:
    from .container import build_services

    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    services = await build_services(settings)
    interactive = stdin.isatty()
    try:
        if interactive:
            print(BANNER, file=stdout)
        while True:
            if interactive:
                print("> ", end="", file=stdout, flush=True)
            line = await asyncio.to_thread(stdin.readline)
            if not line or line.strip() in {"/quit", "/exit"}:
                break
            out = await handle_line(line, services)
            if out:
                print(out, file=stdout, flush=True)
    finally:
        await services.close()
    return 0
