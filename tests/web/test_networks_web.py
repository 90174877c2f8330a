"""Networks of cooperatives (#20) in the browser, in French: the instance admin creates a
network, its admin invites a cooperative and shares decisions, the cooperative's admin joins,
chooses who represents it and registers them; every refused form says why (422) and writes
nothing."""

from __future__ import annotations

import re

import httpx
from tests.support.factories import PASSWORD, unique
from tests.web.helpers import assert_shows, post_with_token, sign_in
from tests.web.network_helpers import joined, network_of_two, organisation

from votes.db import network_queries
from votes.db.tables import Membership, NetworkMembership, Organisation
from votes.services import accounts, networks, organisations


async def _places(network_id: int) -> int:
    return await NetworkMembership.count().where(NetworkMembership.network == network_id)


async def test_an_instance_admin_creates_a_network(client: httpx.AsyncClient) -> None:
    tag = unique("inst").lower()
    email = f"{tag}@example.org"
    await accounts.create_person("Dominique", email, PASSWORD, instance_admin=True)
    await sign_in(client, email, PASSWORD)
    page = await client.get("/admin/organisations/")
    assert_shows(page.text, "Un réseau de coopératives")
    created = await post_with_token(
        client,
        "/admin/organisations/",
        {
            "name": f"Réseau {tag}",
            "short_name": f"reseau-{tag}",
            "legal_form": "scop_sarl",
            "default_language": "fr",
            "time_zone": "Europe/Paris",
            "admin_name": "Ada",
            "admin_email": f"ada-{tag}@example.org",
            "is_network": "1",
        },
    )
    assert created.status_code == 200, created.text
    rows = await Organisation.select(Organisation.is_network).where(
        Organisation.short_name == f"reseau-{tag}"
    )
    assert rows == [{"is_network": True}]


async def test_a_network_invites_and_a_cooperative_joins(client: httpx.AsyncClient) -> None:
    network, coop = await organisation("Reseau", is_network=True), await organisation("Coop")
    await sign_in(client, network.admin_email, PASSWORD)
    page = await client.get(f"{network.base}/networks", follow_redirects=True)
    assert_shows(page.text, "Coopératives membres", "Inviter une coopérative")
    invited = await post_with_token(
        client, f"{network.base}/cooperatives", {"cooperative": coop.short_name}
    )
    assert invited.status_code == 303
    page = await client.get(f"{network.base}/cooperatives")
    assert_shows(page.text, coop.short_name, "Invitée", "Retirer")

    client.cookies.clear()
    await sign_in(client, coop.admin_email, PASSWORD)
    page = await client.get(f"{coop.base}/networks")
    assert_shows(page.text, "Réseaux", "Invitations", "Rejoindre", "Décliner")
    answered = await post_with_token(
        client, f"{coop.base}/networks/{network.organisation_id}/answer", {"decision": "accept"}
    )
    assert answered.status_code == 303
    assert answered.headers["location"].endswith(f"/networks/{network.organisation_id}")
    page = await client.get(f"{coop.base}/networks")
    assert_shows(page.text, "Réseaux dont votre coopérative est membre", "0 personne inscrite")


async def test_impossible_invitations_are_explained(client: httpx.AsyncClient) -> None:
    network, coop = await organisation("Reseau", is_network=True), await organisation("Coop")
    other = await organisation("Autre", is_network=True)
    await sign_in(client, network.admin_email, PASSWORD)
    path = f"{network.base}/cooperatives"
    assert (await post_with_token(client, path, {"cooperative": coop.short_name})).status_code == (
        303
    )
    for name, message in (
        ("inconnue-xyz", "a ce nom court ici"),
        (network.short_name, "Un réseau ne peut pas être membre de lui-même."),
        (other.short_name, "autre réseau\u00a0: invitez ses coopératives."),
        (coop.short_name, "Cette coopérative est déjà membre du réseau, ou déjà invitée."),
        ("", "Indiquez le nom court de la coopérative."),
    ):
        refused = await post_with_token(client, path, {"cooperative": name})
        assert refused.status_code == 422, name
        assert_shows(refused.text, message)
    assert await _places(network.organisation_id) == 1


async def test_fixed_shares_are_checked(client: httpx.AsyncClient) -> None:
    network, first, second = await network_of_two()
    await sign_in(client, network.admin_email, PASSWORD)
    path = f"{network.base}/cooperatives/sharing"
    shares = {f"share-{first.organisation_id}": "70", f"share-{second.organisation_id}": "20"}
    refused = await post_with_token(client, path, {"sharing": "fixed", **shares})
    assert refused.status_code == 422
    assert_shows(refused.text, "doivent totaliser 100")
    settings = await network_queries.network_settings(network.organisation_id)
    assert settings.sharing == "equal"
    shares[f"share-{second.organisation_id}"] = "30"
    saved = await post_with_token(client, path, {"sharing": "fixed", **shares})
    assert saved.status_code == 303
    page = await client.get(f"{network.base}/cooperatives")
    assert_shows(page.text, "70&nbsp;%", "30&nbsp;%", "Parts fixes, écrites")


