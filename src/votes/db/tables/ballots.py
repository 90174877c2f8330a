"""Ballots, their options, and votes stored as a participation register and separate papers."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import UUID, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.accounts import Membership, Organisation
from votes.db.tables.assemblies import AgendaItem, Assembly, Proposal
from votes.db.tables.base import CompositeIndex, SerialId, foreign_key


class BallotStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class ConsentPhase(StrEnum):
    NONE = ""  # every method but consent: votes are taken as soon as the ballot opens
    QUESTIONS = "questions"  # clarifying questions, spoken in the room
    REACTIONS = "reactions"  # each one's reaction, spoken in the room
    CONSENT = "consent"  # the consent round: responses are taken


class Ballot(Table, SerialId):
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
    allow_change = Boolean(default=False)  # a voter may change their vote until the close
    duration_seconds = Integer(null=True, default=None)  # countdown length, if any
    closes_at = Timestamptz(null=True, default=None)  # set at open from the countdown
    opened_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="")
    # consent run as facilitated rounds: the phase of the current round, and its number
    phase = Varchar(length=12, default=ConsentPhase.NONE.value)
    round = Integer(default=1)
    earlier_rounds = Text(default="[]")  # JSON list of earlier rounds (result and amendment)
    # counts frozen at open and at close; present/represented come from the attendance register
    eligible_at_open = Integer(null=True, default=None)
    eligible_at_close = Integer(null=True, default=None)
    present_at_open = Integer(null=True, default=None)
    present_at_close = Integer(null=True, default=None)
    represented_at_open = Integer(null=True, default=None)
    represented_at_close = Integer(null=True, default=None)
    result = Text(null=True, default=None)  # TallyResult JSON, stored at close
    # how the general-assembly rules judged it: the profile's rule with its source, the
    # quorum, proxies and colleges as counted (JSON; frozen at open, completed at close)
    rule_snapshot = Text(null=True, default=None)
    # which groups each paper is tagged with for weighting ("", "college", "category"),
    # fixed at open from the profile: papers carry nothing more than the count needs
    weight_groups = Varchar(length=20, default="")


class BallotOption(Table, SerialId):
    ballot = foreign_key(Ballot)
    position = Integer()
    key = Varchar(length=40)  # the candidate id given to the tally core
    label = Varchar(length=300)


def participation_key(ballot_id: int, membership_id: int, round_: int) -> str:
    """What makes a vote unique: one per member, ballot and round (see Participation)."""
    base = f"{ballot_id}:{membership_id}"
    return base if round_ == 1 else f"{base}:{round_}"


class Participation(Table, SerialId):
    """Who has voted on a ballot: the register. It says nothing about what they chose."""

    ballot = foreign_key(Ballot)
    membership = foreign_key(Membership)
    # "<ballot>:<membership>" (":<round>" after a consent round is rerun): one vote each
    participation_key = Varchar(length=40, unique=True)
    round = Integer(default=1)
    # hash of the vote form's one-time token: a retried submission is recognised and answered
    # with the same confirmation (the receipt code is derived from the token, never stored)
    submission_hash = Varchar(length=64, default="")
    voted_at = Timestamptz(default=TimestamptzNow())


class BallotPaper(Table):
    """What was chosen. For secret ballots nothing here leads back to a voter: a random id
    (no sequence revealing order), no voter, no time; only a hash of the voter's receipt code."""

    id = UUID(primary_key=True)
    ballot = foreign_key(Ballot)
    voter = foreign_key(Membership, null=True)  # public (roll-call) ballots only
    round = Integer(default=1)
    content = Text()  # JSON of the ballot in the tally core's shape
    receipt_hash = Varchar(length=64, unique=True)
    # the voter's college or category when the ballot is weighted by them (see Ballot.
    # weight_groups), e.g. "college:3"; empty otherwise
    weight_group = Varchar(length=120, default="")
    # hash of the change code bound to the ballot and the voter (see services.ballots.
    # change_hash): only that voter, holding that code, may change the paper
    change_hash = Varchar(length=64, default="")


class PaperCount(Table, SerialId):
    """Votes counted in the room (paper or show of hands) by a scrutineer, merged with the
    electronic ones at the close. One row per ballot and round, replaced when corrected."""

    ballot = foreign_key(Ballot)
    count_key = Varchar(length=40, unique=True)  # "<ballot>:<round>"
    counts = Text(default="{}")  # JSON: option key -> number of votes
    blank = Integer(default=0)
    invalid = Integer(default=0)
    cast = Integer(default=0)  # papers handed in: valid + blank + invalid
    entered_by = foreign_key(Membership)
    entered_at = Timestamptz(default=TimestamptzNow())


# created by migrations/votes_2026_11_27t14_30_00_000000.py and …t15_00_00_000000.py
COMPOSITE_INDEXES = (
    # turnout and the integrity check count a ballot's votes per round
    CompositeIndex("participation_ballot_round", "participation", ("ballot", "round")),
    # the deadline sweeper looks for open ballots past their closing time
    CompositeIndex("ballot_status_closes_at", "ballot", ("status", "closes_at")),
)
