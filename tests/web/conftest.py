from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from votes.services.demo import seed_demo


@pytest.fixture(autouse=True)
def _migrated_database(database: None) -> None:
    """Every web test runs on the session's freshly migrated database."""


@pytest.fixture(scope="session")
async def demo(database: None) -> None:
    await seed_demo()


@pytest.fixture
async def client(database: None) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client calling the app in this test's event loop (not in a thread, so
    that the app and the test share the database engine safely)."""
    from votes.web.app import create_app

    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver.local"
    ) as test_client:
        yield test_client
