"""One knowledge base for every bot process: moderators' changes in the database, reloads that reach all.

On PostgreSQL (`GuideChanges.shared`) a process serves the bundled `knowledge/` folder plus the changes
stored in the database. A change (`add`, `remove`, `reload`) reads the database's state, builds the new
knowledge strictly in a worker thread with the change applied, and only then commits it (one transaction:
the change row, the version bump, `NOTIFY`) and swaps it in; a broken change is refused before anything is
stored, and a change that raced another process's is rebuilt on top of it. Every other process hears the
`NOTIFY` on its own connection (or, if it missed it, sees the new version at its next check, every
`KNOWLEDGE_CHECK_SECONDS`) and `refresh`es: the same strict build, the old index serving until the new one
is ready, and a version it can't build kept out (logged once) while the old knowledge keeps serving.

On SQLite (one process) the folder stays the truth, as before: the cog writes the files and reloads, and
`record` keeps the change in the database too (best effort), with the version it makes.

Nothing here imports discord; the bot owns one `KnowledgeSync` and holds `bot.kb_lock` around every build.
"""
from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from bot.errors import DomainError, KnowledgeError, StorageUnavailable
from bot.knowledge.folder import read_guide_file
from bot.knowledge.store import Knowledge, KnowledgeStore
from bot.storage.guide_changes import Change, GuideChanges, SharedState, VersionConflict

log = logging.getLogger(__name__)
ATTEMPTS = 3  # a change that keeps racing other processes' changes is refused after this many builds
NO_DATABASE = ("Nothing was changed: I can't reach the database the guides are kept in. The previous "
               "knowledge is still serving; try again in a few minutes.")


