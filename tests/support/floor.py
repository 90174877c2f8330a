"""What the floor keeps for an assembly, read as the floor's service and web tests check it,
and the amendments its browser and web tests give the floor on."""

from __future__ import annotations

from votes.db.tables import Amendment, AmendmentKind, FloorSettings
from votes.services import proposals


async def subject_key(assembly_id: int) -> str:
    """The key of the subject the assembly's floor is on ("" before any)."""
    row = (
        await FloorSettings.select(FloorSettings.subject_key)
        .where(FloorSettings.settings_key == str(assembly_id))
        .first()
    )
    return "" if row is None else str(row["subject_key"])


async def proposal_with_two_amendments(
    organisation_id: int, assembly_id: int, author: int, title: str, item_id: int
) -> tuple[int, list[int]]:
    """A proposal by the person ``author`` on the agenda item and two full amendments to it,
    written straight into the table: (proposal id, amendment ids)."""
    proposal_id = await proposals.create_proposal(
        organisation_id,
        assembly_id,
        author,
        title,
        "La cantine sert des repas bio deux fois par semaine.",
        agenda_item_id=item_id,
    )
    amendment_ids = []
    for number in (1, 2):
        rows = await Amendment.insert(
            Amendment(
                organisation=organisation_id,
                proposal=proposal_id,
                number=number,
                amendment_key=f"{proposal_id}:{number}",
                author=author,
                kind=AmendmentKind.FULL.value,
                text=f"Version {number}",
                base_version=1,
            )
        )
        amendment_ids.append(int(rows[0]["id"]))
    return proposal_id, amendment_ids
