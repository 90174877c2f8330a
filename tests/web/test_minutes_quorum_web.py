"""The minutes count the quorum as the room's banner does (#18): the ways of taking part the
statutes count, votes by correspondence included, and agree in number; and they read the
register as the assembly left it, not as it is today."""

from __future__ import annotations

import httpx
from tests.web.assembly_helpers import as_role
from tests.web.postal_helpers import (
    facilitators_minutes,
    in_session,
    postal_coop,
    sitting_after_a_postal_answer,
)

from votes.db import minutes_queries
from votes.db.tables import AssemblyStatus
from votes.services import accounts, assemblies, attendance, organisations
from votes.services.actors import actor_for


async def test_the_minutes_quorum_counts_the_forms_by_correspondence(
    client: httpx.AsyncClient,
) -> None:
    coop, _, system = await sitting_after_a_postal_answer(client, "yes")
    await attendance.check_in(system, coop.assembly_id, await coop.membership("facilitator"))
    banner = await attendance.quorum_banner(coop.organisation_id, coop.assembly_id)
    assert banner is not None
    assert banner.participants == 2  # one in the room, one by post

    minutes = await facilitators_minutes(client, coop)
    assert "1 a voté par correspondance" in minutes.text
    assert "Le quorum est atteint\u00a0:\u00a02 associé·es participent." in minutes.text


async def test_the_minutes_keep_the_register_of_the_close(client: httpx.AsyncClient) -> None:
    """A member admitted after the assembly changes neither its attendance sheet nor the
    quorum its minutes report; reopening the assembly makes the register live again."""
    coop, _ = await postal_coop()
    system = await in_session(coop)
    for role in ("facilitator", "member"):
        await attendance.check_in(system, coop.assembly_id, await coop.membership(role))
    chair = await actor_for(coop.organisation_id, await coop.membership("facilitator"))
    await assemblies.set_assembly_status(chair, coop.assembly_id, AssemblyStatus.CLOSED)
    newcomer = await accounts.create_person("Nouvelle Associée", "nouvelle@example.org", "x" * 12)
    await organisations.add_membership(coop.organisation_id, newcomer)

    await as_role(client, coop, "facilitator")
    minutes_url = f"{coop.assembly_path}/minutes"
    minutes = await client.get(minutes_url, headers={"Accept-Language": "fr"})
    assert "Nouvelle Associée" not in minutes.text
    assert "Le quorum est atteint\u00a0:\u00a02 associé·es participent." in minutes.text
    record = await minutes_queries.attendance_register(coop.organisation_id, coop.assembly_id)
    assert record.members == 3  # facilitator, member, other: the observer has no vote

    await assemblies.set_assembly_status(chair, coop.assembly_id, AssemblyStatus.IN_SESSION)
    live = await minutes_queries.attendance_register(coop.organisation_id, coop.assembly_id)
    assert live.members == 4
    assert "Nouvelle Associée" in [line.name for line in live.lines]
