"""The door of a plenary: 500 members sign in with their personal access code within a minute
while the room is voting. ``votes serve`` runs in a subprocess on a temporary SQLite database,
driven over HTTP on 127.0.0.1 by an async client, like phones on the venue's network.

* 500 arrivals spread evenly over ``--spread`` seconds (default 30): each phone opens ``/code``
  (a page with the form), types its code (``POST /code``: the sign-in measured here), then votes
  on the open ballot with its new session;
* meanwhile 200 members already in the room vote on five other open ballots, 16 at a time
  (they first vote on two ballots alone, before the door opens: the baseline to compare with).

Prints p50/p95/p99/max latency of the sign-ins and of the votes cast during the rush, and checks
that every sign-in and every vote succeeded and was stored. Everything is bounded: a fixed
number of members, a timeout on every request, and a deadline for the whole run.

Run: ``make bench-signin`` (or ``.venv/bin/python benchmarks/bench_signin.py --arrivals 500``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import ssl
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.support

from tests.support.server import ServedApp, free_port

SECRET_KEY = "benchmark-secret-key-" + "s" * 32
ORG = "porte"
REQUEST_TIMEOUT = 30.0
RUN_DEADLINE = 240.0  # seconds for the whole rush, whatever happens
ROOM_VOTERS = 200
ROOM_BALLOTS = 5
BASELINE_BALLOTS = 2  # voted on by the room alone first, to compare with the rush
ROOM_CONCURRENCY = 16
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
_LOGGED = re.compile(r"(GET|POST) (\S+) (\d{3}) ([\d.]+)ms")
# one TLS context for every simulated phone: building one per client (httpx's default) costs
# the client process tens of milliseconds each, which would be counted as server latency
_TLS = ssl.create_default_context()


def configure(data_dir: Path, port: int) -> None:
    """Settings for the seeding (in this process) and the server (inherits them)."""
    os.environ.update(
        {
            "VOTES_ENV": "development",
            "VOTES_DATA_DIR": str(data_dir),
            "VOTES_SECRET_KEY": SECRET_KEY,
            "VOTES_SECURE_COOKIES": "false",
            "VOTES_LOG_LEVEL": "WARNING",
            "VOTES_HOST": "127.0.0.1",
            "VOTES_PORT": str(port),
            "PICCOLO_CONF": "votes.piccolo_conf",
        }
    )
    os.environ.pop("VOTES_DATABASE_URL", None)


async def seed(arrivals: int) -> dict[str, object]:
    """The cooperative: its register imported from a CSV, access codes for the arrivals,
    sessions for the members already in the room, and the open ballots."""
    from tests.support import crowd

    from votes.db.migrate import migrate
    from votes.db.tables import Membership
    from votes.services import access_codes, accounts, assemblies, member_import
    from votes.services import organisations as orgs
    from votes.services.actors import actor_for

    await migrate(quiet=True)
    organisation_id = await orgs.create_organisation("Coopérative de la porte", ORG)
    await orgs.add_category(await actor_for(organisation_id), "salarié·e associé·e")
    rows = [
        f"Arrivée {n:04d};arrivee{n}@porte.invalid;salarié·e associé·e" for n in range(arrivals)
    ]
    rows += [
        f"Salle {n:04d};salle{n}@porte.invalid;salarié·e associé·e" for n in range(ROOM_VOTERS)
    ]
    report = await member_import.apply_import(
        await actor_for(organisation_id), "nom;email;catégorie\n" + "\n".join(rows)
    )
    assert report.acceptable, report.rejected[:3]
    register = await Membership.select(Membership.id, Membership.person, Membership.person.email)
    arrival_ids = [r["id"] for r in register if r["person.email"].startswith("arrivee")]
    room_people = [r["person"] for r in register if r["person.email"].startswith("salle")]
    issued = await access_codes.issue_codes(
        await actor_for(organisation_id), arrival_ids, secret_key=SECRET_KEY
    )
    room_tokens = [
        await accounts.start_session(person, secret_key=SECRET_KEY, hours=4)
        for person in room_people
    ]
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AG", datetime.now(UTC)
    )
    ballot_ids = await crowd.open_majority_ballots(
        organisation_id, assembly_id, crowd.resolutions(1 + ROOM_BALLOTS + BASELINE_BALLOTS)
    )
    return {
        "codes": [code.display_code for code in issued],
        "room_tokens": room_tokens,
        "arrival_ballot": ballot_ids[0],
        "room_ballots": ballot_ids[1 : 1 + ROOM_BALLOTS],
        "baseline_ballots": ballot_ids[1 + ROOM_BALLOTS :],
    }


def percentiles(name: str, values: list[float]) -> str:
    if not values:
        return f"{name}: none"
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return (
        f"{name}: n={len(values)} p50 {at(0.50):.0f} ms, p95 {at(0.95):.0f} ms, "
        f"p99 {at(0.99):.0f} ms, max {ordered[-1] * 1000:.0f} ms"
    )


class Results:
    def __init__(self) -> None:
        self.sign_in: list[float] = []
        self.arrival_votes: list[float] = []
        self.room_votes: list[float] = []
        self.problems: list[str] = []


async def vote(
    client: httpx.AsyncClient, ballot: int, form_token: str, choice: str
) -> tuple[float, int]:
    started = time.perf_counter()
    response = await client.post(
        f"/o/{ORG}/ballots/{ballot}/vote",
        data={"choice": choice, "submission": secrets.token_urlsafe(16), "_csrf_token": form_token},
    )
    return time.perf_counter() - started, response.status_code


async def arrive(base: str, code: str, delay: float, ballot: int, results: Results) -> None:
    """One phone at the door: open the code page, type the code, then vote."""
    await asyncio.sleep(delay)
    try:
        await _arrive(base, code, ballot, results)
    except httpx.TransportError as error:
        results.problems.append(f"arrival {type(error).__name__}")


async def _arrive(base: str, code: str, ballot: int, results: Results) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, verify=_TLS) as phone:
        page = await phone.get("/code")
        token = _CSRF.search(page.text)
        if page.status_code != 200 or token is None:
            results.problems.append(f"code page {page.status_code}")
            return
        started = time.perf_counter()
        signed = await phone.post("/code", data={"code": code, "_csrf_token": token.group(1)})
        results.sign_in.append(time.perf_counter() - started)
        if signed.status_code != 303:
            results.problems.append(f"sign-in {signed.status_code}")
            return
        took, status = await vote(phone, ballot, token.group(1), "yes")
        results.arrival_votes.append(took)
        if status != 303:
            results.problems.append(f"arrival vote {status}")


async def room(
    base: str, tokens: list[str], ballots: list[int], csrf: tuple[str, str], results: Results
) -> None:
    """Members already signed in vote on the other ballots throughout the rush."""
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for ballot in ballots:
        for token in tokens:
            queue.put_nowait((ballot, token))

    async def voter() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, verify=_TLS) as client:
            client.cookies.set("votes_csrf", csrf[0])
            while not queue.empty():
                ballot, token = queue.get_nowait()
                client.cookies.set("votes_session", token)
                try:
                    took, status = await vote(client, ballot, csrf[1], "no")
                except httpx.TransportError as error:
                    results.problems.append(f"room {type(error).__name__}")
                    continue
                results.room_votes.append(took)
                if status != 303:
                    results.problems.append(f"room vote {status}")
                await asyncio.sleep(0.05)  # a person, not a loop: at most ~20 votes/s each

    await asyncio.gather(*(voter() for _ in range(ROOM_CONCURRENCY)))


async def csrf_for_room(base: str, token: str) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, verify=_TLS) as client:
        client.cookies.set("votes_session", token)
        page = await client.get(f"/o/{ORG}/")
        match = _CSRF.search(page.text)
        assert match, page.text[:300]
        return client.cookies["votes_csrf"], match.group(1)


async def rush(base: str, data: dict[str, object], spread: float) -> Results:
    codes: list[str] = data["codes"]  # type: ignore[assignment]
    room_tokens: list[str] = data["room_tokens"]  # type: ignore[assignment]
    room_ballots: list[int] = data["room_ballots"]  # type: ignore[assignment]
    arrival_ballot: int = data["arrival_ballot"]  # type: ignore[assignment]
    results = Results()
    csrf = await csrf_for_room(base, room_tokens[0])
    baseline = Results()
    await room(base, room_tokens, data["baseline_ballots"], csrf, baseline)  # type: ignore[arg-type]
    print(percentiles("votes in the room before the rush (baseline)", baseline.room_votes))
    step = spread / max(1, len(codes))
    started = time.perf_counter()
    await asyncio.gather(
        room(base, room_tokens, room_ballots, csrf, results),
        *(arrive(base, code, n * step, arrival_ballot, results) for n, code in enumerate(codes)),
    )
    print(f"rush over in {time.perf_counter() - started:.1f} s")
    return results


async def stored_counts(data: dict[str, object]) -> tuple[int, int, int]:
    from votes.db.tables import AccessCode, Participation

    used = await AccessCode.count().where(AccessCode.used_at.is_not_null())
    arrivals = await Participation.count().where(
        Participation.ballot == data["arrival_ballot"]  # type: ignore[arg-type]
    )
    room_votes = await Participation.count().where(
        Participation.ballot.is_in(data["room_ballots"])  # type: ignore[arg-type]
    )
    return used, arrivals, room_votes


async def run(arrivals: int, spread: float) -> None:
    """Seed, start the server, let the room vote alone, then open the door."""
    data = await seed(arrivals)
    server = ServedApp.of_this_process()
    base = server.base_url
    server.start()
    try:
        results = await asyncio.wait_for(rush(base, data, spread), RUN_DEADLINE)
    finally:
        server.stop()
    used, arrival_votes, room_votes = await stored_counts(data)
    print(percentiles("sign-in by code (POST /code)", results.sign_in))
    print(percentiles("votes of the arrivals", results.arrival_votes))
    print(percentiles("votes in the room during the rush", results.room_votes))
    all_votes = results.arrival_votes + results.room_votes
    print(percentiles("all votes during the rush", all_votes))
    print(
        f"codes used {used}/{arrivals}; arrival votes stored {arrival_votes}/{arrivals}; "
        f"room votes stored {room_votes}/{ROOM_VOTERS * ROOM_BALLOTS}; "
        f"problems {len(results.problems)} {sorted(set(results.problems))[:5]}"
    )
    log = server.log.read_text().splitlines()
    print_server_times(log)
    if results.problems:
        print("server log, last lines:", *log[-15:], sep="\n  ")


def print_server_times(log: list[str]) -> None:
    """The same requests timed inside the server (its request log): the rest of the latency
    seen by the phones is queueing, in the server's event loop or in this client."""
    times: dict[str, list[float]] = {"sign-in": [], "vote": []}
    for line in log:
        match = _LOGGED.search(line)
        if match and match.group(1) == "POST":
            kind = "sign-in" if match.group(2) == "/code" else "vote"
            if kind == "sign-in" or match.group(2).endswith("/vote"):
                times[kind].append(float(match.group(4)) / 1000)
    print(percentiles("server-side sign-in (request log)", times["sign-in"]))
    print(percentiles("server-side votes (request log)", times["vote"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrivals", type=int, default=500, help="members signing in by code")
    parser.add_argument("--spread", type=float, default=30.0, help="seconds the arrivals span")
    args = parser.parse_args()
    if not 1 <= args.arrivals <= 5000 or not 0 <= args.spread <= 60:
        parser.error("--arrivals must be 1..5000 and --spread 0..60 seconds")
    with tempfile.TemporaryDirectory(prefix="votes-bench-signin-") as folder:
        configure(Path(folder), free_port())
        print(
            f"python {sys.version.split()[0]}, SQLite, one server process, {args.arrivals} "
            f"arrivals over {args.spread:.0f} s, {ROOM_VOTERS} members voting in the room"
        )
        asyncio.run(run(args.arrivals, args.spread))


if __name__ == "__main__":
    main()
