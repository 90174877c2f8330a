from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from votes.services.demo import seed_demo

@pytest.fixture(autouse=True)
def _migrated_database(database: None) -> None:
    """Every web test runs on the session's freshly migrated database."""


@pytest.fixture(scope="session")
async def demo(database: None) -> None:
    await seed_demo()


@pytest.fixture
async def client(database: None) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    from votes.web.app import create_app

    async with AsyncTestClient(app=create_app(), base_url="http://testserver.local") as test_client:
        yield test_client


