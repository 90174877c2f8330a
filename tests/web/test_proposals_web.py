"""Proposals and amendments as members meet them: submission rules, versions and diffs,
amendments, search, and the refusals that change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from tests.support.factories import PASSWORD, cooperative
from tests.web.assembly_helpers import (
    accept_amendment,
    as_role,
    coop_signed_in,
    first_id,
    post_form,
    propose_amendment,
    submit_proposal,
    thread_of,
)
from tests.web.helpers import sign_in

from votes.db.tables import Amendment, Proposal, ProposalStatus
from votes.services import accounts, assemblies, organisations, proposals


async def test_member_submits_a_proposal_and_markdown_scripts_never_run(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "member")
    proposal_path = await submit_proposal(
        client,
        coop,
        title="Semaine de quatre jours",
        body="Nous proposons **4 jours**.\n\n<script>alert('x')</script>"
        "[clic](javascript:alert(1)) <img src=x onerror=alert(1)>",
        agenda_item=str(coop.item_id),
        coauthors=[str(coop.people["other"])],
    )
    page = await client.get(proposal_path)
    assert "<strong>4 jours</strong>" in page.text
    assert "<script>alert" not in page.text
    assert 'href="javascript' not in page.text
    assert "<img" not in page.text.split('<div class="prose"', 1)[1].split("</div>")[0]
    assert "Other " in page.text  # the co-author is named


async def test_empty_and_oversized_proposals_get_messages_and_are_not_saved(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "member")
    path = f"{coop.assembly_path}/proposals"
    empty = await post_form(client, path, {"title": " ", "body": "texte"}, htmx=True)
    assert empty.status_code == 422
    assert "Donnez un titre." in empty.text
    huge = await post_form(client, path, {"title": "Long", "body": "x" * 30_000}, language="en")
    assert huge.status_code == 422
    assert "This text is too long." in huge.text
    assert await Proposal.count().where(Proposal.organisation == coop.organisation_id) == 0


async def test_a_proposal_after_the_deadline_is_refused_in_french(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative(submission_deadline=datetime.now(UTC) - timedelta(hours=1))
    await as_role(client, coop, "member")
    response = await post_form(
        client,
        f"{coop.assembly_path}/proposals",
        {"title": "Trop tard", "body": "Texte"},
    )
    assert response.status_code == 409
    assert "La date limite de dépôt des propositions est passée." in response.text
    assert 'value="Trop tard"' in response.text  # what was typed is kept
    assert await Proposal.count().where(Proposal.organisation == coop.organisation_id) == 0


async def test_edits_make_versions_whose_differences_are_shown(client: httpx.AsyncClient) -> None:
    coop = await coop_signed_in(client, "member")
    proposal_path = await submit_proposal(
        client, coop, title="Prime", body="Une prime de 300 € en juin."
    )
    edited = await post_form(
        client,
        f"{proposal_path}/edit",
        {"title": "Prime", "body": "Une prime de 400 € en juin.", "note": "montant"},
    )
    assert edited.status_code == 303
    versions = await client.get(f"{proposal_path}/versions", headers={"Accept-Language": "fr"})
    assert "<del>300</del><ins>400</ins>" in versions.text
    assert "montant" in versions.text
    await as_role(client, coop, "other")
    refused = await post_form(
        client, f"{proposal_path}/edit", {"title": "Prime", "body": "Rien du tout."}
    )
    assert refused.status_code == 403
    page = await client.get(proposal_path)
    assert "400 €" in page.text


async def test_amendment_is_shown_as_a_diff_and_accepted_by_the_author(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "member")
    proposal_path = await submit_proposal(
        client, coop, title="Télétravail", body="Deux jours de télétravail par semaine."
    )
    await as_role(client, coop, "other")
    missing = await post_form(
        client,
        f"{proposal_path}/amendments",
        {"kind": "replace", "passage": "Cinq jours", "text": "Trois jours"},
    )
    assert missing.status_code == 409
    assert "pas dans le texte actuel" in missing.text
    amendment_id = await propose_amendment(
        client, proposal_path, kind="replace", passage="Deux jours", text="Trois jours",
        reason="Équité",
    )  # fmt: skip
    page = await client.get(proposal_path)
    assert "<del>Deux</del><ins>Trois</ins>" in page.text
    assert f'id="amendment-{amendment_id}"' in page.text
    await as_role(client, coop, "member")
    await accept_amendment(client, coop, amendment_id)
    page = await client.get(proposal_path, headers={"Accept-Language": "en"})
    assert "Three" in page.text or "Trois jours de télétravail" in page.text
    assert "Accepted by the author" in page.text


async def test_an_amendment_to_a_withdrawn_proposal_is_refused(client: httpx.AsyncClient) -> None:
    coop = await coop_signed_in(client, "member")
    proposal_path = await submit_proposal(client, coop, title="Idée", body="Un texte.")
    withdrawn = await post_form(client, f"{proposal_path}/status", {"status": "withdrawn"})
    assert withdrawn.status_code == 303
    await as_role(client, coop, "other")
    response = await post_form(
        client, f"{proposal_path}/amendments", {"kind": "full", "text": "Autre chose."}
    )
    assert response.status_code == 409
    assert "Cette proposition a été retirée." in response.text
    assert await Amendment.count().where(Amendment.organisation == coop.organisation_id) == 0


async def test_search_filters_by_status_author_item_and_words(client: httpx.AsyncClient) -> None:
    coop = await cooperative()
    await proposals.create_proposal(
        coop.organisation_id, coop.assembly_id, coop.people["member"], "Vélos de service",
        "Acheter trois vélos cargo.", agenda_item_id=coop.item_id,
    )  # fmt: skip
    await proposals.create_proposal(
        coop.organisation_id, coop.assembly_id, coop.people["other"], "Cantine",
        "Une cantine bio.", status=ProposalStatus.UNDER_DEBATE,
    )  # fmt: skip
    await as_role(client, coop, "observer")
    by_words = await client.get(f"{coop.base}/proposals", params={"q": "CARGO"})
    assert "Vélos de service" in by_words.text
    assert "Cantine" not in by_words.text
    by_status = await client.get(
        f"{coop.base}/proposals", params={"status": "under_debate"}, headers={"HX-Request": "true"}
    )
    assert "Cantine" in by_status.text
    assert "Vélos" not in by_status.text
    assert "<html" not in by_status.text  # htmx gets the results only
    by_item = await client.get(f"{coop.base}/proposals", params={"item": str(coop.item_id)})
    assert "Vélos de service" in by_item.text
    assert "Cantine" not in by_item.text.split('id="results"')[1]
    by_author = await client.get(
        f"{coop.base}/proposals", params={"author": str(coop.people["other"]), "q": "100%_"}
    )
    assert "Aucune proposition ne correspond" in by_author.text


async def test_facilitator_prepares_the_ballot_of_a_proposal(client: httpx.AsyncClient) -> None:
    coop = await cooperative()
    proposal_id = await proposals.create_proposal(
        coop.organisation_id, coop.assembly_id, coop.people["member"], "Budget", "Texte.",
        agenda_item_id=coop.item_id,
    )  # fmt: skip
    await as_role(client, coop, "facilitator")
    response = await post_form(client, f"{coop.base}/proposals/{proposal_id}/vote", {})
    assert response.status_code == 303
    assert "/ballots/" in response.headers["location"]
    row = await Proposal.select(Proposal.status).where(Proposal.id == proposal_id).first()
    assert row is not None
    assert row["status"] == "voting"


async def test_demo_shows_a_debate_with_amendments_a_draft_and_a_closed_thread(
    client: httpx.AsyncClient, demo: None
) -> None:
    from tests.web.helpers import sign_in

    await sign_in(client, "lea@demo.votes.invalid")
    found = await client.get("/o/demo/proposals", params={"q": "télétravail"})
    proposal_id = first_id(r'href="/o/demo/proposals/(\d+)">Charte du télétravail', found.text)
    page = await client.get(f"/o/demo/proposals/{proposal_id}", headers={"Accept-Language": "fr"})
    # Léa's pending amendment, as people read it: no Markdown "**" on screen
    assert "<strong><del>deux</del><ins>trois</ins> jours</strong>" in page.text
    assert "Accepté par l’auteur·rice" in page.text  # Inès's amendment, taken into version 2
    assert "version 2" in page.text
    assert "Hors sujet" in page.text
    assert "mon chargeur" not in page.text
    assert "Vélos de service" not in (await client.get("/o/demo/proposals")).text  # Noah's draft
    accounts = await client.get("/o/demo/proposals", params={"q": "Résolution 1"})
    accounts_id = first_id(r'href="/o/demo/proposals/(\d+)">Résolution 1', accounts.text)
    closed = await client.get(f"/o/demo/proposals/{accounts_id}", headers={"Accept-Language": "fr"})
    assert "Cette discussion a été close" in closed.text


async def test_a_draft_thread_stays_private_to_its_authors(client: httpx.AsyncClient) -> None:
    coop = await coop_signed_in(client, "member")
    proposal_path = await submit_proposal(
        client, coop, title="Brouillon", body="Pas encore prêt.", draft="1"
    )
    thread_id = await thread_of(client, proposal_path)
    posted = await post_form(
        client, f"{coop.base}/threads/{thread_id}/contributions", {"body": "Note pour moi"}
    )
    assert posted.status_code == 303
    # another member who guesses the thread's id learns nothing and cannot post or react
    await as_role(client, coop, "other")
    assert (await client.get(f"{coop.base}/threads/{thread_id}/contributions")).status_code == 404
    refused = await post_form(
        client, f"{coop.base}/threads/{thread_id}/contributions", {"body": "Je m'invite"}
    )
    assert refused.status_code == 404
    # the facilitator may read it, as they may read the draft itself
    await as_role(client, coop, "facilitator")
    page = await client.get(f"{coop.base}/threads/{thread_id}/contributions")
    assert page.status_code == 200
    assert "Note pour moi" in page.text
    assert "Je m&#39;invite" not in page.text


async def test_a_draft_is_found_by_no_route_but_by_its_authors_and_facilitators(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative()
    await assemblies.set_current_item(coop.assembly_id, coop.item_id)
    await as_role(client, coop, "member")
    proposal_path = await submit_proposal(
        client,
        coop,
        title="Projet secret de fusion",
        body="Fusionner avec la coopérative voisine.",
        agenda_item=str(coop.item_id),
        coauthors=[str(coop.people["other"])],
        draft="1",
    )
    draft_id = int(proposal_path.rsplit("/", 1)[1])
    edited = await post_form(
        client,
        f"{proposal_path}/edit",
        {"title": "Projet secret de fusion", "body": "Fusionner avec la voisine."},
    )
    assert edited.status_code == 303
    thread_id = await thread_of(client, proposal_path)
    posted = await post_form(
        client, f"{coop.base}/threads/{thread_id}/contributions", {"body": "Note privée"}
    )
    assert posted.status_code == 303
    contribution_id = first_id(r"#contribution-(\d+)", posted.headers["location"])
    routes = [
        proposal_path,
        f"{proposal_path}/edit",
        f"{proposal_path}/versions",
        f"{proposal_path}/versions?old=1&new=2",
        f"{coop.base}/threads/{thread_id}/contributions",
        f"{proposal_path}/amendments/new",  # a draft takes no amendments: 404 for all
        f"{coop.base}/contributions/{contribution_id}/edit",
        f"{coop.base}/contributions/{contribution_id}/reply",
    ]
    listings = [
        f"{coop.base}/proposals",
        f"{coop.base}/proposals?q=fusion",
        coop.assembly_path,
        f"{coop.base}/items/{coop.item_id}",
        f"{coop.base}/now",
        f"{coop.assembly_path}/history",
    ]
    # its co-author and the facilitator read it everywhere
    for role in ("other", "facilitator"):
        await as_role(client, coop, role)
        for path in routes[:5]:
            assert (await client.get(path)).status_code == 200, (role, path)
        assert "Projet secret" in (await client.get(f"{coop.base}/proposals")).text, role
    # another member and an observer find nothing, wherever they look
    await proposals.create_proposal(
        coop.organisation_id, coop.assembly_id, coop.people["facilitator"], "Budget", "Texte.",
        agenda_item_id=coop.item_id,
    )  # fmt: skip
    third = f"third-{coop.slug}@example.org"
    await organisations.add_membership(
        coop.organisation_id, await accounts.create_person("Third", third, PASSWORD)
    )
    for email in (third, coop.emails["observer"]):
        client.cookies.clear()
        await sign_in(client, email, PASSWORD)
        for path in routes:
            response = await client.get(path)
            assert response.status_code == 404, (email, path)
            assert "Fusionner" not in response.text
        for path in listings:
            response = await client.get(path)
            assert response.status_code == 200, (email, path)
            assert "Projet secret" not in response.text, (email, path)
            assert f"/proposals/{draft_id}" not in response.text, (email, path)
        # a form error must not show the draft either
        refused = await post_form(client, f"{proposal_path}/edit", {"title": "", "body": "x"})
        assert refused.status_code == 404
        assert "Fusionner" not in refused.text


async def test_a_link_to_a_contribution_leads_to_its_thread_page(client: httpx.AsyncClient) -> None:
    """A shared link /contributions/N (no ?next=) opens the proposal's page at that
    contribution, not the site's home."""
    coop = await coop_signed_in(client, "member")
    proposal_path = await submit_proposal(client, coop, title="Cantine", body="Une cantine bio.")
    thread_id = await thread_of(client, proposal_path)
    posted = await post_form(
        client, f"{coop.base}/threads/{thread_id}/contributions", {"body": "Bonne idée"}
    )
    contribution_id = first_id(r"#contribution-(\d+)", posted.headers["location"])
    link = await client.get(f"{coop.base}/contributions/{contribution_id}")
    assert link.status_code == 303
    assert link.headers["location"] == f"{proposal_path}#contribution-{contribution_id}"
    # a ?next= inside the site is still followed; another host never is
    elsewhere = await client.get(f"{coop.base}/contributions/{contribution_id}?next=//evil.example")
    assert elsewhere.headers["location"] == f"/#contribution-{contribution_id}"
