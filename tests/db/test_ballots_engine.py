"""The kept-open SQLite engine keeps Piccolo's transaction semantics (skipped on PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from votes.db.engine import VotesSQLiteEngine, write_transaction
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
