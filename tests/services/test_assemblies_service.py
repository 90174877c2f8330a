"""Assemblies and agendas: facilitators plan and run them, every change lands in the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.agenda import agenda_titles
from tests.support.factories import chaired_assembly, member_actor, organisation
from tests.support.refusals import refusal_code

from votes.db import agenda_queries
from votes.db.tables import AssemblyStatus, AuditEntry
from votes.services import assemblies
from votes.services.actors import actor_for
from votes.services.assemblies import ItemText


async def test_facilitator_builds_and_reorders_the_agenda_with_an_audit_trail() -> None:
    organisation_id = await organisation()
    chair = await member_actor(organisation_id, facilitator=True)
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AG 2026", datetime.now(UTC)
    )
    first = await assemblies.add_item(chair, assembly_id, ItemText("Ouverture", planned_minutes=5))
    second = await assemblies.add_item(chair, assembly_id, ItemText("Comptes"))
    third = await assemblies.add_item(chair, assembly_id, ItemText("Divers"))
    await assemblies.move_item(chair, third, -1)
    assert await agenda_titles(assembly_id) == ["Ouverture", "Divers", "Comptes"]
    await assemblies.move_item(chair, first, -1)  # already first: nothing moves
    await assemblies.reorder_agenda(chair, assembly_id, [second, first, third])
    assert await agenda_titles(assembly_id) == ["Comptes", "Ouverture", "Divers"]
    await assemblies.mark_current_item(chair, assembly_id, first)
    page = await agenda_queries.assembly_page(organisation_id, assembly_id)
    assert page is not None
    assert page.current_item is not None
    assert page.current_item.title == "Ouverture"
    actions = [
        row["action"]
        for row in await AuditEntry.select(AuditEntry.action, AuditEntry.actor)
        .where(AuditEntry.subject == f"assembly:{assembly_id}")
        .order_by(AuditEntry.sequence)
    ]
    assert actions == [
        "assembly.created",
        "agenda.item_added",
        "agenda.item_added",
        "agenda.item_added",
        "agenda.reordered",
        "agenda.reordered",
        "agenda.current_item_set",
    ]


async def test_a_stale_drag_and_drop_order_changes_nothing() -> None:
    _organisation_id, chair, assembly_id = await chaired_assembly()
    first = await assemblies.add_item(chair, assembly_id, ItemText("Un"))
    await assemblies.add_item(chair, assembly_id, ItemText("Deux"))
    attempt = assemblies.reorder_agenda(chair, assembly_id, [first])
    assert await refusal_code(attempt) == "agenda_changed"
    assert await agenda_titles(assembly_id) == ["Un", "Deux"]


async def test_members_cannot_change_the_agenda_and_closed_assemblies_are_frozen() -> None:
    organisation_id, chair, assembly_id = await chaired_assembly()
    member = await member_actor(organisation_id)
    item = await assemblies.add_item(chair, assembly_id, ItemText("Un"))
    intruding = assemblies.add_item(member, assembly_id, ItemText("Deux"))
    assert await refusal_code(intruding) == "not_facilitator"
    await assemblies.set_assembly_status(chair, assembly_id, AssemblyStatus.IN_SESSION)
    await assemblies.set_assembly_status(chair, assembly_id, AssemblyStatus.CLOSED)
    attempt = assemblies.update_item(chair, item, ItemText("Autre titre"))
    assert await refusal_code(attempt) == "assembly_closed"
    attempt = assemblies.set_assembly_status(chair, assembly_id, AssemblyStatus.DRAFT)
    assert await refusal_code(attempt) == "status_step_not_allowed"
    assert await agenda_titles(assembly_id) == ["Un"]


async def test_foreign_assemblies_are_not_found() -> None:
    mine = await organisation()
    theirs = await organisation()
    chair = await member_actor(mine, facilitator=True)
    assembly_id = await assemblies.create_assembly(await actor_for(theirs), "AG", datetime.now(UTC))
    intruding = assemblies.add_item(chair, assembly_id, ItemText("Intrusion"))
    assert await refusal_code(intruding) == "not_found"
    assert await agenda_titles(assembly_id) == []


async def test_an_item_with_a_proposal_cannot_be_removed_but_an_empty_one_can() -> None:
    from votes.services import proposals

    _organisation_id, chair, assembly_id = await chaired_assembly()
    used = await assemblies.add_item(chair, assembly_id, ItemText("Comptes"))
    empty = await assemblies.add_item(chair, assembly_id, ItemText("Vide"))
    await proposals.submit_proposal(chair, assembly_id, "R1", "Texte", agenda_item_id=used)
    assert await refusal_code(assemblies.remove_item(chair, used)) == "item_in_use"
    await assemblies.remove_item(chair, empty)
    assert await agenda_titles(assembly_id) == ["Comptes"]
