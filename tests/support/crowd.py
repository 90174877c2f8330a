"""A room of many members and its open ballots, for the crash tests and the server benchmarks:
hundreds of people are written straight into the tables (one statement each, not one service
call per person), their ballots go through the services.

The benchmarks import this module once their settings are in the environment (Piccolo tables
bind to the engine at import)."""

from __future__ import annotations

from collections.abc import Iterable

from votes.db.tables import Membership, Person
from votes.services.actors import actor_for
from votes.services.ballots import drafts, lifecycle

MAJORITY = [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")]


async def members(organisation_id: int, names: Iterable[str]) -> list[int]:
    """A person and a membership for each name (the first one facilitates); their person ids,
    in order."""
    people = await Person.insert(*(Person(name=name) for name in names))
    person_ids: list[int] = [row["id"] for row in people]
    await Membership.insert(
        *(
            Membership(
                organisation=organisation_id,
                person=pid,
                membership_key=f"{organisation_id}:{pid}",
                is_facilitator=n == 0,
            )
            for n, pid in enumerate(person_ids)
        )
    )
    return person_ids


async def majority_ballot(organisation_id: int, assembly_id: int, question: str) -> int:
    """A secret majority ballot (pour, contre, abstention) in draft; its id."""
    actor = await actor_for(organisation_id)
    return await drafts.create_ballot(
        actor, assembly_id, question, "majority", MAJORITY, secret=True
    )


async def open_majority_ballots(
    organisation_id: int, assembly_id: int, questions: Iterable[str]
) -> list[int]:
    """A secret majority ballot opened for each question; their ids, in order."""
    ballot_ids = []
    for question in questions:
        ballot_id = await majority_ballot(organisation_id, assembly_id, question)
        await lifecycle.open_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
        ballot_ids.append(ballot_id)
    return ballot_ids


def resolutions(count: int) -> list[str]:
    """« Résolution 1 » … « Résolution ``count`` »."""
    return [f"Résolution {n + 1}" for n in range(count)]
