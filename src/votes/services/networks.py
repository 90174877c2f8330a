"""Networks of cooperatives (#20): a network's admins invite cooperatives, each cooperative's
admins answer, choose who represents it (all its members, or a delegation) and register those
people with the network.

Two sides, each acting inside its own organisation: the network's admins act as members of
the network (invite, set the sharing rule, end a membership), a cooperative's admins as members
of the cooperative (answer, choose the representation, register and unregister people). Neither
reads the other's register: a registration is a membership of the network for the same person
(``delegated_by`` the cooperative), and only active members of the acting cooperative can be
registered. Each act is recorded in the audit chain of the organisation whose admin acted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from votes.core.network import Sharing
from votes.core.results import TallyError
from votes.core.weighting import check_college_weights
from votes.db.engine import insert_row, write_transaction
from votes.db.network_queries import is_network, network_key
from votes.db.tables import (
    Membership,
    MembershipKind,
    MembershipStatus,
    NetworkMembership,
    NetworkStatus,
    Organisation,
    Representation,
)
from votes.services import audit
from votes.services.actors import Actor, may_administer, require
from votes.services.organisations import parse_percentage
from votes.services.refusals import Refused


async def seed_member_cooperative(network_id: int, cooperative_id: int, **columns: Any) -> None:
    """Seeding (the demo, tests, benchmarks), like :func:`organisations.add_membership`: the
    cooperative is a member of the network, as if it had accepted an invitation (``columns``:
    its representation, share, dates); no actor, nothing audited."""
    await NetworkMembership.insert(
        NetworkMembership(
            network=network_id,
            cooperative=cooperative_id,
            network_key=network_key(network_id, cooperative_id),
            status=NetworkStatus.MEMBER.value,
            **columns,
        )
    )


async def _require_network_admin(actor: Actor) -> None:
    require(may_administer, actor)
    if not await is_network(actor.organisation_id):
        raise Refused("not_a_network")


def _now() -> datetime:
    return datetime.now(UTC)


# -- the network's side ------------------------------------------------------------------------


async def invite(actor: Actor, short_name: str) -> int:
    """The network invites the cooperative named ``short_name``; return its place's id.
    A cooperative that declined or left may be invited again."""
    short_name = short_name.strip().lower()
    if not short_name:
        raise Refused("cooperative_required", field="cooperative")
    network_id = actor.organisation_id
    async with write_transaction(NetworkMembership._meta.db):
        await _require_network_admin(actor)
        target = (
            await Organisation.select(Organisation.id, Organisation.is_network)
            .where(Organisation.short_name == short_name)
            .first()
        )
        if target is None:
            raise Refused("cooperative_unknown", field="cooperative")
        cooperative_id = int(target["id"])
        if cooperative_id == network_id:
            raise Refused("network_into_itself", field="cooperative")
        if target["is_network"]:
            raise Refused("network_into_network", field="cooperative")
        key = network_key(network_id, cooperative_id)
        found = (
            await NetworkMembership.select(NetworkMembership.id, NetworkMembership.status)
            .where(NetworkMembership.network_key == key)
            .first()
        )
        if found is not None and found["status"] in (
            NetworkStatus.INVITED.value,
            NetworkStatus.MEMBER.value,
        ):
            raise Refused("already_invited", field="cooperative")
        if found is None:
            place_id = await insert_row(
                NetworkMembership(
                    network=network_id,
                    cooperative=cooperative_id,
                    network_key=key,
                    status=NetworkStatus.INVITED.value,
                )
            )
        else:
            place_id = int(found["id"])
            await NetworkMembership.update(
                {
                    NetworkMembership.status: NetworkStatus.INVITED.value,
                    NetworkMembership.invited_at: _now(),
                    NetworkMembership.answered_at: None,
                }
            ).where(NetworkMembership.id == place_id)
        await audit.record_act(
            actor, "network.invited", f"cooperative:{cooperative_id}", {"place": place_id}
        )
    return place_id


async def end_membership(actor: Actor, cooperative_id: int) -> None:
    """The network ends a cooperative's place (or withdraws its invitation): it has left, and
    the people it registered leave the network with it."""
    network_id = actor.organisation_id
    async with write_transaction(NetworkMembership._meta.db):
        await _require_network_admin(actor)
        found = await _place_row(network_id, cooperative_id)
        if found is None or found["status"] not in (
            NetworkStatus.INVITED.value,
            NetworkStatus.MEMBER.value,
        ):
            raise Refused("not_found")
        await NetworkMembership.update({NetworkMembership.status: NetworkStatus.LEFT.value}).where(
            NetworkMembership.id == found["id"]
        )
        await Membership.update(
            {Membership.status: MembershipStatus.LEFT.value, Membership.status_since: _now()}
        ).where(
            (Membership.organisation == network_id)
            & (Membership.delegated_by == cooperative_id)
            & (Membership.status != MembershipStatus.LEFT.value)
        )
        await audit.record_act(actor, "network.ended", f"cooperative:{cooperative_id}")


async def set_sharing(actor: Actor, sharing: str, fixed: dict[int, str] | None = None) -> None:
    """The network's rule for sharing a decision between its cooperatives. With fixed shares,
    ``fixed`` gives each member cooperative's share as typed (a percentage, e.g. "33,33");
    they must add up to 100 %."""
    if sharing not in {rule.value for rule in Sharing}:
        raise Refused("sharing_unknown", field="sharing")
    network_id = actor.organisation_id
    async with write_transaction(Organisation._meta.db):
        await _require_network_admin(actor)
        names = {
            int(row["cooperative"]): str(row["cooperative.name"])
            for row in await NetworkMembership.select(
                NetworkMembership.cooperative, NetworkMembership.cooperative.name
            ).where(
                (NetworkMembership.network == network_id)
                & (NetworkMembership.status == NetworkStatus.MEMBER.value)
            )
        }
        members = list(names)
        shares: dict[int, int] = {}
        if sharing == Sharing.FIXED.value:
            given = fixed or {}
            if set(given) - set(members):
                raise Refused("not_found")
            if not members:
                raise Refused("shares_without_members", field="shares")
            shares = {
                cooperative: parse_percentage(given.get(cooperative, "")) for cooperative in members
            }
            try:
                check_college_weights(
                    {str(name): f"{points}/10000" for name, points in shares.items()}
                )
            except TallyError:
                raise Refused("shares_not_whole", field="shares") from None
        await Organisation.update({Organisation.network_sharing: sharing}).where(
            Organisation.id == network_id
        )
        for cooperative in members:
            await NetworkMembership.update(
                {NetworkMembership.share_basis_points: shares.get(cooperative, 0)}
            ).where(NetworkMembership.network_key == network_key(network_id, cooperative))
        details: dict[str, Any] = {"sharing": sharing}
        if shares:
            # each cooperative by its name at the time, its share in basis points
            details["shares"] = {names[k]: v for k, v in sorted(shares.items())}
        await audit.record_act(actor, "network.sharing_set", f"network:{network_id}", details)


# -- the cooperative's side --------------------------------------------------------------------


async def _place_row(network_id: int, cooperative_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await NetworkMembership.select(
            NetworkMembership.id, NetworkMembership.status, NetworkMembership.representation
        )
        .where(NetworkMembership.network_key == network_key(network_id, cooperative_id))
        .first()
    )
    return row


async def answer(actor: Actor, network_id: int, *, accept: bool) -> None:
    """The cooperative accepts or declines the network's invitation."""
    require(may_administer, actor)
    cooperative_id = actor.organisation_id
    async with write_transaction(NetworkMembership._meta.db):
        found = await _place_row(network_id, cooperative_id)
        if found is None:
            raise Refused("not_found")
        if found["status"] != NetworkStatus.INVITED.value:
            raise Refused("invitation_answered")
        status = NetworkStatus.MEMBER if accept else NetworkStatus.DECLINED
        await NetworkMembership.update(
            {NetworkMembership.status: status.value, NetworkMembership.answered_at: _now()}
        ).where(NetworkMembership.id == found["id"])
        await audit.record_act(
            actor,
            "network.joined" if accept else "network.declined",
            f"network:{network_id}",
        )


