"""What the floor keeps for an assembly, read as the floor's service and web tests check it."""

from __future__ import annotations

from votes.db.tables import FloorSettings


async def subject_key(assembly_id: int) -> str:
    """The key of the subject the assembly's floor is on ("" before any)."""
    row = (
        await FloorSettings.select(FloorSettings.subject_key)
        .where(FloorSettings.settings_key == str(assembly_id))
        .first()
    )
    return "" if row is None else str(row["subject_key"])
