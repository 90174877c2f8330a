"""The audit trail speaks words (QA walk): actions, subjects and details in the reader's
language, never ``access_code.used``, ``membership:12`` or run-together raw fields."""

from __future__ import annotations

import httpx
from tests.support.factories import PASSWORD, administered_with_member
from tests.web.helpers import assert_shows, sign_in
from tests.web.minutes_helpers import visible_text

from votes.db.tables import Membership
from votes.services import audit

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
