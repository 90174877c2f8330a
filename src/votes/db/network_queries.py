"""Reads of networks (#20): a network's member cooperatives, a cooperative's networks and the
people it registered with each. Every read is scoped: a network reads its own places and the
people registered with it (memberships of the network); a cooperative reads its own places
and its own delegation, never another cooperative's nor another organisation's register."""

from __future__ import annotations

from dataclasses import dataclass

from votes.db.engine import read_raw
from votes.db.queries import view_of
from votes.db.tables import (
    Membership,
    MembershipKind,
    MembershipStatus,
    NetworkMembership,
    NetworkStatus,
    Organisation,
)


async def is_network(organisation_id: int) -> bool:
    """Whether the organisation is a network of cooperatives."""
    return bool(
        await Organisation.exists().where(
            (Organisation.id == organisation_id) & (Organisation.is_network.eq(True))
        )
    )


def network_key(network_id: int, cooperative_id: int) -> str:
    return f"{network_id}:{cooperative_id}"


@dataclass(frozen=True, slots=True)
class NetworkSettings:
    is_network: bool
    sharing: str  # votes.core.network.Sharing


@dataclass(frozen=True, slots=True)
class Place:
    """One cooperative's place in one network, as either side sees it."""

    id: int
    network_id: int
    network_name: str
    cooperative_id: int
    cooperative_name: str
    cooperative_short_name: str
    status: str  # votes.db.tables.NetworkStatus
    representation: str  # votes.db.tables.Representation
    share_basis_points: int
    registered: int  # the people the cooperative registered with the network, active

    @property
    def share_percent(self) -> float:
        """For display only (the count uses the exact basis points)."""
        return self.share_basis_points / 100


@dataclass(frozen=True, slots=True)
class Delegate:
    """A person a cooperative registered with a network (a membership of the network)."""

    id: int  # the membership of the network
    person_id: int
    name: str


async def network_settings(organisation_id: int) -> NetworkSettings:
    row = (
        await Organisation.select(Organisation.is_network, Organisation.network_sharing)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if row is None:
        return NetworkSettings(False, "equal")
    return NetworkSettings(bool(row["is_network"]), str(row["network_sharing"]))


_PLACES_SQL = (
    'SELECT nm.id AS "id", nm.network AS "network_id", n.name AS "network_name", '
    'nm.cooperative AS "cooperative_id", c.name AS "cooperative_name", '
    'c.short_name AS "cooperative_short_name", nm.status AS "status", '
    'nm.representation AS "representation", nm.share_basis_points AS "share_basis_points", '
    "(SELECT COUNT(*) FROM membership m WHERE m.organisation = nm.network "
    'AND m.delegated_by = nm.cooperative AND m.status = {}) AS "registered" '
    "FROM network_membership nm JOIN organisation n ON n.id = nm.network "
    "JOIN organisation c ON c.id = nm.cooperative WHERE "
)


async def _places(where_ordered: str, organisation_id: int) -> list[Place]:
    rows = await read_raw(
        NetworkMembership,
        _PLACES_SQL + where_ordered,
        MembershipStatus.ACTIVE.value,
        organisation_id,
    )
    return [view_of(Place, row) for row in rows]


async def cooperatives_of(network_id: int) -> list[Place]:
    """The network's cooperatives, invited, members, or gone, by name."""
    return await _places("nm.network = {} ORDER BY c.name, nm.id", network_id)


async def networks_of(cooperative_id: int) -> list[Place]:
    """The cooperative's places in networks (invitations included), by network name."""
    return await _places("nm.cooperative = {} ORDER BY n.name, nm.id", cooperative_id)


async def place(network_id: int, cooperative_id: int) -> Place | None:
    """The cooperative's place in the network, if it was ever invited."""
    rows = await read_raw(
        NetworkMembership,
        _PLACES_SQL + "nm.network_key = {}",
        MembershipStatus.ACTIVE.value,
        network_key(network_id, cooperative_id),
    )
    return view_of(Place, rows[0]) if rows else None


async def delegation(network_id: int, cooperative_id: int) -> list[Delegate]:
    """The people the cooperative registered with the network (active), by name."""
    rows = (
        await Membership.select(Membership.id, Membership.person.id, Membership.person.name)
        .where(
            (Membership.organisation == network_id)
            & (Membership.delegated_by == cooperative_id)
            & (Membership.status == MembershipStatus.ACTIVE.value)
        )
        .order_by(Membership.person.name)
    )
    return [Delegate(int(r["id"]), int(r["person.id"]), str(r["person.name"])) for r in rows]


async def registrable(cooperative_id: int) -> list[Delegate]:
    """The cooperative's own active members with voting rights: the people it may register
    (``id`` is their membership of the cooperative)."""
    rows = (
        await Membership.select(Membership.id, Membership.person.id, Membership.person.name)
        .where(
            (Membership.organisation == cooperative_id)
            & (Membership.status == MembershipStatus.ACTIVE.value)
            & (Membership.kind == MembershipKind.MEMBER.value)
        )
        .order_by(Membership.person.name)
    )
    return [Delegate(int(r["id"]), int(r["person.id"]), str(r["person.name"])) for r in rows]


async def member_of(network_id: int, cooperative_id: int) -> bool:
    """Whether the cooperative is a member of the network now."""
    return bool(
        await NetworkMembership.exists().where(
            (NetworkMembership.network_key == network_key(network_id, cooperative_id))
            & (NetworkMembership.status == NetworkStatus.MEMBER.value)
        )
    )


@dataclass(frozen=True, slots=True)
class NetworkPlace:
    """What an organisation's navigation says of networks: whether it is a network, and
    whether it is a member cooperative of one now."""

    is_network: bool = False
    in_network: bool = False


async def network_place(organisation_id: int) -> NetworkPlace:
    if (await network_settings(organisation_id)).is_network:
        return NetworkPlace(is_network=True)
    member = await NetworkMembership.exists().where(
        (NetworkMembership.cooperative == organisation_id)
        & (NetworkMembership.status == NetworkStatus.MEMBER.value)
    )
    return NetworkPlace(in_network=bool(member))
