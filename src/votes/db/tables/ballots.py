"""Ballots, their options, and votes stored as a participation register and separate papers."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import UUID, Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from votes.db.tables.accounts import Membership, Organisation
from votes.db.tables.assemblies import AgendaItem, Assembly, Proposal
from votes.db.tables.base import foreign_key


class BallotStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Ballot(Table):
    id: Serial  # added by Piccolo; declared for type checkers
    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    agenda_item = foreign_key(AgendaItem, null=True)
    proposal = foreign_key(Proposal, null=True)
    question = Varchar(length=300)
    method = Varchar(length=20)  # a votes.core method name
    seats = Integer(default=1)
    secret = Boolean(default=False)
    is_test = Boolean(default=False)
    rules = Text(default="{}")  # JSON: the method's options (threshold, base, quorum, seed…)
    status = Varchar(length=10, default=BallotStatus.DRAFT.value)
    opened_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    result = Text(null=True, default=None)  # TallyResult JSON, stored at close


class BallotOption(Table):
    id: Serial  # added by Piccolo; declared for type checkers
    ballot = foreign_key(Ballot)
    position = Integer()
    key = Varchar(length=40)  # the candidate id given to the tally core
    label = Varchar(length=300)


class Participation(Table):
    """Who has voted on a ballot: the register. It says nothing about what they chose."""

    id: Serial  # added by Piccolo; declared for type checkers
    ballot = foreign_key(Ballot)
    membership = foreign_key(Membership)
    participation_key = Varchar(length=40, unique=True)  # "<ballot>:<membership>": one vote each


class BallotPaper(Table):
    """What was chosen. For secret ballots nothing here leads back to a voter: a random id
    (no sequence revealing order), no voter, no time; only a hash of the voter's receipt code."""

    id = UUID(primary_key=True)
    ballot = foreign_key(Ballot)
    voter = foreign_key(Membership, null=True)  # public (roll-call) ballots only
    content = Text()  # JSON of the ballot in the tally core's shape
    receipt_hash = Varchar(length=64, unique=True)
