"""Gatherings (#20): an event of several days (a network's yearly « Rencontre ») whose
programme is made of sessions — plenaries and parallel workshops — each an ordinary assembly
(``Assembly.gathering``) with its room, agenda, speakers' list, mood checks and ballots."""

from __future__ import annotations

from piccolo.columns import Date, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.accounts import Membership, Organisation, Person
from votes.db.tables.assemblies import Assembly
from votes.db.tables.base import SerialId, foreign_key


class Gathering(Table, SerialId):
    organisation = foreign_key(Organisation)
    title = Varchar(length=200)
    place = Varchar(length=300, default="")
    description = Text(default="")  # Markdown
    first_day = Date()
    last_day = Date()
    created_at = Timestamptz(default=TimestamptzNow())


class GatheringRegistration(Table, SerialId):
    """A participant registered for the gathering (by their cooperative or themselves)."""

    gathering = foreign_key(Gathering)
    membership = foreign_key(Membership)
    registration_key = Varchar(length=40, unique=True)  # "<gathering>:<membership>"
    created_at = Timestamptz(default=TimestamptzNow())


class SessionChoice(Table, SerialId):
    """A session a participant plans to attend (« mes sessions »)."""

    assembly = foreign_key(Assembly)
    membership = foreign_key(Membership)
    choice_key = Varchar(length=40, unique=True)  # "<assembly>:<membership>"
    created_at = Timestamptz(default=TimestamptzNow())


class GatheringCheckIn(Table, SerialId):
    """A participant's arrival on one day of the gathering (the day's attendance sheet)."""

    gathering = foreign_key(Gathering)
    membership = foreign_key(Membership)
    day = Date()
    check_in_key = Varchar(length=60, unique=True)  # "<gathering>:<membership>:<YYYY-MM-DD>"
    checked_in_at = Timestamptz(default=TimestamptzNow())
    checked_in_by = foreign_key(Person, null=True)  # the steward at the desk; None: by the member
