"""The audit trail speaks words (QA walk): actions, subjects and details in the reader's
language, never ``access_code.used``, ``membership:12`` or run-together raw fields."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from tests.support.audit_source import recorded_actions, written_detail_keys
from tests.support.factories import (
    PASSWORD,
    administered_with_member,
    close,
    member_actor,
    new_ballot,
    publish,
)
from tests.web.helpers import assert_shows, sign_in
from tests.web.minutes_helpers import visible_text
from tests.web.network_helpers import network_of_two

from votes.core.room_counts import RoomCount
from votes.db.tables import Membership
from votes.services import assemblies, audit, networks
from votes.services.actors import actor_for
from votes.services.ballots import lifecycle, room_counts
from votes.web.audit_labels import ACTIONS, DETAILS

FRENCH = {"Accept-Language": "fr"}


async def test_actions_subjects_and_details_are_written_in_words(
    client: httpx.AsyncClient,
) -> None:
    slug, organisation_id, email, _, membership_id = await administered_with_member(
        "Journal", "Membre"
    )
    await audit.record(
        organisation_id,
        "attendance.checked_in",
        subject=f"membership:{membership_id}",
        details={"assembly": 1, "method": "code", "status": "present"},
    )
    await audit.record(organisation_id, "ballot.counted", subject="ballot:12")
    await audit.record(
        organisation_id,
        "member.status_changed",
        subject=f"membership:{membership_id}",
        details={"from": "active", "to": "suspended"},
    )
    await audit.record(
        organisation_id,
        "member.added",
        subject=f"membership:{membership_id}",
        details={"name": "Zoé", "roles": ["member", "admin", "scrutineer"]},
    )
    await audit.record(organisation_id, "something.new_here", subject="ballot:13")
    await sign_in(client, email, PASSWORD)
    page = await client.get(f"/o/{slug}/audit", headers=FRENCH)
    assert page.status_code == 200
    text = visible_text(page.text)
    row = await Membership.select(Membership.person.name).where(Membership.id == membership_id)
    name = row[0]["person.name"]
    assert_shows(
        text, "Émargement d’un·e associé·e", f"Membre : {name}", "Scrutin n° 12", "assemblée : 1"
    )
    # the stored values in words too: « statut : present » was the walk's finding
    assert_shows(
        text,
        "méthode : code d’accès",
        "statut : Présent·e",
        "vers : Suspendu·e",
        "rôles : associé·e, administrateur·rice, scrutateur·rice",
    )
    assert "Autre action (something new here)" in text  # unknown, still readable
    for key in (
        "attendance.checked_in",
        "membership:",
        "assembly1method",
        "ballot.counted",
        ": present",
        "suspended",
        "admin,",
    ):
        assert key not in text, key


def test_every_action_the_app_records_has_its_words_and_every_word_an_action() -> None:
    """Read from the source, following the helpers that pass an action on: the ballot's
    opening, closing and publication once read « Autre action (ballot opened) » because their
    action was built (``f"ballot.{action}"``) where no test saw it."""
    recorded = recorded_actions()
    assert len(recorded) > 80  # the reader follows every path it knows, not a few
    assert sorted(recorded - ACTIONS.keys()) == []  # recorded, shown as « Autre action »
    assert sorted(ACTIONS.keys() - recorded) == []  # words for an act nothing records


def test_every_detail_written_at_a_recording_has_its_words() -> None:
    assert sorted(written_detail_keys() - DETAILS.keys()) == []


async def test_a_ballots_life_reads_in_words_in_french(client: httpx.AsyncClient) -> None:
    slug, organisation_id, email, _, _ = await administered_with_member("Vie", "Votante")
    actor = await actor_for(organisation_id)
    assembly_id = await assemblies.create_assembly(actor, "AG", datetime.now(UTC))
    ballot_id = await new_ballot(organisation_id, assembly_id, opened=True)
    facilitator = await member_actor(organisation_id, facilitator=True)
    await room_counts.record_room_count(
        facilitator, ballot_id, RoomCount({"yes": 1, "no": 1}, cast=2)
    )
    await close(ballot_id)
    await publish(ballot_id)
    cancelled = await new_ballot(organisation_id, assembly_id, "Autre question ?", opened=True)
    await lifecycle.cancel_ballot(actor, cancelled, reason="Question mal posée")
    await sign_in(client, email, PASSWORD)
    page = await client.get(f"/o/{slug}/audit", headers=FRENCH)
    text = visible_text(page.text)
    assert_shows(
        text,
        "Ouverture d'un scrutin",
        "Scrutin clos",
        "Résultat publié",
        "Scrutin annulé",
        "empreinte de l’urne",
        "bulletins : 0",
        "empreinte des choix",
        "motif : Question mal posée",
        "Pour : 1",  # the room count by the options' labels
        "Contre : 1",
    )
    for raw in ("Autre action", "box digest", "options digest", "participations", "True", "yes:"):
        assert raw not in text, raw


async def test_a_networks_fixed_shares_read_by_cooperative_and_percentage(
    client: httpx.AsyncClient,
) -> None:
    network, first, second = await network_of_two()
    fixed = {first.organisation_id: "62,5", second.organisation_id: "37,5"}
    await networks.set_sharing(network.admin, "fixed", fixed)
    await sign_in(client, network.admin_email, PASSWORD)
    page = await client.get(f"/o/{network.short_name}/audit", headers=FRENCH)
    text = visible_text(page.text)
    first_name, second_name = (f"Coop {org.short_name}" for org in (first, second))
    assert_shows(
        text,
        "règle de partage : Parts fixes",
        f"{first_name} : 62,5 %",
        f"{second_name} : 37,5 %",
    )
    assert "6250" not in text
