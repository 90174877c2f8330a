"""A refused form names each wrong field for a screen reader too: the field is marked invalid
and points (aria-describedby) at the one message beside it, whatever form it is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from tests.support.factories import Coop
from tests.web.assembly_helpers import coop_signed_in, refused_form
from tests.web.helpers import described_errors

from votes.db.tables import AgendaItem, AssemblyKind, Ballot


async def _facilitating(client: httpx.AsyncClient) -> Coop:
    """A fresh coop (its assembly of no legal kind), its facilitator signed in."""
    return await coop_signed_in(client, "facilitator", kind=AssemblyKind.OTHER)


async def _refused_naming(
    client: httpx.AsyncClient,
    path: str,
    fields: dict[str, str],
    field: str,
    rows: Callable[[], Awaitable[object]],
) -> None:
    """The form comes back refused, with one message, linked to ``field``; ``rows()`` reads the
    same after as before."""
    refused = await refused_form(client, path, fields, rows)
    assert list(described_errors(refused.text)) == [field]


async def test_the_ballot_form_links_a_wrong_seat_count_to_its_field(
    client: httpx.AsyncClient,
) -> None:
    coop = await _facilitating(client)
    await _refused_naming(
        client,
        f"{coop.assembly_path}/ballots",
        {"question": "Élire le conseil", "method": "stv", "seats": "beaucoup",
         "options": "Aïcha\nBruno\nChloé"},
        "seats",
        lambda: Ballot.count().where(Ballot.assembly == coop.assembly_id),
    )  # fmt: skip


async def test_the_agenda_item_form_links_a_missing_title_to_its_field(
    client: httpx.AsyncClient,
) -> None:
    coop = await _facilitating(client)
    path = f"{coop.assembly_path}/items"
    await _refused_naming(
        client,
        path,
        {"title": "  "},
        "title",
        lambda: AgendaItem.count().where(AgendaItem.assembly == coop.assembly_id),
    )
