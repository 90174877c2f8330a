"""Signing in and reading the demo cooperative's pages, as its members would."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from tests.web.helpers import assert_shows, csrf_token, sign_in

from votes.db.tables import Ballot
from votes.services import accounts, organisations

IN_SESSION = "Assemblée générale ordinaire 2026"  # the demo's assembly in session


async def _demo_ballot_id(question_start: str) -> int:
    # other tests seed copies of the demo under other short names: pick the demo's own
    row = (
        await Ballot.select(Ballot.id)
        .where(
            Ballot.question.like(f"{question_start}%") & (Ballot.organisation.short_name == "demo")
        )
        .first()
    )
    assert row is not None
    return int(row["id"])


async def _as_lea(client: httpx.AsyncClient, question_start: str, language: str) -> str:
    """The page of the demo's ballot whose question starts so, as Léa reads it."""
    await sign_in(client, "lea@demo.votes.invalid")
    ballot_id = await _demo_ballot_id(question_start)
    page = await client.get(f"/o/demo/ballots/{ballot_id}", headers={"Accept-Language": language})
    assert page.status_code == 200
    return page.text


async def _first_link(client: httpx.AsyncClient, path: str, kind: str, text: str = "") -> str:
    """Where the page's first link to one of the demo's ``kind`` (assemblies…) whose text
    starts with ``text`` leads."""
    page = await client.get(path)
    link = re.search(rf'href="(/o/demo/{kind}/\d+)">{re.escape(text)}', page.text)
    assert link, (path, kind)
    return link.group(1)


async def _sign_in_form(
    client: httpx.AsyncClient, fields: dict[str, str], **options: Any
) -> httpx.Response:
    """``fields`` posted to the sign-in page with the CSRF token it gave, as a browser does
    (``options`` go to httpx)."""
    token = await csrf_token(client, "/login")
    return await client.post("/login", data={**fields, "_csrf_token": token}, **options)


