"""A network and its member cooperatives, for the consultation tests (#20): each side with an
administrator who signs in with PASSWORD, memberships of the network written directly (the
invitation pages are another slice's), and a cooperative's copy decided by its own ballot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.support.factories import PASSWORD, administered, member_actor, open_ballot

from votes.db import queries
from votes.db.tables import (
    AssemblyStatus,
    Consultation,
    MembershipKind,
    Organisation,
    Person,
)
from votes.services import accounts, assemblies, consultations, organisations, proposals
from votes.services.actors import Actor, actor_for
from votes.services.ballots import lifecycle, voting
from votes.services.networks import seed_member_cooperative

__all__ = [
    "PASSWORD",
    "Side",
    "consultation_of",
    "consulted_cooperative",
    "cooperative_assembly",
    "decide_copy",
    "network_with",
    "sent_proposal",
    "vote_on_copy",
]


@dataclass(frozen=True, slots=True)
class Side:
    """An organisation and its administrator (acting, and signing in with ``email``)."""

    slug: str
    organisation_id: int
    email: str
    admin: Actor

    @property
    def base(self) -> str:
        return f"/o/{self.slug}"


async def _side(name: str, *, network: bool = False) -> Side:
    slug, organisation_id, email = await administered(name)
    if network:
        await Organisation.update({Organisation.is_network: True}).where(
            Organisation.id == organisation_id
        )
    person = await Person.select(Person.id).where(Person.email == email).first()
    assert person is not None
    membership = await queries.membership_in(organisation_id, person["id"])
    assert membership is not None
    return Side(slug, organisation_id, email, Actor.of(membership))


async def network_with(count: int) -> tuple[Side, list[Side]]:
    """A network and ``count`` member cooperatives (status member)."""
    network = await _side("Reseau", network=True)
    cooperatives = [await _side(f"Coop{index}") for index in range(count)]
    for cooperative in cooperatives:
        await seed_member_cooperative(network.organisation_id, cooperative.organisation_id)
    return network, cooperatives


async def sent_proposal(network: Side, *, send: bool = True) -> int:
    """A proposal of the network (in one of its assemblies), sent to its cooperatives."""
    assembly_id = await assemblies.create_assembly(
        await actor_for(network.organisation_id),
        "Rencontre du réseau",
        datetime(2027, 3, 14, 14, 0, tzinfo=UTC),
    )
    proposal_id = await proposals.create_proposal(
        network.organisation_id,
        assembly_id,
        network.admin.person_id,
        "Charte commune",
        "Le réseau adopte une charte commune.",
    )
    if send:
        await consultations.send_consultation(network.admin, proposal_id)
    return proposal_id


async def consultation_of(proposal_id: int, cooperative: Side) -> int:
    row = (
        await Consultation.select(Consultation.id)
        .where(
            (Consultation.network_proposal == proposal_id)
            & (Consultation.cooperative == cooperative.organisation_id)
        )
        .first()
    )
    assert row is not None
    return int(row["id"])


async def consulted_cooperative() -> tuple[Side, Side, int, int]:
    """A network of one cooperative consulted on a proposal the network sent: (network,
    cooperative, proposal, consultation)."""
    network, (cooperative,) = await network_with(1)
    proposal_id = await sent_proposal(network)
    return network, cooperative, proposal_id, await consultation_of(proposal_id, cooperative)


async def cooperative_assembly(cooperative: Side) -> int:
    return await assemblies.create_assembly(
        await actor_for(cooperative.organisation_id),
        "AG de la coopérative",
        datetime.now(UTC) + timedelta(days=3),
        status=AssemblyStatus.IN_SESSION,
    )


async def vote_on_copy(
    cooperative: Side, copy_id: int, votes: dict[str, int], *, publish: bool = True
) -> int:
    """The cooperative's members vote on its copy (``votes``: response → number of members,
    each a new member) and the result is published unless ``publish`` is False: the ballot."""
    voters = []
    for choice, number in votes.items():
        for index in range(number):
            person = await accounts.create_person(
                f"Votant {cooperative.slug} {choice} {index}", None, None
            )
            membership = await organisations.add_membership(
                cooperative.organisation_id, person, kind=MembershipKind.MEMBER
            )
            voters.append((membership, choice))
    chair = await member_actor(cooperative.organisation_id, facilitator=True)
    ballot_id = await proposals.put_to_vote(chair, copy_id)
    await open_ballot(ballot_id)
    for membership, choice in voters:
        await voting.cast_vote(ballot_id, membership, choice)
    system = await lifecycle.system_actor(ballot_id)
    await lifecycle.close_ballot(system, ballot_id)
    if publish:
        await lifecycle.publish_ballot(system, ballot_id)
    return ballot_id


async def decide_copy(
    cooperative: Side, consultation_id: int, votes: dict[str, int], *, publish: bool = True
) -> tuple[int, int]:
    """The cooperative puts the consultation on an assembly and decides its copy
    (:func:`vote_on_copy`): (copy, ballot)."""
    assembly_id = await cooperative_assembly(cooperative)
    copy_id = await consultations.choose_assembly(cooperative.admin, consultation_id, assembly_id)
    return copy_id, await vote_on_copy(cooperative, copy_id, votes, publish=publish)
