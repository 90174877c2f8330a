"""Time the mails of a ballot open for days in a large cooperative (measured, never
asserted): the opening, the reminder and the publication each queue one mail per member in
their own write transaction, which holds SQLite's one writer while it runs (votes wait).

Run: ``make bench-notify`` (or ``.venv/bin/python benchmarks/bench_notify.py
--members 2000``). On a temporary SQLite file, a cooperative of ``--members`` members with an
address (half in French, half in English); one ballot open for a week, half the members vote,
the reminder goes to the other half, the result to everyone. Prints each transaction's time
(median of ``--repeat`` ballots) and the mails it queued.
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


async def main(members: int, repeat: int) -> None:
    from votes.db.engine import start_pool
    from votes.db.migrate import migrate
    from votes.db.tables import AssemblyKind, AssemblyStatus, Mail, MembershipKind, Person
    from votes.piccolo_conf import DB
    from votes.services import accounts, assemblies, ballot_mails, organisations
    from votes.services.actors import actor_for
    from votes.services.ballots import drafts, lifecycle, voting

    await migrate(quiet=True)
    await start_pool(DB, 2)
    organisation_id = await organisations.create_organisation("Bench", "bench")
    voters = []
    for index in range(members):
        person = await accounts.create_person(
            f"Associé·e {index:05d}", f"m{index:05d}@bench.example", None
        )
        if index % 2:
            await Person.update({Person.preferred_language: "en"}).where(Person.id == person)
        voters.append(
            await organisations.add_membership(organisation_id, person, kind=MembershipKind.MEMBER)
        )
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "Décisions en ligne", datetime.now(UTC),
        kind=AssemblyKind.OTHER, status=AssemblyStatus.IN_SESSION,
    )  # fmt: skip
    timings: dict[str, list[float]] = {"open": [], "reminder": [], "publish": []}
    queued: dict[str, int] = {}
    for number in range(repeat):
        ballot_id = await drafts.create_ballot(
            await actor_for(organisation_id), assembly_id, f"Décision {number + 1}", "majority",
            [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
            duration_seconds=7 * 86400,
        )  # fmt: skip
        system = await lifecycle.system_actor(ballot_id)
        before = await Mail.count()
        started = time.perf_counter()
        await lifecycle.open_ballot(system, ballot_id)
        timings["open"].append(time.perf_counter() - started)
        queued["open"] = await Mail.count() - before
        for membership_id in voters[: members // 2]:
            await voting.cast_vote(ballot_id, membership_id, "yes")
        before = await Mail.count()
        started = time.perf_counter()
        await ballot_mails.send_reminder(ballot_id)
        timings["reminder"].append(time.perf_counter() - started)
        queued["reminder"] = await Mail.count() - before
        await lifecycle.close_ballot(system, ballot_id)
        before = await Mail.count()
        started = time.perf_counter()
        await lifecycle.publish_ballot(system, ballot_id)
        timings["publish"].append(time.perf_counter() - started)
        queued["publish"] = await Mail.count() - before
    print(f"{members} members with an address, median of {repeat} ballots open for a week")
    for name, values in timings.items():
        median = statistics.median(values) * 1000
        print(f"  {name:<9} {median:8.1f} ms in one transaction, {queued[name]:>5} mails queued")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    seeding.temporary_environment("notify")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    asyncio.run(main(arguments.members, arguments.repeat))
