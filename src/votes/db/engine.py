"""Database engines from settings, and the write transaction every service uses.

SQLite (the default) runs in WAL mode with a busy timeout and foreign keys on; writes take the
lock up front (``BEGIN IMMEDIATE``) so that a transaction that reads then writes never dies with
"database is locked". PostgreSQL uses a connection pool opened and closed with the app.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from votes.settings import DatabaseKind, Settings

BUSY_TIMEOUT_SECONDS = 15


class VotesSQLiteEngine(SQLiteEngine):
    """SQLite with the pragmas a many-writers web app needs on every connection."""

    async def get_connection(self) -> Any:
        connection = await super().get_connection()
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        await connection.execute("PRAGMA synchronous = NORMAL")
        return connection


def make_engine(settings: Settings) -> Engine[Any]:
    """Build the Piccolo engine the settings ask for (no connection is made yet)."""
    if settings.database_kind is DatabaseKind.POSTGRES:
        assert settings.database_url is not None
        return PostgresEngine(config={"dsn": settings.database_url})
    assert settings.sqlite_path is not None
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    enable_wal(str(settings.sqlite_path))
    # ``timeout`` is sqlite3's busy handler for the connections Piccolo opens per query.
    return VotesSQLiteEngine(path=str(settings.sqlite_path), timeout=BUSY_TIMEOUT_SECONDS)


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
        await engine.start_connection_pool(min_size=1, max_size=size)
        return True
    return False


async def close_pool(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
