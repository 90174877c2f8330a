"""A member who changes their vote is told so, with the time of their last word (QA walk)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import httpx
from tests.support.factories import close
from tests.web.phone_voting import (
    change_vote,
    open_ballot_signed_in,
    vote_without_javascript,
)

from votes.db.tables import Participation

FRENCH = {"Accept-Language": "fr"}


async def test_a_changed_vote_is_confirmed_with_its_new_time_in_minutes(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await open_ballot_signed_in(client, "ana", allow_change=True)
    await vote_without_javascript(client, coop, ballot_id, "yes")
    first = await Participation.select(Participation.voted_at).where(
        Participation.ballot == ballot_id
    )
    changed = await change_vote(client, coop, ballot_id, "no")
    assert changed.status_code == 303, changed.text
    landing = await client.get(changed.headers["location"], headers=FRENCH)
    stored = await Participation.select(Participation.voted_at).where(
        Participation.ballot == ballot_id
    )
    assert stored[0]["voted_at"] > first[0]["voted_at"]  # the last word is what counts
    local = stored[0]["voted_at"].astimezone(ZoneInfo("Europe/Paris"))
    assert "Vote modifié" in landing.text
    assert 'class="receipt"' in landing.text  # the receipt code is still there to keep
    assert f"Votre vote a été modifié à {local:%H:%M}." in landing.text
    assert not re.search(r"modifié à \d\d:\d\d:\d\d", landing.text)  # minutes, not seconds
    mine = await client.get(f"/o/{coop.slug}/my-votes", headers=FRENCH)
    assert f"{local:%H:%M}" in mine.text  # « Mes votes » tells the new time too


async def test_a_closed_ballot_tells_its_voter_in_separate_sentences(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await open_ballot_signed_in(client, "ana")
    await vote_without_javascript(client, coop, ballot_id, "yes")
    await close(ballot_id)
    page = await client.get(coop.path(ballot_id), headers=FRENCH)
    assert "Votre vote est compté. Le résultat" in page.text
