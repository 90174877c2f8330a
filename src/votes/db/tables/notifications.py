"""Which optional mails a member receives, and the ballot mails already sent once.

A member with no :class:`NotificationPreference` row gets the defaults (reminders and results
yes, news of ballots they need not vote on no). Mails a member must act on are not optional:
a convocation, and a ballot they may vote on opening.

:class:`BallotNotice` records that a ballot's reminder (for its round) was queued, in the
transaction that queued its mails: the sweep that looks for due reminders skips the ballot from
then on, across restarts and workers, and each mail's idempotency key keeps a repeat from
queueing any mail twice.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.accounts import Membership
from votes.db.tables.ballots import Ballot
from votes.db.tables.base import SerialId, foreign_key


class NotificationPreference(Table, SerialId):
    """One member's choice of optional mails in one organisation (a person chooses per
    cooperative: the membership, not the person)."""

    membership = foreign_key(Membership)
    preference_key = Varchar(length=40, unique=True)  # "<membership>": one row per member
    reminders = Boolean(default=True)  # a reminder before a ballot they have not voted on closes
    results = Boolean(default=True)  # the result of a ballot, when published
    other_ballots = Boolean(default=False)  # a ballot opens on which they do not vote
    updated_at = Timestamptz(default=TimestamptzNow())


class BallotNotice(Table, SerialId):
    """A ballot mail run that happened once: ``"<ballot>:<round>:opened"`` (with the address
    of the app its links point to, for the mails sent later by the sweep) or
    ``"<ballot>:<round>:reminder"``."""

    ballot = foreign_key(Ballot)
    notice_key = Varchar(length=60, unique=True)
    recipients = Integer(default=0)  # how many mails were queued, for the record
    base_url = Varchar(length=300, default="")  # where the facilitator opened it from
    sent_at = Timestamptz(default=TimestamptzNow())
