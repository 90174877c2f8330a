"""Piccolo tables. Every row outside ``Person`` and ``LoginSession`` belongs to one organisation.

Conventions: foreign keys are explicit (``null=False`` and ``RESTRICT`` unless a cascade is meant);
"one X per Y" rules use a single-column unique ``*_key`` (e.g. ``"12:34"``) because composite
unique constraints are not portable between SQLite and PostgreSQL in Piccolo; enumerated values are
stored as short strings whose allowed values live in the ``choices`` enums below.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    LazyTableReference,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class LegalForm(StrEnum):
    SCOP_SARL = "scop_sarl"
    SCOP_SA = "scop_sa"
    SCIC = "scic"
    CAE = "cae"
    ASSOCIATION = "association"
    BELGIAN_SC = "belgian_sc"
    OTHER = "other"


class MembershipKind(StrEnum):
    MEMBER = "member"  # has voting rights while active
    OBSERVER = "observer"  # reads, never votes


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LEFT = "left"


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


class BallotStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


def _fk(table: type[Table] | LazyTableReference, *, null: bool = False) -> ForeignKey[Table]:
    return ForeignKey(
        references=table,
        null=null,
        on_delete=OnDelete.set_null if null else OnDelete.restrict,
        index=True,
    )


class Organisation(Table):
    id: Serial  # added by Piccolo; declared for type checkers
    name = Varchar(length=200)
    short_name = Varchar(length=60, unique=True)  # also the URL slug
    legal_form = Varchar(length=20, default=LegalForm.SCOP_SARL.value)
    default_language = Varchar(length=5, default="fr")
    time_zone = Varchar(length=60, default="Europe/Paris")
    created_at = Timestamptz(default=TimestamptzNow())


class Person(Table):
    id: Serial  # added by Piccolo; declared for type checkers
    name = Varchar(length=200)
    email = Varchar(length=254, null=True, default=None, unique=True)  # NULLs never collide
    password_hash = Varchar(length=200, null=True, default=None)
    is_instance_admin = Boolean(default=False)
    preferred_language = Varchar(length=5, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Membership(Table):
    id: Serial  # added by Piccolo; declared for type checkers
    organisation = _fk(Organisation)
    person = _fk(Person)
    membership_key = Varchar(length=40, unique=True)  # "<organisation>:<person>"
    kind = Varchar(length=10, default=MembershipKind.MEMBER.value)
    is_admin = Boolean(default=False)
    is_facilitator = Boolean(default=False)
    is_scrutineer = Boolean(default=False)
    category = Varchar(length=80, default="")
    status = Varchar(length=10, default=MembershipStatus.ACTIVE.value)
    status_since = Timestamptz(default=TimestamptzNow())
    created_at = Timestamptz(default=TimestamptzNow())


class LoginSession(Table):
    """A signed-in browser. Only a keyed hash of the cookie's token is stored."""

    id: Serial  # added by Piccolo; declared for type checkers
    token_hash = Varchar(length=64, unique=True)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked = Boolean(default=False)


class Assembly(Table):
    id: Serial  # added by Piccolo; declared for type checkers
    organisation = _fk(Organisation)
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
    assembly = _fk(Assembly)
    position = Integer()
    title = Varchar(length=300)
    description = Text(default="")
    planned_minutes = Integer(default=0)


class Proposal(Table):
    id: Serial  # added by Piccolo; declared for type checkers
    organisation = _fk(Organisation)
    assembly = _fk(Assembly)
    agenda_item = _fk(AgendaItem, null=True)
    title = Varchar(length=300)
    body = Text()  # Markdown, rendered through the sanitiser
    status = Varchar(length=14, default=ProposalStatus.DRAFT.value)
    author = _fk(Person)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ProposalVersion(Table):
    """Every text a proposal ever had, so any two versions can be compared."""

    id: Serial  # added by Piccolo; declared for type checkers
    proposal = _fk(Proposal)
    version_key = Varchar(length=40, unique=True)  # "<proposal>:<number>"
    number = Integer()
    title = Varchar(length=300)
    body = Text()
    author = _fk(Person)
    created_at = Timestamptz(default=TimestamptzNow())


class Contribution(Table):
    id: Serial  # added by Piccolo; declared for type checkers
    proposal = _fk(Proposal)
    parent = _fk(LazyTableReference("Contribution", module_path=__name__), null=True)
    author = _fk(Person)
    stance = Varchar(length=10, default=Stance.REMARK.value)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    edited_at = Timestamptz(null=True, default=None)
    hidden_reason = Varchar(length=300, null=True, default=None)


class Ballot(Table):
    id: Serial  # added by Piccolo; declared for type checkers
    organisation = _fk(Organisation)
    assembly = _fk(Assembly)
    agenda_item = _fk(AgendaItem, null=True)
    proposal = _fk(Proposal, null=True)
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
    ballot = _fk(Ballot)
    position = Integer()
    key = Varchar(length=40)  # the candidate id given to the tally core
    label = Varchar(length=300)


class Participation(Table):
    """Who has voted on a ballot: the register. It says nothing about what they chose."""

    id: Serial  # added by Piccolo; declared for type checkers
    ballot = _fk(Ballot)
    membership = _fk(Membership)
    participation_key = Varchar(length=40, unique=True)  # "<ballot>:<membership>": one vote each


class BallotPaper(Table):
    """What was chosen. For secret ballots nothing here leads back to a voter: a random id
    (no sequence revealing order), no voter, no time; only a hash of the voter's receipt code."""

    id = UUID(primary_key=True)
    ballot = _fk(Ballot)
    voter = _fk(Membership, null=True)  # public (roll-call) ballots only
    content = Text()  # JSON of the ballot in the tally core's shape
    receipt_hash = Varchar(length=64, unique=True)
