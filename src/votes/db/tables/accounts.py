"""People, organisations (the tenants), memberships, signing in and its one-time secrets.

Secrets (session tokens, access codes, reset links) are never stored: only their HMAC under the
instance's secret key, so a copy of the database lets nobody sign in.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.base import SerialId, foreign_key


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


class Organisation(Table, SerialId):
    name = Varchar(length=200)
    short_name = Varchar(length=60, unique=True)  # also the URL slug
    legal_form = Varchar(length=20, default=LegalForm.SCOP_SARL.value)
    default_language = Varchar(length=5, default="fr")
    time_zone = Varchar(length=60, default="Europe/Paris")
    # a network's members are cooperatives (votes.db.tables.networks), and its rules say how a
    # decision is shared between them (votes.core.network.Sharing)
    is_network = Boolean(default=False)
    network_sharing = Varchar(length=10, default="equal")
    created_at = Timestamptz(default=TimestamptzNow())


class Person(Table, SerialId):
    name = Varchar(length=200)
    email = Varchar(length=254, null=True, default=None, unique=True)  # NULLs never collide
    password_hash = Varchar(length=200, null=True, default=None)
    is_instance_admin = Boolean(default=False)
    preferred_language = Varchar(length=5, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class College(Table, SerialId):
    """A voting college: members whose votes are weighted together (SCIC: 3+ colleges)."""

    organisation = foreign_key(Organisation)
    college_key = Varchar(length=140, unique=True)  # "<organisation>:<name, casefolded>"
    name = Varchar(length=100)
    # share of the vote in basis points (1/10,000, exact); 0 until the statutes' share is set
    weight_basis_points = Integer(default=0)


class Category(Table, SerialId):
    """A member category an organisation uses (an import rejects a category not listed)."""

    organisation = foreign_key(Organisation)
    category_key = Varchar(length=140, unique=True)  # "<organisation>:<name, casefolded>"
    name = Varchar(length=80)


class Membership(Table, SerialId):
    organisation = foreign_key(Organisation)
    person = foreign_key(Person)
    membership_key = Varchar(length=40, unique=True)  # "<organisation>:<person>"
    kind = Varchar(length=10, default=MembershipKind.MEMBER.value)
    is_admin = Boolean(default=False)
    is_facilitator = Boolean(default=False)
    is_scrutineer = Boolean(default=False)
    category = Varchar(length=80, default="")  # one of the organisation's Category names
    college = foreign_key(College, null=True)
    # in a network: the member cooperative that registered this person (None: an individual
    # member of the network, or an ordinary organisation)
    delegated_by = foreign_key(Organisation, null=True)
    status = Varchar(length=10, default=MembershipStatus.ACTIVE.value)
    status_since = Timestamptz(default=TimestamptzNow())
    created_at = Timestamptz(default=TimestamptzNow())


class LoginSession(Table, SerialId):
    """A signed-in browser. Only a keyed hash of the cookie's token is stored."""

    token_hash = Varchar(length=64, unique=True)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.cascade, index=True)
    # set when signed in with an organisation's access code: the session then opens that
    # organisation only, so its admins, who issued the code, reach nothing else of the person
    organisation = ForeignKey(
        references=Organisation, null=True, default=None, on_delete=OnDelete.cascade, index=True
    )
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked = Boolean(default=False)


class AccessCode(Table, SerialId):
    """A personal one-time sign-in for a plenary: a link (QR code) and a short code to type.
    Using either uses both; reissuing revokes the previous one."""

    organisation = foreign_key(Organisation)
    membership = ForeignKey(
        references=Membership, null=False, on_delete=OnDelete.cascade, index=True
    )
    link_hash = Varchar(length=64, unique=True)
    code_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    revoked = Boolean(default=False)
    # the random nonce: with the instance's secret key it rebuilds the sheet's codes
    # for a reprint, while they are valid ("" for codes issued before reprints existed)
    sheet = Varchar(length=32, default="")


class PasswordReset(Table, SerialId):
    """A one-time link to choose a new password (mailed, or handed over by an admin)."""

    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class SignInFailure(Table, SerialId):
    """One failed sign-in (or one being checked), counted per account, per code prefix and per
    address to slow down guessing (see :mod:`votes.services.accounts`)."""

    # "account:<email>", "address:<ip>", "code:<first half>" or "code-address:<ip>"
    throttle_key = Varchar(length=300, index=True)
    failed_at = Timestamptz(default=TimestamptzNow(), index=True)
