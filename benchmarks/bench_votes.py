"""Voting under load, end to end: ``votes serve`` in a subprocess on a temporary SQLite database,
driven over HTTP on 127.0.0.1 by an async client, like phones in a plenary.

Measures (the issue's budgets in brackets):

* sustained casting: votes/s and latency percentiles with 64 concurrent connections
  [≥ 1,000 votes/s, p99 ≤ 150 ms];
* a burst: 2,000 members each load the ballot page then vote within 10 s (each starts at a
  random moment of those 10 s) [no error, no lost vote, p99 ≤ 500 ms]; then the same harder:
  all 2,000 at once, 256 phones at a time (the worst case, reported beside it);
* the member's ballot page as the server sends it (gzip), with its stylesheets and scripts
  [≤ 30 KB];
* closing a 2,000-vote ballot and publishing its result, through the console [< 1 s].

Run: ``make bench-votes`` (or ``.venv/bin/python benchmarks/bench_votes.py --members 2000``).
Everything is bounded: a fixed number of members and ballots, and a timeout on every request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.support

import seeding
from rawhttp import Connection
from tests.support.server import ServedApp, free_port

SECRET_KEY = "benchmark-secret-key-" + "x" * 32
ORG = "bench"
REQUEST_TIMEOUT = 30.0


def configure(data_dir: Path, port: int, database_url: str = "") -> dict[str, str]:
    env = {
        "VOTES_ENV": "development",
        "VOTES_DATA_DIR": str(data_dir),
        "VOTES_SECRET_KEY": SECRET_KEY,
        "VOTES_LOG_LEVEL": "WARNING",
        "VOTES_HOST": "127.0.0.1",
        "VOTES_PORT": str(port),
        "PICCOLO_CONF": "votes.piccolo_conf",
    }
    if database_url:
        env["VOTES_DATABASE_URL"] = database_url
    else:
        os.environ.pop("VOTES_DATABASE_URL", None)
    os.environ.update(env)
    return env


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A fresh database on the PostgreSQL of 127.0.0.1 (user postgres), dropped afterwards."""
    name = f"votes_bench_{os.getpid()}"
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
    subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


async def seed(members: int, sustained_ballots: int) -> dict[str, object]:
    """Create the organisation, its members with signed-in sessions, and the ballots."""
    from tests.support import crowd

    from votes.db.migrate import migrate
    from votes.services import assemblies, organisations
    from votes.services.actors import actor_for

    await migrate(quiet=True)
    organisation_id = await organisations.create_organisation("Bench coop", ORG)
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AG", datetime.now(UTC)
    )
    _, tokens = await seeding.signed_in_members(organisation_id, members, SECRET_KEY)
    sustained = await crowd.open_majority_ballots(
        organisation_id, assembly_id, crowd.resolutions(sustained_ballots)
    )
    bursts = await crowd.open_majority_ballots(
        organisation_id, assembly_id, ("Résolution du rush", "Résolution de la cohue")
    )
    return {"tokens": tokens, "sustained": sustained, "burst": bursts[0], "at_once": bursts[1]}


async def csrf_pair(client: httpx.AsyncClient, token: str) -> tuple[str, str]:
    """A CSRF cookie and its form token, read from a page like a browser does (any pair the
    server signed is valid for every client, so one is enough for the whole run)."""
    page = await client.get(f"/o/{ORG}/vote", cookies={"votes_session": token})
    form_token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert form_token, page.text[:500]
    return page.cookies.get("votes_csrf") or client.cookies["votes_csrf"], form_token.group(1)


HTMX = False  # --htmx: votes are sent as htmx sends them (the answer is rendered, not a 303)
VOTED = (200, 303)  # a plain form is redirected to the ballot page; htmx gets the fragment
GZIP = "Accept-Encoding: gzip, deflate, br"  # as a phone's browser asks


