"""Proposals: search and filters, submission, editing (every edit a version, with diffs),
supporters, status changes, amendments and putting them to the vote."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from votes.db import assembly_queries
from votes.db.assembly_queries import ProposalFilters
from votes.db.queries import MembershipView, members_of
from votes.db.tables import AmendmentKind, ProposalStatus
from votes.services import proposals
from votes.services.assemblies import ActionError, can_manage, can_take_part
from votes.services.proposals import AUTHOR_STEPS, FACILITATOR_STEPS, apply_amendment
from votes.web.assembly_forms import errors_from, optional_int, refused, text, thread_context
from votes.web.context import RequestContext
from votes.web.diffs import word_diff
from votes.web.forms import FormErrors
from votes.web.guards import provide_membership, requires_sign_in
from votes.web.rendering import page, see_other


def _base(membership: MembershipView) -> str:
    return f"/o/{membership.organisation.short_name}"


def _int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


class ProposalController(Controller):
    path = "/o/{org:str}"
    guards = [requires_sign_in]  # noqa: RUF012 - Litestar reads this class attribute
    dependencies = {"membership": Provide(provide_membership)}  # noqa: RUF012

    # --- search ---------------------------------------------------------------------------------

    @get("/proposals")
    async def search(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        item: FromQuery[str] = "",
        author: FromQuery[str] = "",
        assembly: FromQuery[str] = "",
    ) -> Template:
        filters = ProposalFilters(
            text=q.strip()[:200],
            status=status if status in set(ProposalStatus) else "",
            assembly_id=_int_or_none(assembly),
            agenda_item_id=_int_or_none(item),
            author_id=_int_or_none(author),
        )
        organisation_id = membership.organisation.id
        results = await assembly_queries.search_proposals(
            organisation_id,
            filters,
            viewer_id=membership.person_id,
            see_drafts=can_manage(membership),
        )
        return page(
            request,
            "pages/proposals/search.html.jinja",
            fragment="partials/proposals/_results.html.jinja",
            context=context,
            membership=membership,
            organisation=membership.organisation,
            filters=filters,
            results=results,
            choices=await assembly_queries.filter_choices(organisation_id),
            statuses=list(ProposalStatus),
            page_size=assembly_queries.SEARCH_PAGE_SIZE,
        )

    # --- submission -----------------------------------------------------------------------------

    async def _proposal_form(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        membership: MembershipView,
        assembly_id: int,
        values: dict[str, Any],
        errors: FormErrors,
        status_code: int = 200,
    ) -> Template:
        detail = await assembly_queries.assembly_page(membership.organisation.id, assembly_id)
        if detail is None:
            raise NotFoundException()
        members = [
            m
            for m in await members_of(membership.organisation.id)
            if m.can_vote and m.person_id != membership.person_id
        ]
        return page(
            request,
            "pages/proposals/form.html.jinja",
            fragment="partials/proposals/_proposal_form.html.jinja",
            status_code=status_code,
            context=context,
            membership=membership,
            organisation=membership.organisation,
            assembly=detail.assembly,
            agenda=detail.agenda,
            members=members,
            values=values,
            errors=errors,
            deadline_passed=proposals.deadline_passed(
                {"submission_deadline": detail.assembly.submission_deadline}
            ),
            manager=can_manage(membership),
        )

    @get("/assemblies/{assembly_id:int}/proposals/new")
    async def new_proposal(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        assembly_id: FromPath[int],
        item: FromQuery[str] = "",
    ) -> Template:
        values = {"title": "", "body": "", "agenda_item": item, "coauthors": []}
        return await self._proposal_form(
            request, context, membership, assembly_id, values, FormErrors()
        )

    @post("/assemblies/{assembly_id:int}/proposals")
    async def submit(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        assembly_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        coauthors = [str(v) for v in form.getall("coauthors")] if "coauthors" in form else []
        values: dict[str, Any] = {
            "title": text(form, "title").strip(),
            "body": text(form, "body"),
            "agenda_item": text(form, "agenda_item"),
            "coauthors": coauthors,
        }
        try:
            proposal_id = await proposals.submit_proposal(
                membership,
                assembly_id,
                values["title"],
                values["body"],
                agenda_item_id=optional_int(form, "agenda_item"),
                draft=text(form, "draft") == "1",
                coauthor_ids=[int(c) for c in coauthors if c.isdigit() and len(c) < 10],
            )
        except ActionError as error:
            if error.code == "not_found":
                raise NotFoundException() from error
            status, errors = errors_from(error)
            return await self._proposal_form(
                request, context, membership, assembly_id, values, errors, status
            )
        return see_other(f"{_base(membership)}/proposals/{proposal_id}")

    # --- reading --------------------------------------------------------------------------------

    @get("/proposals/{proposal_id:int}")
    async def proposal(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        proposal_id: FromPath[int],
        order: FromQuery[str] = "oldest",
        offset: FromQuery[int] = 0,
    ) -> Template:
        organisation_id = membership.organisation.id
        detail = await assembly_queries.proposal_page(organisation_id, proposal_id)
        if detail is None:
            raise NotFoundException()
        manager = can_manage(membership)
        if detail.status == "draft" and not (manager or detail.is_author(membership.person_id)):
            raise NotFoundException()  # a draft is its authors' until they submit it
        thread = await assembly_queries.thread_page(
            organisation_id, detail.thread_id, membership.person_id, order=order, offset=offset
        )
        author = can_take_part(membership) and detail.is_author(membership.person_id)
        steps = (FACILITATOR_STEPS[detail.status] if manager else frozenset()) | (
            AUTHOR_STEPS.get(detail.status, frozenset()) if author else frozenset()
        )
        return page(
            request,
            "pages/proposals/detail.html.jinja",
            context=context,
            membership=membership,
            organisation=membership.organisation,
            proposal=detail,
            is_author=author,
            may_edit=(manager or author) and detail.status in proposals.EDITABLE,
            status_steps=[s for s in ProposalStatus if s.value in steps],
            diffs={a.id: _amendment_diff(detail.body, a) for a in detail.amendments},
            **thread_context(membership, thread, request.url.path),
        )

    @get("/proposals/{proposal_id:int}/versions")
    async def versions(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        proposal_id: FromPath[int],
        old: FromQuery[int] = 0,
        new: FromQuery[int] = 0,
    ) -> Template:
        organisation_id = membership.organisation.id
        detail = await assembly_queries.proposal_page(organisation_id, proposal_id)
        if detail is None:
            raise NotFoundException()
        if detail.status == "draft" and not (
            can_manage(membership) or detail.is_author(membership.person_id)
        ):
            raise NotFoundException()
        history = await assembly_queries.versions_of(organisation_id, proposal_id)
        by_number = {v.number: v for v in history}
        newer = by_number.get(new) or history[-1]
        older = by_number.get(old) or by_number.get(newer.number - 1) or history[0]
        return page(
            request,
            "pages/proposals/versions.html.jinja",
            context=context,
            membership=membership,
            organisation=membership.organisation,
            proposal=detail,
            versions=history,
            older=older,
            newer=newer,
            title_diff=word_diff(older.title, newer.title),
            body_diff=word_diff(older.body, newer.body),
        )

    # --- editing --------------------------------------------------------------------------------

    @get("/proposals/{proposal_id:int}/edit")
    async def edit_form(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        proposal_id: FromPath[int],
    ) -> Template:
        detail = await assembly_queries.proposal_page(membership.organisation.id, proposal_id)
        if detail is None:
            raise NotFoundException()
        values = {"title": detail.title, "body": detail.body, "note": ""}
        return self._edit_page(request, context, membership, detail, values, FormErrors())

    def _edit_page(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        membership: MembershipView,
        detail: assembly_queries.ProposalPage,
        values: dict[str, str],
        errors: FormErrors,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "pages/proposals/edit.html.jinja",
            fragment="partials/proposals/_edit_form.html.jinja",
            status_code=status_code,
            context=context,
            membership=membership,
            organisation=membership.organisation,
            proposal=detail,
            values=values,
            errors=errors,
        )

    @post("/proposals/{proposal_id:int}/edit")
    async def edit(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        proposal_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        values = {
            "title": text(form, "title").strip(),
            "body": text(form, "body"),
            "note": text(form, "note").strip(),
        }
        back = f"{_base(membership)}/proposals/{proposal_id}"
        try:
            await proposals.edit_proposal(
                membership, proposal_id, values["title"], values["body"], note=values["note"]
            )
        except ActionError as error:
            detail = await assembly_queries.proposal_page(membership.organisation.id, proposal_id)
            if detail is None or not error.field:
                return refused(request, context, membership, error, back)
            status, errors = errors_from(error)
            return self._edit_page(request, context, membership, detail, values, errors, status)
        return see_other(back)

    @post("/proposals/{proposal_id:int}/status")
    async def change_status(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        proposal_id: FromPath[int],
    ) -> Template | Redirect:
        back = f"{_base(membership)}/proposals/{proposal_id}"
        try:
            form = await request.form()
            status = ProposalStatus(text(form, "status"))
            await proposals.change_status(
                membership, proposal_id, status, reason=text(form, "reason")
            )
        except ValueError:
            return refused(request, context, membership, ActionError("invalid_choice"), back)
        except ActionError as error:
            return refused(request, context, membership, error, back)
        return see_other(back)

    @post("/proposals/{proposal_id:int}/support")
    async def support(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        proposal_id: FromPath[int],
    ) -> Template | Redirect:
        back = f"{_base(membership)}/proposals/{proposal_id}"
        try:
            await proposals.toggle_support(membership, proposal_id)
        except ActionError as error:
            return refused(request, context, membership, error, back)
        return see_other(f"{back}#supporters")

    @post("/proposals/{proposal_id:int}/vote")
    async def put_to_vote(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        proposal_id: FromPath[int],
    ) -> Template | Redirect:
        back = f"{_base(membership)}/proposals/{proposal_id}"
        try:
            ballot_id = await proposals.put_to_vote(membership, proposal_id)
        except ActionError as error:
            return refused(request, context, membership, error, back)
        return see_other(f"{_base(membership)}/ballots/{ballot_id}")

    # --- amendments -----------------------------------------------------------------------------

    async def _amendment_page(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        membership: MembershipView,
        proposal_id: int,
        values: dict[str, str],
        errors: FormErrors,
        status_code: int = 200,
    ) -> Template:
        detail = await assembly_queries.proposal_page(membership.organisation.id, proposal_id)
        if detail is None or detail.status == "draft":
            raise NotFoundException()
        return page(
            request,
            "pages/proposals/amendment_form.html.jinja",
            fragment="partials/proposals/_amendment_form.html.jinja",
            status_code=status_code,
            context=context,
            membership=membership,
            organisation=membership.organisation,
            proposal=detail,
            values=values,
            errors=errors,
            kinds=list(AmendmentKind),
        )

    @get("/proposals/{proposal_id:int}/amendments/new")
    async def new_amendment(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        proposal_id: FromPath[int],
    ) -> Template:
        values = {"kind": "replace", "passage": "", "text": "", "reason": ""}
        return await self._amendment_page(
            request, context, membership, proposal_id, values, FormErrors()
        )

    @post("/proposals/{proposal_id:int}/amendments")
    async def propose_amendment(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        proposal_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        values = {name: text(form, name) for name in ("kind", "passage", "text", "reason")}
        try:
            kind = AmendmentKind(values["kind"])
        except ValueError:
            kind = None
        try:
            if kind is None:
                raise ActionError("invalid_choice", "kind")
            amendment_id = await proposals.propose_amendment(
                membership,
                proposal_id,
                kind,
                passage=values["passage"],
                text=values["text"],
                reason=values["reason"],
            )
        except ActionError as error:
            if error.code == "not_found":
                raise NotFoundException() from error
            status, errors = errors_from(error)
            return await self._amendment_page(
                request, context, membership, proposal_id, values, errors, status
            )
        return see_other(f"{_base(membership)}/proposals/{proposal_id}#amendment-{amendment_id}")

    @post("/amendments/{amendment_id:int}/decide")
    async def decide_amendment(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        amendment_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        decision = text(form, "decision")
        back = await self._amendment_back(membership, amendment_id)
        try:
            await proposals.decide_amendment(
                membership, amendment_id, decision, reason=text(form, "reason")
            )
        except ActionError as error:
            return refused(request, context, membership, error, back)
        return see_other(f"{back}#amendment-{amendment_id}")

    @post("/amendments/{amendment_id:int}/vote")
    async def put_amendment_to_vote(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        amendment_id: FromPath[int],
    ) -> Template | Redirect:
        back = await self._amendment_back(membership, amendment_id)
        try:
            ballot_id = await proposals.put_amendment_to_vote(membership, amendment_id)
        except ActionError as error:
            return refused(request, context, membership, error, back)
        return see_other(f"{_base(membership)}/ballots/{ballot_id}")

    async def _amendment_back(self, membership: MembershipView, amendment_id: int) -> str:
        proposal_id = await assembly_queries.proposal_of_amendment(
            membership.organisation.id, amendment_id
        )
        if proposal_id is None:
            raise NotFoundException()
        return f"{_base(membership)}/proposals/{proposal_id}"


def _amendment_diff(body: str, amendment: assembly_queries.AmendmentView) -> Any:
    """The amendment as a change to the current text; if the text moved on so that the
    passage is gone, show the passage and the proposed words side by side instead."""
    if not amendment.is_open:
        return word_diff(amendment.passage, amendment.text)
    try:
        amended = apply_amendment(
            body, AmendmentKind(amendment.kind), amendment.passage, amendment.text
        )
    except ActionError:
        return word_diff(amendment.passage, amendment.text)
    return word_diff(body, amended)
