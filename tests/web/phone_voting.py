"""Voting from a phone without JavaScript, shared by the voting, secrecy, vote-change and
Dutch tests: a cooperative with a scrutineer and two voters (:class:`VotingCoop`), signing in by
role, and the vote and change-of-vote forms posted as a browser posts them."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import httpx
from tests.support.factories import PASSWORD, open_ballot, role_holders
from tests.web.helpers import sign_in

from votes.services import assemblies, organisations
from votes.services.actors import actor_for
from votes.services.ballots import drafts

_counter = itertools.count()


class VotingCoop:
    """A fresh organisation with a facilitator, a scrutineer, members and an observer."""

    def __init__(self) -> None:
        self.n = next(_counter)
        self.slug = f"vote-{self.n}"
        self.organisation_id = 0
        self.assembly_id = 0
        self.emails: dict[str, str] = {}
        self.memberships: dict[str, int] = {}

    async def create(self) -> VotingCoop:
        self.organisation_id = await organisations.create_organisation(
            f"Coop vote {self.n}", self.slug
        )
        self.assembly_id = await assemblies.create_assembly(
            await actor_for(self.organisation_id), "AG", datetime.now(UTC)
        )
        holders = await role_holders(
            self.organisation_id,
            str(self.n),
            ("facilitator", "scrutineer", "ana", "ben", "observer"),
            "vote.invalid",
        )
        self.emails = {role: holder.email for role, holder in holders.items()}
        self.memberships = {role: holder.membership for role, holder in holders.items()}
        return self

    async def ballot(self, method: str = "majority", **options: object) -> int:
        choices = {
            "majority": [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
            "irv": [("a", "Alice"), ("b", "Bruno"), ("c", "Chloé")],
            "schulze": [("a", "Alice"), ("b", "Bruno"), ("c", "Chloé")],
            "approval": [("a", "Alice"), ("b", "Bruno"), ("c", "Chloé")],
            "score": [("a", "Alice"), ("b", "Bruno"), ("c", "Chloé")],
        }[method]
        return await drafts.create_ballot(
            await actor_for(self.organisation_id),
            self.assembly_id,
            "Question ?",
            method,
            choices,
            **options,  # type: ignore[arg-type]
        )

    async def open_ballot(self, method: str = "majority", **options: object) -> int:
        """A ballot of this coop, opened at once; its id."""
        ballot_id = await self.ballot(method, **options)
        await open_ballot(ballot_id)
        return ballot_id

    def path(self, ballot_id: int, tail: str = "") -> str:
        return f"/o/{self.slug}/ballots/{ballot_id}{tail}"


async def sign_in_as(client: httpx.AsyncClient, coop: VotingCoop, role: str) -> None:
    await sign_in(client, coop.emails[role], PASSWORD)


async def open_ballot_signed_in(
    client: httpx.AsyncClient, role: str, method: str = "majority", **options: object
) -> tuple[VotingCoop, int]:
    """A fresh :class:`VotingCoop` with a ballot open at once and ``role`` signed in on
    ``client``: the coop and the ballot's id."""
    coop = await VotingCoop().create()
    ballot_id = await coop.open_ballot(method, **options)
    await sign_in_as(client, coop, role)
    return coop, ballot_id


def hidden_values(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]*)"', page)


async def vote_without_javascript(
    client: httpx.AsyncClient, coop: VotingCoop, ballot_id: int, choice: str
) -> tuple[httpx.Response, dict[str, str]]:
    """Tap an answer, then confirm it on the review screen; return the vote's response and the
    form it posted (so a test can post it again, like a retry after a timeout)."""
    page = await client.get(coop.path(ballot_id), headers={"Accept-Language": "en"})
    token = hidden_values(page.text, "_csrf_token")[0]
    submission = hidden_values(page.text, "submission")[0]
    review = await client.post(
        coop.path(ballot_id, "/review"),
        data={"_csrf_token": token, "submission": submission, "choice": choice},
        headers={"Accept-Language": "en"},
    )
    assert review.status_code == 200, review.text
    assert "Please check your vote" in review.text
    form = {
        "_csrf_token": token,
        "submission": hidden_values(review.text, "submission")[0],
        "choice": hidden_values(review.text, "choice")[0],
    }
    voted = await client.post(coop.path(ballot_id, "/vote"), data=form, follow_redirects=False)
    return voted, form


async def change_vote(
    client: httpx.AsyncClient, coop: VotingCoop, ballot_id: int, choice: str, code: str = ""
) -> httpx.Response:
    page = await client.get(coop.path(ballot_id, "?change=1"), headers={"Accept-Language": "en"})
    form = {
        "_csrf_token": hidden_values(page.text, "_csrf_token")[0],
        "submission": hidden_values(page.text, "submission")[0],
        "choice": choice,
        "change": "1",
    }
    if code:  # typed into whichever field the form has
        form["receipt"] = form["change_code"] = code
    return await client.post(coop.path(ballot_id, "/vote"), data=form, follow_redirects=False)
