"""Dual control: a scrutineer confirms that a closed ballot may be published or reopened.

A general assembly's binding ballot (the rules' ``dual_control``, on by default) is published or
reopened by a facilitator only once another person, a scrutineer, has confirmed it here; the
console says who confirmed, the audit trail and the minutes keep it.
"""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from votes.db.ballot_queries import BallotView
from votes.services.actors import may_cosign
from votes.services.ballots import lifecycle
from votes.services.refusals import Refused
from votes.web import voting
from votes.web.forms import Redisplay
from votes.web.guards import requires
from votes.web.pages import Page
from votes.web.refusals import form_errors
from votes.web.voting import ballot_or_404, cosign_state


class CosignController(Controller):
    path = "/"

    @get("/ballots/{ballot_id:int}/cosign", guards=[requires(may_cosign)])
    async def cosign_page(self, page: NamedDependency[Page], ballot_id: FromPath[int]) -> Template:
        return await self._page(page, await ballot_or_404(page.actor, ballot_id))

    @post("/ballots/{ballot_id:int}/cosign", guards=[requires(may_cosign)])
    async def cosign(
        self, page: NamedDependency[Page], ballot_id: FromPath[int]
    ) -> Template | Redirect:
        ballot = await ballot_or_404(page.actor, ballot_id)
        act = str((await page.form()).get("act", ""))[:20]
        try:
            await lifecycle.cosign(page.actor, ballot.id, act)
        except Refused as error:
            again = form_errors(error, voting.REFUSALS)
            fresh = await ballot_or_404(page.actor, ballot_id)
            return await self._page(page, fresh, again)
        return page.see_other("ballots", ballot.id, "cosign")

    async def _page(
        self, page: Page, ballot: BallotView, again: Redisplay | None = None
    ) -> Template:
        return page.render_form(
            "pages/ballots/cosign.html.jinja",
            again,
            ballot=ballot,
            cosign=await cosign_state(ballot),
        )
