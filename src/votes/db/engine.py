"""Database engines from settings, and the write transaction every service uses.

SQLite (the default) runs in WAL mode with a busy timeout and foreign keys on. Piccolo's stock
SQLite engine opens a new connection (and a new thread) for every query, which caps a voting
burst at a few hundred votes per second with multi-second tails. :class:`VotesSQLiteEngine`
keeps connections open instead, one set per event loop:

* one *reader* connection serves every query outside a transaction that only reads (raw SQL
  declares it with :func:`read_raw`; for Piccolo's untyped queries SQLite says, see
  :func:`_route`), right in the event loop's thread: in WAL mode each autocommit SELECT sees the
  latest committed data and neither waits for nor blocks the writer, and this app's reads take
  microseconds, less than a hop to a thread and back (which cost a quarter of a vote's CPU); in
  the rare case SQLite answers "busy" (another process recovering the file), the read is retried
  from a thread that may wait, so the event loop never does; the reader is ``query_only``, so a
  write sent to it by mistake fails loudly instead of writing outside the write lock;
* one *writer* connection serves every transaction and every write outside one, taken under an
  ``asyncio.Lock``: SQLite allows one writer at a time anyway, so queueing writers in the event
  loop (instead of letting them spin in SQLite's busy handler) keeps the tail short and fair;
* the hot path's one-hop writes (:meth:`VotesSQLiteEngine.run_write`, a vote) are committed in
  groups: the writes that arrive while one commit runs share the next one, each in its own
  savepoint, so a plenary's votes pay for one lock hand-off and one commit between them.

Piccolo's transaction ``ContextVar`` keeps its meaning: inside ``async with transaction`` every
query of that task (and of tasks it spawns) runs on the transaction's connection. Writes take
the lock up front (``BEGIN IMMEDIATE``) so a transaction that reads then writes never dies with
"database is locked". PostgreSQL keeps Piccolo's own engine and its pool.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from queue import SimpleQueue
from typing import Any, TypeVar

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.query.methods.raw import Raw
from piccolo.querystring import QueryString
from piccolo.table import Table

from votes.settings import DatabaseKind, Settings

BUSY_TIMEOUT_SECONDS = 15
T = TypeVar("T")


class ThreadConnection:
    """One sqlite3 connection owned by one daemon thread; coroutines queue work for it.

    A daemon thread, unlike aiosqlite's, never keeps the process alive at exit, so a connection
    kept open for the life of the process needs no shutdown hook to let the process end.
    Statements run in the order they were queued, and each call runs a whole statement and
    fetches its rows in a single hop to the thread.
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._queue: SimpleQueue[tuple[asyncio.Future[Any] | None, Callable[[], Any]]] = (
            SimpleQueue()
        )
        self._connection: sqlite3.Connection | None = None
        self._connect = connect
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="votes-sqlite", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        failure: BaseException | None = None
        try:
            self._connection = self._connect()
        except BaseException as error:  # every call will report it
            failure = error
        while True:
            future, function = self._queue.get()
            if future is None:
                if self._connection is not None:
                    self._connection.close()
                return
            if failure is not None:
                future.get_loop().call_soon_threadsafe(_set_exception, future, failure)
                continue
            try:
                result = function()
            except BaseException as error:  # handed to the awaiting coroutine
                future.get_loop().call_soon_threadsafe(_set_exception, future, error)
            else:
                future.get_loop().call_soon_threadsafe(_set_result, future, result)

    def submit(self, function: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue ``function`` for the thread; the future gets its result or its error."""
        if self._closed:  # its thread has stopped: the work would wait forever
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()

        def run() -> T:
            assert self._connection is not None
            return function(self._connection)

        self._queue.put((future, run))
        return future

    async def call(self, function: Callable[[sqlite3.Connection], T]) -> T:
        return await self.submit(function)

    async def fetchall(self, query: str, args: Any = ()) -> list[dict[str, Any]]:
        return await self.call(lambda connection: connection.execute(query, args).fetchall())

    async def execute(self, query: str, args: Any = ()) -> list[dict[str, Any]]:
        """Piccolo's transaction and savepoint objects call ``await connection.execute(sql)``."""
        return await self.fetchall(query, args)

    async def rollback_if_open(self) -> None:
        def rollback(connection: sqlite3.Connection) -> None:
            if connection.in_transaction:
                connection.execute("ROLLBACK")

        await self.call(rollback)

    def close(self) -> None:
        self._closed = True
        self._queue.put((None, lambda: None))


def _set_result(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():  # the awaiting task may have been cancelled meanwhile
        future.set_result(result)


def _set_exception(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


# a bound on one group commit, so a very long queue still gets acknowledged in steps
MAX_GROUP_COMMIT = 256


def _group_commit(
    works: list[Callable[[sqlite3.Connection], Any]], connection: sqlite3.Connection
) -> list[tuple[Exception | None, Any]]:
    """Run each work in its own savepoint of one IMMEDIATE transaction, then commit them all:
    (the work's exception or None, its result) for each. If the commit itself fails, it raises
    and none of them is committed."""
    outcomes: list[tuple[Exception | None, Any]] = []
    connection.execute("BEGIN IMMEDIATE")
    try:
        for work in works:
            connection.execute("SAVEPOINT one_write")
            try:
                outcomes.append((None, work(connection)))
            except Exception as error:  # this work's statements only are undone
                connection.execute("ROLLBACK TO one_write")
                outcomes.append((error, None))
            connection.execute("RELEASE one_write")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return outcomes


def _settle(
    group: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]],
    committing: asyncio.Future[list[tuple[Exception | None, Any]]],
) -> None:
    """Hand each write of a group commit its outcome: its result or its own error, or the
    commit's error for all (then none of them is committed)."""
    if committing.cancelled():
        for _, done in group:
            done.cancel()
        return
    error = committing.exception()
    if error is not None:
        for _, done in group:
            _set_exception(done, error)
        return
    for (_, done), (failure, value) in zip(group, committing.result(), strict=True):
        if failure is None:
            _set_result(done, value)
        else:
            _set_exception(done, failure)


# set by long_reads(): this task's reads go to the reader's thread, not the event loop's
_LONG_READS: ContextVar[bool] = ContextVar("votes_long_reads", default=False)


@contextmanager
def long_reads() -> Iterator[None]:
    """Mark the reads inside as possibly long (an export, the archive, the audit page's chain
    check): on SQLite they run on a reader in its own thread, so the event loop keeps serving
    other requests meanwhile, instead of in the event loop's thread like the app's short reads.
    Nothing changes on PostgreSQL, whose reads never block the loop."""
    token = _LONG_READS.set(True)
    try:
        yield
    finally:
        _LONG_READS.reset(token)


class _LoopConnections:
    """The reader, the writer, the writer's lock and the writes waiting for the next group
    commit, of one event loop."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self.reader = connect()
        self.reader.execute("PRAGMA busy_timeout = 0")  # never wait in the event loop
        self.reader.execute("PRAGMA query_only = 1")  # a write sent here fails, loudly
        self.waiting_reader = ThreadConnection(partial(_read_only, connect))  # the rare wait
        self.writer = ThreadConnection(connect)
        self.write_lock = asyncio.Lock()
        self.waiting_writes: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]]
        self.waiting_writes = []
        self.committer: asyncio.Task[None] | None = None

    def close(self) -> None:
        self.reader.close()
        self.waiting_reader.close()
        self.writer.close()

    async def read(self, query: str, args: Any) -> list[dict[str, Any]]:
        if _LONG_READS.get():
            return await self.waiting_reader.fetchall(query, args)
        try:
            rows: list[dict[str, Any]] = self.reader.execute(query, args).fetchall()
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            return await self.waiting_reader.fetchall(query, args)
        return rows


def _read_only(connect: Callable[[], sqlite3.Connection]) -> sqlite3.Connection:
    connection = connect()
    connection.execute("PRAGMA query_only = 1")
    return connection


async def read_raw(table: type[Table], sql: str, *args: Any) -> list[dict[str, Any]]:
    """Raw SQL declared to only read (``{}`` placeholders, like ``Table.raw``): on SQLite,
    outside a transaction, it runs on the reader alone, which refuses a write loudly (no
    fallback to the writer, whatever the text says)."""
    rows: list[dict[str, Any]] = await Raw(table, QueryString(sql, *args, query_type="select"))
    return rows


class KeptOpenTransaction(SQLiteTransaction):
    """A Piccolo transaction on the kept-open writer connection, holding the write lock.

    Nested transactions return their parent (Piccolo's semantics), so only the outermost one
    takes the lock, begins, and commits or rolls back.
    """

    engine: VotesSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        connections = self.engine.connections()
        await connections.write_lock.acquire()
        try:
            self.connection = connections.writer
            await self.begin()  # type: ignore[no-untyped-call]
        except BaseException:
            connections.write_lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        connection: ThreadConnection = self.connection
        try:
            if exception is None and not self._committed and not self._rolled_back:
                try:
                    await self.commit()  # type: ignore[no-untyped-call]
                except BaseException:
                    await connection.rollback_if_open()
                    raise
            elif exception is not None:
                # also after a manual rollback or a failed statement: leave the connection clean
                await connection.rollback_if_open()
        finally:
            self.engine.current_transaction.reset(self.context)
            self.engine.connections().write_lock.release()
        return exception is None


class VotesSQLiteEngine(SQLiteEngine):
    """SQLite with kept-open connections (see the module docstring) and the pragmas a
    many-writers web app needs on every connection."""

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        # one set of connections per event loop: an asyncio.Lock belongs to one loop, and a
        # test suite or a command may run several loops one after the other
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopConnections] = (
            weakref.WeakKeyDictionary()
        )

    def _connect(self) -> sqlite3.Connection:
        kwargs = dict(self.connection_kwargs)
        kwargs["check_same_thread"] = False  # created in its thread, but closed from any
        connection: sqlite3.Connection = sqlite3.connect(**kwargs)
        connection.row_factory = dict_factory
        connection.execute("PRAGMA foreign_keys = 1")
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        connection.execute("PRAGMA synchronous = NORMAL")
        # a deleted row is overwritten with zeros, not left in a free page of the file: the
        # sealed papers a secret ballot's close rewrites do not survive in it
        connection.execute("PRAGMA secure_delete = ON")
        return connection

    def connections(self) -> _LoopConnections:
        loop = asyncio.get_running_loop()
        found = self._by_loop.get(loop)
        if found is None:
            found = self._by_loop[loop] = _LoopConnections(self._connect)
        return found

    def close_connections(self) -> None:
        """Close this loop's kept-open connections (the app does it at shutdown)."""
        found = self._by_loop.pop(asyncio.get_running_loop(), None)
        if found is not None:
            found.close()

    async def run_write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in the writer's thread, committed with the writes queued beside it.

        A Piccolo transaction awaits each statement, and under load every await waits for the
        event loop to go round all the other requests while the write lock is held; a hot path
        (casting a vote) does its few statements in one call instead. ``work`` runs in its own
        savepoint inside a group commit: if it raises, its statements are rolled back and the
        exception is raised here; the others in the group are not affected. It returns once
        its writes are committed. Inside an open Piccolo transaction, ``work`` simply joins it.
        """
        current = self.current_transaction.get()
        if current is not None:
            joined: ThreadConnection = current.connection
            return await joined.call(work)
        connections = self.connections()
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        connections.waiting_writes.append((work, done))
        if connections.committer is None:
            # a task of its own: a cancelled request must not strand the writes queued after it
            connections.committer = asyncio.create_task(self._commit_waiting(connections))
        return await done

    async def _commit_waiting(self, connections: _LoopConnections) -> None:
        try:
            while connections.waiting_writes:
                async with connections.write_lock:
                    # taken once the writer is ours: the writes that came meanwhile join in
                    group = connections.waiting_writes[:MAX_GROUP_COMMIT]
                    del connections.waiting_writes[:MAX_GROUP_COMMIT]
                    committing = connections.writer.submit(
                        partial(_group_commit, [work for work, _ in group])
                    )
                    # the callers hear the group's real outcome even if this task is cancelled
                    # meanwhile: once in the writer's thread, the group commits or fails whole
                    committing.add_done_callback(partial(_settle, group))
                    await asyncio.wait([committing])
        except BaseException:  # cancelled (the loop is ending): the writes not begun never will
            for _, done in connections.waiting_writes:
                done.cancel()
            connections.waiting_writes.clear()
            raise
        finally:
            connections.committer = None

    async def get_connection(self) -> Any:
        # used by Piccolo only for ``batch()``: a separate connection with the same pragmas
        connection = await super().get_connection()
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        await connection.execute("PRAGMA synchronous = NORMAL")
        await connection.execute("PRAGMA secure_delete = ON")
        return connection

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return KeptOpenTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> Any:
        query, args = querystring.compile_string(engine_type=self.engine_type)
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=str(querystring))
        return await self._run(query, args, route=_route(querystring.query_type))

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> Any:
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=ddl)
        return await self._run(ddl, [], route=_WRITE)

    async def _run(self, query: str, args: Any, *, route: str) -> Any:
        current = self.current_transaction.get()
        if current is not None:
            connection: ThreadConnection = current.connection
            return await connection.fetchall(query, args)
        connections = self.connections()
        if route != _WRITE:
            try:
                return await connections.read(query, args)
            except sqlite3.OperationalError as error:
                # the reader is query_only: SQLite refuses a write before changing anything
                if route == _READ or error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_READONLY:
                    raise
        async with connections.write_lock:
            return await connections.writer.fetchall(query, args)


_READ, _WRITE, _EITHER = "read", "write", "either"


def _route(query_type: str) -> str:
    """Where a query goes outside a transaction, by what its maker declared: ``"select"``
    (:func:`read_raw`) to the reader alone, inserts and other typed statements to the writer.
    Piccolo leaves its selects, counts, updates and ``Table.raw`` untyped (``"generic"``): the
    reader is tried first and SQLite itself says whether the statement writes (a query_only
    connection refuses it before changing anything), then the writer takes it."""
    if query_type == "select":
        return _READ
    return _EITHER if query_type == "generic" else _WRITE


def make_engine(settings: Settings) -> Engine[Any]:
    """Build the Piccolo engine the settings ask for (no connection is made yet)."""
    if settings.database_kind is DatabaseKind.POSTGRES:
        assert settings.database_url is not None
        return PostgresEngine(config={"dsn": settings.database_url})
    assert settings.sqlite_path is not None
    settings.sqlite_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    keep_private(settings.sqlite_path)
    enable_wal(str(settings.sqlite_path))
    # ``timeout`` is sqlite3's busy handler, for other processes writing the same file
    return VotesSQLiteEngine(path=str(settings.sqlite_path), timeout=BUSY_TIMEOUT_SECONDS)


def keep_private(path: Path) -> None:
    """The database file, and the WAL and shared-memory files beside it, readable by the
    server's user alone (SQLite gives the WAL the database file's permissions): created 0600,
    and brought back to 0600 if an older install left them readable by others."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if name.exists() and name.stat().st_mode & 0o077:
            name.chmod(0o600)


async def erase_wal(engine: Engine[Any]) -> None:
    """Copy SQLite's write-ahead log into the database file and empty it
    (``wal_checkpoint(TRUNCATE)``): what it held of earlier commits (a secret ballot's sealed
    papers in the order of votes) is no longer in it. Nothing to do on PostgreSQL."""
    if isinstance(engine, VotesSQLiteEngine):
        await engine.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")


def enable_wal(path: str) -> None:
    """WAL is a property of the database file: set it once, readers then never block writers."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode = WAL")


def write_transaction(engine: Engine[Any]) -> Any:
    """A transaction for a use case that writes: IMMEDIATE on SQLite, plain on PostgreSQL."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def start_pool(engine: Engine[Any], size: int) -> bool:
    """Open PostgreSQL's pool unless one is open already; return whether this call opened it."""
    if isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(min_size=1, max_size=size, reset=_keep_session)
        return True
    return False


async def _keep_session(connection: Any) -> None:
    """Nothing to reset when a pooled connection comes back.

    Piccolo borrows a pooled connection for every query, and asyncpg's default reset
    (UNLISTEN, RESET ALL, release advisory locks) is one more round trip each time, which
    doubled the ballot page's round trips. The app leaves no such state on pooled connections
    (live events LISTEN on a connection of their own), and asyncpg still ends a transaction
    left open before it calls this."""


async def close_pool(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, VotesSQLiteEngine):
        engine.close_connections()


async def insert_row(row: Table) -> int:
    """Insert one row (inside the caller's transaction); return its new id."""
    rows = await type(row).insert(row)
    return int(rows[0]["id"])
