"""The kept-open SQLite engine keeps Piccolo's transaction semantics (skipped on PostgreSQL)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime

import pytest

from votes.db.engine import VotesSQLiteEngine, long_reads, read_raw, write_transaction
from votes.db.tables import Organisation

pytestmark = pytest.mark.skipif(
    not isinstance(Organisation._meta.db, VotesSQLiteEngine), reason="SQLite engine only"
)


def _organisation(slug: str) -> Organisation:
    return Organisation(name=slug, short_name=slug, created_at=datetime.now(UTC))


async def _failing_use_case() -> None:
    async with write_transaction(Organisation._meta.db):
        await Organisation.insert(_organisation("engine-rolled-back"))
        # inside the transaction, reads see its own writes
        assert await Organisation.exists().where(Organisation.short_name == "engine-rolled-back")
        raise RuntimeError("the use case fails")


async def _failing_outer_transaction() -> None:
    engine = Organisation._meta.db
    async with write_transaction(engine):
        async with write_transaction(engine):
            await Organisation.insert(_organisation("engine-nested"))
        raise RuntimeError("the outer transaction fails after the inner one ended")


async def test_a_failed_transaction_rolls_back_and_leaves_the_writer_usable() -> None:
    with pytest.raises(RuntimeError):
        await _failing_use_case()
    assert not await Organisation.exists().where(Organisation.short_name == "engine-rolled-back")
    async with write_transaction(Organisation._meta.db):
        await Organisation.insert(_organisation("engine-after-failure"))
    assert await Organisation.exists().where(Organisation.short_name == "engine-after-failure")


async def test_nested_transactions_join_the_outer_one() -> None:
    with pytest.raises(RuntimeError):
        await _failing_outer_transaction()
    assert not await Organisation.exists().where(Organisation.short_name == "engine-nested")


async def test_concurrent_transactions_are_serialised_not_refused() -> None:
    async def add(n: int) -> None:
        async with write_transaction(Organisation._meta.db):
            count = await Organisation.count()
            await asyncio.sleep(0)  # another task would interleave here without the lock
            await Organisation.insert(_organisation(f"engine-many-{n}-{count}"))

    await asyncio.gather(*(add(n) for n in range(20)))
    names = await Organisation.select(Organisation.short_name).where(
        Organisation.short_name.like("engine-many-%")
    )
    counts = sorted(int(row["short_name"].rsplit("-", 1)[1]) for row in names)
    # each transaction saw every earlier one committed: the counts are all different
    assert len(set(counts)) == 20


async def test_a_failed_one_hop_write_rolls_back() -> None:
    engine = Organisation._meta.db
    assert isinstance(engine, VotesSQLiteEngine)

    def work(connection: object) -> None:
        connection.execute(  # type: ignore[attr-defined]
            "INSERT INTO organisation (name, short_name, legal_form, default_language, "
            "time_zone, created_at) VALUES ('x', 'engine-one-hop', '', 'fr', 'UTC', '')"
        )
        raise RuntimeError("fails after writing")

    with pytest.raises(RuntimeError):
        await engine.run_write(work)
    assert not await Organisation.exists().where(Organisation.short_name == "engine-one-hop")


def _insert_organisation(slug: str) -> object:
    def work(connection: object) -> str:
        connection.execute(  # type: ignore[attr-defined]
            "INSERT INTO organisation (name, short_name, legal_form, default_language, "
            "time_zone, created_at) VALUES (?, ?, '', 'fr', 'UTC', '')",
            (slug, slug),
        )
        if slug.endswith("-refused"):
            raise ValueError(slug)
        return slug

    return work


async def test_writes_committed_together_keep_their_own_outcome() -> None:
    """Votes arriving together share one commit; a refused one is undone alone and its
    neighbours are stored and acknowledged."""
    engine = Organisation._meta.db
    assert isinstance(engine, VotesSQLiteEngine)
    slugs = [f"engine-group-{n}" + ("-refused" if n % 5 == 0 else "") for n in range(40)]
    outcomes = await asyncio.gather(
        *(engine.run_write(_insert_organisation(slug)) for slug in slugs),  # type: ignore[arg-type]
        return_exceptions=True,
    )
    for slug, outcome in zip(slugs, outcomes, strict=True):
        if slug.endswith("-refused"):
            assert isinstance(outcome, ValueError)
        else:
            assert outcome == slug
    stored = await Organisation.select(Organisation.short_name).where(
        Organisation.short_name.like("engine-group-%")
    )
    assert sorted(row["short_name"] for row in stored) == sorted(
        slug for slug in slugs if not slug.endswith("-refused")
    )


async def test_a_failed_group_commit_acknowledges_none_of_its_writes() -> None:
    """If the commit itself fails, every write of the group hears it and none is stored."""
    engine = Organisation._meta.db
    assert isinstance(engine, VotesSQLiteEngine)

    def dangling_session(connection: object) -> None:
        # a deferred foreign key is checked at COMMIT: the whole group's commit fails
        connection.execute("PRAGMA defer_foreign_keys = ON")  # type: ignore[attr-defined]
        connection.execute(  # type: ignore[attr-defined]
            "INSERT INTO login_session (token_hash, person) VALUES ('engine-dangling', -1)"
        )

    outcomes = await asyncio.gather(
        engine.run_write(_insert_organisation("engine-lost")),  # type: ignore[arg-type]
        engine.run_write(dangling_session),
        return_exceptions=True,
    )
    assert all(isinstance(outcome, sqlite3.IntegrityError) for outcome in outcomes)
    assert not await Organisation.exists().where(Organisation.short_name == "engine-lost")
    # the writer is usable afterwards
    assert await engine.run_write(_insert_organisation("engine-after-lost")) == (  # type: ignore[arg-type]
        "engine-after-lost"
    )


class _BusyOnce:
    """The loop's reader connection, answering "busy" to its next statement (as SQLite does
    while another process recovers the file: hard to provoke on purpose)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.refused = False

    def execute(self, query: str, args: object = ()) -> sqlite3.Cursor:
        if not self.refused:
            self.refused = True
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorcode = sqlite3.SQLITE_BUSY  # type: ignore[attr-defined]
            raise error
        return self.connection.execute(query, args)  # type: ignore[arg-type]


