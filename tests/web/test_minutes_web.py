"""The procès-verbal on the web: the demo's draft, finalising, refusals, print and PDF."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from fractions import Fraction

import httpx
import pypdf
from tests.support.factories import cooperative
from tests.web.assembly_helpers import as_role, post_form
from tests.web.helpers import assert_shows
from tests.web.minutes_helpers import (
    demo_minutes,
    minutes_of_a_decision,
    visible_text,
)

from votes.core.rules import Confidence, Source, preset
from votes.db.tables import AuditEntry, Minutes
from votes.services import rules
from votes.services.actors import actor_for


async def test_the_demo_minutes_report_every_resolution_with_its_numbers(
    client: httpx.AsyncClient, demo: None
) -> None:
    response = await demo_minutes(client)
    assert response.status_code == 200
    text = visible_text(response.text)
    # the accounts: 7 for, 1 against, 2 abstentions, adopted under the SCOP SARL statutes'
    # ordinary first-call majority: more than half of all the members (#7)
    accounts = text[text.index("Résolution 1 — Approbation des comptes 2025") :]
    assert re.search(r"Pour 7 Contre 1 Abstentions 2", accounts)
    assert "plus de la moitié de l'ensemble des membres ayant droit de vote" in accounts
    assert "Adoptée" in accounts
    # the STV election and the Schulze choice, both secret-or-not mentions
    assert_shows(
        text,
        "Élection du comité de pilotage (3 sièges)",
        "Scrutin secret",
        "Où organiser le séminaire d'été ?",
        "Vercors",
    )
    # the test ballot is no decision; the open ballot is not in the record yet
    assert "Vote d'essai" not in text
    assert "Adoptez-vous l'affectation du résultat 2025\u00a0?" not in text
    assert "1 scrutin est encore ouvert" in text
    # the secretary's draft: the bureau and the opening words
    assert "Secrétaire de séance Léa Dubois" in text
    assert "se sont réuni·es en assemblée générale ordinaire" in text


async def test_the_secretary_writes_finalises_and_nothing_changes_after(
    client: httpx.AsyncClient,
) -> None:
    coop, path = await minutes_of_a_decision(client, "facilitator")
    fields = {"language": "fr", "chair": "Camille", "secretary": "Léa", "scrutineers": "Yanis"}
    too_long = await post_form(client, path, {**fields, "chair": "x" * 201})
    assert too_long.status_code == 422
    assert "C'est trop long" in visible_text(too_long.text)
    saved = await post_form(client, path, {**fields, "introduction": "La séance est ouverte."})
    assert saved.status_code == 303
    early = await post_form(client, f"{path}/finalise", {})
    assert early.status_code == 409
    assert "Clôturez l'assemblée" in visible_text(early.text)
    closed = await post_form(client, f"{coop.assembly_path}/status", {"status": "closed"})
    assert closed.status_code == 303
    final = await post_form(client, f"{path}/finalise", {})
    assert final.status_code == 303
    page_text = visible_text((await client.get(path)).text)
    assert_shows(
        page_text, "Arrêté le", "correspond à l'empreinte inscrite", "La séance est ouverte."
    )
    assert re.search(r"Pour 2 Contre 1 Abstentions 0", page_text)
    assert "Scrutin secret" in page_text
    again = await post_form(client, f"{path}/finalise", {})
    assert again.status_code == 409
    assert "Ce procès-verbal est arrêté" in visible_text(again.text)
    edit = await post_form(client, path, {**fields, "notes": "ajout"})
    assert edit.status_code == 409
    row = await Minutes.select(Minutes.notes).where(Minutes.assembly == coop.assembly_id)
    assert row == [{"notes": ""}]
    finalised = await AuditEntry.count().where(
        (AuditEntry.organisation == coop.organisation_id)
        & (AuditEntry.action == "minutes.finalised")
    )
    assert finalised == 1
    # every member now reads the final minutes, and their PDF says the same
    await as_role(client, coop, "member")
    member_view = visible_text((await client.get(path)).text)
    assert "Adoptez-vous la charte ?" in member_view
    pdf = await client.get(f"{path[: -len('/minutes')]}/minutes.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    pdf_text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    )
    assert "PROCÈS-VERBAL" in pdf_text.upper()
    assert "Adoptez-vous la charte ?" in pdf_text
    assert "Adoptée" in pdf_text


async def test_draft_minutes_are_for_the_bureau_only(client: httpx.AsyncClient) -> None:
    _coop, path = await minutes_of_a_decision(client, "member")
    waiting = await client.get(path)
    assert waiting.status_code == 200
    assert "en cours de rédaction" in waiting.text
    assert "Adoptez-vous la charte ?" not in waiting.text
    assert (await client.get(f"{path}/print")).status_code == 404
    assert (await client.get(f"{path[: -len('/minutes')]}/minutes.pdf")).status_code == 404
    saved = await post_form(client, path, {"language": "fr", "notes": "x"})
    assert saved.status_code == 403


async def test_the_demo_minutes_pdf_and_the_english_version(
    client: httpx.AsyncClient, demo: None
) -> None:
    pdf = await demo_minutes(client, ".pdf")
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    text = re.sub(r"\s+", " ", text.replace("\xa0", " "))
    assert_shows(
        text,
        "Résolution 1 — Approbation des comptes 2025",
        "plus de la moitié de l'ensemble des membres ayant droit de vote",
        "Élection du comité de pilotage (3 sièges)",
    )
    assert "Vote d'essai" not in text
    printable = await client.get(pdf.url.path.removesuffix(".pdf") + "/print")
    assert printable.status_code == 200
    assert "css/minutes.css" in printable.text
    assert "<form" not in printable.text


async def test_minutes_in_english(client: httpx.AsyncClient) -> None:
    _coop, path = await minutes_of_a_decision(client, "facilitator")
    saved = await post_form(client, path, {"language": "en", "chair": "Camille"})
    assert saved.status_code == 303
    text = visible_text((await client.get(path)).text)
    assert "Resolutions and votes" in text
    assert re.search(r"For 2 Against 1 Abstentions 0", text)
    assert "Adopted" in text


async def test_the_minutes_quote_the_quorum_of_the_rules_as_the_organisation_adjusted_them(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative()
    base = preset("scop_sa")
    rule = base.rule_for("ago", "first")
    own_rule = replace(
        rule,
        quorum=replace(rule.quorum, share=Fraction(1, 2)),
        source=Source(Confidence.STATUTES, "Statuts de la coopérative, article 12"),
    )
    await rules.save_profile(
        await actor_for(coop.organisation_id),
        base.customised("scop_sa", rules={**base.rules, ("ago", "first"): own_rule}, adjusted=True),
    )
    path = f"{coop.assembly_path}/minutes"
    await as_role(client, coop, "facilitator")
    text = visible_text((await client.get(path)).text)
    assert "Statuts de la coopérative, article 12" in text
    assert "Statuts types CG Scop" not in text
