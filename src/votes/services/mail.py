"""Outgoing e-mail: an outbox written with the act, sent afterwards by a worker.

:func:`queue` writes a :class:`~votes.db.tables.Mail` row inside the caller's transaction, so a
mail exists if and only if the act that causes it committed; its idempotency key makes queueing
the same mail twice a no-op. Without an SMTP server (:func:`configure` with ``None``: development,
the demo) mails are *held*: kept for the cooperative's admins to read on the outbox page, never
dropped.

The worker (:func:`deliver_due`, looped by :func:`run_until`) claims due mails with a conditional
update (the row's status and attempt count must still be what it read, so two workers, or two
processes on PostgreSQL, never claim one mail), marks each ``sending`` with a lease before it
talks to the server and ``sent`` after the server accepted it. A failed attempt waits
:func:`backoff` (exponential, capped) and the mail is marked ``failed`` with the server's
error after :data:`MAX_ATTEMPTS`; an admin may retry it.

Delivery is *at least once*: a crash after the server accepted a mail and before ``sent`` was
written leaves the mail ``sending``; when its lease expires it is sent again. Its
``Message-ID`` is derived from the idempotency key (:func:`message_id`), the same on every
attempt, so the receiving side can recognise the duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import aiosmtplib
from piccolo.query.functions.aggregate import Count

from votes.db.engine import write_transaction
from votes.db.tables import Mail, MailStatus
from votes.services import audit
from votes.services.actors import Actor, may_administer, require
from votes.services.background import STOP_GRACE_SECONDS, Lifespan, no_task, task_lifespan
from votes.services.refusals import Refused, owned_row
from votes.settings import SmtpSecurity, SmtpSettings

logger = logging.getLogger("votes.mail")

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
# a claimed mail is another worker's to send after this (a crash mid-send): longer than a send
LEASE = timedelta(minutes=2)
SMTP_TIMEOUT_SECONDS = 30.0
BATCH = 50
POLL_SECONDS = 1.0
MAX_ERROR_LENGTH = 1000

_smtp: SmtpSettings | None = None
_sender = "votes@localhost"


def configure(smtp: SmtpSettings | None, sender: str = "votes@localhost") -> None:
    """Where mail goes from now on; ``None``: new mails are held in the outbox."""
    global _smtp, _sender
    _smtp, _sender = smtp, (smtp.sender if smtp else sender)


def smtp_configured() -> bool:
    return _smtp is not None


def sender() -> str:
    """The address mails are sent from (their ``Message-ID`` names its domain)."""
    return _sender


async def queue(
    *,
    organisation_id: int | None,
    kind: str,
    recipient: str,
    subject: str,
    body_text: str,
    idempotency_key: str,
    language: str = "fr",
    body_html: str | None = None,
) -> bool:
    """Put a mail in the outbox, inside the caller's write transaction; ``False`` when a mail
    with this idempotency key is there already (the act was repeated)."""
    rows = (
        await Mail.insert(
            Mail(
                organisation=organisation_id,
                kind=kind,
                recipient=recipient.strip(),
                subject=subject[:300],
                body_text=body_text,
                body_html=body_html,
                language=language,
                status=(MailStatus.WAITING if _smtp else MailStatus.HELD).value,
                attempts=0,
                next_attempt_at=datetime.now(UTC),
                idempotency_key=idempotency_key[:200],
            )
        )
        .on_conflict(target=Mail.idempotency_key, action="DO NOTHING")
        .returning(Mail.id)
    )
    return bool(rows)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min… at most 1 h.

    >>> [int(backoff(n).total_seconds()) for n in (1, 2, 3, 9)]
    [30, 60, 120, 3600]
    """
    wait: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(wait, LONGEST_WAIT)


