"""The ballot of the moment, one tap away: the phone header's "Vote" link.

``/o/{org}/vote/now`` sends a member straight to the one ballot open in their cooperative; when
several are open, to the list of open ballots (they choose); when none is, to the assembly's
"now" page, which says so in a sentence and shows the next ballot as soon as it opens.
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from votes.db import ballot_queries as bq
from votes.web.pages import Page

# where a phone lands changes from one minute to the next: never kept by a cache
NOT_KEPT = {"Cache-Control": "no-store"}


class CurrentBallotController(Controller):
    path = "/vote/now"

    @get("/")
    async def vote_now(self, page: NamedDependency[Page]) -> Redirect:
        """The open ballot, the list of open ballots, or "now" with "no ballot is open"."""
        # open ballots only: drafts, closed and published ones are never offered here
        ids = await bq.open_ballot_ids(page.organisation.id)
        if len(ids) == 1:
            target = page.path("ballots", ids[0])
        elif ids:
            target = page.path("vote")
        else:
            target = page.path("now?ballot=none")
        return Redirect(path=target, status_code=HTTP_303_SEE_OTHER, headers=NOT_KEPT)
