"""The demo's network (#20): a newcomer who runs `make run` finds the demo cooperative in a
network of three cooperatives, whose five-day summer gathering starts in a few days."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import UTC, datetime

import httpx
from tests.web.helpers import assert_shows, sign_in

from votes.db.tables import (
    Assembly,
    Ballot,
    Gathering,
    GatheringRegistration,
    Membership,
    NetworkMembership,
    Organisation,
    SessionChoice,
)

NETWORK = "demo-reseau"
FR = {"Accept-Language": "fr"}


async def _network_id() -> int:
    row = (
        await Organisation.select(Organisation.id, Organisation.is_network)
        .where(Organisation.short_name == NETWORK)
        .first()
    )
    assert row is not None
    assert row["is_network"]
    return int(row["id"])


async def test_the_demo_seeds_a_network_of_three_cooperatives_each_registering_its_people(
    demo: None,
) -> None:
    network_id = await _network_id()
    joined = await NetworkMembership.select(
        NetworkMembership.cooperative.name, NetworkMembership.status
    ).where(NetworkMembership.network == network_id)
    assert sorted(row["cooperative.name"] for row in joined) == [
        "Coopérative L'Établi",
        "Coopérative Les Tisserands",
        "Les Jardins Partagés",
    ]
    assert {row["status"] for row in joined} == {"member"}
    people = await Membership.select(
        Membership.person.email, Membership.delegated_by.name, Membership.is_admin
    ).where(Membership.organisation == network_id)
    by_cooperative = Counter(row["delegated_by.name"] for row in people)
    assert by_cooperative == {
        "Coopérative Les Tisserands": 5,
        "Coopérative L'Établi": 3,
        "Les Jardins Partagés": 4,
    }
    admins = [row["person.email"] for row in people if row["is_admin"]]
    assert admins == ["camille@demo.votes.invalid"]  # the demo admin runs the network too


async def test_the_gathering_lasts_five_days_with_a_plenary_each_day_and_parallel_ateliers(
    demo: None,
) -> None:
    network_id = await _network_id()
    gathering = await Gathering.select().where(Gathering.organisation == network_id).first()
    assert gathering is not None
    assert gathering["title"] == "Rencontre d'été"
    assert (gathering["last_day"] - gathering["first_day"]).days == 4
    sessions = (
        await Assembly.select(Assembly.title, Assembly.starts_at, Assembly.ends_at, Assembly.room)
        .where(Assembly.gathering == gathering["id"])
        .order_by(Assembly.starts_at)
    )
    assert sessions[0]["title"] == "Plénière d'ouverture"
    assert sessions[0]["starts_at"] > datetime.now(UTC)  # a few days ahead
    assert len({s["starts_at"].date() for s in sessions}) == 5
    assert all(s["ends_at"] > s["starts_at"] for s in sessions)
    at_once = Counter(s["starts_at"] for s in sessions)
    parallel = [start for start, count in at_once.items() if count == 3]
    assert len(parallel) == 4  # four afternoons of three ateliers side by side
    for start in parallel:
        rooms = {s["room"] for s in sessions if s["starts_at"] == start}
        assert len(rooms) == 3
    registered = await GatheringRegistration.count().where(
        GatheringRegistration.gathering == gathering["id"]
    )
    assert registered == 10  # two of the twelve have not registered yet
    lea_sessions = await SessionChoice.count().where(
        (SessionChoice.assembly.gathering == gathering["id"])
        & (SessionChoice.membership.person.email == "lea@demo.votes.invalid")
    )
    assert lea_sessions == 9  # the five plenaries and one atelier each afternoon


async def test_lea_sees_the_network_and_the_motion_of_the_opening_plenary(
    client: httpx.AsyncClient, demo: None
) -> None:
    await sign_in(client, "lea@demo.votes.invalid")
    home = html.unescape((await client.get("/", headers=FR)).text)
    assert_shows(home, "Coopérative Les Tisserands", "Réseau Coopératif des Communs")
    network = html.unescape((await client.get(f"/o/{NETWORK}/", headers=FR)).text)
    gathering = re.search(rf'href="(/o/{NETWORK}/gatherings/\d+)">Rencontre d\'été', network)
    assert gathering, network[:2000]
    programme = html.unescape((await client.get(gathering.group(1), headers=FR)).text)
    opening_link = rf'href="(/o/{NETWORK}/assemblies/\d+)"><strong>Plénière d\'ouverture'
    link = re.search(opening_link, programme)
    assert link, programme[:2000]
    opening = html.unescape((await client.get(link.group(1), headers=FR)).text)
    assert_shows(
        opening,
        "Motion du réseau\u00a0: fonds de solidarité",
        "Motion 1 — Créer un fonds de solidarité inter-coopératives",
    )


async def test_camille_may_open_the_network_motion_from_the_console(
    client: httpx.AsyncClient, demo: None
) -> None:
    network_id = await _network_id()
    ballot = (
        await Ballot.select(Ballot.id, Ballot.status)
        .where((Ballot.organisation == network_id) & Ballot.question.like("Adoptez-vous%"))
        .first()
    )
    assert ballot is not None
    assert ballot["status"] == "draft"  # ready to be opened at the plenary
    await sign_in(client, "camille@demo.votes.invalid")
    console = await client.get(f"/o/{NETWORK}/ballots/{ballot['id']}/console", headers=FR)
    assert console.status_code == 200
    assert_shows(
        html.unescape(console.text),
        "Adoptez-vous la création du fonds de solidarité inter-coopératives\u00a0?",
        f"/o/{NETWORK}/ballots/{ballot['id']}/console/open",
    )
