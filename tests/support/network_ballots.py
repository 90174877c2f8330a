"""A network of cooperatives to count ballots in (#20), its rows written directly: a network
organisation, member cooperatives (status "member"), the participants each registered (network
memberships carrying ``delegated_by``) and individual members, and a plenary to vote in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from tests.support.factories import new_ballot, organisation, place_in_college, unique

from votes.core.rules import preset
from votes.db.tables import Organisation
from votes.db.tables.accounts import Membership
from votes.services import accounts, assemblies, organisations, rules
from votes.services.actors import actor_for
from votes.services.ballots import voting
from votes.services.networks import seed_member_cooperative


@dataclass
class Network:
    organisation_id: int
    assembly_id: int
    cooperatives: dict[str, int] = field(default_factory=dict)  # name -> organisation id
    names: dict[str, str] = field(default_factory=dict)  # name -> the organisation's full name
    members: dict[str, list[int]] = field(default_factory=dict)  # name -> network memberships
    individuals: list[int] = field(default_factory=list)

    async def vote(self, ballot_id: int, cooperative: str, votes: dict[str, int]) -> None:
        """Members of ``cooperative`` ("" for individual members) vote, in order: for,
        against, abstention."""
        people = self.members[cooperative] if cooperative else self.individuals
        used = iter(people)
        for choice in ("yes", "no", "abstain"):
            for _ in range(votes.get(choice, 0)):
                await voting.cast_vote(ballot_id, next(used), choice)

    async def motion(self, **options: object) -> int:
        return await new_ballot(self.organisation_id, self.assembly_id, **options)

    async def colleges(self, weights: dict[str, str], members: dict[str, list[int]]) -> None:
        """The network's own voting colleges (weights in %), used by its rules, with these
        participants placed in them."""
        actor = await actor_for(self.organisation_id)
        for name, weight in weights.items():
            college_id = await organisations.add_college(actor, name, weight)
            if members.get(name):
                await place_in_college(members[name], college_id)
        profile = preset("custom").customised("custom", colleges="allowed", adjusted=True)
        await rules.save_profile(actor, profile)


async def _person(tag: str) -> int:
    return await accounts.create_person(f"Participant {tag}", None, None)


async def network(
    registered: dict[str, int],
    *,
    individuals: int = 0,
    sharing: str = "equal",
    fixed: dict[str, int] | None = None,
) -> Network:
    """A network whose cooperatives (by short name) registered so many participants each,
    with ``individuals`` individual members; ``fixed``: basis points per cooperative."""
    network_id = await organisation("Reseau")
    await Organisation.update(
        {Organisation.is_network: True, Organisation.network_sharing: sharing}
    ).where(Organisation.id == network_id)
    assembly_id = await assemblies.create_assembly(
        await actor_for(network_id), "Rencontre du réseau", datetime(2026, 6, 12, 9, tzinfo=UTC)
    )
    built = Network(network_id, assembly_id)
    for name, count in registered.items():
        cooperative_id = await organisation(name.capitalize())
        row = (
            await Organisation.select(Organisation.name)
            .where(Organisation.id == cooperative_id)
            .first()
        )
        assert row is not None
        built.cooperatives[name] = cooperative_id
        built.names[name] = row["name"]
        await seed_member_cooperative(
            network_id, cooperative_id, share_basis_points=(fixed or {}).get(name, 0)
        )
        built.members[name] = []
        for _ in range(count):
            membership = await organisations.add_membership(network_id, await _person(unique(name)))
            await Membership.update({Membership.delegated_by: cooperative_id}).where(
                Membership.id == membership
            )
            built.members[name].append(membership)
    for _ in range(individuals):
        built.individuals.append(
            await organisations.add_membership(network_id, await _person(unique("seul")))
        )
    return built
