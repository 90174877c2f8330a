"""The ballot form says what is wrong with what was typed, beside the field, and creates
nothing: a majority over zero, digits from another script, two options of the same name, a
number of seats out of range, a question too long, an agenda item of another assembly."""

from __future__ import annotations

import httpx
import pytest
from tests.support.factories import cooperative
from tests.web.assembly_helpers import coop_signed_in, post_form
from tests.web.helpers import csrf_token, described_errors

from votes.db.tables import AssemblyKind, Ballot
from votes.services import assemblies
from votes.services.assemblies import ItemText

FRACTION = "Écrivez la majorité sous forme de fraction, par exemple 1/2 ou 2/3."


async def _refused(client: httpx.AsyncClient, fields: dict[str, str]) -> dict[str, str]:
    coop = await coop_signed_in(client, "facilitator", kind=AssemblyKind.OTHER)
    form = {"question": "Adopter le budget ?", "method": "majority", "rule": "ballot",
            "options": "Pour\nContre\nAbstention", "threshold": "1/2",
            "agenda_item": str(coop.item_id)} | fields  # fmt: skip
    path = f"{coop.assembly_path}/ballots"
    refused = await post_form(client, path, form)
    assert refused.status_code == 422, refused.text[:2000]
    assert await Ballot.count().where(Ballot.assembly == coop.assembly_id) == 0
    return described_errors(refused.text)


@pytest.mark.parametrize(
    "threshold", ["1/0", "0/0", "abc", "²", "１/２", "1/1000000000000000000000000000000",
                  "3/2", "0", "1/1001", "1e3"],
)  # fmt: skip
async def test_a_majority_that_is_no_fraction_is_refused_under_its_field(
    client: httpx.AsyncClient, threshold: str
) -> None:
    assert await _refused(client, {"threshold": threshold}) == {"threshold": FRACTION}


@pytest.mark.parametrize(
    ("method", "options"),
    [("approval", "A\nA"), ("stv", "Aïcha\nBruno\n  aïcha "), ("schulze", "Oui\nNON\nnon")],
)
async def test_two_options_of_the_same_name_are_refused(
    client: httpx.AsyncClient, method: str, options: str
) -> None:
    errors = await _refused(client, {"method": method, "options": options})
    assert errors == {"options": "Deux options portent le même nom."}


@pytest.mark.parametrize("seats", ["10" + "0" * 29, "0", "60"])
async def test_seats_out_of_range_say_the_range(client: httpx.AsyncClient, seats: str) -> None:
    errors = await _refused(
        client, {"method": "stv", "options": "Aïcha\nBruno\nChloé", "seats": seats}
    )
    assert errors == {"seats": "Écrivez un nombre entier de 1 à 59."}


async def test_a_question_too_long_is_refused_not_cut(client: httpx.AsyncClient) -> None:
    errors = await _refused(client, {"question": "Q" * 301})
    assert errors == {"question": "Écrivez la question (300 caractères au plus)."}


async def test_an_agenda_item_of_another_assembly_is_refused(client: httpx.AsyncClient) -> None:
    coop = await coop_signed_in(client, "facilitator", kind=AssemblyKind.OTHER)
    other = await cooperative(kind=AssemblyKind.OTHER)
    elsewhere = await assemblies.add_agenda_item(other.assembly_id, ItemText("Ailleurs"))
    form = {"question": "Adopter le budget ?", "method": "majority", "rule": "ballot",
            "options": "Pour\nContre\nAbstention", "threshold": "1/2",
            "agenda_item": str(elsewhere)}  # fmt: skip
    refused = await post_form(client, f"{coop.assembly_path}/ballots", form)
    assert refused.status_code == 422
    assert described_errors(refused.text) == {
        "agenda_item": "Ce point ne figure pas à l’ordre du jour de cette assemblée."
    }
    assert await Ballot.count().where(Ballot.assembly == coop.assembly_id) == 0


async def test_a_well_typed_majority_is_created(client: httpx.AsyncClient) -> None:
    coop = await coop_signed_in(client, "facilitator", kind=AssemblyKind.OTHER)
    form = {"question": "Adopter le budget ?", "method": "majority", "rule": "ballot",
            "options": "Pour\nContre\nAbstention", "threshold": " 2/3 ",
            "agenda_item": str(coop.item_id)}  # fmt: skip
    created = await post_form(client, f"{coop.assembly_path}/ballots", form)
    assert created.status_code == 303, created.text[:2000]
    assert await Ballot.count().where(Ballot.assembly == coop.assembly_id) == 1


HOSTILE = (
    "", " ", "0", "-1", "1/0", "0/0", "²", "٣", "１/２", "1/1" + "0" * 30, "9" * 5000, "1e309",
    "NaN", "\x00", "\ud7ff\ufeff\u202e", "A\nA\n a ", "<script>alert(1)</script>", "é" * 3000,
    str(2**63), "stv", "ballot", "members",
)  # fmt: skip


@pytest.mark.slow
async def test_every_field_of_the_ballot_form_takes_hostile_values_without_a_500(
    client: httpx.AsyncClient,
) -> None:
    """Each field in turn gets each hostile value, the others well typed, for a majority, an
    approval and an STV ballot: a clear answer (303 or 422), never a 500."""
    coop = await coop_signed_in(client, "facilitator", kind=AssemblyKind.OTHER)
    path = f"{coop.assembly_path}/ballots"
    token = await csrf_token(client, "/")
    fields = ("question", "method", "options", "seats", "minutes", "threshold", "base", "rule",
              "max_selections", "scale_max", "agenda_item", "secret", "facilitated")  # fmt: skip
    for method, options in (("majority", "Pour\nContre"), ("approval", "A\nB\nC"),
                            ("stv", "A\nB\nC")):  # fmt: skip
        good = {"question": "Q ?", "method": method, "options": options, "seats": "1",
                "rule": "ballot", "threshold": "1/2", "agenda_item": str(coop.item_id)}  # fmt: skip
        for field in fields:
            for value in HOSTILE:
                answer = await client.post(
                    path, data={**good, field: value, "_csrf_token": token}, follow_redirects=False
                )
                assert answer.status_code in (303, 422), (method, field, value[:40])
