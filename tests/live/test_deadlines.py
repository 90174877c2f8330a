"""A countdown closes its ballot in ``votes serve``: nobody taps "close", the server does it
when the time is up, counts it, and the phones listening are told (the waits below bound how
long the test waits; they measure nothing)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from tests.live.browser import (
    ORG,
    console,
    facilitator_and_member,
    new_ballot,
)
from tests.support.server import ServedApp

WAIT_SECONDS = 15  # the sweep runs every second; a busy machine may be slower


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
    async with facilitator_and_member(server.base_url) as (facilitator, member):
        ballot_id = await new_ballot(facilitator, "Closed by its countdown", minutes="1")
        await console(facilitator, ballot_id, "open")
        async with member.listening(f"/o/{ORG}/ballots/{ballot_id}/live", WAIT_SECONDS) as stream:
            _time_is_up(server, ballot_id)
            event = await stream.wait_for("ballot", WAIT_SECONDS, ballot_id=ballot_id)
        assert event.json()["change"] == "closed"
        page = await facilitator.client.get(
            f"/o/{ORG}/ballots/{ballot_id}/console", headers={"Accept-Language": "en"}
        )
        assert "Publish the result" in page.text  # closed and counted: ready to publish
