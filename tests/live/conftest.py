"""The served apps the live tests talk to: the demo on SQLite (``server``), and two processes
on one PostgreSQL database (``servers``, skipped where PostgreSQL cannot be reached, required
in CI)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from tests.conftest import POSTGRES_ADMIN_URL, _admin_execute
from tests.live.browser import LIVE_SETTINGS
from tests.support.server import ServedApp


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    """``votes serve`` on the demo, on a SQLite file of this module's own."""
    with ServedApp(tmp_path_factory.mktemp("live-demo"), LIVE_SETTINGS).running(
        "--demo"
    ) as running:
        yield running


async def _admin(statement: str) -> None:
    await _admin_execute(statement, connect_within=5)  # an unreachable server skips soon


@pytest.fixture(scope="module")
async def database_url() -> AsyncIterator[str]:
    name = f"votes_live_{uuid.uuid4().hex[:12]}"
    try:
        await _admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error}")
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    yield f"{base}/{name}"
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def servers(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServedApp, ServedApp]]:
    data_dir = tmp_path_factory.mktemp("live-postgres")
    environment = {
        **LIVE_SETTINGS,
        "VOTES_DATABASE_URL": database_url,
        "VOTES_LIVE_BACKEND": "postgres",
    }
    first, second = ServedApp(data_dir, environment), ServedApp(data_dir, environment)
    try:
        first.start("--demo")
        second.start()
        yield first, second
    finally:
        first.stop()
        second.stop()
