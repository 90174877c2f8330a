"""The event loop's worst delay while a large assembly's record is read (SQLite; measured,
never asserted): its reads in the event loop's thread, then off it (``long_reads``).

Run: ``.venv/bin/python benchmarks/bench_loop.py [--members 1500] [--ballots 8]``. Builds a
cooperative whose members all vote in ``--ballots`` published ballots, then gathers the
assembly record (what the exports and the procès-verbal read) three times each way while a
probe sleeping 1 ms at a time notes how late the loop wakes it.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import seeding


async def _worst_delay(work: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """(worst lateness of a 1 ms sleep, duration of ``work``), in ms."""
    worst, stop = 0.0, False

    async def probe() -> None:
        nonlocal worst
        while not stop:
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - started - 0.001)

    task = asyncio.create_task(probe())
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    await work()
    took = time.perf_counter() - started
    stop = True
    await task
    return worst * 1000, took * 1000


@contextmanager
def _in_the_loop() -> Iterator[None]:
    yield


async def main(members: int, ballot_count: int) -> None:
    from votes.db import minutes_queries
    from votes.db.engine import long_reads

    coop = await seeding.closed_assembly(members, ballot_count)
    organisation_id, assembly_id = coop.organisation_id, coop.assembly_id
    print(f"{members} members, {ballot_count} published ballots")

    async def record() -> None:
        await minutes_queries.assembly_record(organisation_id, assembly_id)

    await record()  # warm the file cache first
    ways: tuple[tuple[str, Callable[[], AbstractContextManager[None]]], ...] = (
        ("reads in the loop's thread", _in_the_loop),
        ("reads off the loop (long_reads)", long_reads),
    )
    for label, way in ways:
        minutes_queries.long_reads = way  # type: ignore[assignment]
        runs = [await _worst_delay(record) for _ in range(3)]
        print(
            f"{label:34} worst loop delay {max(run[0] for run in runs):7.1f} ms, "
            f"record {statistics.median(run[1] for run in runs):7.1f} ms (median of 3)"
        )
    minutes_queries.long_reads = long_reads


if __name__ == "__main__":
    seeding.record_benchmark("loop", __doc__, main, members=1500, ballots=8)
