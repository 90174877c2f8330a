"""The general assembly of the journey test, prepared and voted on its browser test's server
(``python -m tests.e2e.journey_tasks NAME JSON``, see :func:`tests.support.server.task_main`):
only what a browser test cannot do itself (a prepared assembly, the room's other phones)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.server import task_main

from votes.core.rules import PostalRule
from votes.db.tables import AssemblyKind, AssemblyStatus, Membership, Organisation
from votes.services import assemblies, rules
from votes.services.actors import actor_for
from votes.services.ballots import drafts, voting


async def _organisation(short_name: str) -> int:
    rows = await Organisation.select(Organisation.id).where(Organisation.short_name == short_name)
    return int(rows[0]["id"])


async def prepared(arguments: dict[str, Any]) -> dict[str, Any]:
    """A draft AGO a month away whose rules allow votes by correspondence (no second
    scrutineer, so the journey needs no cosigning phone), with one resolution prepared."""
    organisation_id = await _organisation(arguments["org"])
    actor = await actor_for(organisation_id)
    profile = await rules.organisation_profile(organisation_id)
    await rules.save_profile(
        actor,
        replace(profile, postal=PostalRule(allowed=True), dual_control=False, adjusted=True),
    )
    assembly_id = await assemblies.create_assembly(
        actor,
        arguments["title"],
        datetime.now(UTC) + timedelta(days=30),
        kind=AssemblyKind.AGO,
        status=AssemblyStatus.DRAFT,
    )
    ballot_id = await drafts.create_ballot(
        actor,
        assembly_id,
        arguments["question"],
        "majority",
        [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
    )
    return {"assembly": assembly_id, "ballot": ballot_id}


async def room_votes(arguments: dict[str, Any]) -> dict[str, Any]:
    """Members checked in at the door vote from their phones: ``votes`` maps e-mail to
    answer."""
    organisation_id = await _organisation(arguments["org"])
    for email, answer in arguments["votes"].items():
        row = (
            await Membership.select(Membership.id)
            .where(
                (Membership.organisation == organisation_id) & (Membership.person.email == email)
            )
            .first()
        )
        assert row is not None, email
        await voting.cast_vote(arguments["ballot"], int(row["id"]), answer)
    return {"voted": len(arguments["votes"])}


if __name__ == "__main__":
    task_main({"prepared": prepared, "room_votes": room_votes})
