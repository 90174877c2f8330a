"""A suspended administrator or facilitator keeps the flags of the register and no power.

Found in the one-door review: a suspended admin who signed in again by password still read the
register and the audit log, added an admin, reissued codes, renamed the cooperative, and closed
and published ballots. Each act below is tried through the pages, as that person would, and
must be refused with nothing changed.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from tests.support.factories import PASSWORD, Coop, close, cooperative, new_ballot
from tests.web.assembly_helpers import post_form
from tests.web.helpers import sign_in

from votes.db.tables import AccessCode, Ballot, Membership, MembershipStatus, Organisation
from votes.services import accounts, organisations


async def _suspended(coop: Coop, **roles: bool) -> str:
    """A person of ``coop`` with ``roles``, suspended; returns their email."""
    email = f"suspended-{uuid.uuid4().hex[:8]}@example.org"
    person_id = await accounts.create_person("Ancienne présidente", email, PASSWORD)
    await organisations.add_membership(coop.organisation_id, person_id, **roles)
    await Membership.update({Membership.status: MembershipStatus.SUSPENDED.value}).where(
        Membership.person == person_id
    )
    return email


async def _open_ballot(coop: Coop) -> int:
    return await new_ballot(
        coop.organisation_id,
        coop.assembly_id,
        "Adopter les comptes ?",
        choices=[("yes", "Pour"), ("no", "Contre")],
        opened=True,
    )


async def _status(ballot_id: int) -> str:
    row = await Ballot.select(Ballot.status).where(Ballot.id == ballot_id).first()
    return str(row["status"])


@pytest.fixture
async def suspended_admin(client: httpx.AsyncClient) -> Coop:
    coop = await cooperative()
    email = await _suspended(coop, is_admin=True, is_facilitator=True, is_scrutineer=True)
    await sign_in(client, email, PASSWORD)  # signing in again by password works…
    return coop


async def test_a_suspended_admin_reads_neither_the_register_nor_the_audit_log(
    client: httpx.AsyncClient, suspended_admin: Coop
) -> None:
    base = suspended_admin.base
    assert (await client.get(f"{base}/members/")).status_code == 403
    assert (await client.get(f"{base}/members/codes")).status_code == 403
    assert (await client.get(f"{base}/audit")).status_code == 403
    # …and the organisation's own pages still read, as an observer's would
    assert (await client.get(f"{base}/assemblies/{suspended_admin.assembly_id}")).status_code == 200


async def test_a_suspended_admin_adds_no_admin_and_issues_no_code(
    client: httpx.AsyncClient, suspended_admin: Coop
) -> None:
    base = suspended_admin.base
    organisation_id = suspended_admin.organisation_id
    members_before = await Membership.count().where(Membership.organisation == organisation_id)
    added = await post_form(
        client,
        f"{base}/members/new",
        {"name": "Complice", "email": "complice@example.org", "kind": "member", "is_admin": "1"},
    )
    assert added.status_code == 403
    assert (
        await Membership.count().where(Membership.organisation == organisation_id) == members_before
    )
    codes = await post_form(client, f"{base}/members/codes", {"scope": "all", "days": "3"})
    assert codes.status_code == 403
    assert await AccessCode.count() == await AccessCode.count().where(
        AccessCode.membership.organisation != organisation_id
    )


async def test_a_suspended_admin_does_not_rename_the_cooperative(
    client: httpx.AsyncClient, suspended_admin: Coop
) -> None:
    renamed = await post_form(
        client,
        f"{suspended_admin.base}/settings",
        {
            "name": "Coopérative détournée",
            "short_name": suspended_admin.slug,
            "legal_form": "scop_sarl",
            "default_language": "fr",
            "time_zone": "Europe/Paris",
        },
    )
    assert renamed.status_code == 403
    row = await Organisation.select(Organisation.name).where(
        Organisation.id == suspended_admin.organisation_id
    )
    assert row[0]["name"] != "Coopérative détournée"


@pytest.mark.parametrize(
    "roles", [{"is_admin": True, "is_facilitator": True}, {"is_facilitator": True}]
)
async def test_a_suspended_facilitator_neither_closes_nor_publishes_a_ballot(
    client: httpx.AsyncClient, roles: dict[str, bool]
) -> None:
    coop = await cooperative()
    email = await _suspended(coop, **roles)
    await sign_in(client, email, PASSWORD)
    ballot_id = await _open_ballot(coop)
    console = f"{coop.base}/ballots/{ballot_id}/console"
    assert (await client.get(console)).status_code == 403
    closed = await post_form(client, f"{console}/close", {})
    assert closed.status_code == 403
    assert await _status(ballot_id) == "open"
    await close(ballot_id)
    published = await post_form(client, f"{console}/publish", {})
    assert published.status_code == 403
    assert await _status(ballot_id) == "closed"
