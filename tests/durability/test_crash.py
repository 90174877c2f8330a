"""Crash durability: what a voter was told is what the count says, whatever happens to the
server. ``votes serve`` runs in a subprocess on a SQLite file (the default deployment) while
simulated phones vote at it over 127.0.0.1:

* it is killed with SIGKILL in the middle of the stream (no shutdown code runs, as on a power
  cut), then restarted on the same file: every acknowledged vote (a 303 with its receipt) is in
  the register and the ballot box, phones that retry their unanswered form after the restart
  get one vote each, never two, and the count equals the papers;
* the facilitator closes while votes keep coming: every vote acknowledged before the close is
  counted, every later one gets the "this ballot is closed" answer (409) and is not counted.

Bounded: a few hundred voters, a timeout on every request and on each phase.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import httpx
import pytest
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

VOTERS = 240
CONCURRENCY = 12
KILL_AFTER = 60  # acknowledged votes before the plug is pulled
REQUEST_TIMEOUT = 20.0
PHASE_TIMEOUT = 120.0
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


@dataclass
class Phone:
    token: str
    submission: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    status: int | None = None  # the server's answer, None while unanswered


@dataclass
class Crowd:
    org: str
    ballot: int
    phones: list[Phone]
    cookie: str  # the CSRF cookie and its form token: any pair the server signed will do
    form_token: str
    facilitator: str  # the facilitator's session
    progress: asyncio.Condition = field(default_factory=asyncio.Condition)

    def cookies(self, session: str) -> dict[str, str]:
        return {"Cookie": f"votes_session={session}; votes_csrf={self.cookie}"}

    async def wait_for_acknowledged(self, count: int) -> None:
        async with self.progress:
            await self.progress.wait_for(lambda: len(self.acknowledged()) >= count)

    def acknowledged(self) -> list[Phone]:
        return [phone for phone in self.phones if phone.status == 303]


@pytest.fixture
def server() -> Iterator[ServedApp]:
    with tempfile.TemporaryDirectory(prefix="votes-crash-") as folder:
        app = ServedApp(Path(folder))
        try:
            yield app
        finally:
            app.stop()


def gather_crowd(server: ServedApp, org: str) -> Crowd:
    """Seed the voters and their open ballot, start the server, read a CSRF pair from it."""
    seeded = server.task("voters", count=VOTERS + 1, ballots=1, org=org)
    server.start()
    page = httpx.get(
        f"{server.base_url}/o/{org}/vote",
        cookies={"votes_session": seeded["tokens"][0]},
        timeout=REQUEST_TIMEOUT,
    )
    token = _CSRF.search(page.text)
    assert page.status_code == 200, page.text[:300]
    assert token, page.text[:300]
    return Crowd(
        org,
        seeded["ballots"][0],
        [Phone(t) for t in seeded["tokens"][1:]],
        page.cookies["votes_csrf"],
        token.group(1),
        seeded["tokens"][0],
    )


async def cast(client: httpx.AsyncClient, crowd: Crowd, phone: Phone) -> None:
    """Send the phone's vote form; its status stays None when no answer came back."""
    try:
        response = await client.post(
            f"/o/{crowd.org}/ballots/{crowd.ballot}/vote",
            data={"choice": "yes", "submission": phone.submission, "_csrf_token": crowd.form_token},
            headers=crowd.cookies(phone.token),
        )
    except httpx.TransportError:
        return
    phone.status = response.status_code
    async with crowd.progress:
        crowd.progress.notify_all()


async def vote_until(
    server: ServedApp, crowd: Crowd, phones: list[Phone], stop: asyncio.Event
) -> None:
    """CONCURRENCY phones at a time vote until the list is done or ``stop`` is set."""
    queue = list(reversed(phones))

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT) as client:
            while queue and not stop.is_set():
                await cast(client, crowd, queue.pop())

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(CONCURRENCY))), PHASE_TIMEOUT)