async def test_a_read_sqlite_asks_to_wait_is_retried_off_the_event_loop() -> None:
    """Reads run in the event loop's thread with no busy wait; one SQLite answers "busy" is
    retried from the waiting reader's thread, and its answer is the right one."""
    engine = Organisation._meta.db
    assert isinstance(engine, VotesSQLiteEngine)
    async with write_transaction(engine):
        await Organisation.insert(_organisation("engine-busy-read"))
    connections = engine.connections()
    inline = connections.reader
    # the event loop's own connection never waits for a lock
    assert inline.execute("PRAGMA busy_timeout").fetchone()["timeout"] == 0
    busy = _BusyOnce(inline)
    connections.reader = busy  # type: ignore[assignment]
    try:
        found = await Organisation.exists().where(Organisation.short_name == "engine-busy-read")
    finally:
        connections.reader = inline
    assert busy.refused
    assert found


async def test_a_group_under_way_when_the_committer_is_cancelled_is_still_acknowledged() -> None:
    """At shutdown the committing task may be cancelled while a group is in the writer's
    thread: those writes commit, so their callers hear so; writes not begun are cancelled
    (never left waiting) and stored nowhere."""
    engine = Organisation._meta.db
    assert isinstance(engine, VotesSQLiteEngine)
    inserting = _insert_organisation("engine-under-way")

    in_thread, release = threading.Event(), threading.Event()

    def slow(connection: object) -> object:
        in_thread.set()
        release.wait(30)  # the group is in the thread while the task is cancelled
        return inserting(connection)  # type: ignore[operator]

    under_way = asyncio.ensure_future(engine.run_write(slow))
    assert await asyncio.to_thread(in_thread.wait, 30)
    queued = asyncio.ensure_future(engine.run_write(_insert_organisation("engine-not-begun")))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    committer = engine.connections().committer
    assert committer is not None
    committer.cancel()
    await asyncio.sleep(0)  # the cancellation reaches the committer…
    release.set()  # …before the group in the thread is done
    assert await under_way == "engine-under-way"
    with pytest.raises(asyncio.CancelledError):
        await queued
    assert await Organisation.exists().where(Organisation.short_name == "engine-under-way")
    assert not await Organisation.exists().where(Organisation.short_name == "engine-not-begun")
    # the next write starts a new committer
    assert await engine.run_write(_insert_organisation("engine-after-cancel")) == (  # type: ignore[arg-type]
        "engine-after-cancel"
    )


async def test_a_write_sent_to_the_reader_fails_loudly_and_writes_nothing() -> None:
    await Organisation.insert(_organisation("engine-reader-only"))
    rename = "UPDATE organisation SET name = {} WHERE short_name = {}"
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await read_raw(Organisation, rename, "renamed", "engine-reader-only")
    engine = Organisation._meta.db
    assert isinstance(engine, VotesSQLiteEngine)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        engine.connections().reader.execute("DELETE FROM organisation")
    names = await read_raw(
        Organisation, "SELECT name FROM organisation WHERE short_name = {}", "engine-reader-only"
    )
    assert names == [{"name": "engine-reader-only"}]


async def test_raw_sql_not_declared_a_read_goes_to_the_writer_whatever_its_text() -> None:
    await Organisation.insert(_organisation("engine-raw-write"))
    await Organisation.raw(
        "UPDATE organisation SET name = {} WHERE short_name = {}", "written", "engine-raw-write"
    )
    row = (
        await Organisation.select(Organisation.name)
        .where(Organisation.short_name == "engine-raw-write")
        .first()
    )
    assert row == {"name": "written"}


class _NotInTheLoop:
    def execute(self, *_: object) -> None:
        raise AssertionError("a long read ran in the event loop's thread")


async def test_long_reads_run_off_the_event_loop_thread() -> None:
    engine = Organisation._meta.db
    assert isinstance(engine, VotesSQLiteEngine)
    await Organisation.insert(_organisation("engine-long-read"))
    connections = engine.connections()
    inline = connections.reader
    connections.reader = _NotInTheLoop()  # type: ignore[assignment]
    try:
        with long_reads():
            found = await Organisation.exists().where(Organisation.short_name == "engine-long-read")
    finally:
        connections.reader = inline
    assert found