async def test_a_cooperative_registers_its_delegation(client: httpx.AsyncClient) -> None:
    network, coop = await organisation("Reseau", is_network=True), await organisation("Coop")
    await joined(network, coop)
    await sign_in(client, coop.admin_email, PASSWORD)
    base = f"{coop.base}/networks/{network.organisation_id}"
    page = await client.get(base)
    assert_shows(page.text, "Qui représente votre coopérative", "Une délégation", coop.names[0])
    registered = await post_with_token(client, f"{base}/delegates", {"member": coop.members[0]})
    assert registered.status_code == 303
    page = await client.get(base)
    assert_shows(page.text, "1 personne inscrite", "Désinscrire")
    [delegate] = await network_queries.delegation(network.organisation_id, coop.organisation_id)
    assert delegate.name == coop.names[0]
    refused = await post_with_token(client, f"{base}/delegates", {"member": ""})
    assert refused.status_code == 422
    assert_shows(refused.text, "Choisissez le membre à inscrire.")
    removed = await post_with_token(client, f"{base}/delegates/{delegate.id}/remove")
    assert removed.status_code == 303
    assert await network_queries.delegation(network.organisation_id, coop.organisation_id) == []


async def test_all_members_in_one_action(client: httpx.AsyncClient) -> None:
    network, coop = await organisation("Reseau", is_network=True), await organisation("Coop")
    await joined(network, coop)
    await sign_in(client, coop.admin_email, PASSWORD)
    base = f"{coop.base}/networks/{network.organisation_id}"
    refused = await post_with_token(client, f"{base}/delegates/all")
    assert refused.status_code == 409
    chosen = await post_with_token(client, f"{base}/representation", {"representation": "all"})
    assert chosen.status_code == 303
    page = await client.get(base)
    assert_shows(page.text, "Inscrire tous nos membres actifs")
    assert (await post_with_token(client, f"{base}/delegates/all")).status_code == 303
    page = await client.get(base)
    assert_shows(page.text, "3 personnes inscrites", *coop.names)
    # the network's admin sees how many people the cooperative registered, not who is in it
    client.cookies.clear()
    await sign_in(client, network.admin_email, PASSWORD)
    page = await client.get(f"{network.base}/cooperatives")
    assert_shows(page.text, "Tous ses membres")
    assert re.search(r'data-label="Personnes inscrites">3<', page.text), page.text


async def test_a_person_registered_by_another_cooperative_is_refused(
    client: httpx.AsyncClient,
) -> None:
    network, first, second = await network_of_two()
    person = (await Membership.select(Membership.person).where(Membership.id == first.members[0]))[
        0
    ]["person"]
    await networks.register_delegate(first.admin, network.organisation_id, first.members[0])
    shared = await organisations.add_membership(second.organisation_id, person)
    await sign_in(client, second.admin_email, PASSWORD)
    base = f"{second.base}/networks/{network.organisation_id}"
    refused = await post_with_token(client, f"{base}/delegates", {"member": shared})
    assert refused.status_code == 422
    assert_shows(refused.text, "déjà membre du réseau, par une autre coopérative")
    assert await network_queries.delegation(network.organisation_id, second.organisation_id) == []


async def test_all_members_says_who_was_left_out(client: httpx.AsyncClient) -> None:
    network, first, second = await network_of_two()
    person = (await Membership.select(Membership.person).where(Membership.id == second.members[0]))[
        0
    ]["person"]
    await organisations.add_membership(first.organisation_id, person)
    await networks.register_delegate(second.admin, network.organisation_id, second.members[0])
    await networks.set_representation(first.admin, network.organisation_id, "all")
    await sign_in(client, first.admin_email, PASSWORD)
    base = f"{first.base}/networks/{network.organisation_id}"
    done = await post_with_token(client, f"{base}/delegates/all", follow_redirects=True)
    assert done.status_code == 200
    assert_shows(done.text, "1 membre n", "par une autre coopérative", "3 personnes inscrites")


async def test_fixed_shares_unsettled_by_a_new_member_are_pointed_out(
    client: httpx.AsyncClient,
) -> None:
    network = await organisation("Reseau", is_network=True)
    first, second = await organisation("Coop"), await organisation("Coop")
    await joined(network, first)
    await networks.set_sharing(network.admin, "fixed", {first.organisation_id: "100"})
    await joined(network, second)
    await sign_in(client, network.admin_email, PASSWORD)
    page = await client.get(f"{network.base}/cooperatives")
    assert_shows(page.text, "ne totalisent plus 100")
