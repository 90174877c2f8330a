"""Networks of cooperatives (#20) on the real database: invitations and their answers, the
sharing rule, each cooperative's representation and the people it registers, and every
refusal leaving the database as it was."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime

from tests.support.factories import unique
from tests.support.refusals import refusal_code, refused_unchanged

from votes.db import network_queries
from votes.db.tables import (
    AssemblyStatus,
    AuditEntry,
    Membership,
    MembershipKind,
    MembershipStatus,
    NetworkMembership,
    Organisation,
)
from votes.services import accounts, assemblies, networks, organisations, proxies
from votes.services.actors import Actor, actor_for


@dataclass(frozen=True)
class Side:
    """An organisation, its administrator acting, and its other members' memberships."""

    organisation_id: int
    short_name: str
    admin: Actor
    members: tuple[int, ...]  # memberships
    people: tuple[int, ...]  # their persons


async def _side(prefix: str, *, is_network: bool = False, members: int = 2) -> Side:
    tag = unique(prefix)
    organisation_id = await organisations.create_organisation(
        f"{prefix} {tag}", tag.lower(), is_network=is_network
    )
    admin_person = await accounts.create_person(f"Admin {tag}", None, None)
    admin_id = await organisations.add_membership(organisation_id, admin_person, is_admin=True)
    people, memberships = [], []
    for number in range(members):
        person = await accounts.create_person(f"Member {number} {tag}", None, None)
        people.append(person)
        memberships.append(await organisations.add_membership(organisation_id, person))
    return Side(
        organisation_id,
        tag.lower(),
        await actor_for(organisation_id, admin_id),
        tuple(memberships),
        tuple(people),
    )


async def _joined(network: Side, *cooperatives: Side) -> None:
    for cooperative in cooperatives:
        await networks.invite(network.admin, cooperative.short_name)
        await networks.answer(cooperative.admin, network.organisation_id, accept=True)


async def _rows(network: Side) -> tuple[int, int, int]:
    """What a refusal must leave unchanged: the network's places, its memberships, its audit."""
    return (
        await NetworkMembership.count().where(NetworkMembership.network == network.organisation_id),
        await Membership.count().where(Membership.organisation == network.organisation_id),
        await AuditEntry.count().where(AuditEntry.organisation == network.organisation_id),
    )


async def _refused(network: Side, call: Awaitable[object]) -> str:
    return await refused_unchanged(call, lambda: _rows(network))


async def test_an_invitation_accepted_makes_a_member_cooperative() -> None:
    network, coop = await _side("Net", is_network=True), await _side("Coop")
    await networks.invite(network.admin, coop.short_name.upper())
    [place] = await network_queries.networks_of(coop.organisation_id)
    assert place.status == "invited"
    assert place.network_id == network.organisation_id
    await networks.answer(coop.admin, network.organisation_id, accept=True)
    [place] = await network_queries.cooperatives_of(network.organisation_id)
    assert (place.status, place.representation, place.registered) == ("member", "delegation", 0)
    actions = [
        row["action"]
        for row in await AuditEntry.select(AuditEntry.action).where(
            AuditEntry.organisation.is_in([network.organisation_id, coop.organisation_id])
        )
    ]
    assert sorted(actions) == ["network.invited", "network.joined"]


async def test_a_declined_invitation_can_be_sent_again() -> None:
    network, coop = await _side("Net", is_network=True), await _side("Coop")
    await networks.invite(network.admin, coop.short_name)
    await networks.answer(coop.admin, network.organisation_id, accept=False)
    declined = await network_queries.place(network.organisation_id, coop.organisation_id)
    assert declined is not None
    assert declined.status == "declined"
    await networks.invite(network.admin, coop.short_name)
    place = await network_queries.place(network.organisation_id, coop.organisation_id)
    assert place is not None
    assert place.status == "invited"


async def test_impossible_invitations_are_refused_and_write_nothing() -> None:
    network, coop = await _side("Net", is_network=True), await _side("Coop")
    other_network = await _side("Other", is_network=True)
    await networks.invite(network.admin, coop.short_name)
    assert await _refused(network, networks.invite(network.admin, coop.short_name)) == (
        "already_invited"
    )
    assert await _refused(network, networks.invite(network.admin, network.short_name)) == (
        "network_into_itself"
    )
    assert await _refused(network, networks.invite(network.admin, other_network.short_name)) == (
        "network_into_network"
    )
    assert await _refused(network, networks.invite(network.admin, "nobody-here-x")) == (
        "cooperative_unknown"
    )
    # an ordinary cooperative invites nobody
    assert await _refused(network, networks.invite(coop.admin, other_network.short_name)) == (
        "not_a_network"
    )


