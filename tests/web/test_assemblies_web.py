"""Facilitators plan and run assemblies from their phones; members follow; outsiders see nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from tests.support.agenda import agenda_titles
from tests.support.factories import cooperative
from tests.web.assembly_helpers import as_role, coop_signed_in, first_id, post_form, refused_form

from votes.db.tables import AgendaItem, Assembly, AssemblyStatus
from votes.services import assemblies
from votes.services.actors import actor_for


async def test_facilitator_plans_an_assembly_in_the_organisation_time_zone(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "facilitator")
    form = await client.get(f"{coop.base}/assemblies/new")
    assert form.status_code == 200
    response = await post_form(
        client,
        f"{coop.base}/assemblies",
        {
            "title": "AGE 2026 — statuts",
            "kind": "age",
            "convocation": "second",
            "starts_at": "2026-06-12T18:30",
            "place": "Salle des fêtes",
            "remote_url": "",
            "description": "Modification des **statuts**.",
            "submission_rule": "members",
            "submission_deadline": "2026-06-01T12:00",
        },
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"], headers={"Accept-Language": "fr"})
    assert "AGE 2026 — statuts" in page.text
    assert "second" in page.text.lower() or "deuxième" in page.text
    assert "<strong>statuts</strong>" in page.text
    row = (
        await Assembly.select()
        .where(
            (Assembly.organisation == coop.organisation_id)
            & (Assembly.title == "AGE 2026 — statuts")
        )
        .first()
    )
    assert row is not None
    assert row["starts_at"].hour == 16  # 18:30 in Paris in June is 16:30 UTC
    assert row["rule_profile"] == "scop_sarl"  # the profile of the cooperative's legal form


async def test_bad_assembly_form_is_refused_with_field_messages_and_nothing_saved(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "facilitator")
    response = await refused_form(
        client,
        f"{coop.base}/assemblies",
        {"title": "", "kind": "ago", "convocation": "first", "starts_at": "demain",
         "submission_rule": "members", "remote_url": "javascript:alert(1)"},
        lambda: Assembly.count().where(Assembly.organisation == coop.organisation_id),
        htmx=True,
    )  # fmt: skip
    assert "Indiquez une date et une heure." in response.text


async def test_agenda_is_built_and_reordered_with_buttons_without_javascript(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "facilitator")
    for title in ("Comptes", "Divers"):
        response = await post_form(client, f"{coop.assembly_path}/items", {"title": title})
        assert response.status_code == 303
    assert await agenda_titles(coop.assembly_id) == ["Rémunérations", "Comptes", "Divers"]
    page = await client.get(coop.assembly_path)
    divers = first_id(r'id="item-(\d+)"[^>]*>\s*<h3><a[^>]*>Divers', page.text)
    await post_form(client, f"{coop.base}/items/{divers}/move", {"direction": "up"})
    assert await agenda_titles(coop.assembly_id) == ["Rémunérations", "Divers", "Comptes"]
    ids = [
        row["id"]
        for row in await AgendaItem.select(AgendaItem.id)
        .where(AgendaItem.assembly == coop.assembly_id)
        .order_by(AgendaItem.position, ascending=False)
    ]
    dragged = await post_form(client, f"{coop.assembly_path}/order", {"item": ids}, htmx=True)
    assert dragged.status_code == 204
    assert await agenda_titles(coop.assembly_id) == ["Comptes", "Divers", "Rémunérations"]
    await post_form(client, f"{coop.assembly_path}/current", {"item": str(divers)})
    page = await client.get(coop.assembly_path)
    assert f'id="item-{divers}" data-item-id="{divers}" aria-current="step"' in page.text
    history = await client.get(f"{coop.assembly_path}/history", headers={"Accept-Language": "en"})
    assert "reordered the agenda" in history.text
    assert "Facilitator" in history.text


async def test_members_read_the_agenda_but_cannot_change_it(client: httpx.AsyncClient) -> None:
    coop = await coop_signed_in(client, "member")
    page = await client.get(coop.assembly_path)
    assert "Rémunérations" in page.text
    assert "/move" not in page.text
    response = await post_form(client, f"{coop.assembly_path}/items", {"title": "Intrus"})
    assert response.status_code == 403
    assert "Seuls les animateurs" in response.text
    assert await agenda_titles(coop.assembly_id) == ["Rémunérations"]


async def test_outsiders_get_404_for_another_cooperative_s_assembly(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative()
    other = await cooperative()
    await as_role(client, other, "facilitator")
    assert (await client.get(coop.assembly_path)).status_code == 404
    # their own organisation's URL with our ids finds nothing either
    response = await client.get(f"{other.base}/assemblies/{coop.assembly_id}")
    assert response.status_code == 404
    moved = await post_form(client, f"{other.base}/items/{coop.item_id}/move", {"direction": "up"})
    assert moved.status_code == 404


async def test_facilitators_find_how_to_plan_an_assembly_and_members_do_not(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "facilitator")
    page = await client.get(f"{coop.base}/now", headers={"Accept-Language": "fr"})
    assert f'href="{coop.base}/assemblies/new">Préparer une assemblée' in page.text
    await as_role(client, coop, "member")
    page = await client.get(f"{coop.base}/now")
    assert "/assemblies/new" not in page.text
    assert (await client.get(f"{coop.base}/assemblies/new")).status_code == 403


async def test_a_planned_duration_that_is_not_minutes_is_refused_and_what_was_typed_stays(
    client: httpx.AsyncClient,
) -> None:
    """Adding and editing an item read their form the same way: a duration that is not a
    whole number of minutes shows the form again, with the title as typed, and saves nothing."""
    coop = await coop_signed_in(client, "facilitator")
    for path, title, minutes in (
        (f"{coop.assembly_path}/items", "Budget 2027", "une heure"),
        (f"{coop.base}/items/{coop.item_id}/edit", "Salaires", "-5"),  # the one item there is
    ):
        refused = await post_form(client, path, {"title": title, "planned_minutes": minutes})
        assert refused.status_code == 422
        assert "Indiquez une durée en minutes, entre 0 et 1440." in refused.text
        assert f'value="{title}"' in refused.text
        assert await agenda_titles(coop.assembly_id) == ["Rémunérations"]


async def test_parallel_sessions_each_lead_to_their_own_floor_and_one_to_the_now_page(
    client: httpx.AsyncClient,
) -> None:
    """Two assemblies in session at once (a gathering's ateliers): the "now" page follows one
    of them, so only its page offers « Suivre la séance »; both offer their own floor."""
    coop = await cooperative()
    other = await assemblies.create_assembly(
        await actor_for(coop.organisation_id),
        "Atelier parallèle",
        datetime.now(UTC) + timedelta(hours=1),
        status=AssemblyStatus.IN_SESSION,
    )
    await as_role(client, coop, "member")
    follow = 0
    for assembly_id in (coop.assembly_id, other):
        page = await client.get(f"{coop.base}/assemblies/{assembly_id}")
        assert page.status_code == 200
        follow += "Suivre la séance" in page.text
        assert f'href="{coop.base}/assemblies/{assembly_id}/floor">La parole</a>' in page.text
        assert "floor/console" not in page.text  # the console is the facilitators'
    assert follow == 1
    await as_role(client, coop, "facilitator")
    page = await client.get(f"{coop.base}/assemblies/{other}")
    assert f'href="{coop.base}/assemblies/{other}/floor/console">Console de la parole</a>' in (
        page.text
    )
