"""Sending mail must not slow votes: ``votes serve`` on a temporary SQLite file with a local
SMTP server (aiosmtpd, in its own process, accepting everything), while 64 phones vote.

Measures vote latency (p50, p99) with the outbox idle, then again while 2,000 mails queued in
one transaction (a convocation's worth) are being sent by the app's mail worker, and the mails
per second the worker delivered.

Run: ``make bench-mail`` (or ``.venv/bin/python benchmarks/bench_mail.py --mails 2000``).
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
from bench_votes import (
    ServedApp,
    configure,
    csrf_pair,
    free_port,
    percentile,
    seed,
    vote,
)
from rawhttp import Connection

PHASE_TIMEOUT = 300.0
BALLOTS = 16  # two for the idle outbox, the others one after another while mails are sent
SENDER = "votes@bench.example"


def start_smtp(port: int) -> subprocess.Popen[bytes]:
    """aiosmtpd in its own process, throwing every mail away once accepted."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def votes_for(
    port: int, ballots: list[int], tokens: list[str], csrf: tuple[str, str]
) -> tuple[list[float], float]:
    """64 connections vote on ``ballots`` with every token; latencies and the elapsed time."""
    queue = [(b, t) for b in ballots for t in tokens]
    latencies: list[float] = []

    async def worker() -> None:
        connection = Connection(port)
        try:
            while queue:
                ballot, token = queue.pop()
                took, status = await vote(connection, ballot, token, csrf, "yes")
                assert status in (200, 303), status
                latencies.append(took)
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(64))), PHASE_TIMEOUT)
    return latencies, time.perf_counter() - started


async def queue_mails(count: int) -> None:
    from votes.db.engine import write_transaction
    from votes.db.tables import Mail, Organisation
    from votes.services import mail
    from votes.settings import Settings

    settings = Settings.from_env()
    mail.configure(settings.smtp, settings.sender)
    row = await Organisation.select(Organisation.id).first()
    assert row is not None
    async with write_transaction(Mail._meta.db):
        for n in range(count):
            await mail.queue(
                organisation_id=row["id"],
                kind="access_code",
                recipient=f"member-{n:05d}@bench.example",
                subject=f"Votre code d'accès n°{n}",
                body_text="Bonjour,\n\nvoici votre code d'accès personnel : ABCD-EFGH\n" * 3,
                idempotency_key=f"bench:{n}",
            )


async def sent_count() -> int:
    from votes.db.tables import Mail, MailStatus

    return int(await Mail.count().where(Mail.status == MailStatus.SENT.value))


async def watch_sending(total: int) -> float:
    """Seconds until every mail is sent (polled: the sender is another process)."""
    started = time.perf_counter()
    while await sent_count() < total:
        if time.perf_counter() - started > PHASE_TIMEOUT:
            raise TimeoutError(f"{await sent_count()} of {total} mails sent")
        await asyncio.sleep(0.1)
    return time.perf_counter() - started


def report(name: str, latencies: list[float], elapsed: float) -> None:
    print(
        f"{name}: {len(latencies)} votes in {elapsed:.2f} s = {len(latencies) / elapsed:,.0f}/s; "
        f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )


async def run(members: int, mails: int) -> None:
    data = await seed(members, BALLOTS)
    tokens: list[str] = data["tokens"]  # type: ignore[assignment]
    ballots: list[int] = data["sustained"]  # type: ignore[assignment]
    server = ServedApp.of_this_process()
    port, base = server.port, server.base_url
    server.start()
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            csrf = await csrf_pair(client, tokens[0])
        latencies, elapsed = await votes_for(port, ballots[:2], tokens, csrf)
        report("votes, outbox idle", latencies, elapsed)
        started = time.perf_counter()
        await queue_mails(mails)
        print(f"queued {mails} mails in one transaction: {time.perf_counter() - started:.2f} s")
        sending = asyncio.create_task(watch_sending(mails))
        latencies: list[float] = []
        elapsed = 0.0
        for ballot in ballots[2:]:  # vote for as long as the mails are being sent
            more, took = await votes_for(port, [ballot], tokens, csrf)
            latencies += more
            elapsed += took
            if sending.done():
                break
        report("votes, while the mails are sent", latencies, elapsed)
        if not sending.done():
            print("  (the ballots ran out before the last mail was sent)")
        took = await sending
        print(f"mails: {mails} sent in {took:.2f} s = {mails / took:,.0f} mails/s")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--mails", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="votes-bench-mail-") as folder:
        smtp_port = free_port()
        os.environ.update(
            VOTES_SMTP_HOST="127.0.0.1",
            VOTES_SMTP_PORT=str(smtp_port),
            VOTES_SMTP_SECURITY="none",
            VOTES_SMTP_SENDER=SENDER,
        )
        configure(Path(folder), free_port())
        smtp = start_smtp(smtp_port)
        try:
            print(
                f"python {sys.version.split()[0]}, SQLite, one server process, "
                f"{args.members} members voting 64 at a time, {args.mails} mails"
            )
            asyncio.run(run(args.members, args.mails))
        finally:
            smtp.terminate()
            smtp.wait(timeout=10)


if __name__ == "__main__":
    main()