def message_id(idempotency_key: str, sender: str) -> str:
    """The same ``Message-ID`` on every attempt of one mail, so a duplicate is recognisable."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{digest}@{domain}>"


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    attempts: int  # including this one
    recipient: str
    subject: str
    body_text: str
    body_html: str | None
    language: str
    idempotency_key: str
    created_at: datetime


async def claim_due(limit: int = BATCH, *, now: datetime | None = None) -> list[Claimed]:
    """Claim up to ``limit`` due mails for this worker: waiting ones whose time has come and
    ``sending`` ones whose lease expired. Each claim is one conditional update (the status and
    attempt count must be what was read), so a mail claimed by another worker meanwhile is
    skipped, on SQLite and on PostgreSQL alike."""
    now = now or datetime.now(UTC)
    candidates = (
        await Mail.select(Mail.id, Mail.status, Mail.attempts)
        .where(
            ((Mail.status == MailStatus.WAITING.value) & (Mail.next_attempt_at <= now))
            | ((Mail.status == MailStatus.SENDING.value) & (Mail.lease_until < now))
        )
        .order_by(Mail.id)
        .limit(limit)
    )
    claimed: list[Claimed] = []
    async with write_transaction(Mail._meta.db):  # one commit for the batch's claims
        await _claim_each(candidates, now, claimed)
    return claimed


async def _claim_each(
    candidates: Sequence[dict[str, Any]], now: datetime, claimed: list[Claimed]
) -> None:
    for row in candidates:
        rows = (
            await Mail.update(
                {
                    Mail.status: MailStatus.SENDING.value,
                    Mail.attempts: row["attempts"] + 1,
                    Mail.lease_until: now + LEASE,
                }
            )
            .where(
                (Mail.id == row["id"])
                & (Mail.status == row["status"])
                & (Mail.attempts == row["attempts"])
            )
            .returning(
                Mail.id,
                Mail.attempts,
                Mail.recipient,
                Mail.subject,
                Mail.body_text,
                Mail.body_html,
                Mail.language,
                Mail.idempotency_key,
                Mail.created_at,
            )
        )
        if rows:
            claimed.append(Claimed(**rows[0]))


def build_message(mail: Claimed, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Message-ID"] = message_id(mail.idempotency_key, sender)
    message["Date"] = format_datetime(mail.created_at.astimezone(UTC))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body_text)
    if mail.body_html:
        message.add_alternative(mail.body_html, subtype="html")
    message["Content-Language"] = mail.language  # after the content, which clears Content-*
    return message


async def mark_sent(mail_id: int) -> None:
    """The server accepted the mail: its text goes. Every mail the app sends carries a password
    link or an access code, stored elsewhere only as hashes; a copy of the database files must
    not hold them in clear once delivered (subject, recipient and times stay as the record)."""
    await Mail.update(
        {
            Mail.status: MailStatus.SENT.value,
            Mail.sent_at: datetime.now(UTC),
            Mail.last_error: "",
            Mail.body_text: "",
            Mail.body_html: None,
        }
    ).where((Mail.id == mail_id) & (Mail.status != MailStatus.SENT.value))


async def mark_failed_attempt(mail: Claimed, error: str, *, permanent: bool = False) -> None:
    """The attempt failed: wait :func:`backoff`, or stop (``failed``) after the last one."""
    final = permanent or mail.attempts >= MAX_ATTEMPTS
    await Mail.update(
        {
            Mail.status: (MailStatus.FAILED if final else MailStatus.WAITING).value,
            Mail.next_attempt_at: datetime.now(UTC) + backoff(mail.attempts),
            Mail.last_error: error[:MAX_ERROR_LENGTH],
            Mail.lease_until: None,
        }
    ).where(
        (Mail.id == mail.id)
        & (Mail.status == MailStatus.SENDING.value)
        & (Mail.attempts == mail.attempts)
    )


def _smtp_client(smtp: SmtpSettings) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=smtp.host,
        port=smtp.port,
        use_tls=smtp.security is SmtpSecurity.TLS,
        start_tls=smtp.security is SmtpSecurity.STARTTLS,
        username=smtp.user or None,
        password=smtp.password or None,
        timeout=SMTP_TIMEOUT_SECONDS,
    )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".strip()


async def send_claimed(claimed: Sequence[Claimed], smtp: SmtpSettings) -> int:
    """Send claimed mails over one SMTP connection; return how many the server accepted."""
    if not claimed:
        return 0
    client = _smtp_client(smtp)
    try:
        await client.connect()
    except (aiosmtplib.SMTPException, OSError) as error:
        for mail in claimed:  # the server is away: every mail waits for its next attempt
            await mark_failed_attempt(mail, _describe(error))
        return 0
    sent = 0
    try:
        for index, mail in enumerate(claimed):
            try:
                await client.send_message(build_message(mail, smtp.sender))
            except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPSenderRefused) as error:
                # 5xx: the server will not take this mail, however often it is sent
                permanent = _is_permanent(error)
                await mark_failed_attempt(mail, _describe(error), permanent=permanent)
            except aiosmtplib.SMTPResponseException as error:
                await mark_failed_attempt(mail, _describe(error), permanent=error.code >= 500)
            except (aiosmtplib.SMTPException, OSError) as error:  # the connection broke
                for rest in claimed[index:]:
                    await mark_failed_attempt(rest, _describe(error))
                return sent
            else:
                await mark_sent(mail.id)
                sent += 1
    finally:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await client.quit()
    return sent


def _is_permanent(error: aiosmtplib.SMTPException) -> bool:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(refusal.code >= 500 for refusal in error.recipients)
    code = getattr(error, "code", 0)
    return isinstance(code, int) and code >= 500


async def deliver_due(smtp: SmtpSettings | None = None, limit: int = BATCH) -> int:
    """One round of the worker: claim the due mails and send them; how many were accepted."""
    smtp = smtp or _smtp
    if smtp is None:
        return 0
    return await send_claimed(await claim_due(limit), smtp)


async def run_until(
    stop: asyncio.Event, smtp: SmtpSettings, interval: float = POLL_SECONDS
) -> None:
    """Deliver due mails until ``stop`` is set; a full batch is followed by the next at once."""
    while not stop.is_set():
        delivered = 0
        try:
            claimed = await claim_due()
            delivered = len(claimed)
            await send_claimed(claimed, smtp)
        except Exception:  # the database is away for a moment: the next round tries again
            logger.exception("the mail worker failed")
        if delivered >= BATCH:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


def mail_lifespan(smtp: SmtpSettings | None, interval: float = POLL_SECONDS) -> Lifespan:
    """The app's lifespan part that runs the mail worker while the app serves (none without
    an SMTP server: mails are held in the outbox). At shutdown a send under way may finish; a
    cancelled one is sent again later."""
    if smtp is None:
        return no_task
    return task_lifespan(
        "votes-mail", lambda stop: run_until(stop, smtp, interval), STOP_GRACE_SECONDS
    )


# --- the admin's outbox ----------------------------------------------------------------------


async def retry(actor: Actor, mail_id: int) -> None:
    """Send a failed (or held) mail of the actor's cooperative again, from its first attempt."""
    require(may_administer, actor)
    if _smtp is None:
        raise Refused("mail_not_configured")
    async with write_transaction(Mail._meta.db):
        rows = (
            await Mail.update(
                {
                    Mail.status: MailStatus.WAITING.value,
                    Mail.attempts: 0,
                    Mail.next_attempt_at: datetime.now(UTC),
                    Mail.lease_until: None,
                }
            )
            .where(
                (Mail.id == mail_id)
                & (Mail.organisation == actor.organisation_id)
                & Mail.status.is_in([MailStatus.FAILED.value, MailStatus.HELD.value])
            )
            .returning(Mail.id, Mail.kind)
        )
        if not rows:
            raise Refused("not_found")
        await audit.record_act(actor, "mail.retried", f"mail:{mail_id}", {"kind": rows[0]["kind"]})


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    kind: str
    recipient: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime
    body_text: str = ""


