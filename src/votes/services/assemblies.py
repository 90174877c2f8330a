"""Assemblies and their agendas."""

from __future__ import annotations

from datetime import datetime

from votes.db.engine import write_transaction
from votes.db.tables import AgendaItem, Assembly, AssemblyKind, AssemblyStatus, Convocation


async def create_assembly(
    organisation_id: int,
    title: str,
    starts_at: datetime,
    *,
    kind: AssemblyKind = AssemblyKind.PLENARY,
    convocation: Convocation = Convocation.FIRST,
    place: str = "",
    status: AssemblyStatus = AssemblyStatus.DRAFT,
) -> int:
    rows = await Assembly.insert(
        Assembly(
            organisation=organisation_id,
            title=title,
            kind=kind.value,
            convocation=convocation.value,
            starts_at=starts_at,
            place=place,
            status=status.value,
        )
    )
    return int(rows[0]["id"])


async def add_agenda_item(
    assembly_id: int, title: str, *, description: str = "", planned_minutes: int = 0
) -> int:
    """Append an item at the end of the agenda."""
    async with write_transaction(AgendaItem._meta.db):
        last = (
            await AgendaItem.select(AgendaItem.position)
            .where(AgendaItem.assembly == assembly_id)
            .order_by(AgendaItem.position, ascending=False)
            .first()
        )
        rows = await AgendaItem.insert(
            AgendaItem(
                assembly=assembly_id,
                position=(last["position"] + 1) if last else 1,
                title=title,
                description=description,
                planned_minutes=planned_minutes,
            )
        )
    return int(rows[0]["id"])


async def set_current_item(assembly_id: int, item_id: int | None) -> None:
    await Assembly.update({Assembly.current_item_id: item_id}).where(Assembly.id == assembly_id)
