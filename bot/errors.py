"""Errors the domain raises. Their messages are written to be shown to a member or moderator as they are."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class CareerbotError(Exception):
    """Base class: `str(error)` is a message fit to show the person who caused it."""


class DomainError(CareerbotError):
    """Bad input from a member (too long, unknown id, past date, someone else's goal, ...)."""


class NotFound(DomainError):
    """An id that does not exist, or that belongs to another member."""


class LimitReached(DomainError):
    """A cap (open goals, reading list size, ...) has been reached."""


@dataclass(frozen=True)
class Problem:
    """One problem in a knowledge file, located by file and line (line 0 means the whole file)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = Path(self.path).name if self.path else "<knowledge>"
        return f"{where}:{self.line}: {self.message}" if self.line else f"{where}: {self.message}"


class KnowledgeError(CareerbotError):
    """The knowledge folder has problems; nothing was changed. `problems` lists each one."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        if len(self.problems) == 1:  # one problem, one line
            super().__init__(f"A problem in the knowledge base: {self.problems[0]}")
            return
        lines = "\n".join(f"- {p}" for p in self.problems[:20])
        more = f"\n- ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the knowledge base:\n{lines}{more}")


class StorageUnavailable(CareerbotError):
    """The database can't be reached (or can't be written) right now; asking the guides still works."""

    MESSAGE = ("Saving is unavailable right now: I can't reach the database, so your goals, progress and "
               "reading list can't be read or changed. Please try again in a few minutes; questions to the "
               "guides still get answers.")

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)