async def test_fixed_shares_must_add_up_to_a_hundred_percent() -> None:
    network = await _side("Net", is_network=True)
    first, second = await _side("Coop"), await _side("Coop")
    await _joined(network, first, second)
    fixed = {first.organisation_id: "60", second.organisation_id: "30"}
    assert await _refused(network, networks.set_sharing(network.admin, "fixed", fixed)) == (
        "shares_not_whole"
    )
    assert await _refused(network, networks.set_sharing(network.admin, "shares")) == (
        "sharing_unknown"
    )
    fixed[second.organisation_id] = "40"
    await networks.set_sharing(network.admin, "fixed", fixed)
    shares = {
        place.cooperative_id: place.share_basis_points
        for place in await network_queries.cooperatives_of(network.organisation_id)
    }
    assert shares == {first.organisation_id: 6000, second.organisation_id: 4000}
    settings = await network_queries.network_settings(network.organisation_id)
    assert settings.sharing == "fixed"
    await networks.set_sharing(network.admin, "members")
    assert (await network_queries.network_settings(network.organisation_id)).sharing == "members"


async def test_all_registers_every_active_member_with_the_network() -> None:
    network, coop = await _side("Net", is_network=True), await _side("Coop", members=3)
    await _joined(network, coop)
    suspended = coop.members[2]
    await Membership.update({Membership.status: MembershipStatus.SUSPENDED.value}).where(
        Membership.id == suspended
    )
    code = await _refused(network, networks.register_all(coop.admin, network.organisation_id))
    assert code == "representation_delegation"
    await networks.set_representation(coop.admin, network.organisation_id, "all")
    added, elsewhere = await networks.register_all(coop.admin, network.organisation_id)
    assert (added, elsewhere) == (3, 0)  # the admin and two members, not the suspended one
    rows = await Membership.select(
        Membership.membership_key, Membership.kind, Membership.delegated_by
    ).where(Membership.organisation == network.organisation_id)
    registered = {row["membership_key"] for row in rows if row["delegated_by"]}
    assert f"{network.organisation_id}:{coop.people[0]}" in registered
    assert f"{network.organisation_id}:{coop.people[2]}" not in registered
    assert {row["kind"] for row in rows if row["delegated_by"]} == {MembershipKind.MEMBER.value}
    # a second time registers nobody more
    assert await networks.register_all(coop.admin, network.organisation_id) == (0, 0)


async def _first_delegate_of_two() -> tuple[Side, Side, Side, int]:
    """A network joined by two cooperatives, the first having registered its first member:
    (network, first, second, that registration)."""
    network = await _side("Net", is_network=True)
    first, second = await _side("Coop"), await _side("Coop")
    await _joined(network, first, second)
    registration = await networks.register_delegate(
        first.admin, network.organisation_id, first.members[0]
    )
    return network, first, second, registration


async def test_a_delegation_registers_named_members_once_across_cooperatives() -> None:
    network, first, second, registration = await _first_delegate_of_two()
    [delegate] = await network_queries.delegation(network.organisation_id, first.organisation_id)
    assert delegate.id == registration
    assert delegate.person_id == first.people[0]
    # the same person is also a member of the second cooperative
    shared = await organisations.add_membership(second.organisation_id, first.people[0])
    code = await _refused(
        network, networks.register_delegate(second.admin, network.organisation_id, shared)
    )
    assert code == "registered_elsewhere"
    code = await _refused(
        network, networks.register_delegate(first.admin, network.organisation_id, first.members[0])
    )
    assert code == "already_registered"
    # another cooperative's member, forged into the form
    code = await _refused(
        network,
        networks.register_delegate(first.admin, network.organisation_id, second.members[1]),
    )
    assert code == "not_our_member"
    # unregistered, the person can be registered again (by either cooperative)
    await networks.unregister(first.admin, network.organisation_id, registration)
    assert await network_queries.delegation(network.organisation_id, first.organisation_id) == []
    await networks.register_delegate(second.admin, network.organisation_id, shared)
    [again] = await network_queries.delegation(network.organisation_id, second.organisation_id)
    assert again.id == registration  # the same membership of the network, now second's


