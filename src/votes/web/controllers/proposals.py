"""Proposals: search and filters, submission, editing (every edit a version, with diffs),
supporters, status changes, amendments and putting them to the vote."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from votes.db import agenda_queries, proposal_queries
from votes.db.proposal_queries import ProposalFilters
from votes.db.tables import AmendmentKind, ProposalStatus
from votes.services import amendments, proposals
from votes.services.actors import Actor, may_run_assemblies, may_take_part
from votes.services.amendments import apply_amendment
from votes.services.proposals import (
    AUTHOR_STEPS,
    BODY_MAX,
    FACILITATOR_STEPS,
    viewer_of,
)
from votes.services.refusals import Refused
from votes.web import pickers
from votes.web.assembly_forms import (
    errors_from,
    optional_int,
    refusal,
    text,
    thread_context,
    try_action,
)
from votes.web.diffs import TextDiff, diff_markdown, diff_texts
from votes.web.forms import Redisplay, whole_number
from votes.web.pages import Page, found
from votes.web.passages import source_passage
from votes.web.refusals import raise_if_not_found
from votes.web.rendering import see_other
from votes.web.threads import ThreadSlice


def _search_filters(query: Mapping[str, str]) -> ProposalFilters:
    """The search's filters as the address gives them (``?q=…&status=…&assembly=…&item=…
    &author=…``); an unknown status or a number that is not one filters nothing."""
    status = query.get("status", "")
    return ProposalFilters(
        text=query.get("q", "").strip()[:200],
        status=status if status in set(ProposalStatus) else "",
        assembly_id=whole_number(query.get("assembly", "")),
        agenda_item_id=whole_number(query.get("item", "")),
        author_id=whole_number(query.get("author", "")),
    )


class ProposalController(Controller):
    path = "/"

    # --- search ---------------------------------------------------------------------------------

    @get("/proposals")
    async def search(self, page: NamedDependency[Page]) -> Template:
        filters = _search_filters(page.request.query_params)
        organisation_id = page.organisation.id
        viewer = viewer_of(page.actor)
        results = await proposal_queries.search_proposals(organisation_id, filters, viewer)
        return page.render(
            "pages/proposals/search.html.jinja",
            fragment="partials/proposals/_results.html.jinja",
            filters=filters,
            results=results,
            choices=await proposal_queries.filter_choices(organisation_id, viewer),
            statuses=list(ProposalStatus),
            page_size=proposal_queries.SEARCH_PAGE_SIZE,
        )

    # --- submission -----------------------------------------------------------------------------

    async def _proposal_form(
        self, page: Page, assembly_id: int, values: dict[str, Any], again: Redisplay | None = None
    ) -> Template:
        detail = found(
            await agenda_queries.assembly_page(
                page.organisation.id, assembly_id, viewer_of(page.actor)
            )
        )
        candidates = await pickers.candidates_for(page.actor, "coauthors", "coauthors")
        coauthor_picker = (
            pickers.make_picker(
                "coauthors",
                "coauthors",
                candidates,
                search=pickers.search_of(page.request.query_params, "coauthors"),
                chosen=[str(c) for c in values.get("coauthors", [])],
                multiple=True,
            )
            if candidates
            else None
        )
        return page.render_form(
            "pages/proposals/form.html.jinja",
            again,
            fragment="partials/proposals/_proposal_form.html.jinja",
            assembly=detail.assembly,
            agenda=detail.agenda,
            coauthor_picker=coauthor_picker,
            values=values,
            deadline_passed=proposals.deadline_passed(
                {"submission_deadline": detail.assembly.submission_deadline}
            ),
            manager=may_run_assemblies(page.actor),
        )

    @get("/assemblies/{assembly_id:int}/proposals/new")
    async def new_proposal(
        self, page: NamedDependency[Page], assembly_id: FromPath[int], item: FromQuery[str] = ""
    ) -> Template:
        query = page.request.query_params  # a co-author search without JavaScript keeps the draft
        values = {
            "title": str(query.get("title", ""))[:300],
            "body": str(query.get("body", ""))[:20000],
            "agenda_item": str(query.get("agenda_item", item)),
            "coauthors": [str(v) for v in query.getall("coauthors", [])][:50],
        }
        return await self._proposal_form(page, assembly_id, values)

    @post("/assemblies/{assembly_id:int}/proposals")
    async def submit(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        form = await page.form()
        coauthors = [str(v) for v in form.getall("coauthors")] if "coauthors" in form else []
        values: dict[str, Any] = {
            "title": text(form, "title").strip(),
            "body": text(form, "body"),
            "agenda_item": text(form, "agenda_item"),
            "coauthors": coauthors,
        }
        try:
            proposal_id = await proposals.submit_proposal(
                page.actor,
                assembly_id,
                values["title"],
                values["body"],
                agenda_item_id=optional_int(form, "agenda_item"),
                draft=text(form, "draft") == "1",
                coauthor_ids=[n for c in coauthors if (n := whole_number(c)) is not None],
            )
        except Refused as error:
            raise_if_not_found(error)
            return await self._proposal_form(page, assembly_id, values, errors_from(error))
        return page.see_other("proposals", proposal_id)

    # --- reading --------------------------------------------------------------------------------

    async def _readable(self, actor: Actor, proposal_id: int) -> proposal_queries.ProposalPage:
        """The proposal as this member may read it: a draft is its authors' (and the
        facilitators') until they submit it; anyone else gets "not found", on every route."""
        return found(
            await proposal_queries.proposal_page(
                actor.organisation.id, proposal_id, viewer_of(actor)
            )
        )

    @get("/proposals/{proposal_id:int}")
    async def proposal(
        self,
        page: NamedDependency[Page],
        proposal_id: FromPath[int],
        thread_slice: NamedDependency[ThreadSlice],
    ) -> Template:
        detail = await self._readable(page.actor, proposal_id)
        manager = may_run_assemblies(page.actor)
        thread = await thread_slice.of(page.actor, detail.thread_id)
        author = may_take_part(page.actor) and detail.is_author(page.actor.person_id)
        steps = (FACILITATOR_STEPS[detail.status] if manager else frozenset()) | (
            AUTHOR_STEPS.get(detail.status, frozenset()) if author else frozenset()
        )
        return page.render(
            "pages/proposals/detail.html.jinja",
            proposal=detail,
            is_author=author,
            may_edit=(manager or author) and detail.status in proposals.EDITABLE,
            status_steps=[s for s in ProposalStatus if s.value in steps],
            diffs={a.id: await _amendment_diff(detail.body, a) for a in detail.amendments},
            **thread_context(page, thread),
        )

    @get("/proposals/{proposal_id:int}/versions")
    async def versions(
        self,
        page: NamedDependency[Page],
        proposal_id: FromPath[int],
        old: FromQuery[int] = 0,
        new: FromQuery[int] = 0,
    ) -> Template:
        organisation_id = page.organisation.id
        detail = await self._readable(page.actor, proposal_id)
        history = await proposal_queries.versions_of(organisation_id, proposal_id)
        by_number = {v.number: v for v in history}
        newer = by_number.get(new) or history[-1]
        older = by_number.get(old) or by_number.get(newer.number - 1) or history[0]
        return page.render(
            "pages/proposals/versions.html.jinja",
            proposal=detail,
            versions=history,
            older=older,
            newer=newer,
            title_diff=await diff_texts(older.title, newer.title),
            body_diff=await diff_markdown(older.body, newer.body),
        )

    # --- editing --------------------------------------------------------------------------------

    @get("/proposals/{proposal_id:int}/edit")
    async def edit_form(self, page: NamedDependency[Page], proposal_id: FromPath[int]) -> Template:
        detail = await self._readable(page.actor, proposal_id)
        values = {"title": detail.title, "body": detail.body, "note": ""}
        return self._edit_page(page, detail, values)

    def _edit_page(
        self,
        page: Page,
        detail: proposal_queries.ProposalPage,
        values: dict[str, str],
        again: Redisplay | None = None,
    ) -> Template:
        return page.render_form(
            "pages/proposals/edit.html.jinja",
            again,
            fragment="partials/proposals/_edit_form.html.jinja",
            proposal=detail,
            values=values,
        )

    @post("/proposals/{proposal_id:int}/edit")
    async def edit(
        self, page: NamedDependency[Page], proposal_id: FromPath[int]
    ) -> Template | Redirect:
        form = await page.form()
        values = {
            "title": text(form, "title").strip(),
            "body": text(form, "body"),
            "note": text(form, "note").strip(),
        }
        back = page.path("proposals", proposal_id)
        try:
            await proposals.edit_proposal(
                page.actor, proposal_id, values["title"], values["body"], note=values["note"]
            )
        except Refused as error:
            raise_if_not_found(error)
            detail = await self._readable(page.actor, proposal_id)
            if not error.field:
                return refusal(page, error, back)
            return self._edit_page(page, detail, values, errors_from(error))
        return see_other(back)

    @post("/proposals/{proposal_id:int}/status")
    async def change_status(
        self, page: NamedDependency[Page], proposal_id: FromPath[int]
    ) -> Template | Redirect:
        back = page.path("proposals", proposal_id)
        try:
            form = await page.form()
            status = ProposalStatus(text(form, "status"))
        except ValueError:
            return refusal(page, Refused("invalid_choice"), back)
        change = proposals.change_status(
            page.actor, proposal_id, status, reason=text(form, "reason")
        )
        return await try_action(page, change, back) or see_other(back)

    @post("/proposals/{proposal_id:int}/support")
    async def support(
        self, page: NamedDependency[Page], proposal_id: FromPath[int]
    ) -> Template | Redirect:
        back = page.path("proposals", proposal_id)
        refused = await try_action(page, proposals.toggle_support(page.actor, proposal_id), back)
        return refused or see_other(f"{back}#supporters")

    @post("/proposals/{proposal_id:int}/vote")
    async def put_to_vote(
        self, page: NamedDependency[Page], proposal_id: FromPath[int]
    ) -> Template | Redirect:
        back = page.path("proposals", proposal_id)
        try:
            ballot_id = await proposals.put_to_vote(page.actor, proposal_id)
        except Refused as error:
            return refusal(page, error, back)
        return page.see_other("ballots", ballot_id)

    # --- amendments -----------------------------------------------------------------------------

    async def _amendment_page(
        self, page: Page, proposal_id: int, values: dict[str, str], again: Redisplay | None = None
    ) -> Template:
        detail = await self._readable(page.actor, proposal_id)
        if detail.status == ProposalStatus.DRAFT:
            raise NotFoundException()  # a draft takes no amendments yet
        return page.render_form(
            "pages/proposals/amendment_form.html.jinja",
            again,
            fragment="partials/proposals/_amendment_form.html.jinja",
            proposal=detail,
            values=values,
            kinds=list(AmendmentKind),
        )

    @get("/proposals/{proposal_id:int}/amendments/new")
    async def new_amendment(
        self, page: NamedDependency[Page], proposal_id: FromPath[int], selected: FromQuery[str] = ""
    ) -> Template:
        """The amendment form; ``selected`` is what the person selected on the rendered text
        (static/js/amend-selection.js sends it): its passage in the source fills the form."""
        values = {"kind": "replace", "passage": "", "text": "", "reason": ""}
        if selected.strip():
            detail = await self._readable(page.actor, proposal_id)
            passage = source_passage(detail.body, selected[:BODY_MAX]) or selected[:BODY_MAX]
            values.update(passage=passage, text=passage)
        return await self._amendment_page(page, proposal_id, values)

    @post("/proposals/{proposal_id:int}/amendments")
    async def propose_amendment(
        self, page: NamedDependency[Page], proposal_id: FromPath[int]
    ) -> Template | Redirect:
        form = await page.form()
        values = {name: text(form, name) for name in ("kind", "passage", "text", "reason")}
        try:
            kind = AmendmentKind(values["kind"])
        except ValueError:
            kind = None
        try:
            if kind is None:
                raise Refused("invalid_choice", "kind")
            if values["passage"].strip() and kind is not AmendmentKind.FULL:
                # a passage copied from the rendered text ("Article 2", not "## Article 2")
                # is found in the source
                body = (await self._readable(page.actor, proposal_id)).body
                if values["passage"] not in body:
                    values["passage"] = source_passage(body, values["passage"]) or values["passage"]
            amendment_id = await amendments.propose_amendment(
                page.actor,
                proposal_id,
                kind,
                passage=values["passage"],
                text=values["text"],
                reason=values["reason"],
            )
        except Refused as error:
            raise_if_not_found(error)
            return await self._amendment_page(page, proposal_id, values, errors_from(error))
        return see_other(page.path("proposals", proposal_id) + f"#amendment-{amendment_id}")

    @post("/amendments/{amendment_id:int}/decide")
    async def decide_amendment(
        self, page: NamedDependency[Page], amendment_id: FromPath[int]
    ) -> Template | Redirect:
        form = await page.form()
        decision = text(form, "decision")
        back = await self._amendment_back(page, amendment_id)
        change = amendments.decide_amendment(
            page.actor, amendment_id, decision, reason=text(form, "reason")
        )
        refused = await try_action(page, change, back)
        return refused or see_other(f"{back}#amendment-{amendment_id}")

    @post("/amendments/{amendment_id:int}/vote")
    async def put_amendment_to_vote(
        self, page: NamedDependency[Page], amendment_id: FromPath[int]
    ) -> Template | Redirect:
        back = await self._amendment_back(page, amendment_id)
        try:
            ballot_id = await amendments.put_amendment_to_vote(page.actor, amendment_id)
        except Refused as error:
            return refusal(page, error, back)
        return page.see_other("ballots", ballot_id)

    async def _amendment_back(self, page: Page, amendment_id: int) -> str:
        proposal_id = found(
            await proposal_queries.proposal_of_amendment(page.organisation.id, amendment_id)
        )
        return page.path("proposals", proposal_id)


async def _amendment_diff(body: str, amendment: proposal_queries.AmendmentView) -> TextDiff:
    """The amendment as a change to the current text, rendered as people read it; if the text
    moved on so that the passage is gone (or the amendment is settled), the change to the
    passage alone. An insertion keeps its anchor: the passage stays, the words follow it."""
    kind = AmendmentKind(amendment.kind)
    if amendment.is_open:
        try:
            return await diff_markdown(
                body, apply_amendment(body, kind, amendment.passage, amendment.text)
            )
        except Refused:
            pass
    if kind is AmendmentKind.INSERT and amendment.passage:
        inserted = apply_amendment(amendment.passage, kind, amendment.passage, amendment.text)
        return await diff_markdown(amendment.passage, inserted)
    return await diff_markdown(amendment.passage, amendment.text)
