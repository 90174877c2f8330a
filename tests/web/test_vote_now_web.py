"""The phone header's "Vote" link (#17): ``/o/{org}/vote/now`` takes a member to the ballot of
the moment in one tap: the only open one; the list when several are open; the "now" page,
saying so, when none is. Drafts and closed ballots are never offered, nor another
cooperative's."""

from __future__ import annotations

import httpx
from tests.support.factories import Coop, close, cooperative, motion, open_ballot
from tests.web.assembly_helpers import as_role, coop_signed_in


async def _opened(coop: Coop, **options: object) -> int:
    ballot_id = await motion(coop.organisation_id, coop.assembly_id, **options)
    await open_ballot(ballot_id)
    return ballot_id


async def _vote_now(client: httpx.AsyncClient, coop: Coop) -> httpx.Response:
    return await client.get(f"{coop.base}/vote/now", follow_redirects=False)


async def test_one_open_ballot_is_one_tap_away(client: httpx.AsyncClient) -> None:
    coop = await cooperative()
    await motion(coop.organisation_id, coop.assembly_id)  # a draft: not offered
    closed = await _opened(coop)
    await close(closed)  # closed: not offered either
    open_id = await _opened(coop, secret=True)
    await as_role(client, coop, "member")
    response = await _vote_now(client, coop)
    assert response.status_code == 303
    assert response.headers["location"] == f"{coop.base}/ballots/{open_id}"
    assert response.headers["cache-control"] == "no-store"
    ballot = await client.get(response.headers["location"])
    assert ballot.status_code == 200


async def test_several_open_ballots_lead_to_the_list(client: httpx.AsyncClient) -> None:
    coop = await cooperative()
    first, second = await _opened(coop), await _opened(coop)
    await as_role(client, coop, "member")
    response = await _vote_now(client, coop)
    assert response.status_code == 303
    assert response.headers["location"] == f"{coop.base}/vote"
    listed = await client.get(response.headers["location"])
    assert f"/ballots/{first}" in listed.text
    assert f"/ballots/{second}" in listed.text


async def test_no_open_ballot_says_so_on_the_now_page(client: httpx.AsyncClient) -> None:
    coop = await cooperative()
    await close(await _opened(coop))
    await motion(coop.organisation_id, coop.assembly_id)
    await as_role(client, coop, "member")
    response = await _vote_now(client, coop)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{coop.base}/now")
    now = await client.get(response.headers["location"], headers={"Accept-Language": "fr"})
    assert now.status_code == 200
    assert "Aucun scrutin n’est ouvert pour le moment." in now.text
    plain = await client.get(f"{coop.base}/now", headers={"Accept-Language": "fr"})
    assert "Aucun scrutin n’est ouvert" not in plain.text  # the sentence answers the tap only


async def test_another_cooperative_gets_404_and_learns_nothing(client: httpx.AsyncClient) -> None:
    coop, other = await cooperative(), await cooperative()
    await _opened(coop)
    await as_role(client, other, "member")
    response = await _vote_now(client, coop)
    assert response.status_code == 404
    assert "/ballots/" not in response.text


async def test_the_header_link_goes_there_and_the_menu_has_no_second_one(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "member")
    page = await client.get(f"{coop.base}/now")
    assert f'class="header-vote" href="{coop.base}/vote/now"' in page.text
    menu = page.text.split('class="org-nav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{coop.base}/vote"' not in menu
    assert f'href="{coop.base}/vote/now"' not in menu
