"""Live plenary under load: 2,000 phones hold event streams open on ``votes serve`` while the
facilitator opens a ballot and the room votes. Loopback only, bounded in clients and time.

Measures (the issue's budgets in brackets), first on one process with SQLite and memory
channels, then on two workers sharing a PostgreSQL database (LISTEN/NOTIFY):

* the open: time from the facilitator's tap until every phone has the ``ballot`` event
  [all within 1 s], and until every phone has the vote list showing the ballot [all within
  2 s] (the stream carries that list: it is the same for every member, see
  ``votes.web.pushed.VoteAreaRenderer``);
* the votes: 2,000 votes spread over 30 s while every phone follows the ballot's stream:
  turnout updates each phone receives per second [at most 1] and vote latency [p99 ≤ 500 ms].

Run: ``make bench-live`` (or ``.venv/bin/python benchmarks/bench_live.py --phones 500``).
The benchmark shares the machine's cores with the server it measures (and with whatever else
runs there): read the numbers as orders of magnitude.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.support

import seeding
from rawhttp import Connection, csrf_pair
from tests.support.server import ServedApp

SECRET_KEY = "benchmark-live-secret-key-" + "x" * 32
ORG = "bench"
CONNECT_TIMEOUT = 60.0
PHASE_TIMEOUT = 20.0
TIMELINE = "--timeline" in sys.argv


def raise_file_limit(needed: int) -> None:
    """Each phone holds two sockets here and one in the server: lift the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, needed))
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if wanted < needed:
        sys.exit(f"bench-live needs {needed} open files; the hard limit is {hard}")


# -- seeding (runs in a child interpreter: Piccolo binds its engine at import) ---------------


async def seed(phones: int) -> dict[str, object]:
    from tests.support import crowd

    from votes.db.migrate import migrate
    from votes.db.tables import AssemblyStatus
    from votes.services import assemblies, organisations
    from votes.services.actors import actor_for

    await migrate(quiet=True)
    organisation_id = await organisations.create_organisation("Bench coop", ORG)
    assembly_id = await assemblies.create_assembly(
        # in session, as a plenary is when its ballots open: the console otherwise asks the
        # facilitator to confirm (409) before opening
        await actor_for(organisation_id),
        "AG",
        datetime.now(UTC),
        status=AssemblyStatus.IN_SESSION,
    )
    _, tokens = await seeding.signed_in_members(organisation_id, phones + 1, SECRET_KEY)
    ballot_id = await crowd.majority_ballot(organisation_id, assembly_id, "Résolution en direct")
    return {"tokens": tokens, "ballot": ballot_id, "assembly": assembly_id}


@dataclass
class Phone:
    """One member's phone: an event stream, and a second connection for its fetches."""

    token: str
    port: int
    csrf_cookie: str
    stream: Connection | None = None
    fetcher: Connection | None = None
    got_ballot: float | None = None
    fetched_ballot: float | None = None
    turnout_times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def cookies(self) -> dict[str, str]:
        return {"votes_session": self.token, "votes_csrf": self.csrf_cookie}

    async def listen(self, path: str, ready: asyncio.Event, on_event: object) -> None:
        """Open ``path`` as an event stream and hand each event's name to ``on_event``."""
        self.stream = Connection(self.port)
        try:
            await self.stream.open()
            # a page that knows the current state: no catch-up event at connection
            since = int(time.time() * 1000) + 60_000
            joiner = "&" if "?" in path else "?"
            self.stream.send_head("GET", f"{path}{joiner}since={since}", self.cookies, [], b"")
            status, _ = await self.stream.read_head()
            if status != 200:
                self.errors.append(f"stream {status}")
                return
            ready.set()
            assert self.stream.reader is not None
            buffer = b""
            while data := await self.stream.reader.read(65536):
                buffer += data
                *messages, buffer = buffer.split(b"\r\n\r\n")
                for message in messages:
                    found = re.search(rb"event: ([\w-]+)", message)
                    if found:
                        await on_event(found.group(1).decode(), message)  # type: ignore[operator]
        except (OSError, asyncio.IncompleteReadError) as error:
            self.errors.append(type(error).__name__)
        finally:
            ready.set()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def connect_all(phones: list[Phone], path_of: object) -> float:
    """Every phone opens its stream (in waves, as people arrive); seconds it took."""
    started = time.perf_counter()
    readies = []
    for index, phone in enumerate(phones):
        ready = asyncio.Event()
        readies.append(ready)
        phone.listen_task = asyncio.create_task(  # type: ignore[attr-defined]
            phone.listen(path_of(phone), ready, phone.on_event)  # type: ignore[attr-defined,operator]
        )
        if index % 200 == 199:
            await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), CONNECT_TIMEOUT)
    await asyncio.sleep(1.0)  # let the server settle (subscriptions, first bytes)
    return time.perf_counter() - started


