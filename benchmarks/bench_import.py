"""How long a vote waits while another cooperative imports its register (measured, never
asserted), on a temporary SQLite file, in one process as `votes serve` runs.

Run: ``.venv/bin/python benchmarks/bench_import.py [--rows 20000] [--every 20]``.
One cooperative has a ballot open; another imports a CSV of ``--rows`` members. While the
import runs, a member of the first cooperative votes every ``--every`` milliseconds; each
vote's wait is counted from the moment it was due (so a stalled event loop counts too) to its
acknowledgement. Prints the import's duration and the votes' median, 99th centile and longest
wait, then the same votes without an import beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime

import seeding


async def _voters(count: int) -> tuple[int, list[int]]:
    """A cooperative with ``count`` members checked in and a ballot open: (ballot, members)."""
    from votes.db.tables import AssemblyStatus
    from votes.services import accounts, assemblies, attendance, organisations
    from votes.services.actors import actor_for
    from votes.services.ballots import drafts, lifecycle

    organisation_id = await organisations.create_organisation("Votes", "votes-bench")
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AG", datetime.now(UTC), status=AssemblyStatus.IN_SESSION
    )
    voters = []
    for index in range(count):
        person = await accounts.create_person(f"Votant·e {index:05d}", None, None)
        membership = await organisations.add_membership(organisation_id, person)
        await attendance.check_in(await actor_for(organisation_id), assembly_id, membership)
        voters.append(membership)
    ballot_id = await drafts.create_ballot(
        await actor_for(organisation_id), assembly_id, "Adoptez-vous ?", "majority",
        [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
    )  # fmt: skip
    await lifecycle.open_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
    return ballot_id, voters


async def _votes_while(
    ballot_id: int, voters: list[int], every: float, running: asyncio.Future[object] | None
) -> list[float]:
    """Cast one vote every ``every`` seconds (until ``running`` is done, or for every voter);
    return each vote's wait in seconds, counted from when it was due."""
    from votes.services.ballots import voting

    loop = asyncio.get_running_loop()
    waits: list[float] = []

    async def vote(membership_id: int, due: float) -> None:
        await voting.cast_vote(ballot_id, membership_id, "yes")
        waits.append(loop.time() - due)

    tasks = []
    start = loop.time()
    for index, membership_id in enumerate(voters):
        if running is not None and running.done():
            break
        due = start + index * every
        await asyncio.sleep(max(0.0, due - loop.time()))
        tasks.append(asyncio.create_task(vote(membership_id, due)))
    await asyncio.gather(*tasks)
    return waits


def _summary(label: str, waits: list[float]) -> None:
    waits = sorted(waits)
    p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
    print(
        f"{label:34} {len(waits):5d} votes  median {statistics.median(waits) * 1000:7.1f} ms"
        f"  p99 {p99 * 1000:7.1f} ms  longest {waits[-1] * 1000:7.1f} ms"
    )


async def main(rows: int, every_ms: float) -> None:
    from votes.db.engine import start_pool
    from votes.db.migrate import migrate
    from votes.piccolo_conf import DB
    from votes.services import member_import, organisations
    from votes.services.actors import actor_for

    await migrate(quiet=True)
    await start_pool(DB, 2)
    every = every_ms / 1000
    ballot_id, voters = await _voters(3000)
    importer = await organisations.create_organisation("Import", "import-bench")
    await organisations.add_category(await actor_for(importer), "bénéficiaire")
    text = "nom;email;catégorie\n" + "\n".join(
        f"Personne {i};personne-{i}@example.org;bénéficiaire" for i in range(rows)
    )
    started = time.perf_counter()
    importing = asyncio.ensure_future(member_import.apply_import(await actor_for(importer), text))
    waits = await _votes_while(ballot_id, voters[:1500], every, importing)
    report = await importing
    duration = time.perf_counter() - started
    assert report.acceptable, report.file_problem
    print(f"import of {len(report.to_add)} rows: {duration:.1f} s")
    _summary(f"votes during the import (every {every_ms:g} ms)", waits)
    alone = await _votes_while(ballot_id, voters[1500:][: len(waits)], every, None)
    _summary("the same votes without an import", alone)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--every", type=float, default=20.0, help="milliseconds between votes")
    arguments = parser.parse_args()
    seeding.temporary_environment("import")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    asyncio.run(main(arguments.rows, arguments.every))
