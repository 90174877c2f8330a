"""The whole plenary under load: N members (default 1,000; ``--members 2000``) each arrive,
sign in with their printed access code, open the vote list's event stream, wait for the
ballot, read it and vote, with human think times; then the facilitator closes it. Run against
``votes serve`` in a subprocess on 127.0.0.1 only: the default single process on SQLite, then
several workers sharing PostgreSQL (LISTEN/NOTIFY), when a server answers on 127.0.0.1:5432.

Prints, per backend: votes/s while the room votes, p50/p95/p99/max latency of every step
(code page, sign-in, stream connection, ballot seen after the open, ballot page, vote), errors,
and **lost votes**: acknowledged votes (303) missing from the register or from the count after
the close — it must be 0. Writes a PNG of latency over time per step (``--plot-dir``, default
``artifacts/``; matplotlib comes with the ``bench`` extra, installed by ``make bench-load``).

Bounded: a fixed number of members, arrivals spread over ``--arrival-seconds``, think times of a
few seconds, a timeout on every request and a deadline for each phase and for the whole run.

Run: ``make bench-load`` (or ``.venv/bin/python benchmarks/bench_load.py --members 2000
--backend sqlite``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.support

import seeding
from rawhttp import read_body
from tests.support.server import ServedApp

SECRET_KEY = "load-benchmark-secret-key-" + "l" * 32
ORG = "salle"
REQUEST_TIMEOUT = 60.0
PHASE_DEADLINE = 300.0  # seconds for any one phase, whatever happens
STEPS = ("code page", "sign-in", "stream", "ballot seen", "ballot page", "vote")
_CSRF = re.compile(rb'name="_csrf_token" value="([^"]+)"')
_SUBMISSION = re.compile(rb'name="submission" value="([^"]+)"')
_COOKIE = re.compile(r"^(votes_session|votes_csrf)=([^;]*)", re.IGNORECASE)


def raise_file_limit(needed: int) -> None:
    """Two sockets per member in this process (and as many in the server's)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


class Connection:
    """A bare HTTP/1.1 keep-alive connection, as a phone's browser holds one: cheap enough that
    the client does not eat the CPU the server needs on a two-core machine."""

    IDLE_SECONDS = 4.0  # uvicorn closes a keep-alive connection idle for 5 s: a browser reopens

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def send(
        self, method: str, path: str, cookies: dict[str, str], form: dict[str, str] | None = None
    ) -> None:
        if self.writer is not None and time.monotonic() - self.used > self.IDLE_SECONDS:
            self.close()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.used = time.monotonic()
        body = urlencode(form).encode() if form is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items() if v))
        head.append(f"Content-Length: {len(body)}")
        if form is not None:
            head.append("Content-Type: application/x-www-form-urlencoded")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)

    async def head(self) -> tuple[int, dict[str, str], dict[str, str]]:
        """Status, headers, and the cookies set."""
        assert self.reader is not None
        line = await self.reader.readline()
        if not line:
            raise ConnectionResetError("closed by the server")
        status = int(line.split()[1])
        headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        while (raw := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = raw.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            headers[name] = value
            if name == "set-cookie" and (found := _COOKIE.match(value)):
                cookies[found.group(1).lower()] = found.group(2)
        return status, headers, cookies

    async def request(
        self, method: str, path: str, cookies: dict[str, str], form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        await self.send(method, path, cookies, form)
        status, headers, set_cookies = await self.head()
        cookies.update(set_cookies)  # the phone keeps what it is given
        assert self.reader is not None
        answer = status, headers, await read_body(self.reader, headers)
        self.used = time.monotonic()
        return answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Timeline:
    """Every timed step: (seconds since the start, step, latency in seconds)."""

    started: float = field(default_factory=time.perf_counter)
    points: list[tuple[float, str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def time(self, step: str, work: Awaitable[tuple[int, dict[str, str], bytes]]) -> Any:
        began = time.perf_counter()
        answer = await asyncio.wait_for(work, REQUEST_TIMEOUT)
        self.points.append((began - self.started, step, time.perf_counter() - began))
        return answer

    def latencies(self, step: str) -> list[float]:
        return sorted(latency for _, name, latency in self.points if name == step)


@dataclass
class Member:
    code: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    acknowledged: bool = False
    ballot_seen: asyncio.Event = field(default_factory=asyncio.Event)


async def member_journey(
    member: Member,
    arrival: float,
    ballot_path: str,
    opened_at: dict[str, float],
    timeline: Timeline,
    streams_ready: Callable[[], None],
) -> None:
    """One phone, from the door to its vote."""
    rng = random.Random(member.code)
    await asyncio.sleep(arrival)
    phone, stream = Connection(member.port), Connection(member.port)
    try:
        status, _, page = await timeline.time(
            "code page", phone.request("GET", "/code", member.cookies)
        )
        token = _CSRF.search(page)
        if status != 200 or token is None:
            timeline.errors.append(f"code page {status}")
            return
        form = {"code": member.code, "_csrf_token": token.group(1).decode()}
        await asyncio.sleep(rng.uniform(3, 8))  # typing the code from the sheet
        status, _, _ = await timeline.time(
            "sign-in", phone.request("POST", "/code", member.cookies, form)
        )
        if status != 303 or "votes_session" not in member.cookies:
            timeline.errors.append(f"sign-in {status}")
            return
        await asyncio.sleep(rng.uniform(0.5, 3))  # taps "Vote"
        since = int(time.time() * 1000) + 60_000  # a page that knows the current state
        began = time.perf_counter()
        await stream.send("GET", f"/o/{ORG}/live?vote_area=1&since={since}", member.cookies)
        status, _, _ = await asyncio.wait_for(stream.head(), REQUEST_TIMEOUT)
        timeline.points.append((began - timeline.started, "stream", time.perf_counter() - began))
        if status != 200:
            timeline.errors.append(f"stream {status}")
            return
        streams_ready()
        await wait_for_ballot(stream, ballot_path, timeline)
        seen = time.perf_counter()
        timeline.points.append((seen - timeline.started, "ballot seen", seen - opened_at["t"]))
        await vote(member, phone, ballot_path, rng, timeline)
    except (OSError, asyncio.IncompleteReadError, TimeoutError) as error:
        timeline.errors.append(type(error).__name__)
    finally:
        phone.close()
        stream.close()
        member.ballot_seen.set()


async def wait_for_ballot(stream: Connection, ballot_path: str, timeline: Timeline) -> None:
    """Read the stream until an event names the ballot (the vote list pushed with it)."""
    assert stream.reader is not None
    buffer = b""
    needle = ballot_path.encode()
    while data := await stream.reader.read(65536):
        buffer += data
        if needle in buffer:
            return
        buffer = buffer[-4096:]
    raise ConnectionResetError("the stream ended before the ballot opened")


async def vote(
    member: Member, phone: Connection, ballot_path: str, rng: random.Random, timeline: Timeline
) -> None:
    await asyncio.sleep(rng.uniform(0.5, 2))  # taps the ballot
    status, _, page = await timeline.time(
        "ballot page", phone.request("GET", ballot_path, member.cookies)
    )
    token, submission = _CSRF.search(page), _SUBMISSION.search(page)
    if status != 200 or token is None or submission is None:
        timeline.errors.append(f"ballot page {status}")
        return
    await asyncio.sleep(rng.uniform(2, 10))  # reads the question, chooses, confirms
    form = {
        "choice": rng.choice(("yes", "yes", "no", "abstain")),
        "submission": submission.group(1).decode(),
        "_csrf_token": token.group(1).decode(),
    }
    status, _, _ = await timeline.time(
        "vote", phone.request("POST", f"{ballot_path}/vote", member.cookies, form)
    )
    if status == 303:
        member.acknowledged = True
    else:
        timeline.errors.append(f"vote {status}")


# --- the seeded cooperative (in the child process, before the server starts) ----------------


async def seed(members: int) -> dict[str, Any]:
    from tests.support import crowd

    from votes.db.engine import close_pool, start_pool
    from votes.db.migrate import migrate
    from votes.db.tables import AssemblyStatus, Membership
    from votes.piccolo_conf import DB
    from votes.services import access_codes, accounts, assemblies, organisations
    from votes.services.actors import actor_for

    await start_pool(DB, 2)
    try:
        await migrate(quiet=True)
        organisation_id = await organisations.create_organisation("Coopérative de la salle", ORG)
        facilitator = await accounts.create_person("Animation", "animation@salle.invalid", None)
        await organisations.add_membership(organisation_id, facilitator, is_facilitator=True)
        people = [
            await accounts.create_person(f"Associé·e {n:05d}", f"m{n}@salle.invalid", None)
            for n in range(members)
        ]
        for person in people:
            await organisations.add_membership(organisation_id, person)
        rows = await Membership.select(Membership.id).where(
            (Membership.organisation == organisation_id) & Membership.person.is_in(people)
        )
        issued = await access_codes.issue_codes(
            await actor_for(organisation_id), [row["id"] for row in rows], secret_key=SECRET_KEY
        )
        assembly_id = await assemblies.create_assembly(
            # in session, as a plenary is when its ballots open: the console otherwise asks
            # the facilitator to confirm (409) before opening
            await actor_for(organisation_id),
            "AG",
            datetime.now(UTC),
            status=AssemblyStatus.IN_SESSION,
        )
        ballot_id = await crowd.majority_ballot(organisation_id, assembly_id, "Résolution unique")
        session = await accounts.start_session(facilitator, secret_key=SECRET_KEY, hours=4)
        return {
            "codes": [code.display_code for code in issued],
            "ballot": ballot_id,
            "facilitator": session,
        }
    finally:
        await close_pool(DB)


async def stored_votes(ballot_id: int) -> tuple[int, int | None]:
    """The register's count, and the number of papers in the stored result."""
    from fractions import Fraction

    from votes.db.engine import close_pool, start_pool
    from votes.db.tables import Ballot, Participation
    from votes.piccolo_conf import DB

    await start_pool(DB, 2)
    try:
        register = await Participation.count().where(Participation.ballot == ballot_id)
        row = await Ballot.select(Ballot.result).where(Ballot.id == ballot_id).first()
    finally:
        await close_pool(DB)
    if not row or not row["result"]:
        return register, None
    totals = json.loads(row["result"])["rounds"][0]["totals"]
    counted = sum(
        Fraction(v["__fraction__"]) if isinstance(v, dict) else v for v in totals.values()
    )
    return register, int(counted)


# --- one run, in a child process bound to one database ---------------------------------------


async def facilitator_post(port: int, path: str, session: str) -> int:
    connection = Connection(port)
    cookies = {"votes_session": session}
    try:
        _, _, page = await connection.request("GET", f"/o/{ORG}/vote", cookies)
        token = _CSRF.search(page)
        assert token, page[:300]
        status, _, _ = await connection.request(
            "POST", path, cookies, {"_csrf_token": token.group(1).decode()}
        )
        return status
    finally:
        connection.close()


async def run(port: int, seeded: dict[str, Any], arrival_seconds: float) -> Timeline:
    codes: list[str] = seeded["codes"]  # type: ignore[index]
    ballot: int = seeded["ballot"]  # type: ignore[index]
    ballot_path = f"/o/{ORG}/ballots/{ballot}"
    timeline = Timeline()
    members = [Member(code, port) for code in codes]
    connected = asyncio.Event()
    ready = [0]

    def stream_ready() -> None:
        ready[0] += 1
        if ready[0] >= len(members):
            connected.set()

    opened_at: dict[str, float] = {}
    journeys = [
        asyncio.ensure_future(
            member_journey(
                member,
                arrival_seconds * n / len(members),
                ballot_path,
                opened_at,
                timeline,
                stream_ready,
            )
        )
        for n, member in enumerate(members)
    ]
    # the facilitator opens the ballot once the room is in (or the door's deadline passed)
    try:
        await asyncio.wait_for(connected.wait(), arrival_seconds + 60)
    except TimeoutError:
        timeline.errors.append(f"only {ready[0]} streams connected before the open")
    opened_at["t"] = time.perf_counter()
    voting_started = opened_at["t"]
    status = await facilitator_post(port, f"{ballot_path}/console/open", seeded["facilitator"])
    assert status == 303, f"open: {status}"
    await asyncio.wait_for(asyncio.gather(*journeys, return_exceptions=True), PHASE_DEADLINE)
    voting_ended = max(
        (t + lat for t, step, lat in timeline.points if step == "vote"), default=0.0
    ) + (timeline.started - voting_started)
    status = await facilitator_post(port, f"{ballot_path}/console/close", seeded["facilitator"])
    assert status == 303, f"close: {status}"
    acknowledged = sum(member.acknowledged for member in members)
    register, counted = await stored_votes(ballot)
    report(timeline, len(members), acknowledged, register, counted, voting_ended)
    return timeline


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def report(
    timeline: Timeline,
    members: int,
    acknowledged: int,
    register: int,
    counted: int | None,
    voting_seconds: float,
) -> None:
    votes_per_second = acknowledged / voting_seconds if voting_seconds > 0 else 0.0
    lost = max(acknowledged - register, 0) + max(acknowledged - (counted or 0), 0)
    print(
        f"  {acknowledged}/{members} votes acknowledged in {voting_seconds:.1f} s after the open "
        f"({votes_per_second:.1f} votes/s, paced by think times); register {register}, "
        f"counted {counted}; LOST VOTES {lost}"
    )
    errors: dict[str, int] = {}
    for error in timeline.errors:
        errors[error] = errors.get(error, 0) + 1
    print(f"  errors: {sum(errors.values())} {errors if errors else ''}")
    for step in STEPS:
        values = timeline.latencies(step)
        if values:
            print(
                f"  {step:<12} n={len(values):<5} p50 {percentile(values, 0.50):7.0f} ms  "
                f"p95 {percentile(values, 0.95):7.0f} ms  p99 {percentile(values, 0.99):7.0f} ms"
                f"  max {values[-1] * 1000:7.0f} ms"
            )
    if lost:
        print("  !!! acknowledged votes are missing from the count")


def plot(timeline: Timeline, title: str, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  (no plot: install the bench extra, pip install -e '.[bench]')")
        return
    figure, axes = plt.subplots(figsize=(11, 6))
    for step in STEPS:
        points = [(t, lat * 1000) for t, name, lat in timeline.points if name == step]
        if points:
            axes.scatter(*zip(*points, strict=True), s=4, label=step, alpha=0.6)
    axes.set_yscale("log")
    axes.set_xlabel("seconds since the first arrival")
    axes.set_ylabel("latency (ms, log scale)")
    axes.set_title(title)
    axes.legend(markerscale=3)
    axes.grid(True, which="both", alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    print(f"  plot: {path}")


def child(backend: str, members: int, workers: int, arrival: float, plot_dir: Path) -> None:
    """Seed, serve, run and report one backend (Piccolo binds to one database per process)."""
    with tempfile.TemporaryDirectory(prefix="votes-load-") as folder:
        environment = {
            "VOTES_ENV": "development",
            "VOTES_DATA_DIR": folder,
            "VOTES_SECRET_KEY": SECRET_KEY,
            "VOTES_SECURE_COOKIES": "false",
            "VOTES_LOG_LEVEL": "WARNING",
            "PICCOLO_CONF": "votes.piccolo_conf",
        }
        database = ""
        if backend == "postgres":
            database = f"votes_load_{uuid.uuid4().hex[:10]}"
            asyncio.run(seeding.postgres_admin(f'CREATE DATABASE "{database}"'))
            base = seeding.POSTGRES_ADMIN_URL.rpartition("/")[0]
            environment.update(
                VOTES_DATABASE_URL=f"{base}/{database}", VOTES_LIVE_BACKEND="postgres"
            )
        else:
            os.environ.pop("VOTES_DATABASE_URL", None)
            workers = 1
        os.environ.update(environment)
        try:
            _serve_and_run(backend, members, workers, arrival, plot_dir)
        finally:
            if database:
                asyncio.run(
                    seeding.postgres_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                )


def _serve_and_run(
    backend: str, members: int, workers: int, arrival: float, plot_dir: Path
) -> None:
    raise_file_limit(4 * members + 256)
    seeded = asyncio.run(seed(members))
    server = ServedApp.of_this_process()
    port = server.port
    server.start("--workers", str(workers))
    title = (
        f"{members} members, SQLite, one process"
        if backend == "sqlite"
        else f"{members} members, PostgreSQL, {workers} workers"
    )
    print(f"\n{title} (arrivals over {arrival:.0f} s):", flush=True)
    try:
        timeline = asyncio.run(asyncio.wait_for(run(port, seeded, arrival), PHASE_DEADLINE * 3))
        plot(timeline, title, plot_dir / f"bench-load-{backend}-{members}.png")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--workers", type=int, default=2, help="PostgreSQL worker processes")
    parser.add_argument("--arrival-seconds", type=float, default=60.0)
    parser.add_argument("--plot-dir", type=Path, default=Path("artifacts"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.backend, args.members, args.workers, args.arrival_seconds, args.plot_dir)
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, loopback only")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgres" and not seeding.postgres_reachable():
            print("\nPostgreSQL not reachable on 127.0.0.1:5432: the PostgreSQL run was SKIPPED")
            continue
        subprocess.run(
            [
                *(sys.executable, __file__, "--child", "--backend", backend),
                *("--members", str(args.members), "--workers", str(args.workers)),
                *("--arrival-seconds", str(args.arrival_seconds)),
                *("--plot-dir", str(args.plot_dir)),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
