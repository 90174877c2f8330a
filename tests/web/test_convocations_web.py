"""The convocation as an administrator and a member notice it, over HTTP (French and English):
prepare (prefilled), preview, send (one mail each, idempotent, re-send to those added since),
printed letters for members without an address, the proof and its CSV, the notice warning,
and every refusal (plain member, another cooperative's admin, suspended admin, closed
assembly, bad text) leaving the database unchanged."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from tests.support.audit_trail import audit_details
from tests.support.factories import PASSWORD
from tests.web.assembly_helpers import post_form
from tests.web.helpers import assert_shows, sign_in

from votes.core.rules import PostalRule
from votes.db.tables import (
    AgendaItem,
    Assembly,
    AssemblyKind,
    AssemblyStatus,
    AuditEntry,
    ConvocationLetter,
    ConvocationRecord,
    Mail,
    Membership,
    MembershipStatus,
)
from votes.services import accounts, assemblies, organisations, proposals, rules
from votes.services.actors import actor_for
from votes.services.assemblies import ItemText
from votes.services.ballots import drafts


@dataclass
class Coop:
    slug: str
    organisation_id: int
    assembly_id: int
    admin: str
    member: str
    suspended_admin: str
    member_ids: list[int]

    @property
    def path(self) -> str:
        return f"/o/{self.slug}/assemblies/{self.assembly_id}/convocation"


async def _coop(*, days_ahead: int = 30, status: AssemblyStatus = AssemblyStatus.DRAFT) -> Coop:
    suffix = uuid.uuid4().hex[:8]
    slug = f"conv-{suffix}"
    organisation_id = await organisations.create_organisation(f"Coop {suffix}", slug)
    emails = {}
    for role in ("admin", "member", "suspended"):
        email = f"{role}-{suffix}@example.org"
        person = await accounts.create_person(f"{role.title()} {suffix}", email, PASSWORD)
        membership = await organisations.add_membership(
            organisation_id, person, is_admin=role in ("admin", "suspended")
        )
        if role == "suspended":
            await Membership.update({Membership.status: MembershipStatus.SUSPENDED.value}).where(
                Membership.id == membership
            )
        emails[role] = email
    member_ids = []
    for index in range(3):  # two with an address, one without
        email = f"m{index}-{suffix}@example.org" if index < 2 else None
        person = await accounts.create_person(f"Zoé M{index} {suffix}", email, None)
        member_ids.append(await organisations.add_membership(organisation_id, person))
    actor = await actor_for(organisation_id)
    assembly_id = await assemblies.create_assembly(
        actor,
        f"AG {suffix}",
        datetime.now(UTC) + timedelta(days=days_ahead),
        kind=AssemblyKind.AGO,
        place="Salle des fêtes, Lyon",
        remote_url="https://visio.example.org/ag",
    )
    item_id = await assemblies.add_agenda_item(assembly_id, ItemText("Approbation des comptes"))
    author = await accounts.create_person(f"Author {suffix}", None, None)
    await organisations.add_membership(organisation_id, author)
    await proposals.create_proposal(
        organisation_id,
        assembly_id,
        author,
        "Affectation du résultat",
        "Le résultat est affecté aux réserves impartageables.",
        agenda_item_id=item_id,
    )
    await Assembly.update({Assembly.status: status.value}).where(Assembly.id == assembly_id)
    return Coop(
        slug,
        organisation_id,
        assembly_id,
        emails["admin"],
        emails["member"],
        emails["suspended"],
        member_ids,
    )


async def _counts(coop: Coop) -> tuple[int, int, int]:
    mails = await Mail.count().where(Mail.organisation == coop.organisation_id)
    records = await ConvocationRecord.count().where(ConvocationRecord.assembly == coop.assembly_id)
    letters = await ConvocationLetter.count().where(ConvocationLetter.assembly == coop.assembly_id)
    return mails, records, letters


async def _signed_in_admin(client: httpx.AsyncClient, **options: Any) -> Coop:
    """A fresh cooperative (:func:`_coop` takes the ``options``), its admin signed in."""
    coop = await _coop(**options)
    await sign_in(client, coop.admin, PASSWORD)
    return coop


async def _prepare(client: httpx.AsyncClient, coop: Coop) -> None:
    page = await client.get(f"{coop.path}/", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    body = _textarea(page.text, "body")
    instructions = _textarea(page.text, "instructions")
    response = await post_form(
        client, f"{coop.path}/", {"body": body, "instructions": instructions}
    )
    assert response.status_code == 303


def _textarea(html: str, name: str) -> str:
    import html as html_module
    import re

    match = re.search(rf'<textarea id="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, name
    return html_module.unescape(match.group(1))


async def test_an_admin_prepares_previews_and_sends_the_convocation_in_french(
    client: httpx.AsyncClient,
) -> None:
    coop = await _signed_in_admin(client)
    assembly_page = await client.get(f"/o/{coop.slug}/assemblies/{coop.assembly_id}")
    assert f"/assemblies/{coop.assembly_id}/convocation/" in assembly_page.text

    page = await client.get(f"{coop.path}/", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    body = _textarea(page.text, "body")
    assert_shows(
        body,
        "Salle des fêtes, Lyon",
        "https://visio.example.org/ag",
        "1. Approbation des comptes",
        "Affectation du résultat",
    )
    assert "réserves impartageables" in body  # the draft resolution's text
    assert " à " in body
    assert "202" in body
    instructions = _textarea(page.text, "instructions")
    assert "pouvoir" in instructions, instructions
    assert "notice-ok" in page.text

    response = await post_form(
        client, f"{coop.path}/", {"body": body, "instructions": instructions}
    )
    assert response.status_code == 303
    preview = await client.get(f"{coop.path}/preview", headers={"Accept-Language": "fr"})
    assert "Convocation" in preview.text
    assert "ABCDE-FGHJK" in preview.text

    response = await post_form(client, f"{coop.path}/send", {})
    assert response.status_code == 303
    mails, records, _ = await _counts(coop)
    assert (mails, records) == (4, 4)  # the admin, the member and two members with an address
    status = await Assembly.select(Assembly.status).where(Assembly.id == coop.assembly_id).first()
    assert status == {"status": AssemblyStatus.CONVENED.value}
    text = (
        await Mail.select(Mail.body_text)
        .where(Mail.recipient == f"m0-{coop.slug.removeprefix('conv-')}@example.org")
        .first()
        or {}
    )["body_text"]
    assert "/c/" in text
    assert f"/o/{coop.slug}/assemblies/{coop.assembly_id}" in text

    # sending again mails nobody twice; a member added since is convened by the re-send
    response = await post_form(client, f"{coop.path}/send", {})
    assert (await _counts(coop))[:2] == (4, 4)
    person = await accounts.create_person("Nouvelle", f"new-{coop.slug}@example.org", None)
    await organisations.add_membership(coop.organisation_id, person)
    await post_form(client, f"{coop.path}/send", {})
    assert (await _counts(coop))[:2] == (5, 5)

    proof = await client.get(f"{coop.path}/proof", headers={"Accept-Language": "fr"})
    assert proof.status_code == 200
    assert "par e-mail" in proof.text
    assert "non convoqué" in proof.text
    csv = await client.get(f"{coop.path}/proof.csv", headers={"Accept-Language": "fr"})
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "Message-ID" in csv.text
    assert "par e-mail" in csv.text
    actions = {
        row["action"]
        for row in await AuditEntry.select(AuditEntry.action).where(
            AuditEntry.organisation == coop.organisation_id
        )
    }
    assert {"convocation.prepared", "convocation.sent"} <= actions


async def test_the_pages_speak_english(client: httpx.AsyncClient) -> None:
    coop = await _signed_in_admin(client)
    english = {"Accept-Language": "en"}
    page = await client.get(f"{coop.path}/", headers=english)
    assert "Send" in page.text
    assert "Text of the convocation" in page.text
    await _prepare(client, coop)
    proof = await client.get(f"{coop.path}/proof", headers=english)
    assert "Proof of convocation" in proof.text
    assert "not convened" in proof.text


async def test_members_without_an_address_get_a_printed_letter_recorded_when_handed(
    client: httpx.AsyncClient,
) -> None:
    coop = await _signed_in_admin(client)
    await _prepare(client, coop)
    letters = await client.get(f"{coop.path}/letters", headers={"Accept-Language": "fr"})
    assert "Zoé M2" in letters.text  # no code yet: named, with the button to give one
    response = await post_form(client, f"{coop.path}/letters/codes", {})
    assert response.status_code == 303
    letters = await client.get(f"{coop.path}/letters", headers={"Accept-Language": "fr"})
    assert "data:image/svg+xml" in letters.text  # the QR code on the letter
    assert "Affectation du résultat" in letters.text
    without = coop.member_ids[2]
    response = await post_form(client, f"{coop.path}/letters/mark", {"member": str(without)})
    assert response.status_code == 303
    record = (
        await ConvocationRecord.select(ConvocationRecord.channel)
        .where(
            (ConvocationRecord.assembly == coop.assembly_id)
            & (ConvocationRecord.membership == without)
        )
        .first()
    )
    assert record == {"channel": "letter"}
    marked = await AuditEntry.exists().where(
        (AuditEntry.organisation == coop.organisation_id)
        & (AuditEntry.action == "convocation.letters_marked")
    )
    assert marked
    proof = await client.get(f"{coop.path}/proof", headers={"Accept-Language": "fr"})
    assert "par lettre" in proof.text
    # nothing chosen: a clear message, nothing recorded
    response = await post_form(client, f"{coop.path}/letters/mark", {}, language="en")
    assert response.status_code == 422
    assert "Choose at least one member" in response.text


async def test_a_short_notice_warns_in_words_and_is_recorded_once_confirmed(
    client: httpx.AsyncClient,
) -> None:
    coop = await _signed_in_admin(client, days_ahead=5)
    await _prepare(client, coop)
    page = await client.get(f"{coop.path}/", headers={"Accept-Language": "fr"})
    assert "notice-warning" in page.text
    warning = page.text[page.text.index("notice-warning") :][:1500]
    assert "jours avant" in warning, warning
    before = await _counts(coop)
    refused = await post_form(client, f"{coop.path}/send", {})
    assert refused.status_code == 409
    assert "cochez la case" in refused.text
    assert await _counts(coop) == before
    response = await post_form(client, f"{coop.path}/send", {"short_notice": "1"})
    assert response.status_code == 303
    shorts = {
        row["notice_short_days"]
        for row in await ConvocationRecord.select(ConvocationRecord.notice_short_days).where(
            ConvocationRecord.assembly == coop.assembly_id
        )
    }
    assert shorts
    assert all(days >= 9 for days in shorts)
    details = await audit_details("convocation.sent", organisation=coop.organisation_id)
    assert '"missing_days": ' in details


async def test_bad_text_is_refused_with_a_message_and_nothing_saved(
    client: httpx.AsyncClient,
) -> None:
    coop = await _signed_in_admin(client)
    empty = await post_form(client, f"{coop.path}/", {"body": "   ", "instructions": ""})
    assert empty.status_code == 422
    assert "ne peut pas être vide" in empty.text
    long = await post_form(
        client, f"{coop.path}/", {"body": "x" * 60_000, "instructions": ""}, language="en"
    )
    assert long.status_code == 422
    assert "too long" in long.text
    assert await _counts(coop) == (0, 0, 0)
    unprepared = await post_form(client, f"{coop.path}/send", {})
    assert unprepared.status_code == 409
    assert await _counts(coop) == (0, 0, 0)


async def test_a_closed_assembly_is_not_convened(client: httpx.AsyncClient) -> None:
    coop = await _signed_in_admin(client, status=AssemblyStatus.CLOSED)
    response = await post_form(client, f"{coop.path}/", {"body": "Texte", "instructions": ""})
    assert response.status_code == 409
    assert "clôturée" in response.text or "close" in response.text
    assert await _counts(coop) == (0, 0, 0)


async def test_only_this_cooperatives_active_admins_may_convene(
    client: httpx.AsyncClient,
) -> None:
    coop = await _coop()
    other = await _coop()
    await sign_in(client, coop.admin, PASSWORD)
    await _prepare(client, coop)
    before = await _counts(coop)
    for email, expected in (
        (coop.member, 403),
        (coop.suspended_admin, 403),
        (other.admin, 404),
    ):
        client.cookies.clear()
        await sign_in(client, email, PASSWORD)
        assert (await client.get(f"{coop.path}/")).status_code == expected
        assert (await client.get(f"{coop.path}/proof.csv")).status_code == expected
        response = await post_form(client, f"{coop.path}/send", {})
        assert response.status_code == expected, email
        response = await post_form(client, f"{coop.path}/", {"body": "pirate", "instructions": ""})
        assert response.status_code == expected
    assert await _counts(coop) == before
    letter = (
        await ConvocationLetter.select(ConvocationLetter.body)
        .where(ConvocationLetter.assembly == coop.assembly_id)
        .first()
    )
    assert letter is not None
    assert letter["body"] != "pirate"


async def test_the_printed_letters_come_as_a_pdf_one_page_per_member(
    client: httpx.AsyncClient,
) -> None:
    coop = await _signed_in_admin(client)
    await _prepare(client, coop)
    await post_form(client, f"{coop.path}/letters/codes", {})
    response = await client.get(f"{coop.path}/letters.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


async def test_marking_letters_needs_a_prepared_letter(client: httpx.AsyncClient) -> None:
    coop = await _signed_in_admin(client)
    response = await post_form(
        client, f"{coop.path}/letters/mark", {"member": str(coop.member_ids[2])}
    )
    assert response.status_code == 409
    assert await _counts(coop) == (0, 0, 0)


async def test_the_notice_period_is_edited_with_the_rules(client: httpx.AsyncClient) -> None:
    from votes.core.rules import Confidence
    from votes.services import rules
    from votes.web.controllers.rules import form_values

    coop = await _signed_in_admin(client, days_ahead=18)
    profile = await rules.organisation_profile(coop.organisation_id)
    assert profile.notice_days == 15
    page = await client.get(f"/o/{coop.slug}/rules", headers={"Accept-Language": "fr"})
    assert "convoqué·es au moins 15 jours avant" in page.text

    values = form_values(profile)
    refused = await post_form(client, f"/o/{coop.slug}/rules", {**values, "notice_days": "-3"})
    assert refused.status_code == 422
    assert "délai de convocation en nombre entier de jours" in refused.text
    assert (await rules.organisation_profile(coop.organisation_id)).notice_days == 15

    saved = await post_form(
        client, f"/o/{coop.slug}/rules", {**values, "notice_days": "21"}, language="en"
    )
    assert saved.status_code == 303
    changed = await rules.organisation_profile(coop.organisation_id)
    assert changed.notice_days == 21
    assert changed.notice_source.confidence is Confidence.STATUTES
    # the assembly 18 days away is now 3 days short
    prepare = await client.get(f"{coop.path}/", headers={"Accept-Language": "en"})
    assert "The notice period is 3 days short." in prepare.text


async def test_the_prefilled_letter_says_only_what_members_can_do(
    client: httpx.AsyncClient,
) -> None:
    """The proxy cap is a number (it read « au plus %(num)d pouvoir »), a question put straight
    to the vote is a draft resolution too, and the vote by correspondence is offered with its
    deadline only where the rules allow it (it was hedged « lorsque les statuts le
    permettent » whatever they said)."""
    coop = await _coop()
    item = await AgendaItem.select(AgendaItem.id).where(AgendaItem.assembly == coop.assembly_id)
    await drafts.create_ballot(
        await actor_for(coop.organisation_id),
        coop.assembly_id,
        "Approuvez-vous les comptes 2026 ?",
        "majority",
        [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
        agenda_item_id=item[0]["id"],
    )
    await sign_in(client, coop.admin, PASSWORD)
    page = await client.get(f"{coop.path}/", headers={"Accept-Language": "fr"})
    body, instructions = _textarea(page.text, "body"), _textarea(page.text, "instructions")
    assert "— Approuvez-vous les comptes 2026 ? (1. Approbation des comptes)" in body
    assert "— Affectation du résultat (1. Approbation des comptes)" in body
    assert "%(" not in body + instructions
    assert "Chaque associé·e détient au plus 1 pouvoir en plus de sa propre voix." in instructions
    assert "correspondance" not in instructions  # these rules do not provide for it

    profile = await rules.organisation_profile(coop.organisation_id)
    allowed = replace(profile, postal=PostalRule(allowed=True), adjusted=True)
    await rules.save_profile(await actor_for(coop.organisation_id), allowed)
    page = await client.get(f"{coop.path}/", headers={"Accept-Language": "fr"})
    instructions = _textarea(page.text, "instructions")
    deadline = re.search(
        r"par correspondance sur chaque résolution jusqu’au (.+?), depuis", instructions
    )
    assert deadline
    assert re.fullmatch(r"[a-z]+ \d{1,2} [a-zéû]+ \d{4} à 15:00", deadline.group(1))
