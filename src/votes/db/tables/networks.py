"""Networks (#20): an organisation whose members are cooperatives, each of which decides who
represents it. The network never reads a member cooperative's register: it sees only the people
the cooperative registered with it (memberships of the network carrying ``delegated_by``)."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.accounts import Organisation
from votes.db.tables.base import SerialId, foreign_key


class NetworkStatus(StrEnum):
    INVITED = "invited"  # the network's admins asked; the cooperative's admins have not answered
    MEMBER = "member"
    DECLINED = "declined"
    LEFT = "left"


class Representation(StrEnum):
    """Who speaks for a member cooperative in the network, chosen by its own admins."""

    ALL = "all"  # every active member it has registered with the network
    DELEGATION = "delegation"  # the delegates it named (each may hold proxies within the caps)


class NetworkMembership(Table, SerialId):
    """A cooperative's place in a network, from the invitation on."""

    network = foreign_key(Organisation)
    cooperative = foreign_key(Organisation)
    network_key = Varchar(length=40, unique=True)  # "<network>:<cooperative>"
    status = Varchar(length=10, default=NetworkStatus.INVITED.value)
    representation = Varchar(length=12, default=Representation.DELEGATION.value)
    # the cooperative's share of a decision when the network's rules fix them (basis points,
    # 1/10,000, exact); 0 while not fixed
    share_basis_points = Integer(default=0)
    invited_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)
