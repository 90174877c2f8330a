"""Proxies on the web: a member gives (or takes back) a proxy for an assembly, named or blank,
with voting instructions or not; those who keep the register (administrators, facilitators,
scrutineers: :func:`votes.services.actors.may_steward`) record signed paper forms and see every
proxy; administrators withdraw any.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from votes.db import attendance_queries as aq
from votes.db.tables import AssemblyStatus, ProxyStatus
from votes.i18n import gettext as _
from votes.services import proxies as service
from votes.services import rules
from votes.services.actors import Actor, may_administer, may_steward
from votes.services.refusals import Refused
from votes.web import pickers
from votes.web.forms import Redisplay, whole_number
from votes.web.pages import Page, found
from votes.web.refusals import area, errors_on, form_errors, raise_if_not_found

REFUSALS = area("proxies")


def _member_id(value: object) -> int | None:
    return whole_number(value)


class ProxiesController(Controller):
    path = "/"

    @get("/assemblies/{assembly_id:int}/proxies")
    async def proxies_page(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template:
        return await self._page(page, assembly_id)

    async def _page(
        self,
        page: Page,
        assembly_id: int,
        again: Redisplay | None = None,
        values: dict[str, str] | None = None,
    ) -> Template:
        organisation_id = page.organisation.id
        assembly = await page.assembly(assembly_id)
        everyone = await aq.proxies_of(organisation_id, assembly_id, active_only=False)
        active = [p for p in everyone if p.status == ProxyStatus.ACTIVE]
        profile = await rules.assembly_profile(organisation_id, assembly_id)
        members = await aq.voting_members(organisation_id)
        return page.render_form(
            "pages/proxies/proxies.html.jinja",
            again,
            assembly=assembly,
            given=[p for p in active if p.giver_id == page.actor.id],
            held=[p for p in active if p.holder_id == page.actor.id],
            everyone=everyone if may_steward(page.actor) else [],
            steward=may_steward(page.actor),
            withdraws_any=may_administer(page.actor),  # the service's rule for taking one back
            members=[(m["id"], m["person.name"]) for m in members],
            **self._pickers(
                page.request,
                page.actor,
                members,
                values or {},
                blank_counted=profile.proxies.blank_counted,
            ),
            cap=profile.proxies.cap(len(members)),
            blank_counted=profile.proxies.blank_counted,
            running=assembly.status in (AssemblyStatus.CONVENED, AssemblyStatus.IN_SESSION),
            values=values or {},
        )

    @staticmethod
    def _pickers(
        request: Request[Any, Any, State],
        actor: Actor,
        members: list[dict[str, Any]],
        values: dict[str, str],
        *,
        blank_counted: bool,
    ) -> dict[str, Any]:
        """The holder's and the giver's pickers: searched by name, never a list of all."""
        query = request.query_params
        # posted values, or (a search without JavaScript) the page's address
        values = {k: values.get(k) or str(query.get(k, ""))[:20] for k in ("holder", "giver")}
        paper = bool(values["giver"])
        everyone = [(m["id"], m["person.name"]) for m in members]
        blank = [("blank", _("Blank proxy: counted with the management's resolutions"))]

        def holder(form_id: str) -> pickers.Picker:
            candidates = [(i, n) for i, n in everyone if not (form_id == "mine" and i == actor.id)]
            return pickers.make_picker(
                form_id,
                "holder",
                candidates,
                search=pickers.search_of(query, form_id),
                chosen=[values["holder"]] if paper == (form_id == "paper") else [],
                required=True,
                extra=blank if blank_counted else [],
            )

        return {
            "holder_pickers": {"mine": holder("mine"), "paper": holder("paper")},
            "giver_picker": pickers.make_picker(
                "giver",
                "giver",
                everyone,
                search=pickers.search_of(query, "giver"),
                chosen=[values["giver"]],
                required=True,
            ),
        }

    @post("/assemblies/{assembly_id:int}/proxies")
    async def give(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """A member gives their proxy; whoever keeps the register records a paper form
        (``giver``). The service refuses a giver from anyone else (never read as their own)."""
        form = await page.form()
        values = {
            name: str(form.get(name, ""))[:2100] for name in ("holder", "instructions", "giver")
        }
        giver = _member_id(values["giver"]) if values["giver"] else page.actor.id
        holder = None if values["holder"] == "blank" else _member_id(values["holder"])
        if (holder is None and values["holder"] != "blank") or giver is None:
            again = errors_on("holder", Refused("choose_holder"), REFUSALS)
            return await self._page(page, assembly_id, again, values)
        try:
            await service.give_proxy(
                page.actor, assembly_id, holder, giver_id=giver, instructions=values["instructions"]
            )
        except Refused as error:
            raise_if_not_found(error)
            return await self._page(page, assembly_id, errors_on("", error, REFUSALS), values)
        return page.see_other("assemblies", assembly_id, "proxies")

    @post("/proxies/{proxy_id:int}/revoke")
    async def revoke(
        self, page: NamedDependency[Page], proxy_id: FromPath[int]
    ) -> Template | Redirect:
        # another's proxy: 404
        assembly_id = found(await aq.proxy_assembly(page.organisation.id, proxy_id))
        try:
            await service.revoke_proxy(page.actor, proxy_id)
        except Refused as error:
            return await self._page(page, assembly_id, form_errors(error, REFUSALS))
        return page.see_other("assemblies", assembly_id, "proxies")
