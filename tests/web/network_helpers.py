"""A network and its cooperatives for the web tests of networks (#20): each organisation has an
administrator who signs in with PASSWORD and two members without an account."""

from __future__ import annotations

from dataclasses import dataclass

from tests.support.factories import PASSWORD, unique

from votes.services import accounts, networks, organisations
from votes.services.actors import Actor, actor_for


@dataclass(frozen=True)
class Org:
    organisation_id: int
    short_name: str
    admin_email: str
    admin: Actor
    members: tuple[int, ...]  # memberships of people without an account
    names: tuple[str, ...]

    @property
    def base(self) -> str:
        return f"/o/{self.short_name}"


async def organisation(prefix: str, *, is_network: bool = False) -> Org:
    tag = unique(prefix).lower()
    organisation_id = await organisations.create_organisation(
        f"{prefix} {tag}", tag, is_network=is_network
    )
    email = f"admin-{tag}@example.org"
    person = await accounts.create_person(f"Admin {tag}", email, PASSWORD)
    admin = await organisations.add_membership(organisation_id, person, is_admin=True)
    names = (f"Alice {tag}", f"Bruno {tag}")
    members = tuple(
        [
            await organisations.add_membership(
                organisation_id, await accounts.create_person(name, None, None)
            )
            for name in names
        ]
    )
    return Org(organisation_id, tag, email, await actor_for(organisation_id, admin), members, names)


async def joined(network: Org, *cooperatives: Org) -> None:
    """The cooperatives invited and members of the network."""
    for cooperative in cooperatives:
        await networks.invite(network.admin, cooperative.short_name)
        await networks.answer(cooperative.admin, network.organisation_id, accept=True)


async def network_of_two() -> tuple[Org, Org, Org]:
    """A network and the two cooperatives that joined it: (network, first, second)."""
    network = await organisation("Reseau", is_network=True)
    first, second = await organisation("Coop"), await organisation("Coop")
    await joined(network, first, second)
    return network, first, second