async def _require_member(actor: Actor, network_id: int) -> dict[str, Any]:
    """The acting cooperative's place in the network, which it must be a member of."""
    require(may_administer, actor)
    found = await _place_row(network_id, actor.organisation_id)
    if found is None or found["status"] == NetworkStatus.INVITED.value:
        raise Refused("not_found")
    if found["status"] != NetworkStatus.MEMBER.value:
        raise Refused("not_network_member")
    return found


async def set_representation(actor: Actor, network_id: int, representation: str) -> None:
    """Who represents the cooperative in the network: all its members, or a delegation."""
    if representation not in {choice.value for choice in Representation}:
        raise Refused("representation_unknown", field="representation")
    async with write_transaction(NetworkMembership._meta.db):
        found = await _require_member(actor, network_id)
        await NetworkMembership.update({NetworkMembership.representation: representation}).where(
            NetworkMembership.id == found["id"]
        )
        await audit.record_act(
            actor,
            "network.representation_set",
            f"network:{network_id}",
            {"representation": representation},
        )


async def _register(actor: Actor, network_id: int, person_id: int) -> int:
    """Register the cooperative's member ``person_id`` with the network (inside the caller's
    transaction); return the membership of the network."""
    cooperative_id = actor.organisation_id
    key = f"{network_id}:{person_id}"
    found = (
        await Membership.select(Membership.id, Membership.status, Membership.delegated_by)
        .where(Membership.membership_key == key)
        .first()
    )
    if found is None:
        return await insert_row(
            Membership(
                organisation=network_id,
                person=person_id,
                membership_key=key,
                kind=MembershipKind.MEMBER.value,
                delegated_by=cooperative_id,
            )
        )
    if found["status"] != MembershipStatus.LEFT.value:
        if found["delegated_by"] == cooperative_id:
            raise Refused("already_registered", field="member")
        # through another cooperative, or in the network in their own name: the network's
        # register decides, never one cooperative over another
        raise Refused("registered_elsewhere", field="member")
    await Membership.update(
        {
            Membership.status: MembershipStatus.ACTIVE.value,
            Membership.status_since: _now(),
            Membership.kind: MembershipKind.MEMBER.value,
            Membership.delegated_by: cooperative_id,
            Membership.is_admin: False,
            Membership.is_facilitator: False,
            Membership.is_scrutineer: False,
        }
    ).where(Membership.id == found["id"])
    return int(found["id"])


