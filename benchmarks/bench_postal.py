"""Votes by correspondence at scale (measured, never asserted).

Run: ``.venv/bin/python benchmarks/bench_postal.py [--members 2000] [--resolutions 5]``.
Builds, on a temporary SQLite file, a cooperative of ``--members`` members and a convened AGO
whose profile allows postal votes, with ``--resolutions`` resolutions; a third of the members
answer every resolution by correspondence through the service (one form each, then a change of
mind on the first resolution: the latest answer counts). The assembly then sits: a tenth of the
members sign the register and vote in the room, and each resolution is closed through the
service (its postal envelopes opened, tags erased, papers rewritten in random order, the
channel frozen and counted). Prints each form's latency (p50, p99) and each close's time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import seeding


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main(members: int, resolutions: int) -> None:
    from votes.core.rules import PostalRule
    from votes.db.engine import start_pool
    from votes.db.migrate import migrate
    from votes.db.tables import Assembly, AssemblyKind, AssemblyStatus, LegalForm
    from votes.piccolo_conf import DB
    from votes.services import (
        advance_votes,
        assemblies,
        attendance,
        organisations,
        rules,
    )
    from votes.services.actors import actor_for
    from votes.services.ballots import drafts, lifecycle, voting

    await migrate(quiet=True)
    await start_pool(DB, 2)
    organisation_id = await organisations.create_organisation(
        "Bench", "bench", legal_form=LegalForm.SCOP_SA
    )
    system = await actor_for(organisation_id)
    profile = await rules.organisation_profile(organisation_id)
    await rules.save_profile(
        system, replace(profile, postal=PostalRule(allowed=True), dual_control=False, adjusted=True)
    )
    voters = await seeding.voting_members(organisation_id, members)
    assembly_id = await assemblies.create_assembly(
        system,
        "AGO",
        datetime.now(UTC) + timedelta(days=10),
        kind=AssemblyKind.AGO,
        status=AssemblyStatus.CONVENED,
    )
    ballots = [
        await drafts.create_ballot(
            system,
            assembly_id,
            f"Résolution {n + 1}",
            "majority",
            [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
            secret=n % 2 == 1,
        )
        for n in range(resolutions)
    ]
    by_post = voters[: members // 3]
    answers = ("yes", "no", "abstain")
    forms: list[float] = []
    for number, member in enumerate(by_post):
        actor = await actor_for(organisation_id, member)
        chosen = {b: answers[(number + i) % 3] for i, b in enumerate(ballots)}
        started = time.perf_counter()
        await advance_votes.cast_advance_votes(actor, assembly_id, chosen)
        forms.append(time.perf_counter() - started)
    changes: list[float] = []
    for member in by_post[:200]:
        actor = await actor_for(organisation_id, member)
        started = time.perf_counter()
        await advance_votes.cast_advance_votes(actor, assembly_id, {ballots[0]: "yes"})
        changes.append(time.perf_counter() - started)
    print(
        f"{members} members, {len(by_post)} postal voters, {resolutions} resolutions "
        f"({len(by_post) * resolutions} postal answers)"
    )
    print(
        f"{'postal form, all resolutions at once':40} p50 {statistics.median(forms) * 1000:6.1f}"
        f" ms, p99 {_percentile(forms, 0.99) * 1000:6.1f} ms"
    )
    print(
        f"{'postal form changed (one resolution)':40} p50 {statistics.median(changes) * 1000:6.1f}"
        f" ms, p99 {_percentile(changes, 0.99) * 1000:6.1f} ms"
    )
    await Assembly.update({Assembly.status: AssemblyStatus.IN_SESSION.value}).where(
        Assembly.id == assembly_id
    )
    in_room = voters[members // 3 : members // 3 + members // 10]
    for member in in_room:
        await attendance.check_in(system, assembly_id, member)
    for ballot_id in ballots:
        await lifecycle.open_ballot(system, ballot_id)
        for member in in_room:
            await voting.cast_vote(ballot_id, member, "yes")
        started = time.perf_counter()
        await lifecycle.close_ballot(system, ballot_id)
        elapsed = (time.perf_counter() - started) * 1000
        label = f"close with {len(by_post)} postal forms"
        print(f"{label:40} {elapsed:9.1f} ms (ballot {ballot_id})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--resolutions", type=int, default=5)
    args = parser.parse_args()
    seeding.temporary_environment("postal")
    sys.exit(asyncio.run(main(args.members, args.resolutions)))
