"""Dutch for the Flemish members of Belgian cooperatives: a Dutch phone reads Dutch, the switch
offers it, a cooperative can speak it by default, and dates and numbers are written the Belgian
way."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import httpx
import pypdf
from tests.support.factories import CATEGORIES, PASSWORD, administered
from tests.web.assembly_helpers import admin_signed_in, post_form
from tests.web.helpers import assert_shows, choose_language, post_with_token, sign_in
from tests.web.minutes_helpers import (
    demo_assembly_id,
    minutes_of_a_decision,
    visible_text,
)
from tests.web.phone_voting import VotingCoop

from votes import i18n
from votes.db.tables import Organisation
from votes.services import member_import
from votes.services.actors import actor_for
from votes.services.ballots import lifecycle
from votes.web.templating import format_number, format_share, format_when

FLEMISH_PHONE = {"Accept-Language": "nl-BE,nl;q=0.9,fr-BE;q=0.8,en;q=0.5"}
GERMAN_PHONE = {"Accept-Language": "de-DE,de;q=0.9"}


async def test_a_dutch_phone_reads_the_front_page_in_dutch(
    client: httpx.AsyncClient, demo: None
) -> None:
    page = await client.get("/", headers=FLEMISH_PHONE)
    assert page.status_code == 200
    assert_shows(page.text, '<html lang="nl">', "Samen beslissen, juist tellen", "Aanmelden")
    # the product's name is a name: "Votes" in every language (in Dutch, not "Stemmen")
    assert '<a class="brand" href="/">Votes</a>' in page.text
    assert re.search(r"<title>[^<]* · Votes</title>", page.text)
    # the switch offers the two other languages, each named in its own language
    assert 'value="fr" lang="fr">Français<' in page.text
    assert 'value="en" lang="en">English<' in page.text
    assert 'value="nl"' not in page.text


async def test_the_language_switch_offers_dutch_and_remembers_it(
    client: httpx.AsyncClient,
) -> None:
    french = await client.get("/", headers={"Accept-Language": "fr"})
    assert 'value="nl" lang="nl">Nederlands<' in french.text
    await choose_language(client, "nl")
    page = await client.get("/", headers={"Accept-Language": "fr"})
    assert_shows(page.text, '<html lang="nl">', "Samen beslissen, juist tellen")


async def test_a_flemish_member_votes_and_reads_the_result_in_dutch(
    client: httpx.AsyncClient,
) -> None:
    coop = await VotingCoop().create()
    ballot_id = await coop.open_ballot()
    await sign_in(client, coop.emails["ana"], PASSWORD)
    page = await client.get(coop.path(ballot_id), headers=FLEMISH_PHONE)
    assert page.status_code == 200
    assert_shows(
        page.text,
        '<html lang="nl">',
        "Tik je antwoord aan; je bevestigt het op het volgende scherm.",
        "Afmelden",
    )
    token = _hidden(page.text, "_csrf_token")
    review = await client.post(
        coop.path(ballot_id, "/review"),
        data={
            "_csrf_token": token,
            "submission": _hidden(page.text, "submission"),
            "choice": "yes",
        },
        headers=FLEMISH_PHONE,
    )
    assert "Controleer je stem" in review.text
    voted = await client.post(
        coop.path(ballot_id, "/vote"),
        data={
            "_csrf_token": token,
            "submission": _hidden(review.text, "submission"),
            "choice": _hidden(review.text, "choice"),
        },
        headers=FLEMISH_PHONE,
        follow_redirects=False,
    )
    assert voted.status_code == 303
    actor = await lifecycle.system_actor(ballot_id)
    await lifecycle.close_ballot(actor, ballot_id)
    await lifecycle.publish_ballot(actor, ballot_id)
    result = await client.get(coop.path(ballot_id), headers=FLEMISH_PHONE)
    # the tally's own explanation, in Dutch, with a Belgian percentage
    assert_shows(
        result.text, "Aangenomen — vereiste meerderheid: meer dan de helft van", "100% voor"
    )


async def test_a_belgian_cooperative_speaking_dutch_is_read_in_dutch_by_default(
    client: httpx.AsyncClient,
) -> None:
    coop = await VotingCoop().create()
    await Organisation.update({Organisation.default_language: "nl"}).where(
        Organisation.id == coop.organisation_id
    )
    await sign_in(client, coop.emails["ana"], PASSWORD)
    vote = f"/o/{coop.slug}/vote"
    german = await client.get(vote, headers=GERMAN_PHONE)
    assert '<html lang="nl">' in german.text
    assert "Afmelden" in german.text
    # English only as a German phone's fallback: the cooperative's Dutch comes first
    fallback = await client.get(vote, headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert '<html lang="nl">' in fallback.text
    # a French-speaking member of the same cooperative still reads French
    french = await client.get(vote, headers={"Accept-Language": "fr-BE,fr;q=0.9,nl;q=0.5"})
    assert '<html lang="fr">' in french.text


async def test_an_administrator_makes_dutch_the_cooperatives_language(
    client: httpx.AsyncClient,
) -> None:
    short_name, organisation_id = await admin_signed_in(client, categories=CATEGORIES)
    settings = await client.get(f"/o/{short_name}/settings", headers=FLEMISH_PHONE)
    assert '<option value="nl"' in settings.text
    assert "Standaardtaal" in settings.text
    fields = {
        "name": "Coöperatie De Wevers",
        "short_name": short_name,
        "legal_form": "belgian_sc",
        "time_zone": "Europe/Brussels",
    }
    refused = await post_with_token(
        client,
        f"/o/{short_name}/settings",
        {**fields, "default_language": "de"},
        headers=FLEMISH_PHONE,
    )
    assert refused.status_code == 422
    assert "Kies Frans, Engels of Nederlands." in refused.text
    saved = await post_with_token(
        client, f"/o/{short_name}/settings", {**fields, "default_language": "nl"}
    )
    assert saved.status_code == 303
    row = (
        await Organisation.select(Organisation.default_language)
        .where(Organisation.id == organisation_id)
        .first()
    )
    assert row == {"default_language": "nl"}


def test_dates_and_numbers_are_written_the_belgian_way() -> None:
    token = i18n.current_language.set("nl")
    try:
        when = datetime(2026, 12, 5, 8, 30, tzinfo=UTC)
        assert format_when(when, "Europe/Brussels", "short") == "5 december 2026, 09:30"
        assert format_when(when, "Europe/Brussels") == "5 december 2026, 09:30"
        assert format_number(12345) == "12.345"
        assert format_share(0.714) == "71,4%"
    finally:
        i18n.current_language.reset(token)


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no {name} field"
    return match.group(1)


async def test_a_flemish_register_spreadsheet_imports_and_the_dutch_export_reads_back(
    client: httpx.AsyncClient,
) -> None:
    """The import page shows Dutch column names: a file written with them (and Dutch roles)
    imports, and the register exported to a Flemish administrator imports again unchanged."""
    short_name, organisation_id, email = await administered("Coop", categories=CATEGORIES)
    text = (
        "Naam;E-mailadres;Categorie;Rollen\r\n"
        "An Peeters;an.peeters@example.org;bénéficiaire;Gespreksleider en beheerder\r\n"
        "Jef Claes;;bénéficiaire;waarnemer\r\n"
    )
    report = await member_import.apply_import(await actor_for(organisation_id), text)
    assert report.file_problem is None
    assert report.rejected == []
    an, jef = report.to_add
    assert (an.name, an.email, an.is_facilitator, an.is_admin) == (
        "An Peeters",
        "an.peeters@example.org",
        True,
        True,
    )
    assert jef.kind.value == "observer"
    await sign_in(client, email, PASSWORD)
    guide = await client.get(f"/o/{short_name}/members/import", headers=FLEMISH_PHONE)
    assert "<code>naam</code>" in guide.text
    exported = await client.get(f"/o/{short_name}/members/export.csv", headers=FLEMISH_PHONE)
    assert exported.text.splitlines()[0].lstrip("\ufeff") == (
        "naam;e-mail;categorie;college;rollen;status"
    )
    again = await member_import.check_import(organisation_id, exported.text)
    assert again.file_problem is None
    assert again.rejected == []  # the Dutch column names read back
    assert "An Peeters" in again.already_members


async def test_the_notulen_of_a_flemish_assembly_are_written_in_dutch(
    client: httpx.AsyncClient,
) -> None:
    _coop, path = await minutes_of_a_decision(client, "facilitator")
    form = await client.get(path, headers={"Accept-Language": "fr"})
    assert '<option value="nl"' in form.text
    saved = await post_form(client, path, {"language": "nl", "chair": "Camille"})
    assert saved.status_code == 303
    # the document speaks its own language, whatever the reader's page speaks
    text = visible_text((await client.get(path, headers={"Accept-Language": "fr"})).text)
    assert "Besluiten en stemmingen" in text
    assert re.search(r"Voor 2 Tegen 1 Onthoudingen 0", text)
    assert "Aangenomen — vereiste meerderheid" in text
    pdf = await client.get(f"{path}.pdf")
    assert pdf.status_code == 200
    printed = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Besluiten en stemmingen" in re.sub(r"\s+", " ", printed)


async def test_the_quorum_names_the_assembly_with_the_belgian_acronym(
    client: httpx.AsyncClient, demo: None
) -> None:
    quorum = f"/o/demo/assemblies/{await demo_assembly_id()}/quorum"
    await sign_in(client, "camille@demo.votes.invalid")
    dutch = await client.get(quorum, headers=FLEMISH_PHONE)
    assert "(AV, eerste oproeping)" in dutch.text  # gewone algemene vergadering, not "AGO"
    french = await client.get(quorum, headers={"Accept-Language": "fr"})
    assert "(AGO, première convocation)" in french.text