async def open_phase(
    phones: list[Phone], port: int, data: dict[str, object], csrf: tuple[str, str]
) -> dict[str, float]:
    ballot = int(data["ballot"])  # type: ignore[call-overload]
    all_fetched = asyncio.Event()
    remaining = [len(phones)]

    def make_handler(phone: Phone) -> object:
        async def on_event(name: str, message: bytes) -> None:
            if name == "ballot" and phone.got_ballot is None:
                phone.got_ballot = time.perf_counter()
            elif name == "vote-area" and phone.fetched_ballot is None:
                # the list the page swaps in: it shows the ballot, nothing left to fetch
                if f"/ballots/{ballot}".encode() in message:
                    phone.fetched_ballot = time.perf_counter()
                else:
                    phone.errors.append("vote list without the ballot")
                remaining[0] -= 1
                if not remaining[0]:
                    all_fetched.set()

        return on_event

    for phone in phones:
        phone.on_event = make_handler(phone)  # type: ignore[attr-defined]
    took = await connect_all(phones, lambda phone: f"/o/{ORG}/live?vote_area=1")
    print(f"  {len(phones)} phones connected to the vote list's stream in {took:.1f} s")
    facilitator = Connection(port)
    tapped = time.perf_counter()
    status, _ = await facilitator.request(
        "POST",
        f"/o/{ORG}/ballots/{ballot}/console/open",
        {"votes_session": str(data["facilitator"]), "votes_csrf": csrf[0]},
        {"_csrf_token": csrf[1]},
    )
    answered = time.perf_counter()
    facilitator.close()
    assert status == 303, status
    with contextlib.suppress(TimeoutError):  # the report counts the phones that made it
        await asyncio.wait_for(all_fetched.wait(), PHASE_TIMEOUT)
    events = [p.got_ballot - tapped for p in phones if p.got_ballot is not None]
    fetched = [p.fetched_ballot - tapped for p in phones if p.fetched_ballot is not None]
    for phone in phones:
        phone.listen_task.cancel()  # type: ignore[attr-defined]
        if phone.stream:
            phone.stream.close()
    return {
        "tap_answered_ms": (answered - tapped) * 1000,
        "event_count": len(events),
        "event_p50_ms": percentile(events, 0.5) * 1000,
        "event_max_ms": max(events, default=float("nan")) * 1000,
        "fetched_count": len(fetched),
        "fetched_p50_ms": percentile(fetched, 0.5) * 1000,
        "fetched_max_ms": max(fetched, default=float("nan")) * 1000,
    }


