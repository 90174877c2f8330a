"""Consultations of member cooperatives on the web (#20): the whole round trip in French, the
refusals a person meets, and attacks on the wall between the network and its cooperatives."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import httpx
import pytest
from tests.support.consultations import (
    Side,
    consultation_of,
    consulted_cooperative,
    cooperative_assembly,
    decide_copy,
    network_with,
    sent_proposal,
    vote_on_copy,
)
from tests.support.factories import PASSWORD, role_holders
from tests.web.helpers import assert_shows, choose_language, post_with_token, sign_in

from votes.db.tables import AuditEntry, Consultation, Membership, Proposal
from votes.services import accounts, consultations, organisations
from votes.services.ballots import lifecycle
from votes.web.app import create_app

NBSP = "\u00a0"

# the figures a cooperative returns, as its admin and the network read them
FIGURES = f"pour{NBSP}: 4, contre{NBSP}: 1, abstentions{NBSP}: 2, votant·es{NBSP}: 7."


@pytest.fixture
async def second_client(database: None) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser, for the other side of the consultation."""
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver.local"
    ) as test_client:
        yield test_client


async def _signed_in(client: httpx.AsyncClient, side: Side) -> httpx.AsyncClient:
    await sign_in(client, side.email, PASSWORD)
    return client


def _text(response: httpx.Response) -> str:
    """The page as a person reads it (Jinja writes an apostrophe as &#39;)."""
    return html.unescape(response.text)


async def _row(consultation_id: int) -> dict[str, object]:
    row = await Consultation.select().where(Consultation.id == consultation_id).first()
    assert row is not None
    return row


async def _audit_count(organisation_id: int) -> int:
    return await AuditEntry.count().where(AuditEntry.organisation == organisation_id)