async def test_wrong_password_is_refused_in_french_and_nothing_is_signed_in(
    client: httpx.AsyncClient, demo: None
) -> None:
    response = await _sign_in_form(
        client,
        {"email": "lea@demo.votes.invalid", "password": "mauvais"},
        headers={"Accept-Language": "fr"},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "ne correspondent à aucun compte" in response.text
    assert 'value="lea@demo.votes.invalid"' in response.text  # what was typed is kept
    assert "votes_session" not in response.cookies


async def test_empty_sign_in_form_names_each_missing_field(client: httpx.AsyncClient) -> None:
    response = await _sign_in_form(client, {}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Enter your email address." in response.text
    assert "Enter your password." in response.text


async def test_member_signs_in_and_sees_the_assembly_agenda(
    client: httpx.AsyncClient, demo: None
) -> None:
    await sign_in(client, "lea@demo.votes.invalid")
    home = await client.get("/", headers={"Accept-Language": "fr"})
    assert "Bonjour, Léa Dubois" in home.text
    assert "Coopérative Les Tisserands" in home.text
    assert "1 scrutin est ouvert" in home.text  # the allocation ballot is open in the demo
    assembly = await client.get(await _first_link(client, "/o/demo/", "assemblies", IN_SESSION))
    assert "Assemblée générale ordinaire 2026" in assembly.text
    assert "Approbation des comptes de l&#39;exercice 2025" in assembly.text
    assert 'aria-current="step"' in assembly.text  # the item under discussion is marked


async def test_the_demo_convenes_its_next_assembly_with_votes_by_correspondence(
    client: httpx.AsyncClient, demo: None
) -> None:
    """A newcomer sees #18 with `make run`: the next assembly is convened, Léa may answer by
    correspondence, and without a mail server the convocations wait in the outbox."""
    await sign_in(client, "lea@demo.votes.invalid")
    fr = {"Accept-Language": "fr"}
    organisation = (await client.get("/o/demo/", headers=fr)).text
    link = re.search(
        r'href="(/o/demo/assemblies/\d+)">Assemblée générale extraordinaire', organisation
    )
    assert link
    assembly = html.unescape((await client.get(link.group(1), headers=fr)).text)
    assert "Convoquée" in assembly
    assert "Voter par correspondance" in assembly
    form = html.unescape((await client.get(f"{link.group(1)}/advance-vote", headers=fr)).text)
    assert "Adoptez-vous la nouvelle rédaction de l'article 12 des statuts\u00a0?" in form
    assert 'name="answer-' in form

    await sign_in(client, "camille@demo.votes.invalid")
    outbox = (await client.get("/o/demo/mail/", headers=fr)).text
    assert "Convocation" in outbox
    assert "lea@demo.votes.invalid" in outbox
    proof = html.unescape((await client.get(f"{link.group(1)}/convocation/proof", headers=fr)).text)
    assert "Léa Dubois" in proof
    assert "dans les délais" in proof


async def test_proposal_page_renders_markdown_and_its_thread(
    client: httpx.AsyncClient, demo: None
) -> None:
    await sign_in(client, "hugo@demo.votes.invalid")
    assembly_path = await _first_link(client, "/o/demo/", "assemblies", IN_SESSION)
    proposal_path = await _first_link(client, assembly_path, "proposals")
    proposal = await client.get(proposal_path, headers={"Accept-Language": "en"})
    assert_shows(proposal.text, "<strong>rapport de gestion</strong>", "Question", "Léa Dubois")
    assert 'class="thread thread--replies"' in proposal.text  # the answer sits under the question


async def test_published_majority_result_shows_the_verdict_and_the_rule(
    client: httpx.AsyncClient, demo: None
) -> None:
    french = await _as_lea(client, "Approuvez-vous les comptes", "fr")
    assert_shows(french, "Adoptée", "7 pour", "1 contre")
    english = await _as_lea(client, "Approuvez-vous les comptes", "en")
    assert "Adopted" in english


async def test_published_stv_result_lists_the_elected_and_every_round(
    client: httpx.AsyncClient, demo: None
) -> None:
    page = await _as_lea(client, "Élection du comité", "fr")
    assert_shows(page, "Élu·es", "Léa Dubois", "Voix à chaque tour")
    assert "<svg" in page  # the chart is drawn on the server


async def test_open_ballot_result_is_not_shown_before_the_close(
    client: httpx.AsyncClient, demo: None
) -> None:
    page = await _as_lea(client, "Adoptez-vous l'affectation", "en")
    assert "4 members have voted." in page
    assert "Result" not in page.split("<main", 1)[1].split("</main>")[0].replace(
        "Result published", ""
    )


async def test_outsider_gets_404_for_another_organisation(
    client: httpx.AsyncClient, demo: None
) -> None:
    person = await accounts.create_person(
        "Outsider", "outsider@elsewhere.invalid", "outsider-password"
    )
    other = await organisations.create_organisation("Autre coop", "autre-coop")
    await organisations.add_membership(other, person)
    await sign_in(client, "outsider@elsewhere.invalid", "outsider-password")
    ballot_id = await _demo_ballot_id("Approuvez-vous les comptes")
    for path in ("/o/demo/", f"/o/demo/ballots/{ballot_id}", "/o/demo/members", "/o/no-such-org/"):
        response = await client.get(path)
        assert response.status_code == 404, path
    # the demo's ballot is not reachable through the outsider's own organisation either
    assert (await client.get(f"/o/autre-coop/ballots/{ballot_id}")).status_code == 404
    assert (await client.get("/o/autre-coop/")).status_code == 200


async def test_member_register_is_for_administrators_only(
    client: httpx.AsyncClient, demo: None
) -> None:
    await sign_in(client, "lea@demo.votes.invalid")
    assert (await client.get("/o/demo/members")).status_code == 403
    await sign_in(client, "camille@demo.votes.invalid")
    register = await client.get("/o/demo/members", headers={"Accept-Language": "fr"})
    assert register.status_code == 200
    assert "11 personnes" in register.text


async def test_anonymous_visitor_is_sent_to_sign_in_and_back(
    client: httpx.AsyncClient, demo: None
) -> None:
    response = await client.get("/o/demo/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fo%2Fdemo"


async def test_sign_out_ends_the_session_on_the_server(
    client: httpx.AsyncClient, demo: None
) -> None:
    await sign_in(client, "lea@demo.votes.invalid")
    session_cookie = client.cookies.get("votes_session")
    token = await csrf_token(client, "/")
    response = await client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    # replaying the old cookie no longer works: the session is gone from the database
    client.cookies.set("votes_session", session_cookie)  # type: ignore[arg-type]
    assert (await client.get("/o/demo/", follow_redirects=False)).status_code == 303


async def test_sign_in_never_redirects_to_another_site(
    client: httpx.AsyncClient, demo: None
) -> None:
    response = await _sign_in_form(
        client,
        {
            "email": "lea@demo.votes.invalid",
            "password": "demo-cooperative",
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