class CpuMeter:
    """CPU seconds spent by the server process and by this client during a phase: the client
    shares the machine's two cores with the server, so wall time alone would not tell whose
    time it was."""

    def __init__(self, server_pid: int) -> None:
        self.stat = Path(f"/proc/{server_pid}/stat")

    def _now(self) -> tuple[float, float, float]:
        ticks = os.sysconf("SC_CLK_TCK")
        fields = self.stat.read_text().rsplit(")", 1)[1].split()
        mine = os.times()
        # the server's user and system time (utime, stime), then this client's
        return int(fields[11]) / ticks, int(fields[12]) / ticks, mine.user + mine.system

    def __enter__(self) -> CpuMeter:
        self.start = self._now()
        return self

    def __exit__(self, *_: object) -> None:
        end = self._now()
        self.user, self.system, self.client = (b - a for a, b in zip(self.start, end, strict=True))

    def report(self, requests: int) -> str:
        server = self.user + self.system
        return (
            f"  CPU: server {server:.2f} s ({server / requests * 1000:.2f} ms per request; "
            f"system {self.system:.2f} s), this client {self.client:.2f} s"
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def vote(
    connection: Connection, ballot: int, token: str, csrf: tuple[str, str], choice: str
) -> tuple[float, int]:
    started = time.perf_counter()
    status, _ = await connection.request(
        "POST",
        f"/o/{ORG}/ballots/{ballot}/vote",
        {"votes_session": token, "votes_csrf": csrf[0]},
        {"choice": choice, "submission": secrets.token_urlsafe(16), "_csrf_token": csrf[1]},
        # with htmx (a phone with JavaScript) the answer is the confirmation, rendered
        extra=[GZIP, "HX-Request: true"] if HTMX else [GZIP],
    )
    return time.perf_counter() - started, status


async def sustained(
    port: int, data: dict[str, object], csrf: tuple[str, str], cpu: CpuMeter
) -> None:
    """64 connections cast votes back to back, each as soon as the previous one is answered."""
    tokens: list[str] = data["tokens"]  # type: ignore[assignment]
    ballot_ids: list[int] = data["sustained"]  # type: ignore[assignment]
    jobs = [(b, t) for b in ballot_ids for t in tokens]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker() -> None:
        connection = Connection(port)
        try:
            while not queue.empty():
                ballot, token = queue.get_nowait()
                took, status = await vote(connection, ballot, token, csrf, "yes")
                latencies.append(took)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            connection.close()

    started = time.perf_counter()
    with cpu:
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(64))), timeout=300)
    elapsed = time.perf_counter() - started
    print(f"sustained: {len(jobs)} votes in {elapsed:.2f} s = {len(jobs) / elapsed:,.0f} votes/s")
    print(
        f"  latency p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
        f"statuses {statuses}"
    )
    print(cpu.report(len(jobs)))


BURST_SECONDS = 10.0  # the window: 2,000 members load the ballot and vote within it
AT_ONCE_SOCKETS = 256  # all at once: phones still do not connect in the same millisecond


async def burst(
    port: int,
    data: dict[str, object],
    csrf: tuple[str, str],
    cpu: CpuMeter,
    *,
    at_once: bool = False,
) -> None:
    """Each member loads the ballot page, then votes (one connection per phone): starting at
    a random moment of ``BURST_SECONDS`` (seeded, so every run draws the same moments), or,
    ``at_once``, all of them as fast as ``AT_ONCE_SOCKETS`` sockets allow."""
    tokens: list[str] = data["tokens"]  # type: ignore[assignment]
    ballot: int = data["at_once" if at_once else "burst"]  # type: ignore[assignment]
    latencies: list[float] = []
    pages: list[tuple[float, float]] = []  # (started, took) since the burst began
    votes: list[tuple[float, float]] = []
    problems: list[str] = []
    gate = asyncio.Semaphore(AT_ONCE_SOCKETS if at_once else len(tokens))
    draw = random.Random(2026)
    moments = [0.0 if at_once else draw.uniform(0, BURST_SECONDS) for _ in tokens]

    async def member(token: str, n: int) -> None:
        cookies = {"votes_session": token, "votes_csrf": csrf[0]}
        await asyncio.sleep(moments[n])
        async with gate:
            connection = Connection(port)
            try:
                started = time.perf_counter()
                status, _ = await connection.request(
                    "GET", f"/o/{ORG}/ballots/{ballot}", cookies, extra=[GZIP]
                )
                latencies.append(time.perf_counter() - started)
                pages.append((started - burst_started, latencies[-1]))
                if status != 200:
                    problems.append(f"page {status}")
                    return
                took, status = await vote(
                    connection, ballot, token, csrf, ("yes", "no", "abstain")[n % 3]
                )
                latencies.append(took)
                votes.append((time.perf_counter() - took - burst_started, took))
                if status not in VOTED:
                    problems.append(f"vote {status}")
            except (OSError, asyncio.IncompleteReadError) as error:
                problems.append(type(error).__name__)
            finally:
                connection.close()

    started = burst_started = time.perf_counter()
    with cpu:
        await asyncio.wait_for(
            asyncio.gather(*(member(t, n) for n, t in enumerate(tokens))), timeout=300
        )
    elapsed = time.perf_counter() - started
    from votes.db.tables import Participation

    stored = await Participation.count().where(Participation.ballot == ballot)
    how = f"all at once, {AT_ONCE_SOCKETS} at a time" if at_once else f"within {BURST_SECONDS:g} s"
    print(
        f"burst ({how}): {len(tokens)} members loaded the page and voted in {elapsed:.2f} s; "
        f"errors {len(problems)} {sorted(set(problems))[:5]}; votes stored {stored}/{len(tokens)}"
    )
    print(
        f"  request latency p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    for name, timed in (("page loads", pages), ("votes", votes)):
        took = [t for _, t in timed]
        slowest = max(timed, key=lambda item: item[1])
        print(
            f"  {name}: p50 {percentile(took, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(took, 0.99) * 1000:.0f} ms; slowest sent at "
            f"{slowest[0]:.2f} s into the burst"
        )
    print(cpu.report(len(latencies)))


async def page_weight(base: str, data: dict[str, object], csrf: tuple[str, str]) -> None:
    tokens: list[str] = data["tokens"]  # type: ignore[assignment]
    ballot = data["burst"]
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT) as client:
        page = await client.get(
            f"/o/{ORG}/ballots/{ballot}",
            cookies={"votes_session": tokens[-1], "votes_csrf": csrf[0]},
        )
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        # what goes over the wire to a browser that accepts gzip (httpx asks for it)
        sizes = {"page": page.num_bytes_downloaded}
        for asset in assets:
            sizes[asset.split("?")[0]] = (await client.get(asset)).num_bytes_downloaded
    total = sum(sizes.values())
    detail = ", ".join(f"{name} {size / 1024:.1f}" for name, size in sizes.items())
    print(f"ballot page as sent (gzip), everything included: {total / 1024:.1f} KB ({detail})")


