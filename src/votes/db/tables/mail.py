"""The outbox: every e-mail the app sends, written in the transaction of the act that causes it
and sent afterwards by a background worker (:mod:`votes.services.mail`).

A mail row exists if and only if its act committed; a unique ``idempotency_key`` keeps the same
act from queueing the same mail twice. The row is never deleted when sent: it is the record of
who was sent what, and when.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.accounts import Organisation
from votes.db.tables.base import SerialId, foreign_key


class MailStatus(StrEnum):
    WAITING = "waiting"  # to be sent at next_attempt_at
    SENDING = "sending"  # claimed by a worker until lease_until (then claimable again)
    SENT = "sent"  # the SMTP server accepted it
    FAILED = "failed"  # refused, or every attempt failed: an admin may retry it
    HELD = "held"  # no SMTP server configured: kept for an admin to read


class MailKind(StrEnum):
    PASSWORD_LINK = "password_link"  # noqa: S105 - an admin sent a member a link to choose a password
    PASSWORD_RESET = "password_reset"  # noqa: S105 - "forgot your password" from the sign-in page
    ACCESS_CODE = "access_code"  # a member's personal access code for a plenary
    BALLOT_OPENED = "ballot_opened"  # a ballot open for an hour or more opens
    BALLOT_REMINDER = "ballot_reminder"  # it closes soon and they have not voted
    BALLOT_RESULT = "ballot_result"  # its result is published


class Mail(Table, SerialId):
    # the cooperative whose act sent it (none for a reset asked from the sign-in page)
    organisation = foreign_key(Organisation, null=True)
    kind = Varchar(length=30)
    recipient = Varchar(length=254)
    subject = Varchar(length=300)
    body_text = Text()
    body_html = Text(null=True, default=None)
    language = Varchar(length=5, default="fr")
    status = Varchar(length=10, default=MailStatus.WAITING.value, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    lease_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    # "<kind>:<what caused it>": the same act never queues the same mail twice
    idempotency_key = Varchar(length=200, unique=True)
