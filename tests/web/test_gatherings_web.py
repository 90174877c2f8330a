"""Gatherings on the web, in French as a cooperative network sees them: announcing a gathering
and building its programme (bad input refused with 422 and nothing written), registering and
choosing sessions on a phone, the programme's « Maintenant », « Ensuite » and « Mes
sessions » at a fixed moment, the welcome desk's count, and another organisation kept out.

The clock is set to Tuesday 9 June 2026 at 11:15 in Paris: nothing depends on today."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import httpx
import pytest
from tests.support.factories import PASSWORD, administered, role_holders
from tests.web.helpers import assert_shows, post_with_token, sign_in

from votes.db import gathering_queries as gq
from votes.db.tables import Assembly, AssemblyStatus, Gathering, GatheringCheckIn
from votes.services import assemblies
from votes.services import gatherings as service
from votes.services.actors import actor_for
from votes.services.gatherings import SessionType

TUESDAY_11_15 = datetime(2026, 6, 9, 9, 15, tzinfo=UTC)  # 11:15 in Paris
NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "now", lambda: TUESDAY_11_15)


@dataclass
class Network:
    slug: str
    organisation_id: int
    admin: str
    emails: dict[str, str]
    memberships: dict[str, int]

    def path(self, *parts: object) -> str:
        return "/".join((f"/o/{self.slug}", *(str(p) for p in parts)))


async def network() -> Network:
    slug, organisation_id, admin = await administered("Reseau")
    holders = await role_holders(
        organisation_id, uuid.uuid4().hex[:8], ("facilitator", "member", "other")
    )
    return Network(
        slug,
        organisation_id,
        admin,
        {role: h.email for role, h in holders.items()},
        {role: h.membership for role, h in holders.items()},
    )


async def gathering_with_programme(n: Network) -> tuple[int, dict[str, int]]:
    """A gathering from Tuesday 9 to Thursday 11 June 2026 with a plenary, two parallel
    workshops running at 11:15, and an afternoon session."""
    chair = await actor_for(n.organisation_id)
    gathering_id = await service.create_gathering(
        chair, "Rencontre du réseau", date(2026, 6, 9), date(2026, 6, 11), place="Namur"
    )
    sessions = {}
    for title, start, end, room, kind in (
        ("Plénière d'ouverture", time(9), time(10, 30), "Grande salle", SessionType.PLENARY),
        ("Atelier statuts", time(11), time(12, 30), "Salle A", SessionType.WORKSHOP),
        ("Atelier finances", time(11), time(12, 30), "Salle B", SessionType.WORKSHOP),
        ("Assemblée de clôture", time(17), time(18), "Grande salle", SessionType.PLENARY),
    ):
        sessions[title] = await service.add_session(
            chair, gathering_id, title, kind, date(2026, 6, 9), start, end, room=room
        )
    return gathering_id, sessions


async def desk_of_two(client: httpx.AsyncClient) -> tuple[Network, int]:
    """A gathering with its programme, "member" and "other" registered, and the facilitator
    signed in at the welcome desk; the network and the gathering."""
    n = await network()
    gathering_id, _ = await gathering_with_programme(n)
    system = await actor_for(n.organisation_id)
    for role in ("member", "other"):
        await service.register(system, gathering_id, n.memberships[role])
    await sign_in(client, n.emails["facilitator"], PASSWORD)
    return n, gathering_id


def shown(response: httpx.Response) -> str:
    """The page's text as a reader sees it (entities decoded: « l'un », not « l&#39;un »)."""
    return html.unescape(response.text)


def section(page: str, anchor: str) -> str:
    """The HTML of the programme's section ``anchor`` (up to the next section)."""
    match = re.search(rf'<section[^>]*id="{anchor}".*?</section>', page, re.S)
    assert match, f"no section {anchor}"
    return match.group(0)


async def _assemblies(organisation_id: int) -> int:
    return await Assembly.count().where(Assembly.organisation == organisation_id)


