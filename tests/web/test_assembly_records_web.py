"""On the web: an assembly with final minutes is not reopened, an assembly does not close over
an open ballot, and a scrutineer records paper proxies while a member's ``giver`` is refused."""

from __future__ import annotations

import html

import httpx
from tests.support.factories import PASSWORD, Coop, cooperative
from tests.web.assembly_helpers import as_role, post_form
from tests.web.helpers import sign_in

from votes.db.tables import Assembly, AssemblyStatus, Proxy
from votes.services import accounts, assemblies, minutes, organisations
from votes.services.actors import actor_for
from votes.services.ballots import drafts, lifecycle

MOTION = [("yes", "Pour"), ("no", "Contre")]


async def _status(coop: Coop) -> str:
    row = await Assembly.select(Assembly.status).where(Assembly.id == coop.assembly_id).first()
    return str(row["status"])


async def test_final_minutes_keep_the_assembly_closed(client: httpx.AsyncClient) -> None:
    coop = await cooperative()
    facilitator = await actor_for(coop.organisation_id, await coop.membership("facilitator"))
    await assemblies.set_assembly_status(facilitator, coop.assembly_id, AssemblyStatus.CLOSED)
    await minutes.finalise(
        coop.organisation_id, coop.assembly_id, "<p>PV</p>", person_id=coop.people["facilitator"]
    )
    await as_role(client, coop, "facilitator")
    page = await client.get(coop.assembly_path)
    assert 'value="in_session"' not in page.text  # no button that could only be refused
    reopened = await post_form(client, f"{coop.assembly_path}/status", {"status": "in_session"})
    assert reopened.status_code == 409
    assert "Le procès-verbal de cette assemblée est arrêté\u00a0: plus rien" in reopened.text
    assert await _status(coop) == AssemblyStatus.CLOSED.value


async def test_an_assembly_with_an_open_ballot_does_not_close(client: httpx.AsyncClient) -> None:
    coop = await cooperative()
    system = await actor_for(coop.organisation_id)
    ballot_id = await drafts.create_ballot(
        system, coop.assembly_id, "Budget 2027 ?", "majority", MOTION
    )
    await lifecycle.open_ballot(system, ballot_id)
    await as_role(client, coop, "facilitator")
    closing = await post_form(client, f"{coop.assembly_path}/status", {"status": "closed"})
    assert closing.status_code == 409
    sentence = html.unescape(closing.text)
    assert "Clôturez d'abord les scrutins ouverts et publiez leurs résultats" in sentence
    assert "Budget 2027 ?" in sentence
    assert await _status(coop) == AssemblyStatus.IN_SESSION.value


async def test_a_scrutineer_records_a_paper_proxy_and_a_member_cannot(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative()
    email = f"scrutineer-{coop.slug}@example.org"
    person_id = await accounts.create_person("Scrutatrice", email, PASSWORD)
    await organisations.add_membership(coop.organisation_id, person_id, is_scrutineer=True)
    member, other = await coop.membership("member"), await coop.membership("other")
    path = f"{coop.assembly_path}/proxies"

    client.cookies.clear()
    await sign_in(client, email, PASSWORD)
    page = await client.get(path, headers={"Accept-Language": "fr"})
    assert 'name="giver"' in page.text
    recorded = await post_form(client, path, {"giver": str(member), "holder": str(other)})
    assert recorded.status_code == 303
    rows = await Proxy.select(Proxy.giver, Proxy.holder).where(Proxy.assembly == coop.assembly_id)
    assert rows == [{"giver": member, "holder": other}]

    # a member naming another giver is refused, not taken for their own proxy
    await as_role(client, coop, "other")
    forged = await post_form(client, path, {"giver": str(member), "holder": str(other)})
    assert forged.status_code == 403
    assert "Seules les personnes qui tiennent la feuille d’émargement" in forged.text
    assert await Proxy.count().where(Proxy.assembly == coop.assembly_id) == 1
