"""People, organisations (the tenants), memberships and signed-in sessions."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.base import foreign_key


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
    organisation = foreign_key(Organisation)
    person = foreign_key(Person)
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
