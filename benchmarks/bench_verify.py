"""Time ``votes audit verify`` on a large instance (measured, never asserted).

Run: ``.venv/bin/python benchmarks/bench_verify.py [--members 2000] [--ballots 50]``.
Builds, on a temporary SQLite file, a cooperative of ``--members`` members and an assembly of
``--ballots`` ballots (majority, half of them secret, and one in five instant-runoff), each
with a paper and a participation from every member, written straight into the tables (a
plenary's votes through the service are what ``bench_votes`` measures); every ballot is then
closed and published through the service (frozen, sealed, counted). Prints the time of the
whole verification (signed chain, seals, options, registers, statuses, recounts), median of 3.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime


def _environment() -> None:
    folder = tempfile.mkdtemp(prefix="votes-bench-verify-")
    os.environ.update(
        VOTES_DATA_DIR=folder, VOTES_ENV="test", PICCOLO_CONF="votes.piccolo_conf",
        VOTES_SECRET_KEY="bench-secret-key-that-is-long-enough-0123456789",
    )  # fmt: skip


async def main(members: int, ballot_count: int) -> None:
    from votes.db.engine import start_pool
    from votes.db.migrate import migrate
    from votes.db.tables import (
        Assembly,
        AssemblyStatus,
        BallotPaper,
        MembershipKind,
        Participation,
    )
    from votes.piccolo_conf import DB
    from votes.services import accounts, assemblies, integrity, organisations
    from votes.services.actors import actor_for
    from votes.services.ballots import drafts, lifecycle

    await migrate(quiet=True)
    await start_pool(DB, 2)
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
    built = time.perf_counter()
    for number in range(ballot_count):
        ranked = number % 5 == 4
        options = [("a", "Alice"), ("b", "Bruno"), ("c", "Chloé"), ("d", "Driss")]
        ballot_id = await drafts.create_ballot(
            await actor_for(organisation_id), assembly_id, f"Résolution {number + 1}",
            "irv" if ranked else "majority",
            options if ranked else [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
            secret=number % 2 == 0,
        )  # fmt: skip
        await lifecycle.open_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
        secret = number % 2 == 0
        papers, register = [], []
        for membership_id in voters:
            if ranked:
                choice: object = rng.sample(["a", "b", "c", "d"], rng.randint(1, 4))
            else:
                choice = rng.choice(["yes", "no", "abstain"])
            papers.append(
                BallotPaper(
                    id=uuid.uuid4(),
                    ballot=ballot_id,
                    voter=None if secret else membership_id,
                    round=1,
                    content=json.dumps(choice),
                    receipt_hash=uuid.uuid4().hex,
                )
            )
            register.append(
                Participation(
                    ballot=ballot_id,
                    membership=membership_id,
                    participation_key=f"{ballot_id}:{membership_id}",
                    round=1,
                )
            )
        await BallotPaper.insert(*papers)
        await Participation.insert(*register)
        await lifecycle.close_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
        await lifecycle.publish_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
    await Assembly.update({Assembly.status: AssemblyStatus.CLOSED.value}).where(
        Assembly.id == assembly_id
    )
    print(
        f"{members} members, {ballot_count} published ballots, {members * ballot_count} papers "
        f"(built in {time.perf_counter() - built:.1f} s)"
    )
    times = []
    for _ in range(3):
        started = time.perf_counter()
        report = await integrity.verify_everything()
        times.append(time.perf_counter() - started)
        assert report.intact, report
    median = statistics.median(times) * 1000
    print(f"{'audit verify (everything)':40} {median:9.1f} ms (median of 3)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--ballots", type=int, default=50)
    args = parser.parse_args()
    _environment()
    sys.exit(asyncio.run(main(args.members, args.ballots)))
