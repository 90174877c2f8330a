"""The minutes as the web shows them, shared by the minutes, records, audit and Dutch tests:
a page's visible text, the demo's minutes, and a cooperative with one decision to record."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
from tests.support.factories import Coop, close, cooperative, open_ballot, publish
from tests.web.assembly_helpers import as_role
from tests.web.helpers import sign_in

from votes.db.tables import Assembly, Membership
from votes.services.actors import actor_for
from votes.services.ballots import drafts, voting


class _Text(HTMLParser):
    """The visible text of a page, one string."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts).replace("\xa0", " "))


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return parser.text


async def demo_assembly_id() -> int:
    row = (
        await Assembly.select(Assembly.id)
        .where(
            (Assembly.title == "Assemblée générale ordinaire 2026")
            & (Assembly.organisation.short_name == "demo")
        )
        .first()
    )
    assert row is not None
    return int(row["id"])


async def demo_minutes(client: httpx.AsyncClient, tail: str = "") -> httpx.Response:
    """The demo assembly's minutes (``tail``: ".pdf"…) as its facilitator Camille reads them."""
    assembly_id = await demo_assembly_id()
    await sign_in(client, "camille@demo.votes.invalid")
    return await client.get(f"/o/demo/assemblies/{assembly_id}/minutes{tail}")


async def coop_with_a_decision() -> tuple[Coop, int]:
    """A cooperative whose assembly adopted one resolution (2 for, 1 against) by secret ballot."""
    coop = await cooperative()
    members = await Membership.select(Membership.id).where(
        (Membership.organisation == coop.organisation_id) & (Membership.kind == "member")
    )
    ballot_id = await drafts.create_ballot(
        await actor_for(coop.organisation_id),
        coop.assembly_id,
        "Adoptez-vous la charte ?",
        "majority",
        [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")],
        agenda_item_id=coop.item_id,
        secret=True,
    )
    await open_ballot(ballot_id)
    for row, choice in zip(members, ["yes", "yes", "no"], strict=True):
        await voting.cast_vote(ballot_id, row["id"], choice)
    await close(ballot_id)
    await publish(ballot_id)
    return coop, ballot_id


async def minutes_of_a_decision(client: httpx.AsyncClient, role: str) -> tuple[Coop, str]:
    """A :func:`coop_with_a_decision` with ``role`` signed in on ``client``: the coop and the
    path of its assembly's minutes."""
    coop, _ = await coop_with_a_decision()
    await as_role(client, coop, role)
    return coop, f"{coop.assembly_path}/minutes"
