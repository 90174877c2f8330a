"""The mails a person notices, end to end over HTTP and a real SMTP server (aiosmtpd): the
admin's password link, "forgot your password", access codes by e-mail, and the outbox page."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any, NamedTuple

import httpx
import pytest
from tests.support.factories import PASSWORD, administered
from tests.support.smtp import SENDER, Inbox, smtp_server
from tests.web.helpers import assert_shows, csrf_token, post_with_token, sign_in

from votes.db.tables import AuditEntry, Mail, MailStatus, Membership
from votes.services import accounts, mail, organisations


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server, and the app's settings pointing at it."""
    with smtp_server() as (received, port):
        monkeypatch.setenv("VOTES_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("VOTES_SMTP_PORT", str(port))
        monkeypatch.setenv("VOTES_SMTP_SECURITY", "none")
        monkeypatch.setenv("VOTES_SMTP_SENDER", SENDER)
        try:
            yield received
        finally:
            mail.configure(None)


@pytest.fixture
async def mailing_client(inbox: Inbox, database: None) -> AsyncIterator[httpx.AsyncClient]:
    from votes.web.app import create_app

    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


class Administered(NamedTuple):
    short_name: str
    organisation_id: int


@pytest.fixture
async def coop(mailing_client: httpx.AsyncClient) -> Administered:
    """A fresh cooperative whose administrator is signed in on ``mailing_client``."""
    short_name, organisation_id, admin = await administered("Mail")
    await sign_in(mailing_client, admin, PASSWORD)
    return Administered(short_name, organisation_id)


async def _deliver() -> None:
    while await mail.deliver_due():
        pass


async def _member(organisation_id: int, name: str, email: str | None, language: str = "") -> int:
    person_id = await accounts.create_person(name, email, None)
    if language:
        await accounts.set_preferred_language(person_id, language)
    return await organisations.add_membership(organisation_id, person_id)


def _link_in(text: str) -> str:
    match = re.search(r"https?://\S+/c/\S+", text)
    assert match, text
    return match.group(0)


async def test_the_admins_password_link_is_also_mailed_in_the_members_language(
    mailing_client: httpx.AsyncClient, inbox: Inbox, coop: Administered
) -> None:
    french = f"zoe-{uuid.uuid4().hex[:6]}@example.org"
    english = f"sam-{uuid.uuid4().hex[:6]}@example.org"
    zoe = await _member(coop.organisation_id, "Zoé Martin", french)
    sam = await _member(coop.organisation_id, "Sam Jones", english, language="en")

    page = await post_with_token(
        mailing_client, f"/o/{coop.short_name}/members/{zoe}/password-link"
    )
    assert page.status_code == 200
    assert french in page.text  # "also sent to … by e-mail"
    await post_with_token(mailing_client, f"/o/{coop.short_name}/members/{sam}/password-link")
    await _deliver()

    [to_zoe] = inbox.to(french)
    assert to_zoe["Subject"] == "Choisissez votre mot de passe"
    body = to_zoe.get_content()
    assert "Bonjour Zoé Martin," in body
    assert "password_link" not in body
    assert "{" not in body
    link = _link_in(body)
    assert "/c/reset/" in link
    reset_page = await mailing_client.get(link.removeprefix("http://testserver.local"))
    assert reset_page.status_code == 200
    [to_sam] = inbox.to(english)
    assert to_sam["Subject"] == "Choose your password"
    assert "Hello Sam Jones," in to_sam.get_content()


async def test_forgot_password_answers_the_same_whether_the_address_exists_or_not(
    mailing_client: httpx.AsyncClient, inbox: Inbox
) -> None:
    known = f"known-{uuid.uuid4().hex[:6]}@example.org"
    await accounts.create_person("Known Person", known, PASSWORD)
    unknown = f"nobody-{uuid.uuid4().hex[:6]}@example.org"

    answers = []
    for address in (known, unknown):
        response = await post_with_token(mailing_client, "/password/forgotten", {"email": address})
        assert response.status_code == 303
        followed = await mailing_client.get(response.headers["location"])
        answers.append((response.headers["location"], followed.status_code))
    assert answers[0] == answers[1]

    await _deliver()
    [received] = inbox.to(known)
    assert received["Subject"] == "Choisissez votre mot de passe"
    link = _link_in(received.get_content())
    path = link.removeprefix("http://testserver.local")
    token = await csrf_token(mailing_client, path)
    new = await mailing_client.post(
        path,
        data={
            "password": "another-long-password",
            "confirmation": "another-long-password",
            "_csrf_token": token,
        },
    )
    assert new.status_code in (200, 303)
    assert await accounts.authenticate(known, "another-long-password") > 0
    again = await mailing_client.get(path)  # single use
    assert again.status_code == 409
    assert not inbox.to(unknown)
    assert not await Mail.exists().where(Mail.recipient == unknown)


async def test_forgot_password_is_throttled_for_known_and_unknown_addresses_alike(
    mailing_client: httpx.AsyncClient,
) -> None:
    known = f"busy-{uuid.uuid4().hex[:6]}@example.org"
    await accounts.create_person("Busy Person", known, PASSWORD)
    unknown = f"ghost-{uuid.uuid4().hex[:6]}@example.org"
    statuses = {}
    for address in (known, unknown):
        statuses[address] = [
            (
                await post_with_token(mailing_client, "/password/forgotten", {"email": address})
            ).status_code
            for _ in range(accounts.RESET_REQUEST_LIMIT + 1)
        ]
    assert statuses[known] == statuses[unknown]
    assert statuses[known][-1] == 429
    sent = await Mail.count().where(Mail.recipient == known)
    assert sent == accounts.RESET_REQUEST_LIMIT


async def test_asking_for_someones_reset_link_never_locks_them_out(
    mailing_client: httpx.AsyncClient,
) -> None:
    """Each "forgot your password" used to count as a wrong password of the account: five
    requests by a stranger, and its owner could not sign in for a quarter of an hour."""
    victim = f"victim-{uuid.uuid4().hex[:6]}@example.org"
    await accounts.create_person("Victim", victim, PASSWORD)
    for _ in range(accounts.ACCOUNT_FAILURE_LIMIT + 1):
        await post_with_token(mailing_client, "/password/forgotten", {"email": victim})
    assert await accounts.authenticate(victim, PASSWORD) > 0
    signed_in = await post_with_token(
        mailing_client, "/login", {"email": victim, "password": PASSWORD}
    )
    assert signed_in.status_code == 303


async def test_a_forgot_password_form_without_an_address_is_refused_in_words(
    mailing_client: httpx.AsyncClient,
) -> None:
    response = await post_with_token(mailing_client, "/password/forgotten", {"email": "  "})
    assert response.status_code == 422
    assert "adresse" in response.text


async def test_access_codes_are_mailed_once_and_members_without_address_are_listed(
    mailing_client: httpx.AsyncClient, inbox: Inbox, coop: Administered
) -> None:
    first = f"ana-{uuid.uuid4().hex[:6]}@example.org"
    second = f"bob-{uuid.uuid4().hex[:6]}@example.org"
    await _member(coop.organisation_id, "Ana Lima", first)
    await _member(coop.organisation_id, "Bob Stone", second, language="en")
    await _member(coop.organisation_id, "Céleste Sans-Adresse", None)

    response = await post_with_token(mailing_client, f"/o/{coop.short_name}/members/codes/mail")
    assert response.status_code == 303
    page = await mailing_client.get(response.headers["location"])
    assert "3 mails sont dans la boîte d'envoi." in page.text  # the admin has an address too
    assert "Céleste Sans-Adresse" in page.text
    again = await post_with_token(mailing_client, f"/o/{coop.short_name}/members/codes/mail")
    page = await mailing_client.get(again.headers["location"])
    assert "0 mail est dans la boîte d'envoi." in page.text
    assert "3 membres avaient déjà reçu leur code actuel" in page.text

    await _deliver()
    [to_ana] = inbox.to(first)
    assert "Votre code d'accès personnel" in to_ana["Subject"]
    link = _link_in(to_ana.get_content())
    signed_in = await mailing_client.get(link.removeprefix("http://testserver.local"))
    assert signed_in.status_code == 200
    [to_bob] = inbox.to(second)
    assert to_bob["Subject"].startswith("Your personal access code")
    assert "Keep it to yourself" in to_bob.get_content()


async def _failed_mail(organisation_id: int, recipient: str, **fields: Any) -> int:
    """An access-code mail of the cooperative that could not be sent; its id."""
    key = f"failed:{uuid.uuid4().hex}"
    await Mail.insert(
        Mail(
            organisation=organisation_id,
            kind="access_code",
            recipient=recipient,
            status=MailStatus.FAILED.value,
            idempotency_key=key,
            **fields,
        )
    )
    row = await Mail.select(Mail.id).where(Mail.idempotency_key == key).first()
    assert row is not None
    return int(row["id"])


async def test_the_outbox_shows_the_cooperatives_mails_and_retries_a_failed_one(
    mailing_client: httpx.AsyncClient, coop: Administered
) -> None:
    mail_id = await _failed_mail(
        coop.organisation_id,
        "lost@example.org",
        subject="Votre code",
        body_text="Bonjour Lost",
        attempts=mail.MAX_ATTEMPTS,
        last_error="SMTPRecipientsRefused: 550 no such user",
    )

    outbox = await mailing_client.get(f"/o/{coop.short_name}/mail")
    assert outbox.status_code == 200
    assert_shows(outbox.text, "lost@example.org", "550 no such user", "en échec")
    shown = await mailing_client.get(f"/o/{coop.short_name}/mail/{mail_id}")
    assert "Bonjour Lost" in shown.text
    retried = await post_with_token(mailing_client, f"/o/{coop.short_name}/mail/{mail_id}/retry")
    assert retried.status_code == 303
    row = await Mail.select(Mail.status, Mail.attempts).where(Mail.id == mail_id).first()
    assert row == {"status": "waiting", "attempts": 0}
    assert await AuditEntry.exists().where(
        (AuditEntry.organisation == coop.organisation_id) & (AuditEntry.action == "mail.retried")
    )


async def test_another_cooperatives_admin_gets_404_for_a_mail(
    mailing_client: httpx.AsyncClient,
) -> None:
    _, organisation_id, _ = await administered("Mail")
    mail_id = await _failed_mail(
        organisation_id, "secret@example.org", subject="Code", body_text="Bonjour Secret"
    )
    other_short, _, other_admin = await administered("Mail")
    await sign_in(mailing_client, other_admin, PASSWORD)
    assert (await mailing_client.get(f"/o/{other_short}/mail/{mail_id}")).status_code == 404
    retry = await post_with_token(mailing_client, f"/o/{other_short}/mail/{mail_id}/retry")
    assert retry.status_code == 404
    outbox = await mailing_client.get(f"/o/{other_short}/mail")
    assert "secret@example.org" not in outbox.text
    row = await Mail.select(Mail.status).where(Mail.id == mail_id).first()
    assert row["status"] == "failed"


async def test_without_smtp_the_outbox_keeps_mail_and_says_so(client: httpx.AsyncClient) -> None:
    short_name, organisation_id, admin = await administered("Mail")
    member = await _member(organisation_id, "Held Member", f"held-{uuid.uuid4().hex[:6]}@ex.org")
    await sign_in(client, admin, PASSWORD)
    await post_with_token(client, f"/o/{short_name}/members/{member}/password-link")
    row = (
        await Mail.select(Mail.status)
        .where(
            Mail.recipient.is_in(
                Membership.select(Membership.person.email).where(Membership.id == member)
            )
        )
        .first()
    )
    assert row["status"] == MailStatus.HELD.value
    outbox = await client.get(f"/o/{short_name}/mail")
    assert "Aucun serveur de mail n'est configuré" in outbox.text
    assert "gardé (pas de serveur de mail)" in outbox.text
