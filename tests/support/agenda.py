"""An assembly's agenda as the agenda tests read it back."""

from __future__ import annotations

from votes.db.tables import AgendaItem


async def agenda_titles(assembly_id: int) -> list[str]:
    """The titles of the assembly's agenda items, in their order."""
    query = AgendaItem.select(AgendaItem.title).where(AgendaItem.assembly == assembly_id)
    return list(await query.order_by(AgendaItem.position).output(as_list=True))
