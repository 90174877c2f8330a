"""An organisation's pages: its dashboard, member register, assemblies, proposals and ballots.

Every handler receives the viewer's membership (or the request already ended in 404), and every
query it makes is scoped by that membership's organisation.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from votes.core.explain import explain
from votes.core.results import TallyResult
from votes.db import queries
from votes.db.queries import MembershipView
from votes.web.context import RequestContext
from votes.web.guards import ensure_admin, provide_membership, requires_sign_in
from votes.web.rendering import page


class OrganisationController(Controller):
    path = "/o/{org:str}"
    guards = [requires_sign_in]  # noqa: RUF012 - Litestar reads this class attribute
    dependencies = {"membership": Provide(provide_membership)}  # noqa: RUF012

    @get("/")
    async def dashboard(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
    ) -> Template:
        organisation_id = membership.organisation.id
        return page(
            request,
            "pages/organisations/dashboard.html.jinja",
            context=context,
            membership=membership,
            organisation=membership.organisation,
            assemblies=await queries.assemblies_of(organisation_id),
            open_ballots=await queries.open_ballots_of(organisation_id),
        )

    @get("/members")
    async def members(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
    ) -> Template:
        ensure_admin(membership)
        return page(
            request,
            "pages/organisations/members.html.jinja",
            context=context,
            membership=membership,
            organisation=membership.organisation,
            members=await queries.members_of(membership.organisation.id),
        )

    @get("/assemblies/{assembly_id:int}")
    async def assembly(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        assembly_id: FromPath[int],
    ) -> Template:
        detail = await queries.assembly_detail(membership.organisation.id, assembly_id)
        if detail is None:
            raise NotFoundException()
        return page(
            request,
            "pages/assemblies/detail.html.jinja",
            context=context,
            membership=membership,
            organisation=membership.organisation,
            assembly=detail,
        )

    @get("/proposals/{proposal_id:int}")
    async def proposal(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        proposal_id: FromPath[int],
    ) -> Template:
        detail = await queries.proposal_detail(membership.organisation.id, proposal_id)
        if detail is None:
            raise NotFoundException()
        return page(
            request,
            "pages/proposals/detail.html.jinja",
            context=context,
            membership=membership,
            organisation=membership.organisation,
            proposal=detail,
        )

    @get("/ballots/{ballot_id:int}")
    async def ballot(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        ballot_id: FromPath[int],
    ) -> Template:
        detail = await queries.ballot_detail(membership.organisation.id, ballot_id)
        if detail is None:
            raise NotFoundException()
        # results are shown once published; facilitators and scrutineers see them at close
        may_see_result = detail.status == "published" or (
            detail.status == "closed" and (membership.is_facilitator or membership.is_scrutineer)
        )
        result = (
            TallyResult.from_json(detail.result_json)
            if detail.result_json and may_see_result
            else None
        )
        return page(
            request,
            "pages/ballots/detail.html.jinja",
            context=context,
            membership=membership,
            organisation=membership.organisation,
            ballot=detail,
            result=result,
            explanation=explain(result, context.language) if result else [],
            labels={option.key: option.label for option in detail.options},
        )
