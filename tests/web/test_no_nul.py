"""A NUL character (``%00``), which nobody types but anyone can send, never reaches the
database: PostgreSQL cannot store it and answered 500 deep in a query. It is dropped at the
door, from forms, searches and addresses alike, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
from tests.web.assembly_helpers import coop_signed_in
from tests.web.helpers import csrf_token

from votes.db.tables import AssemblyKind, Ballot


async def test_a_nul_in_a_form_is_dropped_and_the_ballot_is_created(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "facilitator", kind=AssemblyKind.OTHER)
    token = await csrf_token(client, "/")
    created = await client.post(
        f"{coop.assembly_path}/ballots",
        content=(
            "question=Adopter%00+le+budget+%3F&method=majority&rule=ballot&threshold=1%2F2"
            f"&options=Pour%0AContre%00&agenda_item={coop.item_id}&_csrf_token={token}"
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text[:500]
    row = await Ballot.select(Ballot.question).where(Ballot.assembly == coop.assembly_id).first()
    assert row == {"question": "Adopter le budget ?"}


async def test_a_nul_in_a_search_or_an_address_gets_a_page_not_an_error(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "member", kind=AssemblyKind.OTHER)
    search = await client.get(f"{coop.base}/proposals?q=budget%00")
    assert search.status_code == 200
    address = await client.get(f"/o/{coop.base.rsplit('/', 1)[1]}%00/proposals")
    assert address.status_code in (200, 404)