async def vote_phase(
    phones: list[Phone],
    port: int,
    data: dict[str, object],
    csrf: tuple[str, str],
    seconds: float,
) -> dict[str, float]:
    ballot = int(data["ballot"])  # type: ignore[call-overload]

    def make_handler(phone: Phone) -> object:
        async def on_event(name: str, message: bytes) -> None:
            if name == "turnout":
                phone.turnout_times.append(time.perf_counter())

        return on_event

    for phone in phones:
        phone.on_event = make_handler(phone)  # type: ignore[attr-defined]
    took = await connect_all(phones, lambda phone: f"/o/{ORG}/ballots/{ballot}/live")
    print(f"  {len(phones)} phones connected to the ballot's stream in {took:.1f} s")
    latencies: list[float] = []
    timeline: list[tuple[float, float]] = []
    failures: list[int] = []
    voters = asyncio.Queue[Phone]()
    for phone in phones:
        voters.put_nowait(phone)
    interval = seconds / len(phones)
    started = time.perf_counter()

    async def cast(phone: Phone, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        # a new connection: the one of the open phase has idled out meanwhile, as on a phone
        connection = Connection(port)
        sent = time.perf_counter()
        try:
            status, _ = await connection.request(
                "POST",
                f"/o/{ORG}/ballots/{ballot}/vote",
                phone.cookies,
                {"choice": "yes", "submission": uuid.uuid4().hex, "_csrf_token": csrf[1]},
            )
        except (OSError, asyncio.IncompleteReadError, IndexError):
            status = 0
        finally:
            connection.close()
        latencies.append(time.perf_counter() - sent)
        timeline.append((sent - started, latencies[-1]))
        if status != 303:
            failures.append(status)

    await asyncio.gather(*(cast(phone, started + n * interval) for n, phone in enumerate(phones)))
    await asyncio.sleep(2.5)  # the last count's signal
    for phone in phones:
        phone.listen_task.cancel()  # type: ignore[attr-defined]
        if phone.stream:
            phone.stream.close()
        if phone.fetcher:
            phone.fetcher.close()
    if TIMELINE:  # --timeline: the slowest vote of each second, to see where a tail comes from
        for second in range(int(seconds) + 1):
            inside = [lat for at, lat in timeline if second <= at < second + 1]
            slowest = max(inside, default=0) * 1000
            print(f"    t={second:3d}s votes={len(inside):4d} slowest={slowest:7.1f} ms")
    per_second = [_busiest_second(p.turnout_times) for p in phones]
    gaps = [
        b - a for p in phones for a, b in zip(p.turnout_times, p.turnout_times[1:], strict=False)
    ]
    received = [len(p.turnout_times) for p in phones]
    return {
        "votes": len(latencies),
        "vote_failures": len(failures),
        "vote_p50_ms": percentile(latencies, 0.5) * 1000,
        "vote_p99_ms": percentile(latencies, 0.99) * 1000,
        "turnout_updates_per_phone_median": percentile([float(r) for r in received], 0.5),
        "turnout_most_in_one_second": max(per_second, default=0),
        "turnout_smallest_gap_ms": min(gaps, default=float("nan")) * 1000,
        "phones_without_turnout": sum(1 for r in received if r == 0),
    }


def _busiest_second(times: list[float]) -> int:
    """The most updates one phone received within any 1-second window (0.95 s: the network
    and the client's own loop add jitter to a server that sends exactly one per second)."""
    most, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 0.95:
            start += 1
        most = max(most, end - start + 1)
    return most


# -- one run -------------------------------------------------------------------------------


async def run(port: int, data: dict[str, object], phones_count: int, seconds: float) -> None:
    tokens: list[str] = data["tokens"]  # type: ignore[assignment]
    data["facilitator"] = tokens[0]
    csrf = await csrf_pair(port, tokens[0], f"/o/{ORG}/vote")
    phones = [Phone(token, port, csrf[0]) for token in tokens[1 : phones_count + 1]]
    opened = await open_phase(phones, port, data, csrf)
    _report("the open", opened)
    for phone in phones:
        phone.stream = None
    voted = await vote_phase(phones, port, data, csrf, seconds)
    _report(f"{len(phones)} votes over {seconds:.0f} s", voted)
    report_errors(phones)


def report_errors(phones: list[Phone]) -> None:
    """What went wrong on the phones' side, counted by kind (said only when anything did)."""
    errors: dict[str, int] = {}
    for phone in phones:
        for error in phone.errors:
            errors[error] = errors.get(error, 0) + 1
    if errors:
        print(f"  client-side errors: {errors}")


def _report(title: str, numbers: dict[str, float]) -> None:
    print(f"  {title}:")
    for name, value in numbers.items():
        print(
            f"    {name:36} {value:10.1f}"
            if isinstance(value, float)
            else f"    {name:36} {value:10}"
        )


# -- orchestration ---------------------------------------------------------------------------


def child(mode: str, phones: int, seconds: float) -> None:
    """One measured configuration, in this (fresh) interpreter."""
    raise_file_limit(phones * 3 + 1000)
    data_dir = Path(tempfile.mkdtemp(prefix=f"votes-bench-live-{mode}-"))
    env = {
        "VOTES_ENV": "development",
        "VOTES_DATA_DIR": str(data_dir),
        "VOTES_SECRET_KEY": SECRET_KEY,
        "VOTES_LOG_LEVEL": "WARNING",
        "PICCOLO_CONF": "votes.piccolo_conf",
    }
    database = ""
    workers = "1"
    if mode == "postgres":
        database = f"votes_bench_live_{uuid.uuid4().hex[:8]}"
        asyncio.run(seeding.postgres_admin(f'CREATE DATABASE "{database}"'))
        base, _, _ = seeding.POSTGRES_ADMIN_URL.rpartition("/")
        env.update(VOTES_DATABASE_URL=f"{base}/{database}", VOTES_LIVE_BACKEND="postgres")
        env["VOTES_DATABASE_POOL_SIZE"] = "20"
        workers = "2"
    os.environ.update(env)
    if mode != "postgres":
        os.environ.pop("VOTES_DATABASE_URL", None)
    server = None
    try:
        data = asyncio.run(seeding.on_a_pool(seed(phones)))
        server = ServedApp.of_this_process()
        port = server.port
        server.start("--workers", workers)
        label = (
            "one process, SQLite, memory channels"
            if mode == "sqlite"
            else ("two workers, PostgreSQL, LISTEN/NOTIFY")
        )
        print(f"\n{label} ({phones} phones):")
        asyncio.run(run(port, data, phones, seconds))
    finally:
        if server is not None:
            server.stop()
        if database:
            asyncio.run(
                seeding.postgres_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the votes last")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--timeline", action="store_true", help="print each second's slowest vote")
    parser.add_argument("--child", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    phones = max(1, min(args.phones, 5000))  # bounded
    seconds = max(1.0, min(args.seconds, 120.0))
    if args.child:
        child(args.child, phones, seconds)
        return
    print(json.dumps({"phones": phones, "vote_seconds": seconds, "cpus": os.cpu_count()}))
    print("(the benchmark shares the machine's cores with the server: numbers are noisy)")
    modes = [args.only] if args.only else ["sqlite", "postgres"]
    for mode in modes:
        if mode == "postgres" and not seeding.postgres_reachable():
            where = seeding.POSTGRES_ADMIN_URL
            print(f"\nPostgreSQL not reachable at {where}: two-worker run SKIPPED")
            continue
        command = [sys.executable, __file__, "--child", mode]
        command += ["--phones", str(phones), "--seconds", str(seconds)]
        command += ["--timeline"] if args.timeline else []
        subprocess.run(command, check=True, timeout=600)


if __name__ == "__main__":
    main()
