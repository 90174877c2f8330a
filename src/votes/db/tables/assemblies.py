"""Assemblies, their agendas, proposals with their versions, and deliberation threads."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Integer, LazyTableReference, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.accounts import Organisation, Person
from votes.db.tables.base import foreign_key


class AssemblyKind(StrEnum):
    AGO = "ago"
    AGE = "age"
    AGO_EXTRAORDINARY = "ago_extraordinary"
    PLENARY = "plenary"
    OTHER = "other"


class Convocation(StrEnum):
    FIRST = "first"
    SECOND = "second"


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


class Assembly(Table):
    id: Serial  # added by Piccolo; declared for type checkers
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
    created_at = Timestamptz(default=TimestamptzNow())


class AgendaItem(Table):
    id: Serial  # added by Piccolo; declared for type checkers
    assembly = foreign_key(Assembly)
    position = Integer()
    title = Varchar(length=300)
    description = Text(default="")
    planned_minutes = Integer(default=0)


class Proposal(Table):
    id: Serial  # added by Piccolo; declared for type checkers
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


class ProposalVersion(Table):
    """Every text a proposal ever had, so any two versions can be compared."""

    id: Serial  # added by Piccolo; declared for type checkers
    proposal = foreign_key(Proposal)
    version_key = Varchar(length=40, unique=True)  # "<proposal>:<number>"
    number = Integer()
    title = Varchar(length=300)
    body = Text()
    author = foreign_key(Person)
    created_at = Timestamptz(default=TimestamptzNow())


class Contribution(Table):
    id: Serial  # added by Piccolo; declared for type checkers
    proposal = foreign_key(Proposal)
    parent = foreign_key(LazyTableReference("Contribution", module_path=__name__), null=True)
    author = foreign_key(Person)
    stance = Varchar(length=10, default=Stance.REMARK.value)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    edited_at = Timestamptz(null=True, default=None)
    hidden_reason = Varchar(length=300, null=True, default=None)
