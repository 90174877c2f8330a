"""A fresh cooperative for the assembly, proposal and thread tests, and a browser-like poster."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from tests.web.helpers import csrf_token, sign_in

from votes.db.tables import AssemblyStatus, Membership, MembershipKind
from votes.services import accounts, assemblies, organisations
from votes.services.actors import actor_for

PASSWORD = "a-long-enough-password"


@dataclass(frozen=True, slots=True)
class Coop:
    slug: str
    organisation_id: int
    assembly_id: int
    item_id: int
    emails: dict[str, str]  # role -> email
    people: dict[str, int]  # role -> person id

    @property
    def base(self) -> str:
        return f"/o/{self.slug}"

    async def membership(self, role: str) -> int:
        """The membership id of ``role``'s person in this cooperative."""
        row = (
            await Membership.select(Membership.id)
            .where(
                (Membership.organisation == self.organisation_id)
                & (Membership.person == self.people[role])
            )
            .first()
        )
        assert row is not None
        return int(row["id"])


async def cooperative(**assembly_details: Any) -> Coop:
    """A cooperative with a facilitator, two members and an observer, and an assembly in
    session with one agenda item."""
    suffix = uuid.uuid4().hex[:8]
    slug = f"coop-{suffix}"
    organisation_id = await organisations.create_organisation(f"Coop {suffix}", slug)
    emails: dict[str, str] = {}
    people: dict[str, int] = {}
    for role in ("facilitator", "member", "other", "observer"):
        email = f"{role}-{suffix}@example.org"
        person_id = await accounts.create_person(f"{role.title()} {suffix}", email, PASSWORD)
        await organisations.add_membership(
            organisation_id,
            person_id,
            kind=MembershipKind.OBSERVER if role == "observer" else MembershipKind.MEMBER,
            is_facilitator=role == "facilitator",
        )
        emails[role] = email
        people[role] = person_id
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id),
        f"AG {suffix}",
        datetime.now(UTC) + timedelta(hours=1),
        status=AssemblyStatus.IN_SESSION,
        **assembly_details,
    )
    item_id = await assemblies.add_agenda_item(assembly_id, "Rémunérations")
    return Coop(slug, organisation_id, assembly_id, item_id, emails, people)


async def as_role(client: httpx.AsyncClient, coop: Coop, role: str) -> None:
    client.cookies.clear()
    await sign_in(client, coop.emails[role], PASSWORD)


async def post_form(
    client: httpx.AsyncClient,
    path: str,
    data: dict[str, Any],
    *,
    htmx: bool = False,
    language: str = "fr",
) -> httpx.Response:
    token = await csrf_token(client, "/")
    headers = {"Accept-Language": language}
    if htmx:
        headers["HX-Request"] = "true"
    return await client.post(
        path, data={**data, "_csrf_token": token}, headers=headers, follow_redirects=False
    )


def first_id(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match, pattern
    return int(match.group(1))


async def submit_proposal(client: httpx.AsyncClient, coop: Coop, **fields: Any) -> str:
    """The person signed in submits a proposal to the coop's assembly; its page's path."""
    created = await post_form(
        client, f"{coop.base}/assemblies/{coop.assembly_id}/proposals", fields
    )
    assert created.status_code == 303, created.text
    return str(created.headers["location"])


async def propose_amendment(client: httpx.AsyncClient, proposal_path: str, **fields: Any) -> int:
    """The person signed in proposes an amendment to the proposal; its id."""
    proposed = await post_form(client, f"{proposal_path}/amendments", fields)
    assert proposed.status_code == 303, proposed.text
    return int(proposed.headers["location"].rsplit("-", 1)[1])


async def thread_of(client: httpx.AsyncClient, proposal_path: str) -> int:
    """The id of the discussion thread the proposal's page links to."""
    page = await client.get(proposal_path)
    return first_id(r"/threads/(\d+)/contributions", page.text)


async def accept_amendment(client: httpx.AsyncClient, coop: Coop, amendment_id: int) -> None:
    """The proposal's author, signed in, takes the amendment into the text."""
    accepted = await post_form(
        client, f"{coop.base}/amendments/{amendment_id}/decide", {"decision": "accept"}
    )
    assert accepted.status_code == 303, accepted.text


async def administered(name: str) -> tuple[str, int, str]:
    """A fresh organisation (``name`` and a unique suffix) with an administrator who signs in
    with PASSWORD: (short name, organisation id, the administrator's email)."""
    suffix = uuid.uuid4().hex[:8]
    short_name = f"{name.lower()}-{suffix}"
    organisation_id = await organisations.create_organisation(f"{name} {suffix}", short_name)
    email = f"admin-{suffix}@example.org"
    admin = await accounts.create_person(f"Admin {suffix}", email, PASSWORD)
    await organisations.add_membership(organisation_id, admin, is_admin=True)
    return short_name, organisation_id, email