async def test_a_facilitator_announces_a_gathering_and_builds_its_programme(
    client: httpx.AsyncClient,
) -> None:
    n = await network()
    await sign_in(client, n.emails["facilitator"], PASSWORD)
    listed = await client.get(n.path("gatherings"))
    assert_shows(shown(listed), "Rencontres", "Annoncer une rencontre")
    created = await post_with_token(
        client,
        n.path("gatherings"),
        {
            "title": "Rencontre annuelle",
            "place": "Liège",
            "first_day": "2026-06-09",
            "last_day": "2026-06-11",
            "description": "",
        },
    )
    assert created.status_code == 303
    programme = await client.get(created.headers["location"])
    assert_shows(
        shown(programme),
        "Rencontre annuelle",
        "du mardi 9 juin 2026 au jeudi 11 juin 2026",
        "mercredi 10 juin",
        "Ajouter une session",
    )
    gathering_id = int(created.headers["location"].rsplit("/", 1)[1])
    form = await client.get(n.path("gatherings", gathering_id, "sessions/new"))
    assert_shows(shown(form), "mardi 9 juin", "jeudi 11 juin", "Atelier", "Plénière")
    added = await post_with_token(
        client,
        n.path("gatherings", gathering_id, "sessions"),
        {
            "title": "Atelier gouvernance",
            "type": "workshop",
            "day": "2026-06-10",
            "start": "14:00",
            "end": "15:30",
            "room": "Salle des fêtes",
        },
    )
    assert added.status_code == 303
    programme = await client.get(n.path("gatherings", gathering_id))
    assert_shows(shown(programme), "Atelier gouvernance", f"Salle{NBSP}: Salle des fêtes", "14:00")
    sessions = await gq.sessions_of(n.organisation_id, gathering_id)
    assert [s.title for s in sessions] == ["Atelier gouvernance"]
    assert f'href="{n.path("assemblies", sessions[0].assembly_id)}"' in shown(programme)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"day": "2026-06-12"}, "Choisissez l'un des jours de la rencontre."),
        ({"start": "15:00", "end": "14:00"}, "La session doit finir après son début."),
        ({"title": "  "}, "Give a title."),
        ({"start": "25:99"}, "Indiquez une heure."),
        ({"day": "demain"}, "Choisissez l'un des jours de la rencontre."),
        ({"start": "14:00Z", "end": "15:00"}, "Indiquez une heure."),  # no zone: never a 500
        ({"end": "٣:00"}, "Indiquez une heure."),
    ],
)
async def test_a_bad_session_is_refused_with_422_and_nothing_written(
    client: httpx.AsyncClient, fields: dict[str, str], message: str
) -> None:
    n = await network()
    gathering_id, _ = await gathering_with_programme(n)
    before = await _assemblies(n.organisation_id)
    await sign_in(client, n.emails["facilitator"], PASSWORD)
    typed = {
        "title": "Atelier",
        "type": "workshop",
        "day": "2026-06-10",
        "start": "09:00",
        "end": "10:00",
        "room": "",
    } | fields
    refused = await post_with_token(client, n.path("gatherings", gathering_id, "sessions"), typed)
    assert refused.status_code == 422
    if message == "Give a title.":
        message = "Donnez un titre."
    assert message in shown(refused)
    assert await _assemblies(n.organisation_id) == before


async def _announce(
    client: httpx.AsyncClient, n: Network, first_day: str, last_day: str
) -> httpx.Response:
    """The answer to announcing a gathering « R » from ``first_day`` to ``last_day``."""
    return await post_with_token(
        client, n.path("gatherings"), {"title": "R", "first_day": first_day, "last_day": last_day}
    )


async def test_a_gathering_whose_last_day_comes_first_is_refused(
    client: httpx.AsyncClient,
) -> None:
    n = await network()
    await sign_in(client, n.emails["facilitator"], PASSWORD)
    refused = await _announce(client, n, "2026-06-11", "2026-06-09")
    assert refused.status_code == 422
    assert "Le dernier jour ne peut pas précéder le premier." in shown(refused)
    far = await _announce(client, n, "0001-01-01", "٢٠٢٦-06-09")
    assert far.status_code == 422
    assert "Indiquez une date." in shown(far)
    assert await Gathering.count().where(Gathering.organisation == n.organisation_id) == 0
    member = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    async with member:
        await sign_in(member, n.emails["member"], PASSWORD)
        forbidden = await _announce(member, n, "2026-06-09", "2026-06-09")
        assert forbidden.status_code == 403


async def test_the_programme_on_a_phone_now_next_and_mine(client: httpx.AsyncClient) -> None:
    n = await network()
    gathering_id, sessions = await gathering_with_programme(n)
    chair = await actor_for(n.organisation_id, n.memberships["facilitator"])
    await assemblies.set_assembly_status(
        chair, sessions["Atelier statuts"], AssemblyStatus.IN_SESSION
    )
    await sign_in(client, n.emails["member"], PASSWORD)
    page = shown(await client.get(n.path("gatherings", gathering_id)))
    assert_shows(page, "Maintenant", "Ensuite", "Mes sessions", "M'inscrire à la rencontre")
    now = section(page, "now")
    assert_shows(now, "Atelier statuts", "Atelier finances", "11:00–12:30", "En séance")
    assert "Plénière d'ouverture" not in now
    assert "Assemblée de clôture" in section(page, "next")
    assert "Atelier statuts" not in section(page, "next")
    assert "Inscrivez-vous pour choisir vos sessions." in section(page, "mine")
    assert "mardi 9 juin · aujourd'hui" in page

    registered = await post_with_token(client, n.path("gatherings", gathering_id, "register"))
    assert registered.status_code == 303
    for title in ("Atelier statuts", "Atelier finances", "Assemblée de clôture"):
        chose = await post_with_token(
            client,
            n.path("gatherings", gathering_id, "sessions", sessions[title], "choose"),
            {"chosen": "1"},
        )
        assert chose.status_code == 303
    page = shown(await client.get(n.path("gatherings", gathering_id)))
    mine = section(page, "mine")
    assert_shows(
        mine,
        "Atelier statuts",
        "Atelier finances",
        "Assemblée de clôture",
        f"Chevauchement{NBSP}: «{NBSP}Atelier statuts{NBSP}» et «{NBSP}Atelier finances{NBSP}»",
        "Retirer de mes sessions",
    )
    assert "Plénière d'ouverture" not in mine
    assert "Vous êtes inscrit·e." in page
    # taking one off removes the warning
    await post_with_token(
        client,
        n.path("gatherings", gathering_id, "sessions", sessions["Atelier finances"], "choose"),
        {"chosen": "0"},
    )
    page = shown(await client.get(n.path("gatherings", gathering_id)))
    assert "Chevauchement" not in page


