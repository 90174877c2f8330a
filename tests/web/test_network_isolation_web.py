"""Networks (#20) by attack: each cooperative keeps its register, votes and audit to itself, and
sees nothing of another cooperative's delegation. The network's admin, a member cooperative's
admin, a suspended one, a cooperative outside the network, each tries what they must not do;
every attempt is refused and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from tests.support.factories import PASSWORD, new_ballot
from tests.web.helpers import post_with_token, sign_in
from tests.web.network_helpers import Org, joined, network_of_two, organisation

from votes.db import network_queries
from votes.db.tables import AssemblyStatus, AuditEntry, Membership, MembershipStatus
from votes.services import assemblies, networks
from votes.services.actors import actor_for


async def _network_rows(network: Org) -> tuple[int, int]:
    """What an attack must leave as it was: the network's register and its audit trail."""
    return (
        await Membership.count().where(Membership.organisation == network.organisation_id),
        await AuditEntry.count().where(AuditEntry.organisation == network.organisation_id),
    )


async def _ballot_of(coop: Org) -> int:
    assembly_id = await assemblies.create_assembly(
        await actor_for(coop.organisation_id),
        "AG",
        datetime(2031, 6, 12, 14, tzinfo=UTC),
        status=AssemblyStatus.IN_SESSION,
    )
    return await new_ballot(coop.organisation_id, assembly_id, opened=True)