def reload_in_worker(store: KnowledgeStore, loaded_by: str | None, **options: Any) -> Knowledge:
    """`store.reload` for a worker thread. A big build allocates millions of objects, and CPython's cyclic
    collector, triggered by them, would stop every thread (the event loop too) many times during it:
    pause it for the build. The heap is not frozen here (only once, in `setup_hook`): a freeze after each
    reload would also pin whatever garbage the whole process made meanwhile, for good."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return store.reload(loaded_by=loaded_by, **options)
    finally:
        if enabled:
            gc.enable()


class KnowledgeSync:
    def __init__(self, store: KnowledgeStore, changes: GuideChanges | None, lock: asyncio.Lock, *,
                 check_seconds: float = 30.0) -> None:
        self.store, self.changes, self.lock = store, changes, lock
        self.check_seconds = check_seconds
        self.listener: Any = None
        self.failed_version: int | None = None  # a version this process could not build (kept out, logged once)
        self._checker: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._served = asyncio.Condition()

    @property
    def shared(self) -> bool:
        return self.changes is not None and self.changes.shared

    @property
    def _database(self) -> GuideChanges:
        if self.changes is None:
            raise RuntimeError("the guides are not kept in the database in this process")
        return self.changes

    @property
    def served_version(self) -> int | None:
        return self.store.current.version

    # ------------------------------------------------------------------ running

    async def start(self, *, database_down: bool = False) -> None:
        """Label the served knowledge with the database's version; on PostgreSQL also listen and check.
        `database_down`: the bot started without its database (already logged once): read nothing now;
        on PostgreSQL the periodic check listens and catches up once it is back."""
        if self.changes is None:
            return
        if database_down:
            if self.shared:
                self._checker = asyncio.create_task(self._check_every(), name="careerbot-knowledge-check")
            return
        if not self.shared:
            try:
                self.store.install(replace(self.store.current, version=await self.changes.version()))
            except Exception:  # only a label: the bot serves the folder either way
                log.warning("could not read the knowledge version", exc_info=True)
            return
        await self._listen()
        await self.refresh()  # a change made between building the knowledge and listening
        self._checker = asyncio.create_task(self._check_every(), name="careerbot-knowledge-check")

    async def close(self) -> None:
        tasks = [task for task in [self._checker, *self._tasks] if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # ended before the database they use is closed
        if self.listener is not None:
            await self.listener.close()
            self.listener = None

    async def _listen(self) -> None:
        try:
            self.listener = await self._database.listen(self._notified)
        except Exception as error:  # the periodic check still catches every change, and retries the connection
            log.warning("could not listen for knowledge changes (%s); checking every %gs instead", type(error).__name__,
                        self.check_seconds, exc_info=not isinstance(error, (OSError, StorageUnavailable)))

    def _notified(self) -> None:
        task = asyncio.get_running_loop().create_task(self.refresh(), name="careerbot-knowledge-refresh")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _check_every(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            try:
                await self.check()
            except Exception:
                log.warning("knowledge version check failed", exc_info=True)

    async def check(self) -> bool:
        """The periodic check: listen again if the connection dropped, then catch up on a missed version."""
        if self.listener is None or not self.listener.alive:
            if self.listener is not None:
                await self.listener.close()  # a dropped connection: free what is left of it
            self.listener = None
            await self._listen()
        return await self.refresh()

    async def refresh(self) -> bool:
        """Serve the database's version if this process serves another; True if it swapped knowledge in."""
        async with self.lock:
            try:
                version = await self._database.version()
                if version in (self.served_version, self.failed_version):
                    return False
                state = await self._database.state()
                kb = await asyncio.to_thread(reload_in_worker, self.store, None, changes=state.changes, install=False)
            except KnowledgeError as error:
                self.failed_version = state.version
                log.warning("knowledge version %d can't be built here; still serving version %s: %s",
                            state.version, self.served_version, "; ".join(str(p) for p in error.problems[:5]))
                return False
            except Exception as error:  # the database is away: keep serving, the next check tries again
                log.warning("could not refresh the knowledge (%s)", type(error).__name__,
                            exc_info=not isinstance(error, (OSError, StorageUnavailable)))
                return False
            await self._install(replace(kb, version=state.version), state)
        return True

    async def _install(self, kb: Knowledge, state_or_changes: SharedState | dict) -> None:
        changes = state_or_changes.changes if isinstance(state_or_changes, SharedState) else state_or_changes
        self.store.install(kb, changes)
        self.failed_version = None
        async with self._served:
            self._served.notify_all()

    async def wait_for(self, version: int) -> Knowledge:
        """Wait until this process serves `version` or a later one (tests and scripts bound it by a timeout)."""
        async with self._served:
            await self._served.wait_for(lambda: (self.served_version or 0) >= version)
        return self.store.current

    # ------------------------------------------------------------------ moderators' changes (shared)

    async def add(self, name: str, text: str, replace_existing: bool, user_id: int) -> Knowledge:
        """Add or replace the guide file `name` (already checked); the caller holds the lock."""
        guides_dir = self.store.knowledge_dir / "guides"

        def change(state: SharedState) -> Change:
            exists = state.changes[name] is not None if name in state.changes else (guides_dir / name).exists()
            if exists and not replace_existing:
                raise DomainError(f"A guide file named `{name}` already exists. Use `replace: True` to update it, "
                                  "or rename your file.")
            return Change(name, "replace" if exists else "add", text)
        return await self.apply(change, user_id)

    async def remove(self, path: Path, user_id: int) -> Knowledge:
        """Remove the served guide read from `path` (its text is kept in the database for undo)."""
        name = Path(path).name

        def change(state: SharedState) -> Change:
            if name in state.changes:
                text = state.changes[name]
                if text is None:
                    raise DomainError("That guide was already removed; nothing was changed.")
            else:
                try:
                    text = read_guide_file(Path(path), self.store.max_guide_bytes)
                except (OSError, KnowledgeError):
                    raise DomainError("That guide's file can't be read any more; run /kb reload.") from None
            return Change(name, "remove", text)
        return await self.apply(change, user_id)

    async def reload(self, user_id: int) -> Knowledge:
        return await self.apply(lambda state: None, user_id)

    async def apply(self, make_change: Callable[[SharedState], Change | None], user_id: int) -> Knowledge:
        """Read, build with the change, commit, swap in; KnowledgeError (nothing stored) if it doesn't build."""
        for attempt in range(ATTEMPTS):
            try:
                state = await self._database.state()
            except StorageUnavailable:
                raise DomainError(NO_DATABASE) from None
            change = make_change(state)
            changes = dict(state.changes)
            if change is not None:
                changes[change.file_name] = None if change.action == "remove" else change.content
            kb = await asyncio.to_thread(reload_in_worker, self.store, str(user_id), changes=changes, install=False)
            try:
                version = await self._database.commit(expected=state.version, change=change, by=user_id)
            except VersionConflict:
                if attempt == ATTEMPTS - 1:
                    raise
                continue
            except StorageUnavailable:
                raise DomainError(NO_DATABASE) from None
            kb = replace(kb, version=version)
            await self._install(kb, changes)
            return kb
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ one process (SQLite)

    async def record(self, change: Change | None, user_id: int) -> None:
        """Keep a change the folder already holds in the database too, and label the knowledge with the
        version it made. Best effort: the folder is what this process serves."""
        if self.changes is None:
            return
        try:
            version = await self._database.commit(expected=None, change=change, by=user_id)
        except Exception:
            log.warning("could not record a guide change in the database", exc_info=True)  # no member id in logs
            return
        self.store.install(replace(self.store.current, version=version))
