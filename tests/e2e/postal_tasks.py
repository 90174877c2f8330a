"""A general assembly that takes votes by correspondence, prepared on a browser test's server
(``python -m tests.e2e.postal_tasks NAME JSON``, see :mod:`tests.e2e.ballot_tasks`)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from votes.core.rules import PostalRule
from votes.db.engine import close_pool, start_pool
from votes.db.tables import Assembly, AssemblyKind, AssemblyStatus, Membership, Organisation
from votes.piccolo_conf import DB
from votes.services import assemblies, attendance, rules
from votes.services.actors import actor_for
from votes.services.ballots import drafts, lifecycle, voting


async def _organisation(short_name: str) -> int:
    rows = await Organisation.select(Organisation.id).where(Organisation.short_name == short_name)
    return int(rows[0]["id"])


async def _membership(organisation_id: int, email: str) -> int:
    row = (
        await Membership.select(Membership.id)
        .where((Membership.organisation == organisation_id) & (Membership.person.email == email))
        .first()
    )
    assert row is not None, email
    return int(row["id"])


async def convened(arguments: dict[str, Any]) -> dict[str, Any]:
    """An AGO convened in ten days under a profile that allows postal votes, with one
    resolution prepared."""
    organisation_id = await _organisation(arguments["org"])
    actor = await actor_for(organisation_id)
    profile = await rules.organisation_profile(organisation_id)
    await rules.save_profile(
        actor,
        replace(profile, postal=PostalRule(allowed=True), dual_control=False, adjusted=True),
    )
    assembly_id = await assemblies.create_assembly(
        actor,
        "AG annuelle par correspondance",
        datetime.now(UTC) + timedelta(days=10),
        kind=AssemblyKind.AGO,
        status=AssemblyStatus.CONVENED,
    )
    ballot_id = await drafts.create_ballot(
        actor,
        assembly_id,
        arguments["question"],
        "majority",
        [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
    )
    return {"assembly": assembly_id, "ballot": ballot_id}


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


TASKS: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
    "convened": convened,
    "held": held,
}


async def _main(name: str, arguments: dict[str, Any]) -> Any:
    await start_pool(DB, 2)
    try:
        return await TASKS[name](arguments)
    finally:
        await close_pool(DB)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_main(sys.argv[1], json.loads(sys.argv[2])))))
