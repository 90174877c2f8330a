"""Secret ballots attacked through the web app as members would (#15): another member's
receipt code, a phone passed from hand to hand, a facilitator closing and reopening."""

from __future__ import annotations

import re

import httpx
from tests.web.helpers import csrf_token
from tests.web.test_voting import Coop, _as, _hidden, _vote_without_javascript

from votes.services import ballots


def _receipt_on(page: str) -> str:
    found = re.search(r'class="receipt">([A-Z0-9-]+)<', page)
    assert found is not None, "no receipt on the page"
    return found.group(1)


async def _sign_out(client: httpx.AsyncClient) -> None:
    token = await csrf_token(client, "/")
    response = await client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303


async def _change(
    client: httpx.AsyncClient, coop: Coop, ballot_id: int, choice: str, code: str = ""
) -> httpx.Response:
    page = await client.get(coop.path(ballot_id, "?change=1"), headers={"Accept-Language": "en"})
    form = {
        "_csrf_token": _hidden(page.text, "_csrf_token")[0],
        "submission": _hidden(page.text, "submission")[0],
        "choice": choice,
        "change": "1",
    }
    if code:  # typed into whichever field the form has
        form["receipt"] = form["change_code"] = code
    return await client.post(coop.path(ballot_id, "/vote"), data=form, follow_redirects=False)


async def test_another_members_published_receipt_cannot_change_a_secret_vote(
    client: httpx.AsyncClient,
) -> None:
    coop = await Coop().create()
    ballot_id = await coop.ballot(secret=True, allow_change=True)
    await ballots.open_ballot(ballot_id)
    await _as(client, coop, "ana")
    await _vote_without_javascript(client, coop, ballot_id, "yes")
    ana_receipt = _receipt_on((await client.get(coop.path(ballot_id))).text)
    await _sign_out(client)
    client.cookies.clear()  # Ben on his own phone, who read Ana's receipt over her shoulder
    await _as(client, coop, "ben")
    await _vote_without_javascript(client, coop, ballot_id, "yes")
    for typed in (ana_receipt, ana_receipt.replace("-", "").lower()):
        refused = await _change(client, coop, ballot_id, "no", typed)
        assert refused.status_code == 422, refused.text
    result = await ballots.close_ballot(ballot_id)
    assert result.rounds[0].totals["yes"] == 2
    assert result.rounds[0].totals.get("no", 0) == 0


async def test_a_second_person_on_the_same_phone_sees_and_uses_none_of_the_first_ones_receipts(
    client: httpx.AsyncClient,
) -> None:
    coop = await Coop().create()
    ballot_id = await coop.ballot(secret=True, allow_change=True)
    await ballots.open_ballot(ballot_id)
    await _as(client, coop, "ben")  # Ben voted earlier, on another phone
    await _vote_without_javascript(client, coop, ballot_id, "yes")
    await _sign_out(client)
    client.cookies.clear()
    await _as(client, coop, "ana")  # Ana votes on this phone, then hands it to Ben
    await _vote_without_javascript(client, coop, ballot_id, "yes")
    ana_receipt = _receipt_on((await client.get(coop.path(ballot_id))).text)
    await _sign_out(client)
    await _as(client, coop, "ben")  # the same browser, its cookies kept
    for path in (coop.path(ballot_id), coop.path(ballot_id, "?change=1")):
        page = await client.get(path)
        assert ana_receipt not in page.text
        assert ana_receipt.replace("-", "") not in page.text
    # nor can Ben change a paper with whatever this phone kept of Ana's
    refused = await _change(client, coop, ballot_id, "no")
    assert refused.status_code == 422, refused.text
    result = await ballots.close_ballot(ballot_id)
    assert result.rounds[0].totals["yes"] == 2


async def test_a_voter_changes_their_own_secret_vote_on_their_phone(
    client: httpx.AsyncClient,
) -> None:
    coop = await Coop().create()
    ballot_id = await coop.ballot(secret=True, allow_change=True)
    await ballots.open_ballot(ballot_id)
    await _as(client, coop, "ana")
    await _vote_without_javascript(client, coop, ballot_id, "yes")
    changed = await _change(client, coop, ballot_id, "no")
    assert changed.status_code == 303, changed.text
    result = await ballots.close_ballot(ballot_id)
    assert result.rounds[0].totals["no"] == 1
    assert result.rounds[0].totals.get("yes", 0) == 0
