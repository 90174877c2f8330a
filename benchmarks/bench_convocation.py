"""Convening 2,000 members must not slow votes: ``votes serve`` on a temporary SQLite file
while 300 phones vote, and another process queues a convocation to 2,000 members (one mail
and one proof record each, with their personal access code, in batches of short transactions).

Measures vote latency (p50, p99) without the send, then while the convocation is being
queued, and how long queueing the 2,000 mails took. No SMTP server: the mails are held in the
outbox (sending them is ``make bench-mail``'s measure).

Run: ``make bench-convocation`` (or ``.venv/bin/python benchmarks/bench_convocation.py``).
Bounded: fixed numbers of members, votes and mails, and a timeout on every phase.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from bench_mail import report, votes_for
from bench_votes import configure, csrf_pair, free_port, seed
from tests.support.server import ServedApp

PHASE_TIMEOUT = 300.0
BALLOTS = 24  # two without the send, the others one after another while it runs


async def add_convened_members(count: int) -> None:
    """``count`` more members with an address, to be convened (they do not vote here)."""
    from votes.db.tables import Membership, Organisation, Person

    row = await Organisation.select(Organisation.id).first()
    assert row is not None
    people = await Person.insert(
        *(
            Person(name=f"Convened {n:05d}", email=f"convened-{n:05d}@bench.example")
            for n in range(count)
        )
    )
    await Membership.insert(
        *(
            Membership(
                organisation=row["id"],
                person=person["id"],
                membership_key=f"{row['id']}:{person['id']}",
            )
            for person in people
        )
    )


async def convene() -> float:
    """Prepare and send the convocation as the app does (in this process); its duration."""
    from votes.db.tables import Assembly, Organisation
    from votes.services import convocations, mail
    from votes.services.actors import actor_for
    from votes.settings import Settings

    mail.configure(None)
    settings = Settings.from_env()
    organisation = await Organisation.select(Organisation.id).first()
    assembly = await Assembly.select(Assembly.id).first()
    assert organisation is not None
    assert assembly is not None
    actor = await actor_for(organisation["id"])
    letter = convocations.LetterDraft(
        "Ordre du jour :\n1. Comptes\n" * 20, "Pouvoirs : un par associé·e."
    )
    await convocations.prepare(actor, assembly["id"], letter)
    started = time.perf_counter()
    result = await convocations.send(
        actor,
        assembly["id"],
        base_url="http://127.0.0.1",
        secret_key=settings.secret_key,
        confirm_short_notice=True,
    )
    took = time.perf_counter() - started
    print(f"queued {result.queued} convocations in {took:.2f} s = {result.queued / took:,.0f}/s")
    return took


async def run(members: int, convened: int) -> None:
    data = await seed(members, BALLOTS)
    await add_convened_members(convened)
    tokens: list[str] = data["tokens"]  # type: ignore[assignment]
    ballots: list[int] = data["sustained"]  # type: ignore[assignment]
    with ServedApp.of_this_process().running() as server:
        port = server.port
        async with httpx.AsyncClient(base_url=server.base_url) as client:
            csrf = await csrf_pair(client, tokens[0])
        latencies, elapsed = await votes_for(port, ballots[:2], tokens, csrf)
        report("votes, no convocation", latencies, elapsed)
        sender = subprocess.Popen([sys.executable, __file__, "--convene-only"])  # noqa: ASYNC220
        latencies = []
        elapsed = 0.0
        for ballot in ballots[2:]:  # vote for as long as the convocation is being queued
            more, took = await votes_for(port, [ballot], tokens, csrf)
            latencies += more
            elapsed += took
            if sender.poll() is not None:
                break
        report("votes, while 2,000 convocations are queued", latencies, elapsed)
        if sender.poll() is None:
            print("  (the ballots ran out before the convocation was queued)")
        sender.wait(timeout=PHASE_TIMEOUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=300, help="phones voting")
    parser.add_argument("--convened", type=int, default=2000, help="members mailed")
    parser.add_argument("--convene-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.convene_only:  # the second process: the environment is the parent's
        asyncio.run(convene())
        return
    with tempfile.TemporaryDirectory(prefix="votes-bench-convocation-") as folder:
        for name in ("VOTES_SMTP_HOST", "VOTES_SMTP_PORT"):
            os.environ.pop(name, None)
        configure(Path(folder), free_port())
        print(
            f"python {sys.version.split()[0]}, SQLite, one server process, "
            f"{args.members} phones voting 64 at a time, {args.convened} members convened"
        )
        asyncio.run(run(args.members, args.convened))


if __name__ == "__main__":
    main()