async def register_delegate(actor: Actor, network_id: int, membership_id: int) -> int:
    """Register one of the cooperative's active members (``membership_id``: their membership
    of the cooperative) with the network; return their membership of the network."""
    cooperative_id = actor.organisation_id
    async with write_transaction(Membership._meta.db):
        await _require_member(actor, network_id)
        ours = (
            await Membership.select(Membership.person)
            .where(
                (Membership.id == membership_id)
                & (Membership.organisation == cooperative_id)
                & (Membership.status == MembershipStatus.ACTIVE.value)
                & (Membership.kind == MembershipKind.MEMBER.value)
            )
            .first()
        )
        if ours is None:
            raise Refused("not_our_member", field="member")
        registered = await _register(actor, network_id, int(ours["person"]))
        await audit.record_act(
            actor,
            "network.registered",
            f"network:{network_id}",
            {"member": membership_id},
        )
    return registered


async def register_all(actor: Actor, network_id: int) -> tuple[int, int]:
    """Register every active member of the cooperative with the network (those already
    registered by it are left as they are). Return (newly registered, left out because they
    are in the network through another cooperative or in their own name)."""
    cooperative_id = actor.organisation_id
    added = elsewhere = 0
    async with write_transaction(Membership._meta.db):
        found = await _require_member(actor, network_id)
        if found["representation"] != Representation.ALL.value:
            raise Refused("representation_delegation")
        people = await Membership.select(Membership.person).where(
            (Membership.organisation == cooperative_id)
            & (Membership.status == MembershipStatus.ACTIVE.value)
            & (Membership.kind == MembershipKind.MEMBER.value)
        )
        for row in people:
            try:
                await _register(actor, network_id, int(row["person"]))
            except Refused as refusal:
                elsewhere += refusal.code == "registered_elsewhere"
                continue
            added += 1
        await audit.record_act(
            actor,
            "network.registered_all",
            f"network:{network_id}",
            {"added": added, "elsewhere": elsewhere},
        )
    return added, elsewhere


async def unregister(actor: Actor, network_id: int, network_membership_id: int) -> None:
    """The person the cooperative registered (``network_membership_id``: their membership of
    the network) leaves the network."""
    cooperative_id = actor.organisation_id
    async with write_transaction(Membership._meta.db):
        await _require_member(actor, network_id)
        updated = (
            await Membership.update(
                {Membership.status: MembershipStatus.LEFT.value, Membership.status_since: _now()}
            )
            .where(
                (Membership.id == network_membership_id)
                & (Membership.organisation == network_id)
                & (Membership.delegated_by == cooperative_id)
                & (Membership.status != MembershipStatus.LEFT.value)
            )
            .returning(Membership.id)
        )
        if not updated:
            raise Refused("not_found")
        await audit.record_act(
            actor,
            "network.unregistered",
            f"network:{network_id}",
            {"registration": network_membership_id},
        )
