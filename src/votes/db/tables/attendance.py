"""General-assembly rules: each organisation's rule profile, each assembly's frozen copy of it,
the attendance register (émargement) and proxies (pouvoirs)."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.accounts import Membership, Organisation
from votes.db.tables.assemblies import Assembly
from votes.db.tables.base import SerialId, foreign_key


class AttendanceStatus(StrEnum):
    PRESENT = "present"  # in the room
    REMOTE = "remote"  # from afar, when the statutes allow it
    LEFT = "left"  # checked out: no longer counted (the register keeps the times)


class CheckInMethod(StrEnum):
    CODE = "code"  # the member's own access code or QR code
    STEWARD = "steward"  # a steward ticked them on the list
    SELF = "self"  # the member, signed in, joined from afar


class ProxyStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class ProxyRevocation(StrEnum):
    CHECKED_IN = "checked_in"  # the giver came after all: they vote themselves
    GIVER = "giver"  # taken back by the giver
    ADMIN = "admin"  # withdrawn by an administrator (e.g. a paper form found void)


class RuleSettings(Table, SerialId):
    """An organisation's rule profile: a preset adjusted to its statutes (JSON of
    :func:`votes.core.rules.profile_to_data`). Without a row, the preset of its legal form."""

    organisation = foreign_key(Organisation)
    settings_key = Varchar(length=20, unique=True)  # "<organisation>": one profile each
    profile = Text()
    updated_at = Timestamptz(default=TimestamptzNow())
    updated_by = foreign_key(Membership, null=True)


class AssemblyRules(Table, SerialId):
    """The profile an assembly is held under, frozen when its register or its first ballot
    opens: changing the organisation's profile later does not change a running assembly."""

    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    assembly_key = Varchar(length=20, unique=True)  # "<assembly>"
    profile = Text()
    frozen_at = Timestamptz(default=TimestamptzNow())


class Attendance(Table, SerialId):
    """One line of the feuille de présence: a member's check-in to an assembly (and check-out).
    Represented members have no line here: their proxy says who represents them."""

    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    membership = foreign_key(Membership)
    attendance_key = Varchar(length=40, unique=True)  # "<assembly>:<membership>"
    status = Varchar(length=10, default=AttendanceStatus.PRESENT.value)
    method = Varchar(length=10, default=CheckInMethod.STEWARD.value)
    checked_in_at = Timestamptz(default=TimestamptzNow())
    checked_in_by = foreign_key(Membership, null=True)  # the steward, if any
    checked_out_at = Timestamptz(null=True, default=None)


class Proxy(Table, SerialId):
    """A proxy (pouvoir) for one assembly: the giver is represented by the holder, or, for a
    blank proxy (no holder named), counted as the statutes say."""

    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    giver = foreign_key(Membership)
    holder = foreign_key(Membership, null=True)  # None: a blank proxy
    # "<assembly>:<giver>" while active (one active proxy per giver); revoked ones get
    # ":r<id>" appended so that the giver may give a new one
    proxy_key = Varchar(length=60, unique=True)
    instructions = Text(default="")  # voting instructions of a directed proxy
    status = Varchar(length=10, default=ProxyStatus.ACTIVE.value)
    given_at = Timestamptz(default=TimestamptzNow())
    recorded_by = foreign_key(Membership, null=True)  # the admin who typed in a paper form
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=12, default="")
