"""The audit trail detects an edited, a deleted and a reordered entry."""

from __future__ import annotations

import json

from tests.support.factories import organisation

from votes.db.engine import write_transaction
from votes.db.tables import AuditEntry
from votes.services import audit


async def _organisation_with_entries(count: int) -> int:
    organisation_id = await organisation("Audit")
    for index in range(count):
        async with write_transaction(AuditEntry._meta.db):
            await audit.record(
                organisation_id,
                "ballot.opened",
                subject=f"ballot:{index}",
                details={"question": f"Q{index} — é"},
            )
    return organisation_id


async def test_an_untouched_chain_verifies() -> None:
    organisation_id = await _organisation_with_entries(4)
    assert await audit.verify_chain(organisation_id) is None
    sequences = (
        await AuditEntry.select(AuditEntry.sequence)
        .where(AuditEntry.organisation == organisation_id)
        .order_by(AuditEntry.id)  # heap order is no order on PostgreSQL
    )
    assert [row["sequence"] for row in sequences] == [1, 2, 3, 4]


async def test_an_edited_entry_is_detected_where_it_was_edited() -> None:
    organisation_id = await _organisation_with_entries(4)
    await AuditEntry.update({AuditEntry.details: json.dumps({"question": "changed"})}).where(
        (AuditEntry.organisation == organisation_id) & (AuditEntry.sequence == 3)
    )
    found = await audit.verify_chain(organisation_id)
    assert found is not None
    assert (found.sequence, found.reason) == (3, "edited")


async def test_a_deleted_entry_is_detected_even_the_last_one() -> None:
    middle = await _organisation_with_entries(4)
    await AuditEntry.delete().where(
        (AuditEntry.organisation == middle) & (AuditEntry.sequence == 2)
    )
    assert await audit.verify_chain(middle) == audit.ChainBreak(middle, 2, "missing")
    last = await _organisation_with_entries(3)
    await AuditEntry.delete().where((AuditEntry.organisation == last) & (AuditEntry.sequence == 3))
    assert await audit.verify_chain(last) == audit.ChainBreak(last, 3, "missing")


async def test_reordered_entries_are_detected() -> None:
    organisation_id = await _organisation_with_entries(3)
    rows = (
        await AuditEntry.select(AuditEntry.id, AuditEntry.sequence, AuditEntry.entry_key)
        .where(AuditEntry.organisation == organisation_id)
        .order_by(AuditEntry.id)
    )
    first, second = rows[0], rows[1]
    # swap the places of entries 1 and 2 (keys first, to keep the unique index happy)
    await AuditEntry.update({AuditEntry.entry_key: "swap"}).where(AuditEntry.id == first["id"])
    await AuditEntry.update(
        {AuditEntry.sequence: 1, AuditEntry.entry_key: first["entry_key"]}
    ).where(AuditEntry.id == second["id"])
    await AuditEntry.update(
        {AuditEntry.sequence: 2, AuditEntry.entry_key: second["entry_key"]}
    ).where(AuditEntry.id == first["id"])
    assert await audit.verify_chain(organisation_id) == audit.ChainBreak(
        organisation_id, 1, "out_of_order"
    )


async def test_chains_of_organisations_are_independent() -> None:
    healthy = await _organisation_with_entries(2)
    broken = await _organisation_with_entries(2)
    await AuditEntry.update({AuditEntry.action: "ballot.cancelled"}).where(
        (AuditEntry.organisation == broken) & (AuditEntry.sequence == 1)
    )
    assert await audit.verify_chain(healthy) is None
    breaks = await audit.verify_all_chains()
    assert audit.ChainBreak(broken, 1, "edited") in breaks
    assert all(found.organisation_id != healthy for found in breaks)
