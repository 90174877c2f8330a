"""Consultations of member cooperatives (#20): a network sends one of its proposals to each
member cooperative, which debates and votes on its own copy under its own rules, then returns
only its verdict and the figures of its published ballot. The network never reads the copy,
its ballot or its votes: this row is all it sees of the cooperative's decision."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.accounts import Organisation, Person
from votes.db.tables.assemblies import Proposal
from votes.db.tables.base import SerialId, foreign_key


class ConsultationStatus(StrEnum):
    SENT = "sent"  # the cooperative has it; it has not answered yet
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"  # the network took it back before the answer


class ConsultationVerdict(StrEnum):
    """What the cooperative decided under its own rules ("" while it has not answered)."""

    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_DECISION = "no_decision"  # no quorum, blocked, or an abstention


class Consultation(Table, SerialId):
    """One member cooperative's copy of one network proposal, and its answer."""

    network = foreign_key(Organisation)
    network_proposal = foreign_key(Proposal)
    cooperative = foreign_key(Organisation)
    consultation_key = Varchar(length=40, unique=True)  # "<network proposal>:<cooperative>"
    # the proposal created in the assembly the cooperative chose (None until it chooses)
    copy_proposal = foreign_key(Proposal, null=True)
    status = Varchar(length=10, default=ConsultationStatus.SENT.value)
    verdict = Varchar(length=12, default="")
    # the figures of the cooperative's published ballot, confirmed by its administrator
    votes_for = Integer(default=0)
    votes_against = Integer(default=0)
    abstentions = Integer(default=0)
    voters = Integer(default=0)
    sent_by = foreign_key(Person)
    sent_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)
    answered_by = foreign_key(Person, null=True)
