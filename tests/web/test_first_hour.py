"""A cooperative's first hour: an instance admin without a cooperative is offered to create
one from the home page, and the new cooperative's dashboard lists the steps to a first ballot,
ticking each one from the data."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import httpx
from tests.web.helpers import csrf_token, sign_in

from votes.db.tables import Membership, Organisation
from votes.services import access_codes, accounts, assemblies, members
from votes.services.actors import actor_for
from votes.services.ballots import drafts, lifecycle
from votes.services.members import MemberInput

PASSWORD = "correct horse battery staple"


async def _instance_admin(client: httpx.AsyncClient) -> tuple[str, int]:
    suffix = uuid.uuid4().hex[:8]
    email = f"instance-{suffix}@example.org"
    person_id = await accounts.create_person("Dominique", email, PASSWORD, instance_admin=True)
    await sign_in(client, email, PASSWORD)
    return suffix, person_id


async def _create_from_home(client: httpx.AsyncClient, name: str) -> httpx.Response:
    token = await csrf_token(client, "/")
    return await client.post(
        "/admin/organisations/",
        data={"_csrf_token": token, "for_me": "1", "name": name},
        headers={"Accept-Language": "fr"},
    )


def _steps(html: str) -> list[tuple[str, str]]:
    """(step title, "fait" or "à faire") for each step of the dashboard's checklist."""
    return re.findall(r"<h3>([^<]+?) <span class=\"badge[^\"]*\">(fait|à faire)</span>", html)


async def test_an_instance_admin_without_a_cooperative_creates_one_from_the_home_page(
    client: httpx.AsyncClient,
) -> None:
    suffix, person_id = await _instance_admin(client)
    home = await client.get("/", headers={"Accept-Language": "fr"})
    assert "Créez votre coopérative" in home.text
    assert 'name="for_me"' in home.text
    assert "Vous n'êtes encore membre d'aucune organisation" not in home.text

    response = await _create_from_home(client, f"Les Tisserands d'Évreux {suffix}")
    # straight to the new cooperative, the signed-in admin as its first administrator
    assert response.status_code == 303
    short_name = f"les-tisserands-d-evreux-{suffix}"
    assert response.headers["location"] == f"/o/{short_name}/"
    organisation = await Organisation.select().where(Organisation.short_name == short_name).first()
    assert (organisation["legal_form"], organisation["time_zone"]) == ("scop_sarl", "Europe/Paris")
    assert await Membership.exists().where(
        (Membership.organisation == organisation["id"])
        & (Membership.person == person_id)
        & Membership.is_admin.eq(True)
        & Membership.is_facilitator.eq(True)
    )
    # the same name again gets a numbered short name rather than an error
    again = await _create_from_home(client, f"Les Tisserands d'Évreux {suffix}")
    assert again.headers["location"] == f"/o/{short_name}-2/"
    home = await client.get("/", headers={"Accept-Language": "fr"})
    assert "Créer une autre coopérative" in home.text


async def test_the_new_cooperatives_checklist_ticks_itself_up_to_a_first_opened_ballot(
    client: httpx.AsyncClient,
) -> None:
    suffix, _ = await _instance_admin(client)
    location = (await _create_from_home(client, f"Coop {suffix}")).headers["location"]
    short_name = location.strip("/").split("/")[-1]
    organisation_id = (
        await Organisation.select(Organisation.id).where(Organisation.short_name == short_name)
    )[0]["id"]

    async def steps() -> list[tuple[str, str]]:
        page = await client.get(location, headers={"Accept-Language": "fr"})
        assert page.status_code == 200
        return _steps(page.text)

    titles = [
        "Importez vos associé·es",
        "Émettez leurs codes d'accès",
        "Préparez une assemblée",
        "Répétez avec un vote d'essai",
    ]
    assert await steps() == [(title, "à faire") for title in titles]
    admin = await actor_for(organisation_id)
    await members.add_member(admin, MemberInput(name="Aïcha Benani", email=None))
    assert [state for _, state in await steps()] == ["fait", "à faire", "à faire", "à faire"]
    await access_codes.issue_codes(admin, secret_key="k" * 32)
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AG", datetime.now(UTC)
    )
    page = await client.get(location, headers={"Accept-Language": "fr"})
    assert [state for _, state in _steps(page.text)] == ["fait", "fait", "fait", "à faire"]
    # the next step leads straight to a ballot in the assembly just prepared
    assert f'href="/o/{short_name}/assemblies/{assembly_id}/ballots/new"' in page.text
    ballot_id = await drafts.create_ballot(
        admin, assembly_id, "Essai ?", "majority", [("yes", "Pour"), ("no", "Contre")], is_test=True
    )
    await lifecycle.open_ballot(admin, ballot_id)
    assert await steps() == []  # all done: the checklist gives way to the cooperative's life


async def test_members_who_do_not_administer_see_no_checklist(
    client: httpx.AsyncClient, demo: None
) -> None:
    await sign_in(client, "lea@demo.votes.invalid")
    page = await client.get("/o/demo/", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Premiers pas" not in page.text
