"""The convocation service against a real SMTP server (aiosmtpd): each member receives their
convocation with their own sign-in link, in their language, once; the notice period is read
from the rule profile (stored profiles without one get 15 days)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from tests.support import factories
from tests.support.refusals import refusal, refusal_code
from tests.support.smtp import SENDER, Inbox, mailing

from votes.core.rules import (
    Confidence,
    PostalRule,
    preset,
    profile_from_data,
    profile_to_data,
)
from votes.db.tables import (
    Assembly,
    AssemblyKind,
    AssemblyStatus,
    AuditEntry,
    ConvocationRecord,
    Mail,
    MailStatus,
    Membership,
    MembershipStatus,
)
from votes.services import (
    access_codes,
    accounts,
    assemblies,
    convocations,
    mail,
    organisations,
    rules,
)
from votes.services.actors import actor_for
from votes.services.convocations import LetterDraft, Notice
from votes.settings import SmtpSettings

SECRET = "convocation-test-secret-key-0123456789"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SmtpSettings]]:
    with mailing() as received:
        yield received


async def _assembly(organisation_id: int, days: int = 30) -> int:
    return await assemblies.create_assembly(
        await actor_for(organisation_id),
        "AG annuelle",
        datetime.now(UTC) + timedelta(days=days),
        kind=AssemblyKind.AGO,
        place="Lyon",
    )


async def test_each_member_receives_their_convocation_with_their_own_link(
    smtp: tuple[Inbox, SmtpSettings],
) -> None:
    inbox, settings = smtp
    organisation_id = await factories.organisation()
    tag = factories.unique("conv")
    french = await accounts.create_person("Zoé", f"zoe-{tag}@example.org", None)
    english = await accounts.create_person("Ann", f"ann-{tag}@example.org", None)
    await accounts.set_preferred_language(english, "en")
    for person in (french, english):
        await organisations.add_membership(organisation_id, person)
    assembly_id = await _assembly(organisation_id)
    actor = await actor_for(organisation_id)
    await convocations.prepare(actor, assembly_id, LetterDraft("Ordre du jour : comptes.", ""))

    result = await convocations.send(
        actor, assembly_id, base_url="https://votes.example", secret_key=SECRET
    )
    assert result.queued == 2
    again = await convocations.send(
        actor, assembly_id, base_url="https://votes.example", secret_key=SECRET
    )
    assert again.queued == 0  # nobody is mailed twice
    while await mail.deliver_due(settings):
        pass

    [received] = inbox.to(f"zoe-{tag}@example.org")
    text = received.get_content()
    assert received["Subject"].startswith("Convocation\u00a0: AG annuelle")
    assert "Bonjour Zoé," in text
    assert "Ordre du jour : comptes." in text
    assert f"/assemblies/{assembly_id}" in text
    link = re.search(r"https://votes\.example/c/(\S+)", text)
    assert link is not None
    name, _organisation = await access_codes.link_owner(link.group(1), secret_key=SECRET)
    assert name == "Zoé"
    [other] = inbox.to(f"ann-{tag}@example.org")
    assert other["Subject"].startswith("Convocation: AG annuelle")
    assert "Hello Ann," in other.get_content()
    assert link.group(1) not in other.get_content()

    records = await ConvocationRecord.select(
        ConvocationRecord.message_id, ConvocationRecord.mail.status
    ).where(ConvocationRecord.assembly == assembly_id)
    assert len(records) == 2
    assert {row["mail.status"] for row in records} == {MailStatus.SENT.value}
    assert received["Message-ID"] in {row["message_id"] for row in records}
    assert SENDER.split("@")[1] in received["Message-ID"]


async def test_a_plain_member_may_not_convene() -> None:
    organisation_id = await factories.organisation()
    assembly_id = await _assembly(organisation_id)
    member = await factories.member_actor(organisation_id)
    await refusal(convocations.prepare(member, assembly_id, LetterDraft("Texte", "")))
    await refusal(convocations.send(member, assembly_id, base_url="https://x", secret_key=SECRET))
    assert not await Mail.exists().where(Mail.organisation == organisation_id)


def test_the_notice_counts_calendar_days_before_the_assembly() -> None:
    notice = Notice(date(2026, 6, 1), date(2026, 6, 10), 15)
    assert notice.days_before == 9
    assert notice.missing_days == 6
    assert notice.latest_day == date(2026, 5, 26)
    assert Notice(date(2026, 6, 1), date(2026, 6, 16), 15).missing_days == 0


def test_a_profile_keeps_its_notice_period_and_old_profiles_get_15_days() -> None:
    profile = preset("scop_sarl")
    assert profile.notice_days == 15
    assert profile.notice_source.confidence is Confidence.TO_CHECK
    changed = profile.customised("scop_sarl", notice_days=21)
    assert profile_from_data(profile_to_data(changed)).notice_days == 21
    old = profile_to_data(profile)
    del old["notice"]
    assert profile_from_data(old).notice_days == 15


async def _member(organisation_id: int, name: str) -> tuple[int, str]:
    email = f"{factories.unique(name.lower())}@example.org"
    person = await accounts.create_person(name, email, None)
    return await organisations.add_membership(organisation_id, person), email


async def test_a_code_already_printed_and_valid_until_the_assembly_is_the_one_mailed() -> None:
    organisation_id = await factories.organisation()
    membership_id, email = await _member(organisation_id, "Inès")
    actor = await actor_for(organisation_id)
    [printed] = await access_codes.issue_codes(actor, [membership_id], secret_key=SECRET, days=60)
    assembly_id = await _assembly(organisation_id, days=30)
    await convocations.prepare(actor, assembly_id, LetterDraft("Texte", ""))
    await convocations.send(actor, assembly_id, base_url="https://v.example", secret_key=SECRET)
    body = await Mail.select(Mail.body_text).where(Mail.recipient == email).first()
    assert body is not None
    assert printed.link_token in body["body_text"]  # the printed sheet keeps working
    assert printed.display_code in body["body_text"]


async def test_an_assembly_further_than_a_code_lasts_is_convened_once_per_member() -> None:
    organisation_id = await factories.organisation()
    first_id, first_email = await _member(organisation_id, "Léa")
    actor = await actor_for(organisation_id)
    assembly_id = await _assembly(organisation_id, days=120)
    await convocations.prepare(actor, assembly_id, LetterDraft("Texte", ""))
    await convocations.send(actor, assembly_id, base_url="https://v.example", secret_key=SECRET)
    [held] = await access_codes.printable_sheet(actor, secret_key=SECRET)
    assert held.membership_id == first_id
    await _member(organisation_id, "Noah")  # added later, convened by the re-send
    again = await convocations.send(
        actor, assembly_id, base_url="https://v.example", secret_key=SECRET
    )
    assert again.queued == 1
    codes = await access_codes.printable_sheet(actor, secret_key=SECRET)
    assert held in codes  # the first member's mailed code was not cancelled by the re-send
    assert await Mail.count().where(Mail.recipient == first_email) == 1


@pytest.mark.parametrize("allowed", [True, False])
async def test_the_letter_links_to_the_vote_by_correspondence_when_the_rules_allow_it(
    allowed: bool,
) -> None:
    organisation_id = await factories.organisation()
    tag = factories.unique("postal")
    person = await accounts.create_person("Zoé", f"zoe-{tag}@example.org", None)
    await organisations.add_membership(organisation_id, person)
    actor = await actor_for(organisation_id)
    profile = replace(preset("scop_sarl"), postal=PostalRule(allowed=allowed), adjusted=True)
    await rules.save_profile(actor, profile)
    assembly_id = await _assembly(organisation_id)
    await convocations.prepare(actor, assembly_id, LetterDraft("Ordre du jour : comptes.", ""))
    await convocations.send(actor, assembly_id, base_url="https://votes.example", secret_key=SECRET)

    [body] = await Mail.select(Mail.body_text).where(Mail.recipient == f"zoe-{tag}@example.org")
    text = body["body_text"]
    link = f"/assemblies/{assembly_id}/advance-vote"
    if allowed:
        assert "Votez par correspondance, jusqu’au" in text
        assert link in text
    else:
        assert "correspondance" not in text
        assert link not in text


async def _convened_member(tag: str) -> tuple[int, int, int, str, str]:
    """An organisation, an assembly convened by mail (held in the outbox: no SMTP) and its
    one member: (organisation, assembly, membership, link token, typed code)."""
    organisation_id = await factories.organisation()
    person = await accounts.create_person("Zoé", f"zoe-{tag}@example.org", None)
    membership_id = await organisations.add_membership(organisation_id, person)
    assembly_id = await _assembly(organisation_id)
    actor = await actor_for(organisation_id)
    await convocations.prepare(actor, assembly_id, LetterDraft("Ordre du jour : comptes.", ""))
    await convocations.send(actor, assembly_id, base_url="https://votes.example", secret_key=SECRET)
    row = await Mail.select(Mail.body_text).where(Mail.organisation == organisation_id).first()
    assert row is not None
    link = re.search(r"https://votes\.example/c/(\S+)", row["body_text"])
    code = re.search(r"^ {4}([A-Z0-9]{5}-[A-Z0-9]{5})$", row["body_text"], re.MULTILINE)
    assert link is not None
    assert code is not None
    return organisation_id, assembly_id, membership_id, link.group(1), code.group(1)


async def test_the_convocation_link_signs_in_again_until_the_assembly_closes() -> None:
    """A member signs in from the mail weeks before (to vote in advance), then again on the
    day: the convocation's link and code still open a session, each use audited; once the
    assembly is closed they are spent like any code."""
    organisation_id, assembly_id, _membership, link, code = await _convened_member(
        factories.unique("again")
    )
    early = await access_codes.sign_in_with_link(link, secret_key=SECRET, hours=1)
    assert early.organisation_short_name
    name, _organisation = await access_codes.link_owner(link, secret_key=SECRET)
    assert name == "Zoé"  # the confirmation page still opens on the day
    await access_codes.sign_in_with_link(link, secret_key=SECRET, hours=1)
    await access_codes.sign_in_with_code(code, secret_key=SECRET, hours=1)
    uses = (
        await AuditEntry.select(AuditEntry.details)
        .where(
            (AuditEntry.organisation == organisation_id) & (AuditEntry.action == "access_code.used")
        )
        .order_by(AuditEntry.sequence)
    )  # PostgreSQL returns rows in no set order otherwise
    assert len(uses) == 3
    assert [json.loads(u["details"] or "{}").get("convocation") for u in uses][1:] == [
        assembly_id,
        assembly_id,
    ]
    await Assembly.update({Assembly.status: AssemblyStatus.CLOSED.value}).where(
        Assembly.id == assembly_id
    )
    attempt = access_codes.sign_in_with_link(link, secret_key=SECRET, hours=1)
    assert await refusal_code(attempt) == "code_used"


async def test_a_revoked_reissued_or_departed_members_convocation_link_stops_working() -> None:
    organisation_id, _assembly_id, membership_id, link, code = await _convened_member(
        factories.unique("stop")
    )
    admin = await actor_for(organisation_id)
    await access_codes.sign_in_with_link(link, secret_key=SECRET, hours=1)
    assert await access_codes.revoke_code(admin, membership_id)  # a forwarded mail
    attempt = access_codes.sign_in_with_link(link, secret_key=SECRET, hours=1)
    assert await refusal_code(attempt) == "code_unknown"
    attempt = access_codes.sign_in_with_code(code, secret_key=SECRET, hours=1)
    assert await refusal_code(attempt) == "code_unknown"

    organisation_id, _assembly_id, membership_id, link, _code = await _convened_member(
        factories.unique("reissued")
    )
    admin = await actor_for(organisation_id)
    await access_codes.sign_in_with_link(link, secret_key=SECRET, hours=1)
    await access_codes.issue_codes(admin, [membership_id], secret_key=SECRET)
    attempt = access_codes.sign_in_with_link(link, secret_key=SECRET, hours=1)
    assert await refusal_code(attempt) == "code_unknown"

    organisation_id, _assembly_id, membership_id, link, _code = await _convened_member(
        factories.unique("gone")
    )
    await access_codes.sign_in_with_link(link, secret_key=SECRET, hours=1)
    await Membership.update({Membership.status: MembershipStatus.LEFT.value}).where(
        Membership.id == membership_id
    )
    attempt = access_codes.sign_in_with_link(link, secret_key=SECRET, hours=1)
    assert await refusal_code(attempt) == "code_unknown"


async def test_a_plenary_code_not_sent_with_a_convocation_stays_single_use() -> None:
    organisation_id = await factories.organisation()
    person = await accounts.create_person("Yann", None, None)
    await organisations.add_membership(organisation_id, person)
    await _assembly(organisation_id)
    [issued] = await access_codes.issue_codes(await actor_for(organisation_id), secret_key=SECRET)
    await access_codes.sign_in_with_code(issued.code, secret_key=SECRET, hours=1)
    attempt = access_codes.sign_in_with_link(issued.link_token, secret_key=SECRET, hours=1)
    assert await refusal_code(attempt) == "code_used"