async def test_a_network_consults_a_cooperative_and_reads_only_its_answer(
    client: httpx.AsyncClient, second_client: httpx.AsyncClient
) -> None:
    network, (cooperative, silent) = await network_with(2)
    proposal_id = await sent_proposal(network, send=False)
    network_browser = await _signed_in(client, network)
    index = await network_browser.get(f"{network.base}/consultations")
    assert_shows(_text(index), "Consulter les coopératives membres", "Charte commune")
    sent = await post_with_token(
        network_browser, f"{network.base}/consultations/send", {"proposal": str(proposal_id)}
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{network.base}/consultations/proposals/{proposal_id}"
    page = await network_browser.get(sent.headers["location"])
    assert_shows(
        _text(page),
        "2 coopératives n'ont pas encore répondu (non comptées)",
        "pas encore répondu",
        f"Chiffres renvoyés, additionnés{NBSP}: pour{NBSP}: 0,",
    )

    coop_browser = await _signed_in(second_client, cooperative)
    dashboard = _text(await coop_browser.get(f"{cooperative.base}/"))
    assert_shows(dashboard, "Charte commune", "attend la réponse de votre coopérative")
    received = await coop_browser.get(f"{cooperative.base}/consultations")
    assert_shows(_text(received), "Consultations reçues du réseau", "Charte commune")
    consultation_id = await consultation_of(proposal_id, cooperative)
    path = f"{cooperative.base}/consultations/{consultation_id}"
    assert_shows(_text(await coop_browser.get(path)), "aucune assemblée à venir")
    assembly_id = await cooperative_assembly(cooperative)
    assert_shows(_text(await coop_browser.get(path)), "L'inscrire à cette assemblée")
    chosen = await post_with_token(coop_browser, f"{path}/assembly", {"assembly": str(assembly_id)})
    assert chosen.status_code == 303
    copy_id = (await _row(consultation_id))["copy_proposal"]
    assert isinstance(copy_id, int)
    copy_page = await coop_browser.get(f"{cooperative.base}/proposals/{copy_id}")
    assert_shows(_text(copy_page), "Proposition envoyée par le réseau", "Le réseau adopte")
    waiting = await coop_browser.get(path)
    assert_shows(_text(waiting), "une fois publié le scrutin")
    ballot_id = await vote_on_copy(cooperative, copy_id, {"yes": 4, "no": 1, "abstain": 2})
    confirm = await coop_browser.get(path)
    assert_shows(
        _text(confirm),
        f"Votre scrutin publié dit{NBSP}: adoptée — {FIGURES}",
        "Envoyer cette réponse au réseau",
        f'name="ballot" value="{ballot_id}"',
    )
    answered = await post_with_token(coop_browser, f"{path}/answer", {"ballot": str(ballot_id)})
    assert answered.status_code == 303
    assert_shows(_text(await coop_browser.get(path)), "Réponse envoyée le")
    dashboard = _text(await coop_browser.get(f"{cooperative.base}/"))
    assert "attend la réponse de votre coopérative" not in dashboard

    page = await network_browser.get(f"{network.base}/consultations/proposals/{proposal_id}")
    assert_shows(
        _text(page),
        "1 coopérative a adopté la proposition",
        "0 coopérative l'a rejetée",
        "1 coopérative n'a pas encore répondu (non comptée)",
        f"Chiffres renvoyés, additionnés{NBSP}: {FIGURES}",
        cooperative.slug.split("-")[1],
        silent.slug.split("-")[1],
    )
    # each side's own audit trail, in words
    network_trail = _text(await network_browser.get(f"{network.base}/audit"))
    assert_shows(
        network_trail,
        "Proposition envoyée aux coopératives membres",
        "Réponse reçue d'une coopérative membre",
        "adoptée",
    )
    assert_shows(
        _text(await coop_browser.get(f"{cooperative.base}/audit")),
        "Consultation reçue d'un réseau",
        "Assemblée choisie pour une consultation du réseau",
        "Réponse renvoyée au réseau",
    )


async def test_refusals_leave_nothing_written(
    client: httpx.AsyncClient, second_client: httpx.AsyncClient
) -> None:
    network, (cooperative, other) = await network_with(2)
    proposal_id = await sent_proposal(network)
    consultation_id = await consultation_of(proposal_id, cooperative)
    path = f"{cooperative.base}/consultations/{consultation_id}"
    admin = await _signed_in(client, cooperative)
    await cooperative_assembly(cooperative)
    empty = await post_with_token(admin, f"{path}/assembly", {"assembly": "deux"})
    assert empty.status_code == 422
    assert_shows(_text(empty), "Choisissez l'assemblée qui débattra de la proposition.")
    elsewhere = await cooperative_assembly(other)
    foreign = await post_with_token(admin, f"{path}/assembly", {"assembly": str(elsewhere)})
    assert foreign.status_code == 422
    assert (await _row(consultation_id))["copy_proposal"] is None

    copy_id, ballot_id = await decide_copy(cooperative, consultation_id, {"no": 2}, publish=False)
    before = await _audit_count(network.organisation_id)
    early = await post_with_token(admin, f"{path}/answer", {"ballot": str(ballot_id)})
    assert early.status_code == 422
    assert_shows(_text(early), "une fois publié le scrutin", "Rien n'a été envoyé.")
    assert (await _row(consultation_id))["status"] == "sent"

    holders = await role_holders(cooperative.organisation_id, str(copy_id), ("member",))
    member = second_client
    await sign_in(member, holders["member"].email, PASSWORD)
    refused = await post_with_token(member, f"{path}/answer", {"ballot": str(ballot_id)})
    assert refused.status_code == 403
    assert (await member.get(path)).status_code == 403

    await lifecycle.publish_ballot(await lifecycle.system_actor(ballot_id), ballot_id)
    done = await post_with_token(admin, f"{path}/answer", {"ballot": str(ballot_id)})
    assert done.status_code == 303
    answered_at = (await _row(consultation_id))["answered_at"]
    twice = await post_with_token(admin, f"{path}/answer", {"ballot": str(ballot_id)})
    assert twice.status_code == 422
    assert_shows(_text(twice), "a déjà renvoyé sa réponse")
    row = await _row(consultation_id)
    assert (row["verdict"], row["votes_against"], row["answered_at"]) == (
        "rejected",
        2,
        answered_at,
    )
    assert await _audit_count(network.organisation_id) == before + 1


async def test_the_network_cannot_reach_the_cooperatives_records(
    client: httpx.AsyncClient,
) -> None:
    network, cooperative, proposal_id, consultation_id = await consulted_cooperative()
    copy_id, ballot_id = await decide_copy(cooperative, consultation_id, {"yes": 3})
    network_admin = await _signed_in(client, network)
    for path in (
        f"{cooperative.base}/consultations/{consultation_id}",
        f"{cooperative.base}/proposals/{copy_id}",
        f"{cooperative.base}/ballots/{ballot_id}",
        f"{cooperative.base}/ballots/{ballot_id}/result.json",
        f"{cooperative.base}/audit",
    ):
        assert (await network_admin.get(path)).status_code == 404, path
    # through its own address, the consultation's id leads nowhere either
    for path in (
        f"{network.base}/consultations/{consultation_id}",
        f"{network.base}/proposals/{copy_id}",
        f"{network.base}/ballots/{ballot_id}",
        f"{network.base}/consultations/proposals/{copy_id}",
    ):
        assert (await network_admin.get(path)).status_code == 404, path
    answer = await post_with_token(
        network_admin,
        f"{network.base}/consultations/{consultation_id}/answer",
        {"ballot": str(ballot_id)},
    )
    assert answer.status_code == 404
    assert (await _row(consultation_id))["status"] == "sent"
    page = await network_admin.get(f"{network.base}/consultations/proposals/{proposal_id}")
    assert "3 pour" not in page.text  # nothing of the ballot before the answer is returned


async def test_a_cooperative_never_sees_another_cooperatives_answer(
    client: httpx.AsyncClient,
) -> None:
    network, (first, second) = await network_with(2)
    proposal_id = await sent_proposal(network)
    first_id = await consultation_of(proposal_id, first)
    _copy, ballot_id = await decide_copy(first, first_id, {"yes": 5, "no": 4})
    await consultations.return_answer(first.admin, first_id, ballot_id)
    # the second cooperative's administrator also represents it in the network
    person = await accounts.create_person("Déléguée", f"del-{second.slug}@example.org", PASSWORD)
    await organisations.add_membership(second.organisation_id, person, is_admin=True)
    membership = await organisations.add_membership(network.organisation_id, person)
    await Membership.update({Membership.delegated_by: second.organisation_id}).where(
        Membership.id == membership
    )
    await sign_in(client, f"del-{second.slug}@example.org", PASSWORD)
    own = await client.get(f"{second.base}/consultations")
    assert own.status_code == 200
    assert "5 pour" not in own.text
    for path in (
        f"{second.base}/consultations/{first_id}",
        f"{first.base}/consultations/{first_id}",
    ):
        assert (await client.get(path)).status_code == 404, path
    network_page = await client.get(f"{network.base}/consultations/proposals/{proposal_id}")
    assert network_page.status_code == 403
    assert "5 pour" not in network_page.text
    forged = await post_with_token(
        client, f"{second.base}/consultations/{first_id}/answer", {"ballot": str(ballot_id)}
    )
    assert forged.status_code == 404
    assert (await _row(first_id))["answered_by"] != person


async def test_forged_and_impossible_ids_are_refused(client: httpx.AsyncClient) -> None:
    network, (cooperative,) = await network_with(1)
    proposal_id = await sent_proposal(network, send=False)
    admin = await _signed_in(client, network)
    for data in ({"proposal": "x"}, {}):
        refused = await post_with_token(admin, f"{network.base}/consultations/send", data)
        assert refused.status_code == 422
    elsewhere = (
        await Proposal.select(Proposal.id)
        .where(Proposal.organisation != network.organisation_id)
        .first()
    )
    assert elsewhere is not None
    foreign = await post_with_token(
        admin, f"{network.base}/consultations/send", {"proposal": str(elsewhere["id"])}
    )
    assert foreign.status_code == 404
    assert (await client.get(f"{network.base}/consultations/99999999")).status_code == 404
    withdraw = await post_with_token(
        admin,
        f"{network.base}/consultations/proposals/{proposal_id}/withdraw",
        {"consultation": "99999999"},
    )
    assert withdraw.status_code == 404
    assert await Consultation.count().where(Consultation.network_proposal == proposal_id) == 0
    assert (
        await Consultation.count().where(Consultation.cooperative == cooperative.organisation_id)
        == 0
    )


async def test_the_network_withdraws_an_unanswered_consultation(
    client: httpx.AsyncClient,
) -> None:
    network, _cooperative, proposal_id, consultation_id = await consulted_cooperative()
    admin = await _signed_in(client, network)
    page = f"{network.base}/consultations/proposals/{proposal_id}"
    assert_shows(_text(await admin.get(page)), "Retirer la consultation")
    done = await post_with_token(admin, f"{page}/withdraw", {"consultation": str(consultation_id)})
    assert done.status_code == 303
    again = await post_with_token(admin, f"{page}/withdraw", {"consultation": str(consultation_id)})
    assert again.status_code == 409
    assert_shows(_text(again), "Le réseau a retiré cette consultation.")
    assert (await _row(consultation_id))["status"] == "withdrawn"
    assert_shows(_text(await admin.get(page)), "retirée")


async def test_the_pages_speak_dutch_too(client: httpx.AsyncClient) -> None:
    network, (_cooperative,) = await network_with(1)
    proposal_id = await sent_proposal(network)
    admin = await _signed_in(client, network)
    await choose_language(client, "nl")
    page = await admin.get(f"{network.base}/consultations/proposals/{proposal_id}")
    assert_shows(_text(page), "1 coöperatie heeft nog niet geantwoord (niet meegeteld)")
