"""The slices of #20 glued together as a user walks them, in French: a session's assembly page
says which gathering it belongs to (kind, room, day and times) and links back to it; the
organisation's navigation names a network's « Coopératives membres » and a cooperative's
« Réseaux », and offers « Consultations du réseau » only where there is a network; the home
page shows the gatherings and a network's member cooperatives."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, time

import httpx
import pytest
from tests.support.consultations import consulted_cooperative
from tests.support.factories import PASSWORD
from tests.web.helpers import assert_shows, sign_in
from tests.web.network_helpers import Org, joined, network_of_two, organisation

from votes.db.tables import Assembly, AssemblyStatus, Organisation
from votes.services import gatherings as service
from votes.services import networks
from votes.services.actors import actor_for
from votes.services.gatherings import SessionType

TUESDAY_11_15 = datetime(2026, 6, 9, 9, 15, tzinfo=UTC)  # 11:15 in Paris


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "now", lambda: TUESDAY_11_15)


def shown(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text[:500]
    return html.unescape(response.text)


def nav(page: str) -> str:
    start = page.index('<nav class="org-nav"')
    return page[start : page.index("</nav>", start)]


async def summer_gathering(
    client: httpx.AsyncClient, network: Org, first_day: date, last_day: date, place: str
) -> None:
    """The network announces its « Rencontre d'été »; its admin signs in."""
    chair = await actor_for(network.organisation_id)
    await service.create_gathering(chair, "Rencontre d'été", first_day, last_day, place=place)
    await sign_in(client, network.admin_email, PASSWORD)


async def test_a_sessions_assembly_page_links_back_to_its_gathering(
    client: httpx.AsyncClient,
) -> None:
    network = await organisation("Reseau", is_network=True)
    chair = await actor_for(network.organisation_id)
    gathering_id = await service.create_gathering(
        chair, "Rencontre d'été", date(2026, 6, 8), date(2026, 6, 12), place="Namur"
    )
    workshop = await service.add_session(
        chair,
        gathering_id,
        "Atelier statuts",
        SessionType.WORKSHOP,
        date(2026, 6, 9),
        time(14),
        time(16, 30),
        room="Salle des Tilleuls",
    )
    await sign_in(client, network.admin_email, PASSWORD)
    page = shown(await client.get(f"{network.base}/assemblies/{workshop}"))
    assert (
        "Rencontre d'été</a> · Atelier · Salle des Tilleuls · mardi 9 juin, 14:00 – 16:30" in page
    )
    assert f'href="{network.base}/gatherings/{gathering_id}"' in page
    assert "<dd>Atelier</dd>" in page  # what it is, not « Autre réunion »


async def test_the_navigation_names_each_sides_network_pages(client: httpx.AsyncClient) -> None:
    network = await organisation("Reseau", is_network=True)
    member = await organisation("Coop")
    alone = await organisation("Seule")
    await joined(network, member)

    await sign_in(client, network.admin_email, PASSWORD)
    links = nav(shown(await client.get(f"{network.base}/")))
    assert f'<a href="{network.base}/cooperatives">Coopératives membres</a>' in links
    assert "Consultations du réseau" in links
    assert ">Réseaux<" not in links

    await sign_in(client, member.admin_email, PASSWORD)
    links = nav(shown(await client.get(f"{member.base}/")))
    assert f'<a href="{member.base}/networks">Réseaux</a>' in links
    assert f'<a href="{member.base}/consultations">Consultations du réseau</a>' in links
    assert "Coopératives membres" not in links

    await sign_in(client, alone.admin_email, PASSWORD)
    links = nav(shown(await client.get(f"{alone.base}/")))
    assert f'<a href="{alone.base}/networks">Réseaux</a>' in links
    assert "Consultations du réseau" not in links


async def test_a_networks_home_shows_its_gathering_and_its_cooperatives(
    client: httpx.AsyncClient,
) -> None:
    network, first, second = await network_of_two()
    await summer_gathering(client, network, date(2026, 6, 8), date(2026, 6, 12), "Namur")
    page = shown(await client.get(f"{network.base}/"))
    assert "Rencontre d'été" in page
    assert "du lundi 8 juin 2026 au vendredi 12 juin 2026 · Namur" in page
    names = sorted(
        (
            f"Coop {first.short_name}",
            f"Coop {second.short_name}",
        )
    )
    assert " · ".join(names) in page
    assert "Gérer les coopératives membres" in page
    # a network's people come from its cooperatives: no « import your members » first steps
    assert "Premiers pas" not in page


async def test_the_welcome_page_mentions_the_demo_network_and_its_gathering(
    client: httpx.AsyncClient, demo: None
) -> None:
    page = shown(await client.get("/", headers={"Accept-Language": "fr"}))
    n = "\u00a0"
    assert (
        f"Le réseau «{n}Réseau Coopératif des Communs{n}» est chargé aussi, avec sa rencontre"
        f" «{n}Rencontre d'été{n}» (du " in page
    )
    assert f"){n}: une fois connecté·e comme Camille ou Léa" in page


