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

import json
import random
import statistics
import time
import uuid

import seeding


async def main(members: int, ballot_count: int) -> None:
    from votes.db.tables import BallotPaper, Participation
    from votes.services import integrity

    candidates = [("a", "Alice"), ("b", "Bruno"), ("c", "Chloé"), ("d", "Driss")]
    rng = random.Random(7)

    def method_of(number: int) -> tuple[str, list[tuple[str, str]]]:
        return ("irv", candidates) if number % 5 == 4 else ("majority", seeding.YES_NO)

    async def fill(coop: seeding.Cooperative, ballot_id: int, number: int) -> None:
        """A paper and a participation from every member, written straight into the tables."""
        ranked, secret = number % 5 == 4, number % 2 == 0
        papers, register = [], []
        for membership_id in coop.voters:
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

    await seeding.start_database()
    coop = await seeding.cooperative(members)
    built = time.perf_counter()
    await seeding.published_ballots(coop, ballot_count, fill, method_of=method_of)
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
    seeding.record_benchmark("verify", __doc__, main, members=2000, ballots=50)
