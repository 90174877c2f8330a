"""The general assembly of the journey test, prepared and voted on its browser test's server
(``python -m tests.e2e.journey_tasks NAME JSON``, see :func:`tests.support.server.task_main`):
only what a browser test cannot do itself (a prepared assembly, the room's other phones)."""

from __future__ import annotations

from typing import Any

from tests.e2e.ballot_tasks import _membership, _organisation, postal_assembly
from tests.support.server import task_main

from votes.db.tables import AssemblyStatus
from votes.services.ballots import voting


async def prepared(arguments: dict[str, Any]) -> dict[str, Any]:
    """A draft AGO a month away whose rules allow votes by correspondence, with one
    resolution prepared."""
    return await postal_assembly(
        arguments["org"],
        arguments["title"],
        arguments["question"],
        days=30,
        status=AssemblyStatus.DRAFT,
    )


async def room_votes(arguments: dict[str, Any]) -> dict[str, Any]:
    """Members checked in at the door vote from their phones: ``votes`` maps e-mail to
    answer."""
    organisation_id = await _organisation(arguments["org"])
    for email, answer in arguments["votes"].items():
        member = await _membership(organisation_id, email)
        await voting.cast_vote(arguments["ballot"], member, answer)
    return {"voted": len(arguments["votes"])}


if __name__ == "__main__":
    task_main({"prepared": prepared, "room_votes": room_votes})
