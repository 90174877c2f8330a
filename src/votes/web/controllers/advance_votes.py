"""Votes by correspondence on the web: a member's advance-vote form, one answer per
resolution prepared for the assembly (pour, contre, abstention), open from the convocation
until the statutory deadline and changeable until then; scrutineers enter signed paper forms
(and, under dual control, confirm another scrutineer's). The convocation links here."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from votes.core.postal import ANSWERS
from votes.db import attendance_queries as aq
from votes.services import advance_votes as service
from votes.services import paper_forms as papers
from votes.services.actors import may_count, may_take_part
from votes.services.refusals import Refused
from votes.web import pickers
from votes.web.forms import Redisplay, whole_number
from votes.web.pages import Page
from votes.web.refusals import area, errors_on, raise_if_not_found
from votes.web.rendering import see_other

REFUSALS = area("advance_votes")


def _answers(form: Any, prefix: str = "answer-") -> dict[int, str]:
    """``answer-<ballot>`` fields: forged or unknown ids are passed on, the service refuses
    them (``not_found``)."""
    found: dict[int, str] = {}
    for key in form:
        if not str(key).startswith(prefix):
            continue
        ballot_id = whole_number(str(key)[len(prefix) :])
        if ballot_id is None:
            raise Refused("not_found")
        found[ballot_id] = str(form.get(key, ""))[:10]
    return found


class AdvanceVotesController(Controller):
    path = "/assemblies/{assembly_id:int}/advance-vote"

    async def _page(
        self,
        page: Page,
        assembly_id: int,
        *,
        again: Redisplay | None = None,
        values: dict[str, str] | None = None,
    ) -> Template:
        """The member's form (and the scrutineers' paper forms); ``values`` as typed."""
        actor = page.actor
        organisation_id = page.organisation.id
        assembly = await page.assembly(assembly_id)
        window = await service.window(organisation_id, assembly_id)
        counts = may_count(actor)
        members = await aq.voting_members(organisation_id) if counts else []
        query = page.request.query_params
        return page.render_form(
            "pages/advance_votes/advance_vote.html.jinja",
            again,
            assembly=assembly,
            window=window,
            resolutions=await service.resolutions(actor, assembly_id),
            answers=ANSWERS,
            takes_part=may_take_part(actor),
            scrutineer=counts,
            paper_forms=await papers.paper_forms(organisation_id, assembly_id) if counts else [],
            member_picker=pickers.make_picker(
                "giver",
                "giver",
                [(m["id"], m["person.name"]) for m in members],
                search=pickers.search_of(query, "giver"),
                chosen=[(values or {}).get("giver", "")],
                required=True,
            )
            if counts
            else None,
            saved=query.get("saved") == "1",
            entered=query.get("entered") == "1",
            values=values or {},
        )

    async def _with_error(
        self,
        page: Page,
        assembly_id: int,
        error: Refused,
        field: str,
        values: dict[str, str] | None = None,
    ) -> Template:
        """The page again, saying why above ``field`` (what was typed kept in ``values``)."""
        raise_if_not_found(error)
        again = errors_on(field, error, REFUSALS)
        return await self._page(page, assembly_id, again=again, values=values)

    @get("/")
    async def advance_vote_page(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template:
        return await self._page(page, assembly_id)

    @post("/")
    async def advance_vote(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """The member's own answers: all stored or none; the latest answer counts."""
        form = await page.form()
        values = {key: str(form.get(key, ""))[:10] for key in form if key.startswith("answer-")}
        try:
            await service.cast_advance_votes(page.actor, assembly_id, _answers(form))
        except Refused as error:
            return await self._with_error(page, assembly_id, error, "", values)
        return see_other(page.path("assemblies", assembly_id, "advance-vote") + "?saved=1")

    @post("/paper")
    async def paper_form(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """A scrutineer enters a member's signed paper form."""
        form = await page.form()
        values = {key: str(form.get(key, ""))[:20] for key in form if key != "_csrf_token"}
        member = whole_number(values.get("giver", ""))
        try:
            if member is None:
                raise Refused("choose_member")
            answers = _answers(form, "paper-")
            await papers.enter_paper_form(page.actor, assembly_id, member, answers)
        except Refused as error:
            return await self._with_error(page, assembly_id, error, "paper", values)
        return see_other(page.path("assemblies", assembly_id, "advance-vote") + "?entered=1")

    @post("/paper/{membership_id:int}/confirm")
    async def confirm_paper_form(
        self, page: NamedDependency[Page], assembly_id: FromPath[int], membership_id: FromPath[int]
    ) -> Template | Redirect:
        try:
            await papers.confirm_paper_form(page.actor, assembly_id, membership_id)
        except Refused as error:
            return await self._with_error(page, assembly_id, error, "paper")
        return see_other(page.path("assemblies", assembly_id, "advance-vote") + "?entered=1")