async def test_votes_acknowledged_before_a_sigkill_survive_it_and_retries_never_double(
    server: ServedApp,
) -> None:
    crowd = gather_crowd(server, "panne")
    stop = asyncio.Event()

    async def pull_the_plug() -> None:
        await crowd.wait_for_acknowledged(KILL_AFTER)
        server.kill()  # mid-stream: other phones' requests are on the wire
        stop.set()

    await asyncio.wait_for(
        asyncio.gather(vote_until(server, crowd, crowd.phones, stop), pull_the_plug()),
        PHASE_TIMEOUT,
    )
    acknowledged = crowd.acknowledged()
    assert len(acknowledged) >= KILL_AFTER
    assert {phone.status for phone in crowd.phones} <= {303, None}, "only votes or silence"

    server.start()  # same file, same port
    after_restart = server.task("stored", ballot=crowd.ballot)
    assert after_restart["participations"] >= len(acknowledged), "acknowledged votes were lost"
    assert after_restart["papers"] == after_restart["participations"]

    # every phone whose vote went unanswered sends its same form again, like a browser retry
    unanswered = [phone for phone in crowd.phones if phone.status is None]
    print(
        f"SIGKILL after {len(acknowledged)} acknowledged votes; "
        f"{after_restart['participations']} stored after the restart; "
        f"{len(unanswered)} phones retry their unanswered form"
    )
    await vote_until(server, crowd, unanswered, asyncio.Event())
    assert all(phone.status == 303 for phone in crowd.phones), "a retried vote was refused"

    stored = server.task("stored", ballot=crowd.ballot)
    assert stored["participations"] == len(crowd.phones), "one vote per member, none doubled"
    assert stored["papers"] == stored["distinct_papers"] == len(crowd.phones)
    await close_ballot(server, crowd)
    counted = server.task("stored", ballot=crowd.ballot)
    assert counted["status"] == "closed"
    assert counted_votes(counted["result"]) == len(crowd.phones)


async def close_ballot(server: ServedApp, crowd: Crowd) -> int:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
        response = await client.post(
            f"/o/{crowd.org}/ballots/{crowd.ballot}/console/close",
            data={"_csrf_token": crowd.form_token},
            headers=crowd.cookies(crowd.facilitator),
        )
    return response.status_code


def counted_votes(result: dict[str, object]) -> int:
    """The number of papers the stored tally counted (its first round's totals)."""
    rounds = result["rounds"]
    assert isinstance(rounds, list)
    assert rounds
    totals = rounds[0]["totals"]
    # exact arithmetic: the stored tally writes its numbers as fractions
    return int(sum(Fraction(value["__fraction__"]) for value in totals.values()))


async def test_a_close_racing_incoming_votes_counts_exactly_those_acknowledged(
    server: ServedApp,
) -> None:
    crowd = gather_crowd(server, "course")
    stop = asyncio.Event()
    closed: dict[str, int] = {}

    async def close_midway() -> None:
        await crowd.wait_for_acknowledged(len(crowd.phones) // 3)
        closed["status"] = await close_ballot(server, crowd)
        closed["answered_before"] = sum(phone.status is not None for phone in crowd.phones)

    await asyncio.wait_for(
        asyncio.gather(vote_until(server, crowd, crowd.phones, stop), close_midway()),
        PHASE_TIMEOUT,
    )
    assert closed["status"] == 303, "the close was refused"
    statuses = {phone.status for phone in crowd.phones}
    assert statuses <= {303, 409}, f"each vote is either recorded or told it is closed: {statuses}"
    refused = [phone for phone in crowd.phones if phone.status == 409]
    print(f"close raced the votes: {len(crowd.acknowledged())} counted, {len(refused)} refused")
    assert refused, "the close came too late to race anything: raise VOTERS"
    stored = server.task("stored", ballot=crowd.ballot)
    acknowledged = len(crowd.acknowledged())
    assert stored["participations"] == stored["papers"] == acknowledged
    assert counted_votes(stored["result"]) == acknowledged
    # phones that vote after the close was answered are all told so
    late = crowd.phones[closed["answered_before"] + CONCURRENCY :]
    assert all(phone.status == 409 for phone in late)
