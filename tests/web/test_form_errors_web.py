"""A refused form names each wrong field for a screen reader too: the field is marked invalid
and points (aria-describedby) at the one message beside it, whatever form it is."""

from __future__ import annotations

import httpx
from tests.support.factories import Coop
from tests.web.assembly_helpers import coop_signed_in, post_form
from tests.web.helpers import described_errors

from votes.db.tables import AgendaItem, AssemblyKind, Ballot


async def _facilitating(client: httpx.AsyncClient) -> Coop:
    """A fresh coop (its assembly of no legal kind), its facilitator signed in."""
    return await coop_signed_in(client, "facilitator", kind=AssemblyKind.OTHER)


async def _refused_naming(
    client: httpx.AsyncClient, path: str, fields: dict[str, str], field: str
) -> None:
    """The form comes back refused, with one message, linked to ``field``."""
    refused = await post_form(client, path, fields)
    assert refused.status_code == 422
    assert list(described_errors(refused.text)) == [field]


async def test_the_ballot_form_links_a_wrong_seat_count_to_its_field(
    client: httpx.AsyncClient,
) -> None:
    coop = await _facilitating(client)
    before = await Ballot.count().where(Ballot.assembly == coop.assembly_id)
    await _refused_naming(
        client,
        f"{coop.assembly_path}/ballots",
        {"question": "Élire le conseil", "method": "stv", "seats": "beaucoup",
         "options": "Aïcha\nBruno\nChloé"},
        "seats",
    )  # fmt: skip
    assert await Ballot.count().where(Ballot.assembly == coop.assembly_id) == before


async def test_the_agenda_item_form_links_a_missing_title_to_its_field(
    client: httpx.AsyncClient,
) -> None:
    coop = await _facilitating(client)
    before = await AgendaItem.count().where(AgendaItem.assembly == coop.assembly_id)
    path = f"{coop.assembly_path}/items"
    await _refused_naming(client, path, {"title": "  "}, "title")
    assert await AgendaItem.count().where(AgendaItem.assembly == coop.assembly_id) == before
