"""Proxies on the web: a member gives (or takes back) a proxy for an assembly, named or blank,
with voting instructions or not; administrators record signed paper forms and see every proxy.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from votes.db import assembly_queries
from votes.db import attendance_queries as aq
from votes.db.queries import MembershipView
from votes.db.tables import Proxy
from votes.i18n import gettext as _
from votes.i18n import ngettext
from votes.services import proxies as service
from votes.services import rules
from votes.web.context import RequestContext
from votes.web.forms import FormErrors, whole_number
from votes.web.guards import provide_membership, requires_sign_in
from votes.web.labels import N_
from votes.web.rendering import page, see_other

REFUSALS: dict[str, tuple[str, int]] = {
    "proxy_to_self": (N_("A member cannot give a proxy to themselves."), 422),
    "holder_not_member": (
        N_("The holder must be a member of this cooperative with voting rights."),
        422,
    ),
    "giver_not_voter": (N_("Only members with voting rights give proxies."), 422),
    "proxy_chain": (
        N_(
            "Proxies cannot be passed on: a represented member cannot hold proxies, "
            "and a holder cannot give one."
        ),
        409,
    ),
    "giver_checked_in": (
        N_("This member has signed the register: they vote themselves, no proxy is needed."),
        409,
    ),
    "proxy_exists": (N_("This member has already given a proxy: take it back first."), 409),
    "blank_not_counted": (
        N_("Your statutes do not count blank proxies: name the member who will vote."),
        422,
    ),
    "assembly_not_running": (
        N_("Proxies are given while the assembly is convened or in session."),
        409,
    ),
    "instructions_too_long": (N_("The instructions are too long (2,000 characters at most)."), 422),
    "proxy_revoked": (N_("This proxy has already ended."), 409),
    "not_allowed": (N_("Only the member who gave it or an administrator can take it back."), 403),
    "choose_holder": (N_("Choose who will vote for you, or a blank proxy."), 422),
}


def refusal(code: str, detail: dict[str, Any]) -> tuple[str, int]:
    if code == "holder_at_cap":
        cap = int(detail.get("cap", 0))
        message = ngettext(
            "This member already holds %(num)d proxy, the most the statutes allow.",
            "This member already holds %(num)d proxies, the most the statutes allow.",
            cap,
        )
        return message % {"num": cap}, 409
    message, status = REFUSALS.get(code, (N_("This action is not possible now."), 409))
    return _(message), status


def _path(membership: MembershipView, assembly_id: int) -> str:
    return f"/o/{membership.organisation.short_name}/assemblies/{assembly_id}/proxies"


def _member_id(value: object) -> int | None:
    return whole_number(value)


class ProxiesController(Controller):
    path = "/o/{org:str}"
    guards = [requires_sign_in]  # noqa: RUF012 - Litestar reads this class attribute
    dependencies = {"membership": Provide(provide_membership)}  # noqa: RUF012

    @get("/assemblies/{assembly_id:int}/proxies")
    async def proxies_page(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        assembly_id: FromPath[int],
    ) -> Template:
        return await self._page(request, context, membership, assembly_id)

    async def _page(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        membership: MembershipView,
        assembly_id: int,
        errors: FormErrors | None = None,
        values: dict[str, str] | None = None,
        status_code: int = HTTP_200_OK,
    ) -> Template:
        organisation_id = membership.organisation.id
        assembly = await assembly_queries.assembly_view(organisation_id, assembly_id)
        if assembly is None:
            raise NotFoundException()
        everyone = await aq.proxies_of(organisation_id, assembly_id, active_only=False)
        profile = await rules.assembly_profile(organisation_id, assembly_id)
        members = await aq.voting_members(organisation_id)
        return page(
            request,
            "pages/proxies/proxies.html.jinja",
            status_code=status_code,
            context=context,
            membership=membership,
            organisation=membership.organisation,
            assembly=assembly,
            given=[p for p in everyone if p.giver_id == membership.id and p.status == "active"],
            held=[p for p in everyone if p.holder_id == membership.id and p.status == "active"],
            everyone=everyone if membership.is_admin else [],
            members=[(m["id"], m["person.name"]) for m in members],
            cap=profile.proxies.cap(len(members)),
            blank_counted=profile.proxies.blank_proxies == "with_management",
            running=assembly.status in ("convened", "in_session"),
            errors=errors or FormErrors(),
            values=values or {},
        )

    @post("/assemblies/{assembly_id:int}/proxies")
    async def give(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        assembly_id: FromPath[int],
    ) -> Template | Redirect:
        """A member gives their proxy; an administrator records a paper form (``giver``)."""
        form = await request.form()
        values = {
            name: str(form.get(name, ""))[:2100] for name in ("holder", "instructions", "giver")
        }
        paper = membership.is_admin and bool(values["giver"])
        giver = _member_id(values["giver"]) if paper else membership.id
        holder = None if values["holder"] == "blank" else _member_id(values["holder"])
        errors = FormErrors()
        if (holder is None and values["holder"] != "blank") or giver is None:
            errors.add("holder", refusal("choose_holder", {})[0])
            return await self._page(request, context, membership, assembly_id, errors, values, 422)
        try:
            await service.give_proxy(
                membership.organisation.id,
                assembly_id,
                giver,
                holder,
                instructions=values["instructions"],
                recorded_by=membership.id if paper else None,
                actor_id=membership.person_id,
            )
        except service.ProxyError as error:
            if error.code == "not_found":
                raise NotFoundException() from error
            message, status = refusal(error.code, error.detail)
            errors.add("", message)
            return await self._page(
                request, context, membership, assembly_id, errors, values, status
            )
        return see_other(_path(membership, assembly_id))

    @post("/proxies/{proxy_id:int}/revoke")
    async def revoke(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        proxy_id: FromPath[int],
    ) -> Template | Redirect:
        proxy = await aq.proxy_of(membership.organisation.id, proxy_id)
        if proxy is None:
            raise NotFoundException()
        assembly_id = await _assembly_of(membership.organisation.id, proxy_id)
        try:
            await service.revoke_proxy(
                membership.organisation.id,
                proxy_id,
                membership_id=membership.id,
                as_admin=membership.is_admin,
                actor_id=membership.person_id,
            )
        except service.ProxyError as error:
            message, status = refusal(error.code, error.detail)
            errors = FormErrors()
            errors.add("", message)
            return await self._page(request, context, membership, assembly_id, errors, None, status)
        return see_other(_path(membership, assembly_id))


async def _assembly_of(organisation_id: int, proxy_id: int) -> int:
    row = (
        await Proxy.select(Proxy.assembly)
        .where((Proxy.id == proxy_id) & (Proxy.organisation == organisation_id))
        .first()
    )
    assert row is not None
    return int(row["assembly"])
