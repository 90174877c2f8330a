"""Test configuration shared by every suite.

The environment is set before anything imports Piccolo (tables bind to their engine on first
use). ``VOTES_TEST_DATABASE=postgres`` runs the database and web suites on a fresh PostgreSQL
database created for the session (and dropped after); the default is a fresh SQLite file.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.support.keys import SECRET_KEY

_DATA_DIR = Path(tempfile.mkdtemp(prefix="votes-tests-"))
POSTGRES_ADMIN_URL = os.environ.get(
    "VOTES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
USE_POSTGRES = os.environ.get("VOTES_TEST_DATABASE", "sqlite") == "postgres"
_PG_DATABASE = f"votes_test_{uuid.uuid4().hex[:12]}"

os.environ.update(
    {
        "VOTES_ENV": "test",
        "VOTES_DATA_DIR": str(_DATA_DIR),
        "VOTES_SECRET_KEY": SECRET_KEY,
        "VOTES_LOG_LEVEL": "WARNING",
        "PICCOLO_CONF": "votes.piccolo_conf",
    }
)
if USE_POSTGRES:
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    os.environ["VOTES_DATABASE_URL"] = f"{base}/{_PG_DATABASE}"
else:
    os.environ.pop("VOTES_DATABASE_URL", None)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pytest_report_header() -> str:
    engine = f"PostgreSQL ({_PG_DATABASE})" if USE_POSTGRES else "SQLite"
    return f"votes database engine: {engine}"


def pytest_configure(config: pytest.Config) -> None:
    from votes.services import passwords

    passwords.use_cheap_parameters()
    if USE_POSTGRES:
        # before anything imports the engine, which asks the server for its version
        asyncio.run(_admin_execute(f'CREATE DATABASE "{_PG_DATABASE}"'))


def pytest_unconfigure(config: pytest.Config) -> None:
    if USE_POSTGRES:
        asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{_PG_DATABASE}" WITH (FORCE)'))


async def _admin_execute(statement: str, connect_within: float = 60) -> None:
    """Run ``statement`` on the PostgreSQL server's maintenance database (``connect_within``:
    seconds connecting may take, asyncpg's own 60 by default)."""
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=connect_within)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[None]:
    """Run every migration forwards on the session's empty database."""
    from votes.db.database import use_database
    from votes.db.engine import close_pool, start_pool
    from votes.db.migrate import migrate
    from votes.settings import Settings

    engine = use_database(Settings.from_env())

    # no pool is kept: the web test client runs the app on its own event loop, where the app
    # opens its own pool; tests talking to the database directly get a connection per query
    await start_pool(engine, 2)
    try:
        await migrate(quiet=True)
    finally:
        await close_pool(engine)
    return
