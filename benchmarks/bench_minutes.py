"""Time the records of an assembly on a temporary SQLite file (measured, never asserted).

Run: ``.venv/bin/python benchmarks/bench_minutes.py [--members 2000] [--ballots 20]``.
Builds a cooperative with ``--members`` members and an assembly with ``--ballots`` published
ballots (every member votes, half of them secret), then prints the median time of: gathering
the record and rendering the procès-verbal, its PDF, the results CSV, the whole archive, and
``votes audit verify``'s checks (hash chain, sealed papers, recount of every ballot).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import seeding


async def _median(label: str, work: Callable[[], Awaitable[Any]], runs: int = 3) -> None:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    print(f"{label:48} {statistics.median(times) * 1000:9.1f} ms (median of {runs})")


async def main(members: int, ballot_count: int) -> None:
    from votes.db.minutes_queries import assembly_record
    from votes.services import accounts, exports, integrity, organisations, rules
    from votes.services.actors import actor_for
    from votes.web import records

    coop = await seeding.closed_assembly(members, ballot_count)
    organisation_id, assembly_id = coop.organisation_id, coop.assembly_id
    print(f"{members} members, {ballot_count} published ballots, {members * ballot_count} papers")

    async def minutes_html() -> str:
        record = await assembly_record(organisation_id, assembly_id)
        assert record is not None
        profile = await rules.assembly_profile(organisation_id, assembly_id)
        return records.render_document(record, None, "fr", profile)

    html = await minutes_html()
    await _median("procès-verbal: gather + render HTML", minutes_html)

    async def pdf() -> bytes:
        return await records.pdf_of(records.standalone_html("AGO", html, "fr"))

    print(f"{'procès-verbal PDF size':48} {len(await pdf()) / 1024:9.1f} KiB")
    await _median("procès-verbal PDF (WeasyPrint, worker thread)", pdf)

    async def results_csv() -> str:
        record = await assembly_record(organisation_id, assembly_id)
        assert record is not None
        return exports.results_csv(record)

    await _median("results of every ballot (CSV)", results_csv)

    secretary = await accounts.create_person("Secrétaire", None, None)
    admin = await organisations.add_membership(organisation_id, secretary, is_admin=True)

    async def archive() -> None:  # asked by a person, as from the assembly's page
        await exports.start_archive(await actor_for(organisation_id, admin), assembly_id)
        await asyncio.gather(*exports._RUNNING)

    await _median("whole-assembly archive (JSON, background job)", archive)
    await _median("audit verify: chains + seals + recounts", integrity.verify_everything, 1)


if __name__ == "__main__":
    seeding.record_benchmark("minutes", __doc__, main, members=500, ballots=10)
