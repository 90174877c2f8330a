"""« Mes votes »: a member sees the ballots they took part in, their own choice on roll-call
ballots, and checks a receipt code against the published papers.

Why receipts are not listed by the server: for a secret ballot the database stores only the
hash of each receipt code and nothing that joins a voter to a paper (see
:mod:`votes.services.ballots`). Listing a member's secret receipts would need exactly that
link, and would let anyone with database access read secret votes. So the code lives only
with the voter: on the confirmation screen, ``static/js/receipts.js`` keeps it in the phone's
own storage (never sent anywhere), and this page shows those codes back with a button to
check each one; without JavaScript, or on another device, the member types the code they
noted.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from votes.core import receipts
from votes.db import receipt_queries
from votes.web import voting
from votes.web.pages import Page

RECEIPT_MAX = 40


def choice_words(content: str | None, labels: dict[str, str], method: str = "") -> str:
    """A stored choice in words (see :func:`votes.web.voting.choice_text`)."""
    return voting.choice_text(method, labels, content)


class ReceiptsController(Controller):
    path = "/"

    @get("/my-votes")
    async def my_votes(self, page: NamedDependency[Page]) -> Template:
        return await self._page(page)

    async def _page(
        self,
        page: Page,
        **checked: Any,
    ) -> Template:
        votes = await receipt_queries.my_votes(page.organisation.id, page.actor.id)
        return page.render(
            "pages/receipts/my_votes.html.jinja",
            fragment="partials/receipts/_check.html.jinja" if checked else None,
            status_code=checked.pop("status_code", 200),
            votes=votes,
            receipt_owner=voting.receipt_owner(page.settings.secret_key, page.actor.id),
            choice_words=choice_words,
            checked=checked or None,
        )

    @post("/my-votes/check")
    async def check(self, page: NamedDependency[Page]) -> Template:
        """Is the paper of this receipt code in a published count? Answered for whoever holds
        the code, exactly as the ballot's own results page does."""
        form = await page.form()
        code = receipts.normalise_receipt(str(form.get("receipt", ""))[:RECEIPT_MAX])
        paper = None
        if len(code) == receipts.RECEIPT_LENGTH:
            paper = await receipt_queries.published_paper_by_receipt(
                page.organisation.id, receipts.receipt_hash(code)
            )
        return await self._page(
            page,
            code=receipts.format_receipt(code) if code else "",
            paper=paper,
            words=choice_words(paper.content, paper.labels, paper.method) if paper else "",
            status_code=200 if paper else 422,
        )
