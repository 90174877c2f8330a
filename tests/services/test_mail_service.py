"""The outbox against a real SMTP server (aiosmtpd): what arrives, retries, failures, and no
mail lost or doubled when a worker stops mid-batch."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from tests.support import factories
from tests.support.keys import SECRET_KEY
from tests.support.smtp import SENDER, Inbox, free_port, mailing, settings_for, smtp_server

from votes.db.engine import write_transaction
from votes.db.tables import Mail, MailStatus
from votes.services import access_codes, accounts, mail, mailings, organisations
from votes.services.actors import actor_for
from votes.settings import SmtpSettings


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SmtpSettings]]:
    with mailing() as received:
        yield received


async def _queue(key: str, recipient: str, *, language: str = "fr", **extra: str) -> bool:
    organisation_id = await factories.organisation()
    async with write_transaction(Mail._meta.db):
        return await mail.queue(
            organisation_id=organisation_id,
            kind="password_link",
            recipient=recipient,
            subject=extra.get("subject", "Votre lien"),
            body_text=extra.get("body", "Bonjour,\nvoici votre lien."),
            idempotency_key=key,
            language=language,
        )


async def _row(key: str) -> dict[str, object]:
    row = await Mail.select().where(Mail.idempotency_key == key).first()
    assert row is not None
    return row


async def _deliver_all(settings: SmtpSettings) -> None:
    while await mail.deliver_due(settings):
        pass


async def test_the_server_receives_each_mail_once_with_its_message_id(
    smtp: tuple[Inbox, SmtpSettings],
) -> None:
    inbox, settings = smtp
    key = factories.unique("mail-fr")
    who = f"{key}@example.org"
    assert await _queue(key, who, subject="Votre lien – à utiliser", body="Bonjour Zoé !")
    assert not await _queue(key, who)  # the same act queues nothing more
    other = factories.unique("mail-en")
    await _queue(other, f"{other}@example.org", language="en", subject="Your link", body="Hello")
    await _deliver_all(settings)

    [received] = inbox.to(who)
    assert received["Subject"] == "Votre lien – à utiliser"
    assert received["From"] == SENDER
    assert received.get_content().strip() == "Bonjour Zoé !"
    assert received["Message-ID"] == mail.message_id(key, SENDER)
    [english] = inbox.to(f"{other}@example.org")
    assert english["Subject"] == "Your link"
    assert english["Content-Language"] == "en"
    row = await _row(key)
    assert row["status"] == MailStatus.SENT.value
    assert row["sent_at"] is not None
    assert row["attempts"] == 1
    # a delivered mail's text (a password link, an access code) is not kept in clear
    assert row["body_text"] == ""
    assert row["body_html"] is None


async def test_a_mail_queued_in_a_rolled_back_act_does_not_exist() -> None:
    key = factories.unique("rolled-back")
    organisation_id = await factories.organisation()

    async def failing_act() -> None:
        async with write_transaction(Mail._meta.db):
            await mail.queue(
                organisation_id=organisation_id,
                kind="password_link",
                recipient="x@example.org",
                subject="s",
                body_text="b",
                idempotency_key=key,
            )
            raise RuntimeError("the act fails")

    with pytest.raises(RuntimeError):
        await failing_act()
    assert not await Mail.exists().where(Mail.idempotency_key == key)


async def test_without_smtp_mail_is_held_not_dropped() -> None:
    mail.configure(None)
    key = factories.unique("held")
    await _queue(key, "held@example.org")
    assert (await _row(key))["status"] == MailStatus.HELD.value
    assert await mail.deliver_due() == 0


async def test_a_server_down_then_up_gets_the_mail_after_a_retry() -> None:
    port = free_port()  # nobody listens yet
    settings = settings_for(port)
    mail.configure(settings)
    try:
        key = factories.unique("down-up")
        who = f"{key}@example.org"
        await _queue(key, who)
        await mail.deliver_due(settings)
        row = await _row(key)
        assert row["status"] == MailStatus.WAITING.value
        assert row["attempts"] == 1
        assert row["last_error"]
        assert row["next_attempt_at"] > datetime.now(UTC) + timedelta(seconds=20)  # backoff
        await Mail.update({Mail.next_attempt_at: datetime.now(UTC)}).where(
            Mail.idempotency_key == key
        )
        with smtp_server(port) as (inbox, _):
            await _deliver_all(settings)
        assert len(inbox.to(who)) == 1
        row = await _row(key)
        assert (row["status"], row["attempts"]) == (MailStatus.SENT.value, 2)
    finally:
        mail.configure(None)


async def test_failure_after_the_last_attempt_is_visible() -> None:
    settings = settings_for(free_port())  # never up
    mail.configure(settings)
    try:
        key = factories.unique("never")
        await _queue(key, f"{key}@example.org")
        for _ in range(mail.MAX_ATTEMPTS):
            await Mail.update({Mail.next_attempt_at: datetime.now(UTC)}).where(
                (Mail.idempotency_key == key) & (Mail.status == MailStatus.WAITING.value)
            )
            await mail.deliver_due(settings)
        row = await _row(key)
        assert row["status"] == MailStatus.FAILED.value
        assert row["attempts"] == mail.MAX_ATTEMPTS
        assert "Connect" in str(row["last_error"]) or "refused" in str(row["last_error"])
    finally:
        mail.configure(None)


async def test_a_worker_stopped_between_claim_and_send_loses_and_doubles_nothing(
    smtp: tuple[Inbox, SmtpSettings],
) -> None:
    inbox, settings = smtp
    prefix = factories.unique("batch")
    recipients = [f"{prefix}-{n}@example.org" for n in range(5)]
    for n, who in enumerate(recipients):
        await _queue(f"{prefix}:{n}", who)

    claimed_event = asyncio.Event()
    real_send = mail.send_claimed

    async def claim_then_die() -> None:
        claimed = await mail.claim_due(limit=500)
        claimed_event.set()
        await asyncio.Event().wait()  # cancelled here: claimed, nothing sent
        await real_send(claimed, settings)

    worker = asyncio.create_task(claim_then_die())
    await claimed_event.wait()
    worker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await worker
    assert not any(inbox.to(who) for who in recipients)
    await mail.deliver_due(settings)  # leased: not claimable yet
    assert not any(inbox.to(who) for who in recipients)

    # a new worker, once the lease has expired
    later = datetime.now(UTC) + mail.LEASE + timedelta(seconds=1)
    claimed = await mail.claim_due(limit=500, now=later)
    await mail.send_claimed(claimed, settings)
    await _deliver_all(settings)
    assert [len(inbox.to(who)) for who in recipients] == [1] * 5
    for n in range(5):
        assert (await _row(f"{prefix}:{n}"))["status"] == MailStatus.SENT.value


async def test_two_workers_never_claim_the_same_mail(smtp: tuple[Inbox, SmtpSettings]) -> None:
    _, settings = smtp
    prefix = factories.unique("race")
    for n in range(20):
        await _queue(f"{prefix}:{n}", f"{prefix}-{n}@example.org")
    first, second = await asyncio.gather(mail.claim_due(500), mail.claim_due(500))
    ours = [c.id for c in first + second if c.idempotency_key.startswith(prefix)]
    assert len(ours) == 20
    assert len(set(ours)) == 20
    await mail.send_claimed(first, settings)
    await mail.send_claimed(second, settings)


async def test_a_mailbox_the_server_refuses_fails_at_once_with_its_answer(
    smtp: tuple[Inbox, SmtpSettings],
) -> None:
    inbox, settings = smtp
    key = factories.unique("refused")
    good = factories.unique("accepted")
    await _queue(key, f"unknown-{key}@example.org")
    await _queue(good, f"{good}@example.org")  # the same batch goes on after a refusal
    await _deliver_all(settings)
    row = await _row(key)
    assert row["status"] == MailStatus.FAILED.value
    assert row["attempts"] == 1
    assert "No such user" in str(row["last_error"])
    assert len(inbox.to(f"{good}@example.org")) == 1


async def test_mailed_codes_are_the_printed_ones_and_new_ones_for_members_without(
    smtp: tuple[Inbox, SmtpSettings],
) -> None:
    inbox, settings = smtp
    secret = SECRET_KEY
    organisation_id = await factories.organisation()
    actor = await actor_for(organisation_id)
    suffix = factories.unique("codes")
    printed_email, fresh_email = f"printed-{suffix}@example.org", f"fresh-{suffix}@example.org"
    printed_member = await organisations.add_membership(
        organisation_id, await accounts.create_person("Printed", printed_email, None)
    )
    await organisations.add_membership(
        organisation_id, await accounts.create_person("Fresh", fresh_email, None)
    )
    [printed] = await access_codes.issue_codes(actor, [printed_member], secret_key=secret)

    result = await mailings.mail_access_codes(actor, base_url="http://x", secret_key=secret)
    assert (result.queued, result.already) == (2, 0)
    await _deliver_all(settings)
    [to_printed] = inbox.to(printed_email)
    assert access_codes.format_code(printed.code) in to_printed.get_content()
    [to_fresh] = inbox.to(fresh_email)
    assert "http://x/c/" in to_fresh.get_content()
    assert await access_codes.printable_sheet(actor, secret_key=secret, sheet=printed.sheet)