OUTBOX_PAGE = 200
# what the outbox page shows of a mail (its text only when one mail is opened)
_ENTRY_COLUMNS = (
    Mail.id,
    Mail.kind,
    Mail.recipient,
    Mail.subject,
    Mail.status,
    Mail.attempts,
    Mail.last_error,
    Mail.created_at,
    Mail.sent_at,
    Mail.next_attempt_at,
)


async def outbox(actor: Actor, limit: int = OUTBOX_PAGE) -> list[OutboxEntry]:
    """The cooperative's latest mails, newest first (without their text)."""
    require(may_administer, actor)
    rows = (
        await Mail.select(*_ENTRY_COLUMNS)
        .where(Mail.organisation == actor.organisation_id)
        .order_by(Mail.id, ascending=False)
        .limit(limit)
    )
    return [OutboxEntry(**row) for row in rows]


async def outbox_counts(actor: Actor) -> dict[str, int]:
    """How many of the cooperative's mails are in each status."""
    require(may_administer, actor)
    rows = (
        await Mail.select(Mail.status, Count(alias="n"))
        .where(Mail.organisation == actor.organisation_id)
        .group_by(Mail.status)
    )
    return {str(row["status"]): int(row["n"]) for row in rows}


async def outbox_mail(actor: Actor, mail_id: int) -> OutboxEntry:
    """One mail of the cooperative, with its text; ``Refused("not_found")`` for any other."""
    require(may_administer, actor)
    row = await owned_row(Mail, actor.organisation_id, mail_id, *_ENTRY_COLUMNS, Mail.body_text)
    return OutboxEntry(**row)
