"""Two app processes on one PostgreSQL database, the way several workers or several instances
behind a reverse proxy run: what one process publishes (LISTEN/NOTIFY) reaches the streams of
the other. Runs in every ``make test`` pass that can reach PostgreSQL and is required in CI."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from tests.conftest import POSTGRES_ADMIN_URL
from tests.live.browser import (
    FACILITATOR,
    LIVE_SETTINGS,
    MEMBER,
    ORG,
    browser,
    console,
    new_ballot,
    vote,
)
from tests.support.server import ServedApp

from votes.web.pg_channels import LISTENER_NAME, PUBLISHER_NAME

DELIVERED_WITHIN = 1.0  # seconds after the acting request's answer
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


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
async def database_url() -> AsyncIterator[str]:
    name = f"votes_live_{uuid.uuid4().hex[:12]}"
    try:
        await _admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error}")
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    yield f"{base}/{name}"
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def servers(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServedApp, ServedApp]]:
    data_dir = tmp_path_factory.mktemp("live-postgres")
    environment = {
        **LIVE_SETTINGS,
        "VOTES_DATABASE_URL": database_url,
        "VOTES_LIVE_BACKEND": "postgres",
    }
    first, second = ServedApp(data_dir, environment), ServedApp(data_dir, environment)
    try:
        first.start("--demo")
        second.start()
        yield first, second
    finally:
        first.stop()
        second.stop()


async def test_a_ballot_opened_through_one_process_reaches_a_phone_on_the_other(
    servers: tuple[ServedApp, ServedApp],
) -> None:
    first, second = servers
    async with (
        browser(first.base_url, FACILITATOR) as facilitator,
        browser(second.base_url, MEMBER) as member,
    ):
        ballot_id = await new_ballot(facilitator, "Opened on A, seen on B")
        async with member.stream(f"/o/{ORG}/live") as stream:
            await stream.wait_for("resync", 10)  # connected (and listening) on B
            await console(facilitator, ballot_id, "open")
            event = await stream.wait_for("ballot", DELIVERED_WITHIN, ballot_id=ballot_id)
        assert event.json()["change"] == "opened"
        listed = await member.client.get(f"/o/{ORG}/vote", headers={"HX-Request": "true"})
        assert f"/o/{ORG}/ballots/{ballot_id}" in listed.text


async def test_a_vote_cast_through_one_process_moves_the_turnout_seen_through_the_other(
    servers: tuple[ServedApp, ServedApp],
) -> None:
    first, second = servers
    async with (
        browser(first.base_url, FACILITATOR) as facilitator,
        browser(second.base_url, MEMBER) as member,
    ):
        ballot_id = await new_ballot(facilitator, "Voted on B, counted on A")
        await console(facilitator, ballot_id, "open")
        async with facilitator.stream(f"/o/{ORG}/assemblies/1/live") as projector:
            await projector.wait_for("resync", 10)
            await vote(member, ballot_id)
            event = await projector.wait_for("turnout", DELIVERED_WITHIN)
        assert event.data == "1 membre a voté."
        turnout = await facilitator.client.get(
            f"/o/{ORG}/ballots/{ballot_id}/turnout", headers={"HX-Request": "true"}
        )
        assert "<strong>1</strong>" in turnout.text


async def test_one_sign_in_works_on_both_processes_so_no_sticky_session_is_needed(
    servers: tuple[ServedApp, ServedApp],
) -> None:
    """A reverse proxy may send each request of one phone to another instance."""
    first, second = servers
    async with (
        browser(first.base_url, FACILITATOR) as facilitator,
        browser(first.base_url, MEMBER) as member,  # signed in through the first process…
    ):
        ballot_id = await new_ballot(facilitator, "One phone, two instances")
        member.client.base_url = second.base_url  # …then every request goes to the second
        async with member.stream(f"/o/{ORG}/ballots/{ballot_id}/live") as stream:
            await stream.wait_for("resync", 10)
            await console(facilitator, ballot_id, "open")
            await stream.wait_for("ballot", DELIVERED_WITHIN, change="opened")
            await vote(member, ballot_id)  # page and CSRF token from the second process
            counted = await stream.wait_for("turnout", DELIVERED_WITHIN)
        assert counted.data == "1 membre a voté."


async def test_a_process_whose_listener_was_cut_listens_again_and_its_phones_catch_up(
    servers: tuple[ServedApp, ServedApp],
) -> None:
    """Issue #8: after a database restart or failover, a phone on B must not stay on a
    closed ballot. B reconnects, tells its phones to re-fetch (what was published while it was
    deaf is lost), then hears A's events again."""
    first, second = servers
    async with (
        browser(first.base_url, FACILITATOR) as facilitator,
        browser(second.base_url, MEMBER) as member,
    ):
        during = await new_ballot(facilitator, "Opened on A while B was deaf")
        after = await new_ballot(facilitator, "Opened on A once B listens again")
        async with member.stream(f"/o/{ORG}/live") as stream:
            await stream.wait_for("resync", 10)  # connected (and listening) on B
            loop = asyncio.get_running_loop()
            assert await _cut(LISTENER_NAME, second) == 1
            deadline = loop.time() + BACK_WITHIN
            await console(facilitator, during, "open")
            await stream.wait_for("resync", deadline - loop.time())  # B listens again
            # the resync makes the page re-fetch: the ballot opened meanwhile is on it
            listed = await member.client.get(f"/o/{ORG}/vote", headers={"HX-Request": "true"})
            assert f"/o/{ORG}/ballots/{during}" in listed.text
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
        browser(second.base_url, FACILITATOR) as facilitator,
        browser(second.base_url, MEMBER) as member,
        browser(first.base_url, FACILITATOR) as watcher,
    ):
        ballot_id = await new_ballot(facilitator, "Voted on B after its NOTIFY connection was cut")
        async with watcher.stream(f"/o/{ORG}/assemblies/1/live") as projector:
            await projector.wait_for("resync", 10)
            await console(facilitator, ballot_id, "open")  # B publishes: its connection is up
            await projector.wait_for("ballot", DELIVERED_WITHIN, ballot_id=ballot_id)
            assert await _cut(PUBLISHER_NAME, second) == 1  # one kept, not one per event
            await vote(member, ballot_id)
            event = await projector.wait_for("turnout", DELIVERED_WITHIN)
        assert event.data == "1 membre a voté."
