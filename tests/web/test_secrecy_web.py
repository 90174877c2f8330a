"""Secret ballots attacked through the web app as members would (#15): another member's
receipt code, a phone passed from hand to hand, a facilitator closing and reopening."""

from __future__ import annotations

import re
from fractions import Fraction

import httpx
from tests.support.factories import close
from tests.web.assembly_helpers import first_id
from tests.web.helpers import csrf_token
from tests.web.phone_voting import (
    VotingCoop,
    change_vote,
    open_ballot_signed_in,
    sign_in_as,
    vote_without_javascript,
)

from votes.services.ballots import voting


def _receipt_on(page: str) -> str:
    found = re.search(r'class="receipt">([A-Z0-9-]+)<', page)
    assert found is not None, "no receipt on the page"
    return found.group(1)


async def _sign_out(client: httpx.AsyncClient) -> None:
    token = await csrf_token(client, "/")
    response = await client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303


async def _ana_voted_yes(client: httpx.AsyncClient) -> tuple[VotingCoop, int]:
    """A secret ballot whose votes may change, Ana signed in on this client, having voted
    "yes": the coop and the ballot's id."""
    coop, ballot_id = await open_ballot_signed_in(client, "ana", secret=True, allow_change=True)
    await vote_without_javascript(client, coop, ballot_id, "yes")
    return coop, ballot_id


async def test_another_members_published_receipt_cannot_change_a_secret_vote(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await _ana_voted_yes(client)
    ana_receipt = _receipt_on((await client.get(coop.path(ballot_id))).text)
    await _sign_out(client)
    client.cookies.clear()  # Ben on his own phone, who read Ana's receipt over her shoulder
    await sign_in_as(client, coop, "ben")
    await vote_without_javascript(client, coop, ballot_id, "yes")
    for typed in (ana_receipt, ana_receipt.replace("-", "").lower()):
        refused = await change_vote(client, coop, ballot_id, "no", typed)
        assert refused.status_code == 422, refused.text
    result = await close(ballot_id)
    assert result.rounds[0].totals["yes"] == 2
    assert result.rounds[0].totals.get("no", 0) == 0


async def test_a_second_person_on_the_same_phone_sees_and_uses_none_of_the_first_ones_receipts(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await open_ballot_signed_in(
        client, "ben", secret=True, allow_change=True
    )  # Ben voted earlier, on another phone
    await vote_without_javascript(client, coop, ballot_id, "yes")
    await _sign_out(client)
    client.cookies.clear()
    await sign_in_as(client, coop, "ana")  # Ana votes on this phone, then hands it to Ben
    await vote_without_javascript(client, coop, ballot_id, "yes")
    ana_receipt = _receipt_on((await client.get(coop.path(ballot_id))).text)
    await _sign_out(client)
    await sign_in_as(client, coop, "ben")  # the same browser, its cookies kept
    for path in (coop.path(ballot_id), coop.path(ballot_id, "?change=1")):
        page = await client.get(path)
        assert ana_receipt not in page.text
        assert ana_receipt.replace("-", "") not in page.text
    # nor can Ben change a paper with whatever this phone kept of Ana's
    refused = await change_vote(client, coop, ballot_id, "no")
    assert refused.status_code == 422, refused.text
    result = await close(ballot_id)
    assert result.rounds[0].totals["yes"] == 2


async def test_a_voter_changes_their_own_secret_vote_on_their_phone(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await _ana_voted_yes(client)
    changed = await change_vote(client, coop, ballot_id, "no")
    assert changed.status_code == 303, changed.text
    result = await close(ballot_id)
    assert result.rounds[0].totals["no"] == 1
    assert result.rounds[0].totals.get("yes", 0) == 0


async def _console(client: httpx.AsyncClient, coop: VotingCoop, ballot_id: int, action: str) -> int:
    """A facilitator's tap on the console; the ballot the console shows next."""
    token = await csrf_token(client, coop.path(ballot_id, "/console"))
    done = await client.post(
        coop.path(ballot_id, f"/console/{action}"),
        data={"_csrf_token": token, "reason": "Un membre arrive en retard"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return first_id(r"/ballots/(\d+)/console$", done.headers["location"])


async def _totals_seen(
    client: httpx.AsyncClient, coop: VotingCoop, ballot_id: int
) -> dict[str, int]:
    """Everything a facilitator can read of a count: the exports, or nothing."""
    exported = await client.get(coop.path(ballot_id, "/result.json"))
    if exported.status_code != 200:
        return {}
    totals = exported.json()["result"]["rounds"][0]["totals"]
    return {key: int(Fraction(value["__fraction__"])) for key, value in totals.items()}


async def test_closing_and_reopening_a_secret_ballot_reveals_no_individual_choice(
    client: httpx.AsyncClient,
) -> None:
    """The attack of the issue: close, read the totals, reopen, once per new voter (the "not
    voted yet" list tells who), and diff."""
    coop, ballot_id = await open_ballot_signed_in(client, "facilitator", secret=True)
    voters = ["facilitator", "scrutineer", "ana", "ben"]
    chosen = dict(zip(voters, ["yes", "no", "yes", "abstain"], strict=True))
    revealed: dict[str, str] = {}
    seen: dict[str, int] = {}
    first = ballot_id
    for voter in voters:
        await voting.cast_vote(ballot_id, coop.memberships[voter], chosen[voter], receipt_key="k")
        await _console(client, coop, ballot_id, "close")
        console = await client.get(
            coop.path(ballot_id, "/console"), headers={"Accept-Language": "en"}
        )
        assert "Count sealed" in console.text
        assert 'id="result-title"' not in console.text  # no result, no chart, no totals
        totals = await _totals_seen(client, coop, ballot_id)
        grown = [key for key, number in totals.items() if number > seen.get(key, 0)]
        if len(grown) == 1:
            revealed[voter] = grown[0]
        seen = totals
        ballot_id = await _console(client, coop, ballot_id, "reopen")
    assert revealed == {}
    # each reopening started a fresh ballot: the first is cancelled, never counted nor shown
    assert ballot_id != first
    first_page = await client.get(coop.path(first), headers={"Accept-Language": "en"})
    assert "cancelled" in first_page.text
    assert (await client.get(coop.path(first, "/result.json"))).status_code == 404
    # once published, the fresh ballot's result is everyone's, the facilitator's included
    await voting.cast_vote(ballot_id, coop.memberships["ana"], "no", receipt_key="k")
    await _console(client, coop, ballot_id, "close")
    await _console(client, coop, ballot_id, "publish")
    assert await _totals_seen(client, coop, ballot_id) == {"yes": 0, "no": 1, "abstain": 0}
