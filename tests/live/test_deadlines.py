"""A countdown closes its ballot in ``votes serve``: nobody taps "close", the server does it
when the time is up, counts it, and the phones listening are told (the waits below bound how
long the test waits; they measure nothing)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from tests.live.browser import (
    FACILITATOR,
    LIVE_SETTINGS,
    MEMBER,
    ORG,
    browser,
    console,
)
from tests.support.server import ServedApp

WAIT_SECONDS = 15  # the sweep runs every second; a busy machine may be slower


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    with ServedApp(tmp_path_factory.mktemp("live-deadlines"), LIVE_SETTINGS).running(
        "--demo"
    ) as running:
        yield running


def _time_is_up(server: ServedApp, ballot_id: int) -> None:
    """The countdown's minute passes (written as Piccolo writes a UTC timestamp)."""
    connection = sqlite3.connect(server.data_dir / "votes.sqlite3", timeout=15)
    try:
        with connection:
            connection.execute(
                "UPDATE ballot SET closes_at = ? WHERE id = ?",
                (str(datetime.now(UTC)), ballot_id),
            )
    finally:
        connection.close()


async def test_the_server_closes_a_ballot_when_its_countdown_ends(server: ServedApp) -> None:
    async with (
        browser(server.base_url, FACILITATOR) as facilitator,
        browser(server.base_url, MEMBER) as member,
    ):
        answer = await facilitator.post(
            f"/o/{ORG}/assemblies/1/ballots",
            {
                "question": "Closed by its countdown",
                "method": "majority",
                "options": "For\nAgainst\nAbstention",
                "seats": "1",
                "threshold": "1/2",
                "minutes": "1",
            },
            token_from=f"/o/{ORG}/assemblies/1/ballots/new",
        )
        assert answer.status_code == 303, answer.text[:500]
        ballot_id = int(answer.headers["location"].split("/ballots/")[1].split("/")[0])
        await console(facilitator, ballot_id, "open")
        async with member.stream(f"/o/{ORG}/ballots/{ballot_id}/live") as stream:
            await stream.wait_for("resync", WAIT_SECONDS)
            _time_is_up(server, ballot_id)
            event = await stream.wait_for("ballot", WAIT_SECONDS, ballot_id=ballot_id)
        assert event.json()["change"] == "closed"
        page = await facilitator.client.get(
            f"/o/{ORG}/ballots/{ballot_id}/console", headers={"Accept-Language": "en"}
        )
        assert "Publish the result" in page.text  # closed and counted: ready to publish
