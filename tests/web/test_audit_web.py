"""The audit trail page: acts with who and when, filters, pages, and a tampered chain said
plainly."""

from __future__ import annotations

import httpx
from tests.support.factories import PASSWORD, administered_with_member
from tests.web.assembly_helpers import post_form
from tests.web.helpers import sign_in
from tests.web.minutes_helpers import visible_text

from votes.db.engine import write_transaction
from votes.db.tables import AuditEntry
from votes.services import audit


async def test_a_suspension_is_in_the_trail_with_who_did_it(client: httpx.AsyncClient) -> None:
    slug, _organisation_id, email, _, membership_id = await administered_with_member(
        "Journal", "Membre"
    )
    await sign_in(client, email, PASSWORD)
    suspended = await post_form(
        client, f"/o/{slug}/members/{membership_id}/status", {"status": "suspended"}
    )
    assert suspended.status_code == 303
    page = await client.get(f"/o/{slug}/audit", params={"action": "member.status_changed"})
    assert page.status_code == 200
    assert "La chaîne est vérifiée" in page.text
    assert "Statut d’un·e associé·e modifié" in page.text  # words, never the stored key
    assert f"membership:{membership_id}" not in visible_text(page.text)
    assert "de : Actif·ve" in visible_text(page.text)
    assert "vers : Suspendu·e" in visible_text(page.text)
    assert "Admin " in page.text  # who did it
    other = await client.get(f"/o/{slug}/audit", params={"action": "ballot.opened"})
    assert "<code>member.status_changed</code>" not in other.text


async def test_filters_and_pages(client: httpx.AsyncClient) -> None:
    slug, organisation_id, email, _, _membership_id = await administered_with_member(
        "Journal", "Membre"
    )
    for index in range(55):
        await _record(organisation_id, f"ballot:{index}")
    await sign_in(client, email, PASSWORD)
    first = await client.get(f"/o/{slug}/audit", params={"subject": "ballot:"})
    assert "55 entrées" in visible_text(first.text)
    assert "page 1 sur 2" in visible_text(first.text)
    assert "page_number=2" in first.text
    second = await client.get(f"/o/{slug}/audit", params={"subject": "ballot:", "page_number": "2"})
    assert "Scrutin n°\u00a00<" in second.text
    fragment = await client.get(
        f"/o/{slug}/audit", params={"subject": "ballot:54"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text
    assert "1 entrée" in fragment.text
    future = await client.get(f"/o/{slug}/audit", params={"since": "2999-01-01"})
    assert "0 entrée" in future.text
    nonsense = await client.get(f"/o/{slug}/audit", params={"since": "hier", "page_number": "x"})
    assert nonsense.status_code == 200


async def _record(organisation_id: int, subject: str) -> None:
    async with write_transaction(AuditEntry._meta.db):
        await audit.record(organisation_id, "ballot.opened", subject=subject)


async def test_a_tampered_trail_is_reported_not_repaired(client: httpx.AsyncClient) -> None:
    slug, organisation_id, email, _, _membership_id = await administered_with_member(
        "Journal", "Membre"
    )
    await _record(organisation_id, "ballot:1")
    await _record(organisation_id, "ballot:2")
    await AuditEntry.update({AuditEntry.subject: "ballot:9"}).where(
        (AuditEntry.organisation == organisation_id) & (AuditEntry.subject == "ballot:1")
    )
    await sign_in(client, email, PASSWORD)
    page = await client.get(f"/o/{slug}/audit")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "Le journal d'audit a été altéré : l'entrée 1 ne correspond plus" in text
    assert "Elle a été modifiée après son enregistrement." in text
    assert "Scrutin n°\u00a09" in page.text  # shown as it is now, not repaired
