"""Two app processes on one PostgreSQL database, the way several workers or several instances
behind a reverse proxy run: what one process publishes (LISTEN/NOTIFY) reaches the streams of
the other. Runs in every ``make test`` pass that can reach PostgreSQL and is required in CI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from tests.conftest import POSTGRES_ADMIN_URL
from tests.live.browser import (
    DELIVERED_WITHIN,
    FACILITATOR,
    ORG,
    Browser,
    assert_listed,
    assert_one_voted,
    browser,
    console,
    facilitator_and_member,
    new_ballot,
    opened_ballot,
    vote,
)
from tests.support.server import ServedApp

from votes.web.pg_channels import LISTENER_NAME, PUBLISHER_NAME

BACK_WITHIN = 5.0  # seconds after a process lost its listener: it hears the others again


async def _cut(connection_name: str, server: ServedApp) -> int:
    """Terminate ``server``'s live connection named ``connection_name`` from PostgreSQL's
    side (what a database restart or a failover does to it); how many were cut."""
    assert server.process is not None
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        cut = await connection.fetch(
            "SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity"
            " WHERE application_name = $1",
            f"{connection_name}-{server.process.pid}",
        )
    finally:
        await connection.close()
    return sum(1 for row in cut if row["cut"])


@pytest.fixture
async def facilitator_on_a_member_on_b(
    servers: tuple[ServedApp, ServedApp],
) -> AsyncIterator[tuple[Browser, Browser]]:
    """The demo's facilitator signed in through the first process (A), a member through the
    second (B)."""
    first, second = servers
    async with facilitator_and_member(first.base_url, second.base_url) as people:
        yield people


async def test_a_ballot_opened_through_one_process_reaches_a_phone_on_the_other(
    facilitator_on_a_member_on_b: tuple[Browser, Browser],
) -> None:
    facilitator, member = facilitator_on_a_member_on_b
    ballot_id = await new_ballot(facilitator, "Opened on A, seen on B")
    async with member.listening(f"/o/{ORG}/live") as stream:  # on B
        await console(facilitator, ballot_id, "open")
        event = await stream.wait_for("ballot", DELIVERED_WITHIN, ballot_id=ballot_id)
    assert event.json()["change"] == "opened"
    await assert_listed(member, ballot_id)


async def test_a_vote_cast_through_one_process_moves_the_turnout_seen_through_the_other(
    facilitator_on_a_member_on_b: tuple[Browser, Browser],
) -> None:
    facilitator, member = facilitator_on_a_member_on_b
    ballot_id = await opened_ballot(facilitator, "Voted on B, counted on A")
    async with facilitator.listening(f"/o/{ORG}/assemblies/1/live") as projector:
        await vote(member, ballot_id)
        event = await projector.wait_for("turnout", DELIVERED_WITHIN)
    assert event.data == "1 membre a voté."
    await assert_one_voted(facilitator, ballot_id)


async def test_one_sign_in_works_on_both_processes_so_no_sticky_session_is_needed(
    servers: tuple[ServedApp, ServedApp],
) -> None:
    """A reverse proxy may send each request of one phone to another instance."""
    first, second = servers
    # both signed in through the first process…
    async with facilitator_and_member(first.base_url) as (facilitator, member):
        ballot_id = await new_ballot(facilitator, "One phone, two instances")
        member.client.base_url = second.base_url  # …then every request goes to the second
        async with member.listening(f"/o/{ORG}/ballots/{ballot_id}/live") as stream:
            await console(facilitator, ballot_id, "open")
            await stream.wait_for("ballot", DELIVERED_WITHIN, change="opened")
            await vote(member, ballot_id)  # page and CSRF token from the second process
            counted = await stream.wait_for("turnout", DELIVERED_WITHIN)
        assert counted.data == "1 membre a voté."


async def test_a_process_whose_listener_was_cut_listens_again_and_its_phones_catch_up(
    servers: tuple[ServedApp, ServedApp], facilitator_on_a_member_on_b: tuple[Browser, Browser]
) -> None:
    """Issue #8: after a database restart or failover, a phone on B must not stay on a
    closed ballot. B reconnects, tells its phones to re-fetch (what was published while it was
    deaf is lost), then hears A's events again."""
    second = servers[1]
    facilitator, member = facilitator_on_a_member_on_b
    during = await new_ballot(facilitator, "Opened on A while B was deaf")
    after = await new_ballot(facilitator, "Opened on A once B listens again")
    async with member.listening(f"/o/{ORG}/live") as stream:  # on B
        loop = asyncio.get_running_loop()
        assert await _cut(LISTENER_NAME, second) == 1
        deadline = loop.time() + BACK_WITHIN
        await console(facilitator, during, "open")
        await stream.wait_for("resync", deadline - loop.time())  # B listens again
        # the resync makes the page re-fetch: the ballot opened meanwhile is on it
        await assert_listed(member, during)
        await console(facilitator, after, "open")
        event = await stream.wait_for(
            "ballot", max(deadline - loop.time(), DELIVERED_WITHIN), ballot_id=after
        )
    assert event.json()["change"] == "opened"


async def test_a_process_whose_publishing_connection_was_cut_publishes_again(
    servers: tuple[ServedApp, ServedApp],
) -> None:
    """B keeps one connection to NOTIFY through; cut, the next event goes through a new one
    (the vote itself was never at stake: it is committed before its event is sent)."""
    first, second = servers
    async with (
        facilitator_and_member(second.base_url) as (facilitator, member),
        browser(first.base_url, FACILITATOR) as watcher,
    ):
        ballot_id = await new_ballot(facilitator, "Voted on B after its NOTIFY connection was cut")
        async with watcher.listening(f"/o/{ORG}/assemblies/1/live") as projector:
            await console(facilitator, ballot_id, "open")  # B publishes: its connection is up
            await projector.wait_for("ballot", DELIVERED_WITHIN, ballot_id=ballot_id)
            assert await _cut(PUBLISHER_NAME, second) == 1  # one kept, not one per event
            await vote(member, ballot_id)
            event = await projector.wait_for("turnout", DELIVERED_WITHIN)
        assert event.data == "1 membre a voté."
