"""The event loop's worst delay while a large assembly's record is read (SQLite; measured,
never asserted): its reads in the event loop's thread, then off it (``long_reads``).

Run: ``.venv/bin/python benchmarks/bench_loop.py [--members 1500] [--ballots 8]``. Builds a
cooperative whose members all vote in ``--ballots`` published ballots, then gathers the
assembly record (what the exports and the procès-verbal read) three times each way while a
probe sleeping 1 ms at a time notes how late the loop wakes it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any


def _environment() -> None:
    os.environ.update(
        VOTES_DATA_DIR=tempfile.mkdtemp(prefix="votes-bench-loop-"), VOTES_ENV="test",
        PICCOLO_CONF="votes.piccolo_conf",
        VOTES_SECRET_KEY="bench-secret-key-that-is-long-enough-0123456789",
    )  # fmt: skip


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
    from votes.db.database import use_database
    from votes.db.engine import long_reads, start_pool
    from votes.db.migrate import migrate
    from votes.db.tables import Assembly, AssemblyStatus, MembershipKind
    from votes.services import accounts, assemblies, organisations
    from votes.services.actors import actor_for
    from votes.services.ballots import drafts, lifecycle, voting
    from votes.settings import Settings

    await start_pool(use_database(Settings.from_env()), 2)
    await migrate(quiet=True)
    organisation_id = await organisations.create_organisation("Bench", "bench")
    voters = []
    for index in range(members):
        person = await accounts.create_person(f"Associé·e {index:05d}", None, None)
        voters.append(
            await organisations.add_membership(organisation_id, person, kind=MembershipKind.MEMBER)
        )
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AGO", datetime.now(UTC), status=AssemblyStatus.IN_SESSION
    )  # closed once its ballots are published: a closed assembly takes no ballot
    rng = random.Random(7)
    for number in range(ballot_count):
        ballot_id = await drafts.create_ballot(
            await actor_for(organisation_id), assembly_id, f"Résolution {number + 1}", "majority",
            [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
            secret=number % 2 == 0,
        )  # fmt: skip
        await lifecycle.open_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
        for membership_id in voters:
            await voting.cast_vote(ballot_id, membership_id, rng.choice(["yes", "no", "abstain"]))
        await lifecycle.close_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
        await lifecycle.publish_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
    await Assembly.update({Assembly.status: AssemblyStatus.CLOSED.value}).where(
        Assembly.id == assembly_id
    )
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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1500)
    parser.add_argument("--ballots", type=int, default=8)
    arguments = parser.parse_args()
    _environment()
    asyncio.run(main(arguments.members, arguments.ballots))
