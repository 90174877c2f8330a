"""PostgreSQL's pool hands out clean connections (skipped on SQLite)."""

from __future__ import annotations

from typing import Any

import pytest

from votes.db.engine import close_pool, start_pool
from votes.db.tables import Organisation

pytestmark = pytest.mark.skipif(
    type(Organisation._meta.db).__name__ != "PostgresEngine", reason="PostgreSQL only"
)


async def test_a_connection_returned_mid_transaction_is_rolled_back_before_reuse() -> None:
    """The pool skips asyncpg's full reset (a round trip per query) but never lends a
    connection with a transaction left open: what it held is rolled back, not committed
    by the next borrower."""
    engine = Organisation._meta.db
    assert await start_pool(engine, 2)
    try:
        await _abandon_then_borrow(engine.pool)  # type: ignore[attr-defined]
    finally:
        await close_pool(engine)
    assert not await Organisation.exists().where(Organisation.short_name == "pool-abandoned")


async def _abandon_then_borrow(pool: Any) -> None:
    async with pool.acquire() as connection:
        await connection.execute("BEGIN")
        await connection.execute(
            "INSERT INTO organisation (name, short_name, legal_form, default_language, "
            "time_zone, created_at) VALUES ('x', 'pool-abandoned', '', 'fr', 'UTC', now())"
        )
    for _ in range(pool.get_size()):  # every connection the pool may hand out next
        async with pool.acquire() as connection:
            assert not connection.is_in_transaction()
