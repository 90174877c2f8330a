"""A browser-like poster for the assembly, proposal and thread tests: signing in by role,
posting forms with their CSRF token, proposals, amendments and threads.

The cooperatives themselves are built in :mod:`tests.support.factories`."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from tests.support.factories import PASSWORD, Coop, administered, cooperative
from tests.web.helpers import post_with_token, sign_in


async def as_role(client: httpx.AsyncClient, coop: Coop, role: str) -> None:
    client.cookies.clear()
    await sign_in(client, coop.emails[role], PASSWORD)


async def coop_signed_in(client: httpx.AsyncClient, role: str, **assembly_details: Any) -> Coop:
    """A fresh cooperative (``cooperative(**assembly_details)``) with its ``role`` signed in on
    ``client``."""
    coop = await cooperative(**assembly_details)
    await as_role(client, coop, role)
    return coop


async def admin_signed_in(
    client: httpx.AsyncClient, *, categories: tuple[str, ...] = ()
) -> tuple[str, int]:
    """A fresh cooperative (``administered("Coop")``) whose administrator is signed in on
    ``client``: (short name, organisation id)."""
    short_name, organisation_id, email = await administered("Coop", categories=categories)
    await sign_in(client, email, PASSWORD)
    return short_name, organisation_id


async def post_form(
    client: httpx.AsyncClient,
    path: str,
    data: dict[str, Any],
    *,
    htmx: bool = False,
    language: str = "fr",
) -> httpx.Response:
    headers = {"Accept-Language": language}
    if htmx:
        headers["HX-Request"] = "true"
    return await post_with_token(client, path, data, headers=headers, follow_redirects=False)


async def refused_form(
    client: httpx.AsyncClient,
    path: str,
    data: dict[str, Any],
    rows: Callable[[], Awaitable[object]],
    *,
    htmx: bool = False,
) -> httpx.Response:
    """``data`` posted to ``path`` is refused (422) and ``rows()`` reads the same after as
    before: the answer, for the test to read its messages."""
    before = await rows()
    refused = await post_form(client, path, data, htmx=htmx)
    assert refused.status_code == 422
    assert await rows() == before
    return refused


def first_id(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match, pattern
    return int(match.group(1))


async def submit_proposal(client: httpx.AsyncClient, coop: Coop, **fields: Any) -> str:
    """The person signed in submits a proposal to the coop's assembly; its page's path."""
    created = await post_form(client, f"{coop.assembly_path}/proposals", fields)
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