async def close_and_publish(base: str, data: dict[str, object], csrf: tuple[str, str]) -> None:
    tokens: list[str] = data["tokens"]  # type: ignore[assignment]
    ballot = data["burst"]
    cookies = {"votes_session": tokens[0], "votes_csrf": csrf[0]}  # the facilitator
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT) as client:
        started = time.perf_counter()
        closed = await client.post(
            f"/o/{ORG}/ballots/{ballot}/console/close",
            data={"_csrf_token": csrf[1]},
            cookies=cookies,
        )
        middle = time.perf_counter()
        published = await client.post(
            f"/o/{ORG}/ballots/{ballot}/console/publish",
            data={"_csrf_token": csrf[1]},
            cookies=cookies,
        )
        ended = time.perf_counter()
    print(
        f"close {len(tokens)}-vote ballot: {(middle - started) * 1000:.0f} ms "
        f"(status {closed.status_code}); publish: {(ended - middle) * 1000:.0f} ms "
        f"(status {published.status_code}); together {(ended - started) * 1000:.0f} ms"
    )


async def run(members: int, sustained_ballots: int) -> None:
    data = await seed(members, sustained_ballots)
    server = ServedApp.of_this_process()
    base = server.base_url
    server.start()
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            csrf = await csrf_pair(client, data["tokens"][0])  # type: ignore[index]
        port = server.port
        await page_weight(base, data, csrf)
        await sustained(port, data, csrf, CpuMeter(server.pid))
        await burst(port, data, csrf, CpuMeter(server.pid))
        await burst(port, data, csrf, CpuMeter(server.pid), at_once=True)
        await close_and_publish(base, data, csrf)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--ballots", type=int, default=5, help="ballots for the sustained run")
    parser.add_argument(
        "--htmx", action="store_true", help="vote as htmx does (the confirmation is rendered)"
    )
    parser.add_argument(
        "--postgres", action="store_true", help="on a throwaway database of 127.0.0.1's PostgreSQL"
    )
    args = parser.parse_args()
    global HTMX  # a run-wide switch of this script
    HTMX = args.htmx
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="votes-bench-"))
        url = stack.enter_context(throwaway_postgres()) if args.postgres else ""
        configure(Path(folder), free_port(), url)
        print(
            f"python {sys.version.split()[0]}, {'PostgreSQL' if url else 'SQLite'}, one server "
            f"process, {args.members} members, "
            f"votes sent {'by htmx' if HTMX else 'as plain forms'}"
        )
        asyncio.run(run(args.members, args.ballots))


if __name__ == "__main__":
    main()