async def test_the_network_admin_reads_nothing_of_a_member_cooperative(
    client: httpx.AsyncClient,
) -> None:
    network, coop = await organisation("Reseau", is_network=True), await organisation("Coop")
    await joined(network, coop)
    await networks.register_delegate(coop.admin, network.organisation_id, coop.members[0])
    ballot_id = await _ballot_of(coop)
    await sign_in(client, network.admin_email, PASSWORD)
    for path in (
        f"{coop.base}/members/",
        f"{coop.base}/members/{coop.members[1]}",
        f"{coop.base}/members/export.csv",
        f"{coop.base}/audit",
        f"{coop.base}/ballots/{ballot_id}",
        f"{coop.base}/ballots/{ballot_id}/result.json",
        f"{coop.base}/ballots/{ballot_id}/console",
        f"{coop.base}/networks",
        f"{coop.base}/networks/{network.organisation_id}",
        # the cooperative's ballot through the network's own pages
        f"{network.base}/ballots/{ballot_id}",
        f"{network.base}/ballots/{ballot_id}/result.json",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert coop.names[1] not in response.text, path
    # its own page counts the people registered, and names none of the cooperative's others
    page = await client.get(f"{network.base}/cooperatives")
    assert page.status_code == 200
    assert coop.names[1] not in page.text
    # the network's admin cannot register the cooperative's members in its place
    before = await _network_rows(network)
    forged = await post_with_token(
        client,
        f"{coop.base}/networks/{network.organisation_id}/delegates",
        {"member": coop.members[1]},
    )
    assert forged.status_code == 404
    assert await _network_rows(network) == before


async def test_a_cooperative_cannot_register_or_see_another_cooperatives_people(
    client: httpx.AsyncClient,
) -> None:
    network, first, second = await network_of_two()
    registration = await networks.register_delegate(
        second.admin, network.organisation_id, second.members[0]
    )
    await sign_in(client, first.admin_email, PASSWORD)
    base = f"{first.base}/networks/{network.organisation_id}"
    page = await client.get(base)
    assert page.status_code == 200
    assert second.names[0] not in page.text  # second's delegate is nowhere on first's page
    assert second.names[1] not in page.text  # nor second's register in first's choices
    for path in (
        f"{second.base}/networks/{network.organisation_id}",
        f"{second.base}/networks",
        f"{second.base}/members/",
        f"{network.base}/cooperatives",  # first is no admin of the network
    ):
        assert (await client.get(path)).status_code == 404, path
    before = await _network_rows(network)
    # second's member, forged into first's form
    forged = await post_with_token(client, f"{base}/delegates", {"member": second.members[1]})
    assert forged.status_code == 422
    # second's delegate, removed through first's page
    removed = await post_with_token(client, f"{base}/delegates/{registration}/remove")
    assert removed.status_code == 404
    # through second's own pages
    through = await post_with_token(
        client,
        f"{second.base}/networks/{network.organisation_id}/delegates",
        {"member": second.members[1]},
    )
    assert through.status_code == 404
    # a membership id that is not a number
    garbled = await post_with_token(client, f"{base}/delegates", {"member": "2; DROP"})
    assert garbled.status_code == 422
    assert await _network_rows(network) == before
    delegates = await network_queries.delegation(network.organisation_id, second.organisation_id)
    assert [d.id for d in delegates] == [registration]


async def test_a_suspended_cooperative_admin_can_do_nothing(client: httpx.AsyncClient) -> None:
    network, coop = await organisation("Reseau", is_network=True), await organisation("Coop")
    await networks.invite(network.admin, coop.short_name)
    assert coop.admin.membership is not None
    await Membership.update({Membership.status: MembershipStatus.SUSPENDED.value}).where(
        Membership.id == coop.admin.membership.id
    )
    await sign_in(client, coop.admin_email, PASSWORD)
    base = f"{coop.base}/networks"
    assert (await client.get(base)).status_code == 403
    answered = await post_with_token(
        client, f"{base}/{network.organisation_id}/answer", {"decision": "accept"}
    )
    assert answered.status_code == 403
    place = await network_queries.place(network.organisation_id, coop.organisation_id)
    assert place is not None
    assert place.status == "invited"
    system = await actor_for(coop.organisation_id)
    await networks.answer(system, network.organisation_id, accept=True)
    before = await _network_rows(network)
    for path, data in (
        (f"{base}/{network.organisation_id}/representation", {"representation": "all"}),
        (f"{base}/{network.organisation_id}/delegates", {"member": coop.members[0]}),
        (f"{base}/{network.organisation_id}/delegates/all", {}),
    ):
        assert (await post_with_token(client, path, data)).status_code == 403, path
    assert await _network_rows(network) == before


async def test_a_cooperative_outside_the_network_registers_nobody(
    client: httpx.AsyncClient,
) -> None:
    network = await organisation("Reseau", is_network=True)
    invited, stranger = await organisation("Coop"), await organisation("Coop")
    await networks.invite(network.admin, invited.short_name)
    before = await _network_rows(network)
    for coop in (invited, stranger):
        client.cookies.clear()
        await sign_in(client, coop.admin_email, PASSWORD)
        base = f"{coop.base}/networks/{network.organisation_id}"
        assert (await client.get(base)).status_code == 404
        for path, data in (
            (f"{base}/delegates", {"member": coop.members[0]}),
            (f"{base}/delegates/all", {}),
            (f"{base}/representation", {"representation": "all"}),
        ):
            assert (await post_with_token(client, path, data)).status_code == 404, path
    # the stranger was never invited: it cannot answer an invitation it does not have
    answered = await post_with_token(
        client,
        f"{stranger.base}/networks/{network.organisation_id}/answer",
        {"decision": "accept"},
    )
    assert answered.status_code == 404
    assert await _network_rows(network) == before
    assert await network_queries.place(network.organisation_id, stranger.organisation_id) is None


async def test_forged_cooperative_ids_in_the_networks_forms_are_refused(
    client: httpx.AsyncClient,
) -> None:
    network, coop = await organisation("Reseau", is_network=True), await organisation("Coop")
    outsider = await organisation("Coop")
    await joined(network, coop)
    await sign_in(client, network.admin_email, PASSWORD)
    before = await _network_rows(network)
    ended = await post_with_token(
        client, f"{network.base}/cooperatives/{outsider.organisation_id}/end"
    )
    assert ended.status_code == 404
    shares = {f"share-{coop.organisation_id}": "50", f"share-{outsider.organisation_id}": "50"}
    shared = await post_with_token(
        client, f"{network.base}/cooperatives/sharing", {"sharing": "fixed", **shares}
    )
    assert shared.status_code == 404
    garbled = await post_with_token(
        client, f"{network.base}/cooperatives/sharing", {"sharing": "fixed", "share-x1": "100"}
    )
    assert garbled.status_code == 404
    assert await _network_rows(network) == before
    assert (await network_queries.network_settings(network.organisation_id)).sharing == "equal"
    place = await network_queries.place(network.organisation_id, coop.organisation_id)
    assert place is not None
    assert place.status == "member"