async def test_the_welcome_desk_counts_the_day_and_the_member_sees_it(
    client: httpx.AsyncClient,
) -> None:
    n, gathering_id = await desk_of_two(client)
    desk = await client.get(n.path("gatherings", gathering_id, "check-in"))
    assert desk.status_code == 200
    assert_shows(shown(desk), "mardi 9 juin", "0 arrivé·e", "sur 2 inscrit·es", "Member ")
    checked = await post_with_token(
        client, n.path("gatherings", gathering_id, "check-in", n.memberships["member"])
    )
    assert checked.status_code == 303
    desk = await client.get(n.path("gatherings", gathering_id, "check-in") + "?q=member")
    assert_shows(shown(desk), "1 arrivé·e", "sur 2 inscrit·es", "Arrivé·e à 11:15")
    assert "Other " not in shown(desk)  # the search keeps the names that match
    # twice: still one arrival
    await post_with_token(
        client, n.path("gatherings", gathering_id, "check-in", n.memberships["member"])
    )
    assert await GatheringCheckIn.count().where(GatheringCheckIn.gathering == gathering_id) == 1
    # someone not registered cannot be checked in (409, nothing written)
    refused = await post_with_token(
        client, n.path("gatherings", gathering_id, "check-in", n.memberships["facilitator"])
    )
    assert refused.status_code == 409
    assert "Cette personne n'est pas inscrite à la rencontre." in shown(refused)

    member = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    async with member:
        await sign_in(member, n.emails["member"], PASSWORD)
        page = await member.get(n.path("gatherings", gathering_id))
        assert "Arrivé·e aujourd'hui à 11:15." in shown(page)
        assert (await member.get(n.path("gatherings", gathering_id, "check-in"))).status_code == 403


async def test_an_admin_registers_a_member_from_the_desk(client: httpx.AsyncClient) -> None:
    n = await network()
    gathering_id, _ = await gathering_with_programme(n)
    await sign_in(client, n.admin, PASSWORD)
    desk = await client.get(n.path("gatherings", gathering_id, "check-in") + "?q=other")
    assert_shows(shown(desk), "Inscrire un·e membre", "Other ")
    registered = await post_with_token(
        client,
        n.path("gatherings", gathering_id, "participants"),
        {"member": str(n.memberships["other"]), "q": "other"},
    )
    assert registered.status_code == 303
    assert await gq.is_registered(gathering_id, n.memberships["other"])
    desk = await client.get(registered.headers["location"])
    assert_shows(shown(desk), "0 arrivé·e", "sur 1 inscrit·e")


async def test_another_organisation_cannot_see_or_edit_the_gathering(
    client: httpx.AsyncClient,
) -> None:
    n = await network()
    gathering_id, _ = await gathering_with_programme(n)
    other_slug, _other_id, other_admin = await administered("Autre")
    await sign_in(client, other_admin, PASSWORD)
    # their own organisation's pages do not know this gathering
    for path in ("", "/sessions/new", "/check-in"):
        response = await client.get(f"/o/{other_slug}/gatherings/{gathering_id}{path}")
        assert response.status_code == 404, path
    before = await _assemblies(n.organisation_id)
    added = await post_with_token(
        client,
        f"/o/{other_slug}/gatherings/{gathering_id}/sessions",
        {
            "title": "Intrus",
            "type": "workshop",
            "day": "2026-06-09",
            "start": "09:00",
            "end": "10:00",
        },
    )
    assert added.status_code == 404
    assert await _assemblies(n.organisation_id) == before
    # nor the network's pages
    assert (await client.get(n.path("gatherings", gathering_id))).status_code == 404
    assert "Rencontre du réseau" not in shown(await client.get(f"/o/{other_slug}/gatherings"))


async def test_the_desk_searches_and_checks_in_without_leaving_the_page(
    client: httpx.AsyncClient,
) -> None:
    n, gathering_id = await desk_of_two(client)
    htmx = {"HX-Request": "true"}
    found = await client.get(
        n.path("gatherings", gathering_id, "check-in") + "?q=OTHER", headers=htmx
    )
    assert found.status_code == 200
    assert "<html" not in found.text  # the list only, swapped in place
    assert_shows(shown(found), "Other ", "sur 2 inscrit·es")
    assert "Member " not in found.text
    checked = await post_with_token(
        client,
        n.path("gatherings", gathering_id, "check-in", n.memberships["other"]),
        {"q": "other"},
        headers=htmx,
    )
    assert checked.status_code == 200
    assert "<html" not in checked.text
    assert_shows(shown(checked), "✓ Other ", "1 arrivé·e", "Arrivé·e à 11:15")
