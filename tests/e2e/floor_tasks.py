"""The floor's browser test set-up, as ``python -m tests.e2e.floor_tasks NAME JSON`` on the
served app's database: the assembly's balanced ordering and the members' declared categories
(each member could declare theirs on their phone; other tests cover that form)."""

from __future__ import annotations

from typing import Any

from tests.e2e.ballot_tasks import _assembly, _membership
from tests.support.server import ServedApp, task_main

from votes.db.tables import Amendment, AmendmentKind, Assembly, Membership, Ordering
from votes.services import floor, proposals
from votes.services.actors import actor_for


async def balance(arguments: dict[str, Any]) -> dict[str, Any]:
    """Alternate by gender on the assembly in session; each member declares theirs."""
    organisation_id, assembly_id = await _assembly(arguments["org"])
    await floor.set_rules(
        await actor_for(organisation_id),
        assembly_id,
        Ordering.ALTERNATE,
        category_label="genre",
        speaker_seconds=120,
    )
    for email, category in arguments["categories"].items():
        membership_id = await _membership(organisation_id, email)
        await floor.declare_category(
            await actor_for(organisation_id, membership_id),
            assembly_id,
            category,
            may_be_shown=True,
        )
    return {"assembly_id": assembly_id}


async def amendments(arguments: dict[str, Any]) -> dict[str, Any]:
    """A proposal on the item under discussion ("Cantine bio") with two amendments to it."""
    organisation_id, assembly_id = await _assembly(arguments["org"])
    item = await Assembly.select(Assembly.current_item_id).where(Assembly.id == assembly_id)
    author = await Membership.select(Membership.person).where(
        Membership.id == await _membership(organisation_id, arguments["author"])
    )
    person_id = int(author[0]["person"])
    proposal_id = await proposals.create_proposal(
        organisation_id,
        assembly_id,
        person_id,
        arguments["title"],
        "La cantine sert des repas bio deux fois par semaine.",
        agenda_item_id=item[0]["current_item_id"],
    )
    ids = []
    for number in (1, 2):
        rows = await Amendment.insert(
            Amendment(
                organisation=organisation_id,
                proposal=proposal_id,
                number=number,
                amendment_key=f"{proposal_id}:{number}",
                author=person_id,
                kind=AmendmentKind.FULL.value,
                text=f"Version {number}",
                base_version=1,
            )
        )
        ids.append(int(rows[0]["id"]))
    return {"proposal_id": proposal_id, "amendment_ids": ids}


TASKS = {"balance": balance, "amendments": amendments}


def run(app: ServedApp, name: str, **arguments: Any) -> Any:
    return app.task(name, tasks="tests.e2e.floor_tasks", **arguments)


if __name__ == "__main__":
    task_main(TASKS)
