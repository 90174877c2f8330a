"""Convocations to a general assembly: the letter an administrator prepared, and the proof of
convocation, one row per member (by mail or by letter, when, the mail's Message-ID, and the
notice the law asks for when it was short).

The law asks who was convened, how and when: a :class:`ConvocationRecord` is never deleted,
and each mailed one points at its outbox mail, whose status says when the server took it.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.accounts import Membership, Organisation, Person
from votes.db.tables.assemblies import Assembly
from votes.db.tables.base import SerialId, foreign_key
from votes.db.tables.mail import Mail


class ConvocationChannel(StrEnum):
    MAIL = "mail"  # queued in the outbox with the member's personal link
    LETTER = "letter"  # printed, handed over or posted (marked by an administrator)


class ConvocationLetter(Table, SerialId):
    """The convocation's text for one assembly, as the administrator last prepared it."""

    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    letter_key = Varchar(length=20, unique=True)  # "<assembly>": one letter per assembly
    body = Text(default="")  # the letter: date, place, agenda, draft resolutions
    instructions = Text(default="")  # proxies and postal votes, as the statutes say
    prepared_by = foreign_key(Person, null=True)
    prepared_at = Timestamptz(default=TimestamptzNow())
    first_sent_at = Timestamptz(null=True, default=None)


class ConvocationRecord(Table, SerialId):
    """The proof that one member was convened to one assembly."""

    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    membership = foreign_key(Membership)
    record_key = Varchar(length=40, unique=True)  # "<assembly>:<membership>"
    channel = Varchar(length=10, default=ConvocationChannel.MAIL.value)
    recipient = Varchar(length=254, default="")  # the address mailed ("" for a letter)
    mail = foreign_key(Mail, null=True)
    message_id = Varchar(length=200, default="")
    recorded_at = Timestamptz(default=TimestamptzNow())  # queued, or handed/posted
    recorded_by = foreign_key(Person, null=True)
    # days missing from the notice period when the member was convened (0: in time)
    notice_short_days = Integer(default=0)