async def test_the_audit_trail_writes_a_gatherings_days_in_words(
    client: httpx.AsyncClient,
) -> None:
    network = await organisation("Reseau", is_network=True)
    await summer_gathering(client, network, date(2026, 6, 9), date(2026, 6, 13), "Die")
    page = shown(await client.get(f"{network.base}/audit"))
    assert_shows(page, "Rencontre annoncée", "mardi 9 juin 2026", "samedi 13 juin 2026")
    assert "2026-06-09" not in page


async def test_next_shows_the_next_days_sessions_when_today_holds_no_more(
    client: httpx.AsyncClient,
) -> None:
    """Before the gathering (or the evening before a day), « Ensuite » read « Plus aucune
    session aujourd'hui. » while the programme started tomorrow."""
    network = await organisation("Reseau", is_network=True)
    chair = await actor_for(network.organisation_id)
    gathering_id = await service.create_gathering(
        chair, "Rencontre d'été", date(2026, 6, 10), date(2026, 6, 12)
    )
    await service.add_session(
        chair,
        gathering_id,
        "Plénière d'ouverture",
        SessionType.PLENARY,
        date(2026, 6, 10),
        time(9, 30),
        time(12),
        room="Grande salle",
    )
    await sign_in(client, network.admin_email, PASSWORD)
    page = shown(await client.get(f"{network.base}/gatherings/{gathering_id}"))
    start = page.index('id="next"')
    following = page[start : page.index("</section>", start)]
    assert "Plénière d'ouverture" in following
    assert "mercredi 10 juin · 09:30–12:00" in following
    assert "Plus aucune session aujourd'hui" not in following


async def test_a_consultation_names_its_network_in_quotes(client: httpx.AsyncClient) -> None:
    """« Envoyée par le réseau Réseau … » read as a stutter: the name is quoted."""
    network, cooperative, _proposal, consultation_id = await consulted_cooperative()
    await sign_in(client, cooperative.email, PASSWORD)
    page = shown(await client.get(f"{cooperative.base}/consultations/{consultation_id}"))
    name = (
        await Organisation.select(Organisation.name)
        .where(Organisation.id == network.organisation_id)
        .first()
    )
    assert name is not None
    n = "\u00a0"
    assert f"Envoyée par le réseau «{n}{name['name']}{n}» le " in page


async def test_the_desk_of_a_networks_gathering_names_each_participants_cooperative(
    client: httpx.AsyncClient,
) -> None:
    """At the desk of a network's gathering a steward tells two people of the same name
    apart, and sends them to their cooperative's group, by the cooperative that registered
    them."""
    network = await organisation("Reseau", is_network=True)
    member = await organisation("Coop")
    await joined(network, member)
    delegate = await networks.register_delegate(
        member.admin, network.organisation_id, member.members[0]
    )
    chair = await actor_for(network.organisation_id)
    gathering_id = await service.create_gathering(
        chair, "Rencontre d'été", date(2026, 6, 9), date(2026, 6, 9)
    )
    await service.register(chair, gathering_id, delegate)
    await sign_in(client, network.admin_email, PASSWORD)
    page = shown(await client.get(f"{network.base}/gatherings/{gathering_id}/check-in"))
    assert (
        f'<strong>{member.names[0]}</strong> <span class="muted">· Coop {member.short_name}</span>'
        in page
    )


async def test_a_networks_home_lists_a_gatherings_sessions_only_while_in_session(
    client: httpx.AsyncClient,
) -> None:
    """Some sixty sessions would bury the home on a phone: they are in the gathering's
    programme, and the one in session comes to the home so members find the room's vote."""
    network = await organisation("Reseau", is_network=True)
    chair = await actor_for(network.organisation_id)
    gathering_id = await service.create_gathering(
        chair, "Rencontre d'été", date(2026, 6, 8), date(2026, 6, 12), place="Namur"
    )
    sessions = [
        await service.add_session(
            chair, gathering_id, title, SessionType.WORKSHOP, date(2026, 6, 9), time(14), time(16)
        )
        for title in ("Atelier statuts", "Atelier comptes")
    ]
    await sign_in(client, network.admin_email, PASSWORD)
    home = shown(await client.get(f"{network.base}/"))
    assert "Rencontre d'été" in home
    assert "Atelier statuts" not in home
    assert "Atelier comptes" not in home
    assert "Les sessions d’une rencontre sont dans son programme" in home
    await Assembly.update({Assembly.status: AssemblyStatus.IN_SESSION.value}).where(
        Assembly.id == sessions[0]
    )
    home = shown(await client.get(f"{network.base}/"))
    assert f'href="{network.base}/assemblies/{sessions[0]}">Atelier statuts' in home
    assert "Atelier comptes" not in home
