"""Assemblies, their agendas, proposals with their versions, and deliberation threads."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Integer, LazyTableReference, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.core.rules import AssemblyKind, Convocation
from votes.db.tables.accounts import Organisation, Person
from votes.db.tables.base import SerialId, foreign_key

# the kinds governed by the general-assembly rules (check-in to vote, quorum, legal majorities,
# a convocation), in the order the rules pages list them; Jinja: ``kind is general_assembly``
GENERAL_ASSEMBLY_KINDS: tuple[str, ...] = (
    AssemblyKind.AGO.value,
    AssemblyKind.AGE.value,
    AssemblyKind.AGO_EXTRAORDINARY.value,
)


class AssemblyStatus(StrEnum):
    DRAFT = "draft"
    CONVENED = "convened"
    IN_SESSION = "in_session"
    CLOSED = "closed"


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_DEBATE = "under_debate"
    VOTING = "voting"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Stance(StrEnum):
    FOR = "for"
    AGAINST = "against"
    QUESTION = "question"
    REMARK = "remark"


class SubmissionRule(StrEnum):
    """Who may put a proposal on an assembly's agenda."""

    MEMBERS = "members"  # any member with voting rights
    FACILITATORS = "facilitators"  # facilitators and administrators only


class AmendmentKind(StrEnum):
    REPLACE = "replace"  # a passage becomes another text
    INSERT = "insert"  # a text is added after a passage
    DELETE = "delete"  # a passage is removed
    FULL = "full"  # the whole text is replaced (furthest from the original: voted first)


class AmendmentStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"  # taken into the text by the proposal's author
    REJECTED = "rejected"  # declined by the author or the facilitator
    VOTING = "voting"  # put to the vote
    ADOPTED = "adopted"  # adopted by a vote, then applied to the text
    WITHDRAWN = "withdrawn"  # by its own author


class SupportKind(StrEnum):
    COAUTHOR = "coauthor"  # may edit the proposal like its author
    SUPPORTER = "supporter"


class ReactionKind(StrEnum):
    AGREE = "agree"
    THANKS = "thanks"
    IMPORTANT = "important"


class Assembly(Table, SerialId):
    organisation = foreign_key(Organisation)
    title = Varchar(length=200)
    kind = Varchar(length=20, default=AssemblyKind.PLENARY.value)
    convocation = Varchar(length=10, default=Convocation.FIRST.value)
    starts_at = Timestamptz()
    place = Varchar(length=300, default="")
    remote_url = Varchar(length=500, default="")
    status = Varchar(length=12, default=AssemblyStatus.DRAFT.value)
    # the item under discussion; a plain id, not a foreign key, because agenda items already
    # reference their assembly and Piccolo cannot create tables that reference each other
    current_item_id = Integer(null=True, default=None)
    description = Text(default="")  # Markdown: the convocation's words, practical details
    submission_rule = Varchar(length=12, default=SubmissionRule.MEMBERS.value)
    submission_deadline = Timestamptz(null=True, default=None)  # None: until the assembly closes
    # the rules that will judge this assembly's ballots (quorum, majorities): chosen among the
    # general-assembly rule profiles ("default" unless another is chosen)
    rule_profile = Varchar(length=40, default="default")
    # the attendance register as it stood when the assembly closed (JSON, see
    # db/minutes_queries.frozen_register): the minutes read it, not the register of today
    closing_register = Text(null=True, default=None)
    # a session of a gathering (#20): its programme lists it by day, time and room
    gathering = foreign_key(
        LazyTableReference("Gathering", module_path="votes.db.tables.gatherings"), null=True
    )
    room = Varchar(length=100, default="")
    ends_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class AgendaItem(Table, SerialId):
    assembly = foreign_key(Assembly)
    position = Integer()
    title = Varchar(length=300)
    description = Text(default="")
    planned_minutes = Integer(default=0)


class Proposal(Table, SerialId):
    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    agenda_item = foreign_key(AgendaItem, null=True)
    title = Varchar(length=300)
    body = Text()  # Markdown, rendered through the sanitiser
    status = Varchar(length=14, default=ProposalStatus.DRAFT.value)
    author = foreign_key(Person)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ProposalVersion(Table, SerialId):
    """Every text a proposal ever had, so any two versions can be compared."""

    proposal = foreign_key(Proposal)
    version_key = Varchar(length=40, unique=True)  # "<proposal>:<number>"
    number = Integer()
    title = Varchar(length=300)
    body = Text()
    author = foreign_key(Person)
    note = Varchar(length=300, default="")  # what the editor says changed
    created_at = Timestamptz(default=TimestamptzNow())


class ProposalSupport(Table, SerialId):
    """Co-authors and supporters of a proposal: one row per person and proposal."""

    proposal = foreign_key(Proposal)
    person = foreign_key(Person)
    support_key = Varchar(length=40, unique=True)  # "<proposal>:<person>"
    kind = Varchar(length=10, default=SupportKind.SUPPORTER.value)
    created_at = Timestamptz(default=TimestamptzNow())


class Amendment(Table, SerialId):
    """A proposed change to a proposal's text, written against one of its versions."""

    organisation = foreign_key(Organisation)
    proposal = foreign_key(Proposal)
    number = Integer()  # 1, 2, 3… within the proposal
    amendment_key = Varchar(length=40, unique=True)  # "<proposal>:<number>"
    author = foreign_key(Person)
    kind = Varchar(length=10, default=AmendmentKind.REPLACE.value)
    passage = Text(default="")  # the passage replaced, deleted or inserted after ("" for full)
    text = Text(default="")  # the new words ("" for a deletion; the whole text for full)
    reason = Text(default="")  # the author's explanation (exposé des motifs), Markdown
    base_version = Integer()  # the proposal version the amendment was written against
    status = Varchar(length=10, default=AmendmentStatus.SUBMITTED.value)
    decided_by = foreign_key(Person, null=True)
    decided_at = Timestamptz(null=True, default=None)
    # the ballot it was put to; a plain id because ballots live in a module that imports this one
    ballot_id = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Thread(Table, SerialId):
    """The deliberation about one proposal or one agenda item (exactly one of the two)."""

    organisation = foreign_key(Organisation)
    thread_key = Varchar(length=40, unique=True)  # "proposal:<id>" or "item:<id>"
    proposal = foreign_key(Proposal, null=True)
    agenda_item = foreign_key(AgendaItem, null=True)
    closed_at = Timestamptz(null=True, default=None)
    closed_by = foreign_key(Person, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Contribution(Table, SerialId):
    """One message in a thread. Hidden contributions stay, with who hid them and why."""

    organisation = foreign_key(Organisation)
    thread = foreign_key(Thread)
    parent = foreign_key(LazyTableReference("Contribution", module_path=__name__), null=True)
    author = foreign_key(Person)
    stance = Varchar(length=10, default=Stance.REMARK.value)
    body = Text()  # Markdown, rendered through the sanitiser
    created_at = Timestamptz(default=TimestamptzNow())
    edited_at = Timestamptz(null=True, default=None)
    hidden_reason = Varchar(length=300, null=True, default=None)
    hidden_by = foreign_key(Person, null=True)
    hidden_at = Timestamptz(null=True, default=None)


class Reaction(Table, SerialId):
    """A simple reaction to a contribution: one of each kind per person."""

    contribution = foreign_key(Contribution)
    person = foreign_key(Person)
    reaction_key = Varchar(length=60, unique=True)  # "<contribution>:<person>:<kind>"
    kind = Varchar(length=10)
