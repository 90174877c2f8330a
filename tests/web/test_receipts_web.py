"""« Mes votes »: a member's own votes, secret ones only by their receipt code."""

from __future__ import annotations

import re

import httpx
from tests.support.factories import close, cooperative, open_ballot, publish
from tests.web.assembly_helpers import as_role, post_form
from tests.web.helpers import assert_shows, csrf_token

from votes.db.tables import Membership
from votes.services.actors import actor_for
from votes.services.ballots import drafts, lifecycle, voting

_RECEIPT = re.compile(r'data-receipt-code="([A-Z0-9-]+)"')


async def test_a_member_finds_their_votes_and_checks_a_secret_receipt(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative()
    secret_id = await drafts.create_ballot(
        await actor_for(coop.organisation_id), coop.assembly_id, "Qui préside ?", "majority",
        [("yes", "Pour"), ("no", "Contre")], secret=True,
    )  # fmt: skip
    public_id = await drafts.create_ballot(
        await actor_for(coop.organisation_id), coop.assembly_id, "Budget adopté ?", "majority",
        [("yes", "Pour"), ("no", "Contre")],
    )  # fmt: skip
    for ballot_id in (secret_id, public_id):
        await open_ballot(ballot_id)
    await as_role(client, coop, "member")
    token = await csrf_token(client, f"{coop.base}/ballots/{secret_id}")
    voted = await client.post(
        f"{coop.base}/ballots/{secret_id}/vote",
        data={"_csrf_token": token, "submission": "secret-tok", "choice": "no"},
        headers={"HX-Request": "true"},
    )
    code = _RECEIPT.search(voted.text)
    assert code is not None  # the confirmation hands the code to the device's own storage
    await client.post(
        f"{coop.base}/ballots/{public_id}/vote",
        data={"_csrf_token": token, "submission": "public-tok", "choice": "yes"},
    )
    page = await client.get(f"{coop.base}/my-votes")
    assert page.status_code == 200
    assert_shows(page.text, "Qui préside ?", "rien ne vous relie à votre bulletin", "Votre vote")
    assert "<strong>Pour</strong>" in page.text  # the roll-call vote, in words
    assert "Contre</strong>" not in page.text  # never the secret choice
    assert "js/receipts.js" in page.text

    early = await post_form(client, f"{coop.base}/my-votes/check", {"receipt": code.group(1)})
    assert early.status_code == 422  # not published yet: nothing to find
    await close(secret_id)
    await lifecycle.publish_ballot(await lifecycle.system_actor(secret_id), secret_id)
    found = await post_form(
        client, f"{coop.base}/my-votes/check", {"receipt": code.group(1).lower()}, htmx=True
    )
    assert found.status_code == 200
    assert "figure dans le dépouillement publié" in found.text
    assert "<strong>Contre</strong>" in found.text
    wrong = await post_form(client, f"{coop.base}/my-votes/check", {"receipt": "ABCDE-FGHJK"})
    assert wrong.status_code == 422
    assert "Aucun dépouillement publié" in wrong.text


async def test_a_receipt_of_another_organisation_is_not_found_here(
    client: httpx.AsyncClient,
) -> None:
    home, elsewhere = await cooperative(), await cooperative()
    member = (
        await Membership.select(Membership.id)
        .where(
            (Membership.organisation == elsewhere.organisation_id) & (Membership.kind == "member")
        )
        .first()
    )
    ballot_id = await drafts.create_ballot(
        await actor_for(elsewhere.organisation_id), elsewhere.assembly_id, "Ailleurs ?", "majority",
        [("yes", "Pour"), ("no", "Contre")], secret=True,
    )  # fmt: skip
    await open_ballot(ballot_id)
    receipt = await voting.cast_vote(ballot_id, member["id"], "yes", receipt_key="k")
    await close(ballot_id)
    await publish(ballot_id)
    await as_role(client, home, "member")
    refused = await post_form(client, f"{home.base}/my-votes/check", {"receipt": receipt.code})
    assert refused.status_code == 422
