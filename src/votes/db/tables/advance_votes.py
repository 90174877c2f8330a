"""Votes by correspondence: who answered each resolution before the assembly, and what.

Stored like a room vote in two tables with nothing that joins them for a reader of the
database: ``AdvanceParticipation`` (who, through which channel, entered by whom) and
``AdvancePaper`` (what). Until the ballot's close a paper carries a keyed tag of its ballot and
voter, derived from the instance's secret key that the database never holds (the outer envelope
of a postal vote): the member's later answer replaces the earlier one, and the close can leave
out the forms of members the room replaces. The close opens the envelopes: it erases the tags
and writes the papers again with new random ids, in random order.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import UUID, Boolean, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.accounts import Membership, Organisation
from votes.db.tables.assemblies import Assembly
from votes.db.tables.ballots import Ballot
from votes.db.tables.base import SerialId, foreign_key


class AdvanceChannel(StrEnum):
    ONLINE = "online"  # the member's own form, online
    PAPER = "paper"  # a paper form entered by a scrutineer


class AdvanceStatus(StrEnum):
    COUNTED = "counted"  # counts at the close
    PENDING = "pending"  # a paper form awaiting a second scrutineer (dual control)
    WITHDRAWN = "withdrawn"  # its voter came and the room replaced it (left out at the close)


def advance_key(ballot_id: int, membership_id: int) -> str:
    """What makes an answer by correspondence unique: one per member and ballot."""
    return f"{ballot_id}:{membership_id}"


class AdvanceParticipation(Table, SerialId):
    """A member answered a resolution by correspondence: the register, not the answer."""

    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    ballot = foreign_key(Ballot)
    membership = foreign_key(Membership)
    advance_key = Varchar(length=40, unique=True)  # advance_key(): one each
    channel = Varchar(length=10, default=AdvanceChannel.ONLINE.value)
    status = Varchar(length=10, default=AdvanceStatus.COUNTED.value)
    # the profile says the advance vote stands when its voter comes: the room takes no
    # second vote from them on this ballot (read by every room vote: no JSON to parse there)
    stands = Boolean(default=True)
    # moved to the fresh ballot of a secret resolution reopened afresh: the same resolution
    carried = Boolean(default=False)
    entered_by = foreign_key(Membership, null=True)  # the scrutineer who typed a paper form
    confirmed_by = foreign_key(Membership, null=True)  # the second one, under dual control
    answered_at = Timestamptz(default=TimestamptzNow())


class AdvancePaper(Table):
    """What a postal voter answered. No voter on a secret ballot, no time, a random id."""

    id = UUID(primary_key=True)
    ballot = foreign_key(Ballot)
    voter = foreign_key(Membership, null=True)  # public (roll-call) ballots only
    answer = Varchar(length=10)  # yes, no, abstain
    weight_group = Varchar(length=120, default="")
    # keyed tag of (ballot, voter) while the envelope is closed; "" once the close opened it
    tag = Varchar(length=64, default="", index=True)
