"""Minutes that tell the truth (#16): the demo's procès-verbal, as the bureau reads it."""

from __future__ import annotations

import io
import re

import httpx
import pypdf
from tests.support.factories import close, cooperative, new_ballot
from tests.web.assembly_helpers import as_role, post_form
from tests.web.helpers import assert_shows
from tests.web.minutes_helpers import coop_with_a_decision, demo_minutes, visible_text

from votes.db.tables import AuditChain, Ballot
from votes.services import assemblies
from votes.services.assemblies import ItemText
from votes.services.ballots import lifecycle


def _section(text: str, question: str) -> str:
    start = text.index(question)
    end = text.find("Résolution", start + len(question))
    return text[start : end if end != -1 else len(text)]


async def test_the_minutes_count_proxy_votes_actually_cast(
    client: httpx.AsyncClient, demo: None
) -> None:
    text = visible_text((await demo_minutes(client)).text)
    # the proxy holder voted for the member they represent on the accounts…
    assert "dont 1 vote par pouvoir" in _section(text, "Approuvez-vous les comptes")
    # …but not on the charter: no vote by proxy was cast there, whoever was represented
    assert "par pouvoir" not in _section(text, "Consentez-vous à la charte du télétravail")


async def test_every_ballot_made_with_new_ballot_is_listed_under_its_own_item(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative()
    other_item = await assemblies.add_agenda_item(
        coop.assembly_id, ItemText("Charte du télétravail")
    )
    await as_role(client, coop, "facilitator")
    form = await client.get(f"{coop.assembly_path}/ballots/new")
    assert "Charte du télétravail" in form.text  # the facilitator sees where it is filed
    fields = {"method": "majority", "options": "Pour\nContre\nAbstention", "seats": "1"}
    # no item under discussion, no item chosen: the ballot still shows on the assembly page
    loose = await post_form(
        client,
        f"{coop.assembly_path}/ballots",
        {**fields, "question": "Levée de séance ?", "agenda_item": ""},
    )
    assert loose.status_code == 303
    # filed under the item the facilitator chose, not whichever is current
    chosen = await post_form(
        client,
        f"{coop.assembly_path}/ballots",
        {**fields, "question": "Adoptez-vous la charte ?", "agenda_item": str(other_item)},
    )
    assert chosen.status_code == 303
    page = visible_text((await client.get(coop.assembly_path)).text)
    assert "Levée de séance ?" in page
    charter = page[page.index("Charte du télétravail") :]
    assert "Adoptez-vous la charte ?" in charter
    row = (
        await Ballot.select(Ballot.agenda_item)
        .where(Ballot.question == "Adoptez-vous la charte ?")
        .where(Ballot.organisation == coop.organisation_id)
        .first()
    )
    assert row is not None
    assert row["agenda_item"] == other_item


async def test_every_page_of_the_minutes_pdf_carries_the_audit_trails_fingerprint(
    client: httpx.AsyncClient, demo: None
) -> None:
    pdf = await demo_minutes(client, ".pdf")
    assert pdf.status_code == 200
    head = await AuditChain.select().where(AuditChain.organisation.short_name == "demo").first()
    assert head is not None
    pages = [
        re.sub(r"\s+", " ", page.extract_text().replace("\xa0", " "))
        for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    ]
    assert len(pages) > 1
    for page in pages:
        assert f"empreinte {head['last_hash'][:16]}" in page
    assert f"entrée n° {head['last_sequence']}" in pages[-1]


async def test_the_projector_shows_the_audit_trails_fingerprint_with_a_published_result(
    client: httpx.AsyncClient,
) -> None:
    coop, _ = await coop_with_a_decision()
    await as_role(client, coop, "facilitator")
    page = await client.get(f"{coop.assembly_path}/projector")
    assert page.status_code == 200
    head = await AuditChain.select().where(AuditChain.organisation == coop.organisation_id).first()
    assert head is not None
    text = visible_text(page.text)
    assert f"empreinte {head['last_hash'][:16]}" in text


async def test_the_minutes_list_the_incidents_of_the_session(client: httpx.AsyncClient) -> None:
    coop, _ = await coop_with_a_decision()
    other = await new_ballot(
        coop.organisation_id,
        coop.assembly_id,
        "Adoptez-vous le budget ?",
        agenda_item_id=coop.item_id,
        opened=True,
    )
    await close(other)
    await lifecycle.reopen_ballot(
        await lifecycle.system_actor(other), other, "Coupure du réseau wifi pendant le vote"
    )
    await lifecycle.cancel_ballot(
        await lifecycle.system_actor(other), other, "Le vote reprendra à la prochaine séance"
    )
    await as_role(client, coop, "facilitator")
    page = await client.get(f"{coop.assembly_path}/minutes")
    text = visible_text(page.text)
    incidents = text[text.index("Incidents de séance") :]
    assert_shows(
        incidents,
        "rouvert",
        "Coupure du réseau wifi pendant le vote",
        "annulé",
        "Adoptez-vous le budget ?",
    )


async def test_the_minutes_write_the_date_in_words(client: httpx.AsyncClient) -> None:
    coop, _ = await coop_with_a_decision()
    await as_role(client, coop, "facilitator")
    page = await client.get(f"{coop.assembly_path}/minutes")
    text = visible_text(page.text)
    days = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    assert re.search(rf"Date (?:{days}) \d{{1,2}} \w+ \d{{4}} à \d{{1,2}} h( \d{{2}})?", text)
    assert "+0100" not in text
    assert "+0200" not in text


async def test_a_facilitator_lists_every_ballot_wherever_it_is_filed(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative()
    await new_ballot(coop.organisation_id, coop.assembly_id, "Levée de séance ?")
    await as_role(client, coop, "facilitator")
    page = await client.get(f"{coop.base}/ballots")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "Levée de séance ?" in text
    assert "Aucun point de l'ordre du jour" in text
    await as_role(client, coop, "member")
    assert (await client.get(f"{coop.base}/ballots")).status_code == 403