async def test_a_cooperative_cannot_touch_another_cooperatives_delegation() -> None:
    network, _first, second, registration = await _first_delegate_of_two()
    code = await _refused(
        network, networks.unregister(second.admin, network.organisation_id, registration)
    )
    assert code == "not_found"


async def test_a_cooperative_outside_the_network_registers_nobody() -> None:
    network, invited = await _side("Net", is_network=True), await _side("Coop")
    await networks.invite(network.admin, invited.short_name)
    for call in (
        networks.register_delegate(invited.admin, network.organisation_id, invited.members[0]),
        networks.set_representation(invited.admin, network.organisation_id, "all"),
    ):
        assert await _refused(network, call) == "not_found"
    stranger = await _side("Coop")
    code = await _refused(
        network,
        networks.register_delegate(stranger.admin, network.organisation_id, stranger.members[0]),
    )
    assert code == "not_found"


async def test_ending_a_membership_takes_its_people_out_of_the_network() -> None:
    network, coop = await _side("Net", is_network=True), await _side("Coop")
    await _joined(network, coop)
    await networks.register_delegate(coop.admin, network.organisation_id, coop.members[0])
    await networks.end_membership(network.admin, coop.organisation_id)
    place = await network_queries.place(network.organisation_id, coop.organisation_id)
    assert place is not None
    assert (place.status, place.registered) == ("left", 0)
    code = await _refused(
        network, networks.register_delegate(coop.admin, network.organisation_id, coop.members[1])
    )
    assert code == "not_network_member"


async def test_only_an_active_administrator_acts() -> None:
    network, coop = await _side("Net", is_network=True), await _side("Coop")
    await _joined(network, coop)
    member = await actor_for(coop.organisation_id, coop.members[0])
    code = await _refused(
        network, networks.register_delegate(member, network.organisation_id, coop.members[0])
    )
    assert code == "admins_only"
    assert coop.admin.membership is not None
    await Membership.update({Membership.status: MembershipStatus.SUSPENDED.value}).where(
        Membership.id == coop.admin.membership.id
    )
    suspended = await actor_for(coop.organisation_id, coop.admin.membership.id)
    code = await _refused(
        network, networks.register_delegate(suspended, network.organisation_id, coop.members[0])
    )
    assert code == "admins_only"


async def test_an_instance_admin_creates_a_network() -> None:
    tag = unique("net").lower()
    organisation_id, _person, _new = await organisations.create_organisation_with_admin(
        name=f"Réseau {tag}",
        short_name=tag,
        legal_form="scop_sarl",
        default_language="fr",
        time_zone="Europe/Paris",
        admin_name="Ada",
        admin_email=f"{tag}@example.org",
        is_network=True,
    )
    row = await Organisation.select(Organisation.is_network).where(
        Organisation.id == organisation_id
    )
    assert row == [{"is_network": True}]


async def test_proxies_between_delegates_follow_the_networks_own_rules() -> None:
    """Nothing to build: delegates are members of the network, whose proxies feature and
    caps apply (the law's default: one proxy per holder below twenty members)."""
    network, coop = await _side("Net", is_network=True), await _side("Coop", members=3)
    await _joined(network, coop)
    for membership in coop.members:
        await networks.register_delegate(coop.admin, network.organisation_id, membership)
    first, second, third = await network_queries.delegation(
        network.organisation_id, coop.organisation_id
    )
    assembly_id = await assemblies.create_assembly(
        await actor_for(network.organisation_id),
        "Rencontre",
        datetime(2031, 6, 12, 14, tzinfo=UTC),
        status=AssemblyStatus.IN_SESSION,
    )
    system = await actor_for(network.organisation_id)
    await proxies.give_proxy(system, assembly_id, second.id, giver_id=first.id)
    attempt = proxies.give_proxy(system, assembly_id, second.id, giver_id=third.id)
    assert await refusal_code(attempt) == "holder_at_cap"
    # an unregistered delegate has no voice in the network any more
    await networks.unregister(coop.admin, network.organisation_id, third.id)
    attempt = proxies.give_proxy(system, assembly_id, first.id, giver_id=third.id)
    assert await refusal_code(attempt) == "giver_not_voter"
