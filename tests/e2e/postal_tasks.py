"""A general assembly that takes votes by correspondence, prepared on a browser test's server
(``python -m tests.e2e.postal_tasks NAME JSON``, see :func:`tests.support.server.task_main`)."""

from __future__ import annotations

from typing import Any

from tests.e2e.ballot_tasks import _membership, _organisation, postal_assembly
from tests.support.server import task_main

from votes.db.tables import Assembly, AssemblyStatus
from votes.services import attendance
from votes.services.actors import actor_for
from votes.services.ballots import lifecycle, voting


async def convened(arguments: dict[str, Any]) -> dict[str, Any]:
    """An AGO convened in ten days whose rules allow postal votes, with one resolution
    prepared."""
    return await postal_assembly(
        arguments["org"],
        "AG annuelle par correspondance",
        arguments["question"],
        days=10,
        status=AssemblyStatus.CONVENED,
    )


async def held(arguments: dict[str, Any]) -> dict[str, Any]:
    """The assembly sits: ``present`` sign the register and vote ``yes``; the ballot is closed
    and published."""
    organisation_id = await _organisation(arguments["org"])
    actor = await actor_for(organisation_id)
    assembly_id, ballot_id = arguments["assembly"], arguments["ballot"]
    await Assembly.update({Assembly.status: AssemblyStatus.IN_SESSION.value}).where(
        Assembly.id == assembly_id
    )
    await lifecycle.open_ballot(actor, ballot_id)
    for email in arguments["present"]:
        member = await _membership(organisation_id, email)
        await attendance.check_in(actor, assembly_id, member)
        await voting.cast_vote(ballot_id, member, "yes")
    await lifecycle.close_ballot(actor, ballot_id)
    await lifecycle.publish_ballot(actor, ballot_id)
    return {"published": ballot_id}


if __name__ == "__main__":
    task_main({"convened": convened, "held": held})
