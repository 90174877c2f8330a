"""The facilitator's console in a general assembly (#17): it warns before a ballot opens
without a session or a quorum, phones explain check-in before the form, and the turnout
counts who is there, absent members apart."""

from __future__ import annotations

import httpx
from tests.support.factories import Coop, cooperative
from tests.web.assembly_helpers import as_role, coop_signed_in, post_form, refused_form

from votes.db.tables import Assembly, AssemblyKind, AssemblyStatus, Ballot
from votes.services import accounts, attendance, organisations, proxies
from votes.services.actors import actor_for
from votes.services.ballots import drafts, lifecycle, voting

CHOICES = [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")]


async def _ballot(coop: Coop) -> int:
    admin = await actor_for(coop.organisation_id)
    return await drafts.create_ballot(
        admin, coop.assembly_id, "Modifier les statuts ?", "majority", CHOICES
    )


async def _status(ballot_id: int) -> str:
    row = await Ballot.select(Ballot.status).where(Ballot.id == ballot_id).first()
    return str(row["status"])


async def _two_present_one_voted() -> tuple[Coop, int]:
    """An AGO whose member and facilitator are checked in, and an open ballot the member has
    voted on (the other member is absent): (the coop, the ballot)."""
    coop = await cooperative(kind=AssemblyKind.AGO)
    admin = await actor_for(coop.organisation_id)
    member = await coop.membership("member")
    await attendance.check_in(admin, coop.assembly_id, member)
    await attendance.check_in(admin, coop.assembly_id, await coop.membership("facilitator"))
    ballot_id = await _ballot(coop)
    await lifecycle.open_ballot(admin, ballot_id)
    await voting.cast_vote(ballot_id, member, "yes")
    return coop, ballot_id


async def test_the_console_warns_before_opening_without_quorum_and_opens_once_told(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "facilitator", kind=AssemblyKind.AGE)
    ballot_id = await _ballot(coop)
    console = f"{coop.base}/ballots/{ballot_id}/console"
    page = await client.get(console, headers={"Accept-Language": "fr"})
    assert "Le quorum n’est pas atteint" in page.text
    assert "Ouvrir le scrutin quand même" in page.text
    refused = await post_form(client, f"{console}/open", {})
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    assert await _status(ballot_id) == "draft"
    opened = await post_form(client, f"{console}/open", {"despite": "1"})
    assert opened.status_code == 303
    assert await _status(ballot_id) == "open"


async def test_the_console_warns_when_the_assembly_is_not_in_session(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative(kind=AssemblyKind.OTHER)
    await Assembly.update({Assembly.status: AssemblyStatus.CONVENED.value}).where(
        Assembly.id == coop.assembly_id
    )
    ballot_id = await _ballot(coop)
    await as_role(client, coop, "facilitator")
    console = f"{coop.base}/ballots/{ballot_id}/console"
    page = await client.get(console, headers={"Accept-Language": "fr"})
    assert "pas en séance" in page.text
    assert (await post_form(client, f"{console}/open", {})).status_code == 409


async def test_a_phone_not_checked_in_is_told_before_the_form(client: httpx.AsyncClient) -> None:
    coop = await cooperative(kind=AssemblyKind.AGO)
    ballot_id = await _ballot(coop)
    admin = await actor_for(coop.organisation_id)
    await lifecycle.open_ballot(admin, ballot_id)
    await as_role(client, coop, "member")
    page = await client.get(f"{coop.base}/ballots/{ballot_id}", headers={"Accept-Language": "fr"})
    assert "Émargez d’abord" in page.text
    assert 'name="choice"' not in page.text
    await attendance.check_in(admin, coop.assembly_id, await coop.membership("member"))
    page = await client.get(f"{coop.base}/ballots/{ballot_id}", headers={"Accept-Language": "fr"})
    assert 'name="choice"' in page.text


async def test_turnout_counts_voters_against_who_is_there_absentees_apart(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await _two_present_one_voted()
    await as_role(client, coop, "facilitator")
    turnout = await client.get(
        f"{coop.base}/ballots/{ballot_id}/turnout",
        headers={"HX-Request": "true", "Accept-Language": "fr"},
    )
    text = " ".join(turnout.text.split())
    assert "<strong>1</strong> / 2 présent·es ou représenté·es ont voté" in text
    assert "1 membre absent" in text
    projector = await client.get(
        f"{coop.assembly_path}/projector",
        headers={"HX-Request": "true", "Accept-Language": "fr"},
    )
    shown = " ".join(projector.text.split())
    assert "<strong>1</strong> / 2</p>" in shown  # the console's figure, not "1 / 3 members"
    assert "présent·es ou représenté·es ont voté" in shown
    suffix = coop.slug.removeprefix("coop-")
    assert f"Facilitator {suffix}" in text  # there, has not voted
    assert f"Other {suffix}" not in text  # absent: not "missing"


async def test_after_the_close_the_turnout_keeps_the_figures_frozen_at_the_close(
    client: httpx.AsyncClient,
) -> None:
    """A proxy given and a member added after the close change nothing in the closed
    ballot's turnout: it reads what the close froze, as its count did."""
    coop, ballot_id = await _two_present_one_voted()
    admin = await actor_for(coop.organisation_id)
    facilitator = await coop.membership("facilitator")
    await lifecycle.close_ballot(admin, ballot_id)
    await as_role(client, coop, "facilitator")
    url = f"{coop.base}/ballots/{ballot_id}/turnout"
    headers = {"HX-Request": "true", "Accept-Language": "fr"}
    at_close = " ".join((await client.get(url, headers=headers)).text.split())
    assert "<strong>1</strong> / 2 présent·es ou représenté·es ont voté" in at_close
    await proxies.give_proxy(
        admin, coop.assembly_id, facilitator, giver_id=await coop.membership("other")
    )
    person = await accounts.create_person("Arrivée Tardive", None, None)
    await organisations.add_membership(coop.organisation_id, person)
    later = " ".join((await client.get(url, headers=headers)).text.split())
    assert later == at_close


async def test_a_ranked_ballot_refuses_the_majority_answers_left_in_its_options(
    client: httpx.AsyncClient,
) -> None:
    """Switching the method to STV without touching the options must not make "Pour",
    "Contre" and "Abstention" candidates; the form says which fields each method uses."""
    coop = await coop_signed_in(client, "facilitator", kind=AssemblyKind.OTHER)
    new = f"{coop.assembly_path}/ballots/new"
    form = await client.get(new, headers={"Accept-Language": "fr"})
    assert 'data-methods="majority"' in form.text
    assert 'data-methods="approval"' in form.text
    refused = await refused_form(
        client,
        f"{coop.assembly_path}/ballots",
        {"question": "Élire le conseil", "method": "stv", "seats": "2",
         "options": "Pour\nContre\nAbstention"},
        lambda: Ballot.count().where(Ballot.assembly == coop.assembly_id),
    )  # fmt: skip
    assert "Indiquez au moins deux options" in refused.text


async def test_the_facilitator_lists_every_ballot_and_duplicates_one(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "facilitator", kind=AssemblyKind.OTHER)
    ballot_id = await _ballot(coop)
    listing = await client.get(f"{coop.assembly_path}/ballots", headers={"Accept-Language": "fr"})
    assert listing.status_code == 200
    assert "Modifier les statuts ?" in listing.text
    assert f"/ballots/{ballot_id}/console" in listing.text
    copied = await post_form(client, f"{coop.base}/ballots/{ballot_id}/duplicate", {})
    assert copied.status_code == 303
    copy_id = int(copied.headers["location"].split("/ballots/")[1].split("/")[0])
    assert copied.headers["location"].endswith(f"/ballots/{copy_id}/settings")
    assert copy_id != ballot_id
    row = (
        await Ballot.select(Ballot.question, Ballot.method, Ballot.status)
        .where(Ballot.id == copy_id)
        .first()
    )
    assert row == {"question": "Modifier les statuts ?", "method": "majority", "status": "draft"}
    await as_role(client, coop, "member")
    assert (
        await post_form(client, f"{coop.base}/ballots/{ballot_id}/duplicate", {})
    ).status_code == 403


async def test_a_phone_following_from_afar_says_so_and_gets_the_form(
    client: httpx.AsyncClient,
) -> None:
    """Where the statutes allow it, "je participe à distance" is an explicit act (#17)."""
    from votes.core.rules import preset
    from votes.services import rules

    coop = await cooperative(kind=AssemblyKind.AGO)
    allowed = preset("scop_sarl").customised(
        "scop_sarl", remote_counts_as_present=True, adjusted=True
    )
    await rules.save_profile(await actor_for(coop.organisation_id), allowed)
    ballot_id = await _ballot(coop)
    await lifecycle.open_ballot(await actor_for(coop.organisation_id), ballot_id)
    await as_role(client, coop, "member")
    ballot = f"{coop.base}/ballots/{ballot_id}"
    page = await client.get(ballot, headers={"Accept-Language": "fr"})
    assert "Je participe à distance" in page.text
    joined = await post_form(
        client,
        f"{coop.assembly_path}/attendance/join-remotely",
        {"next": ballot},
    )
    assert joined.status_code == 303
    assert joined.headers["location"] == ballot
    page = await client.get(ballot, headers={"Accept-Language": "fr"})
    assert 'name="choice"' in page.text
    member = await coop.membership("member")
    assert await attendance.status_of(coop.organisation_id, coop.assembly_id, member) == "remote"
