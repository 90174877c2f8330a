"""The "now" page and threads under load: ``votes serve`` in a subprocess on a temporary SQLite
database, driven over HTTP on 127.0.0.1 by an async client, like phones following a plenary.

Measures (measured, never asserted):

* polling: every phone asks ``/now?since=<stamp>`` with the stamp it holds; while nothing
  changes the answer is an empty 204 — requests/s and latency percentiles with 64 connections;
* the full "now" fragment (after a change): requests/s and percentiles;
* a proposal page whose thread holds ``--contributions`` contributions (first page of 20);
* posting contributions with htmx, 16 members at a time: posts/s and percentiles.

Run: ``.venv/bin/python benchmarks/bench_now.py [--members 300] [--contributions 1000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import seeding
from bench_votes import ServedApp, configure, free_port

SECRET_KEY = "benchmark-secret-key-" + "x" * 32
ORG = "bench-now"
TIMEOUT = 30.0


async def seed(members: int, contributions: int) -> dict[str, object]:
    """An assembly in session on an item with a proposal whose thread is long."""
    from votes.db.migrate import migrate
    from votes.db.tables import (
        AssemblyStatus,
        Contribution,
        Stance,
        Thread,
    )
    from votes.services import assemblies, organisations, proposals
    from votes.services.actors import actor_for

    await migrate(quiet=True)
    organisation_id = await organisations.create_organisation("Bench now", ORG)
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AG", datetime.now(UTC), status=AssemblyStatus.IN_SESSION
    )
    item_id = await assemblies.add_agenda_item(
        assembly_id, assemblies.ItemText("Point en discussion")
    )
    person_ids, tokens = await seeding.signed_in_members(organisation_id, members, SECRET_KEY)
    proposal_id = await proposals.create_proposal(
        organisation_id, assembly_id, person_ids[0], "Résolution", "Un texte **court**.",
        agenda_item_id=item_id,
    )  # fmt: skip
    thread = await Thread.select(Thread.id).where(Thread.proposal == proposal_id).first()
    stances = list(Stance)
    await Contribution.insert(
        *(
            Contribution(
                organisation=organisation_id,
                thread=thread["id"],
                author=person_ids[n % members],
                stance=stances[n % len(stances)].value,
                body=f"Contribution n° {n} avec un peu de *Markdown*.",
            )
            for n in range(contributions)
        )
    )
    await assemblies.set_current_item(assembly_id, item_id)
    return {"tokens": tokens, "proposal": proposal_id, "thread": thread["id"]}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(
    label: str,
    jobs: int,
    concurrency: int,
    request: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    base: str,
    expected: int,
) -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(jobs):
        queue.put_nowait(n)
    times: list[float] = []
    errors = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty():
            n = queue.get_nowait()
            started = time.perf_counter()
            response = await request(client, n)
            times.append(time.perf_counter() - started)
            errors += response.status_code != expected

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    print(
        f"{label:<44} {jobs / elapsed:8.0f} req/s   p50 {statistics.median(times) * 1000:6.1f} ms"
        f"   p99 {percentile(times, 0.99) * 1000:6.1f} ms   unexpected statuses: {errors}"
    )


async def measure(base: str, data: dict[str, object], members: int) -> None:
    tokens: list[str] = data["tokens"]  # type: ignore[assignment]
    htmx = {"HX-Request": "true"}

    def cookie(n: int) -> dict[str, str]:
        return {"votes_session": tokens[n % members]}

    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as client:
        page = await client.get(f"/o/{ORG}/now", cookies=cookie(1))
        stamp_match = re.search(r"now\?since=([^\"]+)\"", page.text)
        csrf_match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert stamp_match, page.text[:300]
        assert csrf_match, page.text[:300]
        stamp, csrf_form = stamp_match.group(1), csrf_match.group(1)
        csrf_cookie = page.cookies.get("votes_csrf") or client.cookies["votes_csrf"]
    jobs = members * 10
    await run(
        "poll /now?since=<stamp> (unchanged: 204)",
        jobs, 64,
        lambda c, n: c.get(f"/o/{ORG}/now", params={"since": stamp}, headers=htmx,
                           cookies=cookie(n)),
        base, 204,
    )  # fmt: skip
    await run(
        "/now fragment after a change (200)",
        members * 2, 64,
        lambda c, n: c.get(f"/o/{ORG}/now", params={"since": "old"}, headers=htmx,
                           cookies=cookie(n)),
        base, 200,
    )  # fmt: skip
    await run(
        f"proposal page, thread of {data['contributions']} (200)",
        members, 32,
        lambda c, n: c.get(f"/o/{ORG}/proposals/{data['proposal']}", cookies=cookie(n)),
        base, 200,
    )  # fmt: skip
    path = f"/o/{ORG}/threads/{data['thread']}/contributions"
    await run(
        "post a contribution with htmx (200)",
        members, 16,
        lambda c, n: c.post(
            path,
            data={"body": f"Avis n° {n}", "stance": "for", "_csrf_token": csrf_form,
                  "next": f"/o/{ORG}/now"},
            headers=htmx,
            cookies={**cookie(n), "votes_csrf": csrf_cookie},
        ),
        base, 200,
    )  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--contributions", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="votes-bench-now-") as folder:
        configure(Path(folder), free_port())
        data = await seed(args.members, args.contributions)
        data["contributions"] = args.contributions
        server = ServedApp.of_this_process()
        server.start()
        try:
            base = server.base_url
            print(f"SQLite, one worker, {args.members} members:")
            await measure(base, data, args.members)
        finally:
            server.stop()


if __name__ == "__main__":
    asyncio.run(main())
