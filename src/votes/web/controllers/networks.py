"""Networks of cooperatives on the web (#20), for administrators only.

A network's admins see its member cooperatives (``/cooperatives``): invite one by its short
name, end a membership, set how decisions are shared. A cooperative's admins see its networks
(``/networks``): answer invitations, and on a network's page (``/networks/<network>``) choose
who represents the cooperative and register those people. Each side acts in its own
organisation's pages; the other side's pages are not found (404), as any other organisation's.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from votes.core.network import Sharing
from votes.db import network_queries
from votes.db.tables import NetworkStatus, Representation
from votes.services import networks as service
from votes.services.actors import may_administer
from votes.services.refusals import Refused
from votes.web.forms import Redisplay, whole_number
from votes.web.guards import requires
from votes.web.pages import Page, found
from votes.web.refusals import area, errors_on, row_form_errors
from votes.web.rendering import see_other

REFUSALS = area("networks")

_ADMIN = [requires(may_administer)]
_CURRENT = (NetworkStatus.INVITED.value, NetworkStatus.MEMBER.value)


async def _network_or_404(page: Page) -> None:
    if not (await network_queries.network_settings(page.organisation.id)).is_network:
        raise NotFoundException()


def _shares_whole(places: list[network_queries.Place]) -> bool:
    """Whether every member cooperative has a fixed share and they add up to 100 %."""
    shares = [p.share_basis_points for p in places if p.status == NetworkStatus.MEMBER.value]
    return all(shares) and sum(shares) == 10_000


class NetworksController(Controller):
    path = "/"
    guards = _ADMIN

    # -- the network's side: its member cooperatives --------------------------------------------

    async def _cooperatives_page(
        self, page: Page, again: Redisplay | None = None, values: dict[str, Any] | None = None
    ) -> Template:
        network_id = page.organisation.id
        settings = await network_queries.network_settings(network_id)
        places = await network_queries.cooperatives_of(network_id)
        return page.render_form(
            "pages/networks/cooperatives.html.jinja",
            again,
            places=places,
            members=[p for p in places if p.status == NetworkStatus.MEMBER.value],
            sharing=settings.sharing,
            sharings=[rule.value for rule in Sharing],
            # a cooperative that joined or left since the shares were fixed unsettles them
            shares_whole=_shares_whole(places),
            values={"cooperative": "", "sharing": "", "shares": {}, **(values or {})},
        )

    async def _network_change(
        self, page: Page, change: Any, *args: Any, values: dict[str, Any] | None = None
    ) -> Template | Redirect:
        try:
            await change(page.actor, *args)
        except Refused as error:
            return await self._cooperatives_page(page, row_form_errors(error, REFUSALS), values)
        return page.see_other("cooperatives")

    @get("/cooperatives")
    async def cooperatives(self, page: NamedDependency[Page]) -> Template:
        await _network_or_404(page)
        return await self._cooperatives_page(page)

    @post("/cooperatives")
    async def invite(self, page: NamedDependency[Page]) -> Template | Redirect:
        await _network_or_404(page)
        short_name = str((await page.form()).get("cooperative", ""))[:60]
        return await self._network_change(
            page, service.invite, short_name, values={"cooperative": short_name}
        )

    @post("/cooperatives/{cooperative_id:int}/end")
    async def end(
        self, page: NamedDependency[Page], cooperative_id: FromPath[int]
    ) -> Template | Redirect:
        await _network_or_404(page)
        return await self._network_change(page, service.end_membership, cooperative_id)

    @post("/cooperatives/sharing")
    async def sharing(self, page: NamedDependency[Page]) -> Template | Redirect:
        await _network_or_404(page)
        form = await page.form()
        sharing = str(form.get("sharing", ""))[:20]
        fixed: dict[int, str] = {}
        for name in form:
            if name.startswith("share-"):
                cooperative = whole_number(name.removeprefix("share-"))
                if cooperative is None:
                    raise NotFoundException()
                fixed[cooperative] = str(form.get(name, ""))[:20]
        values = {"sharing": sharing, "shares": {str(k): v for k, v in fixed.items()}}
        return await self._network_change(page, service.set_sharing, sharing, fixed, values=values)

    # -- the cooperative's side: its networks and its delegations -------------------------------

    async def _networks_page(self, page: Page, again: Redisplay | None = None) -> Template:
        places = await network_queries.networks_of(page.organisation.id)
        return page.render_form(
            "pages/networks/networks.html.jinja",
            again,
            invitations=[p for p in places if p.status == NetworkStatus.INVITED.value],
            joined=[p for p in places if p.status == NetworkStatus.MEMBER.value],
            past=[p for p in places if p.status not in _CURRENT],
        )

    @get("/networks")
    async def networks(self, page: NamedDependency[Page]) -> Template | Redirect:
        settings = await network_queries.network_settings(page.organisation.id)
        if settings.is_network:
            return page.see_other("cooperatives")
        return await self._networks_page(page)

    @post("/networks/{network_id:int}/answer")
    async def answer(
        self, page: NamedDependency[Page], network_id: FromPath[int]
    ) -> Template | Redirect:
        decision = str((await page.form()).get("decision", ""))
        if decision not in ("accept", "decline"):
            raise NotFoundException()
        try:
            await service.answer(page.actor, network_id, accept=decision == "accept")
        except Refused as error:
            return await self._networks_page(page, row_form_errors(error, REFUSALS))
        if decision == "accept":
            return page.see_other("networks", network_id)
        return page.see_other("networks")

    async def _delegation_page(
        self, page: Page, network_id: int, again: Redisplay | None = None
    ) -> Template:
        cooperative_id = page.organisation.id
        place = found(await network_queries.place(network_id, cooperative_id))
        if place.status != NetworkStatus.MEMBER.value:
            raise NotFoundException()
        delegates = await network_queries.delegation(network_id, cooperative_id)
        registered = {delegate.person_id for delegate in delegates}
        return page.render_form(
            "pages/networks/delegation.html.jinja",
            again,
            place=place,
            delegates=delegates,
            candidates=[
                member
                for member in await network_queries.registrable(cooperative_id)
                if member.person_id not in registered
            ],
            representations=[choice.value for choice in Representation],
            elsewhere=whole_number(page.request.query_params.get("elsewhere", "")) or 0,
        )

    async def _delegation_change(
        self, page: Page, network_id: int, change: Any, *args: Any
    ) -> Template | Redirect:
        try:
            await change(page.actor, network_id, *args)
        except Refused as error:
            return await self._delegation_page(page, network_id, row_form_errors(error, REFUSALS))
        return page.see_other("networks", network_id)

    @get("/networks/{network_id:int}")
    async def delegation(self, page: NamedDependency[Page], network_id: FromPath[int]) -> Template:
        return await self._delegation_page(page, network_id)

    @post("/networks/{network_id:int}/representation")
    async def representation(
        self, page: NamedDependency[Page], network_id: FromPath[int]
    ) -> Template | Redirect:
        choice = str((await page.form()).get("representation", ""))[:20]
        return await self._delegation_change(page, network_id, service.set_representation, choice)

    @post("/networks/{network_id:int}/delegates")
    async def register(
        self, page: NamedDependency[Page], network_id: FromPath[int]
    ) -> Template | Redirect:
        member = whole_number((await page.form()).get("member", ""))
        if member is None:
            refused = errors_on("member", Refused("choose_member"), REFUSALS)
            return await self._delegation_page(page, network_id, refused)
        return await self._delegation_change(page, network_id, service.register_delegate, member)

    @post("/networks/{network_id:int}/delegates/all")
    async def register_all(
        self, page: NamedDependency[Page], network_id: FromPath[int]
    ) -> Template | Redirect:
        try:
            _added, elsewhere = await service.register_all(page.actor, network_id)
        except Refused as error:
            return await self._delegation_page(page, network_id, row_form_errors(error, REFUSALS))
        # those left out are told, once, on the page the form returns to
        suffix = f"?elsewhere={elsewhere}" if elsewhere else ""
        return see_other(page.path("networks", network_id) + suffix)

    @post("/networks/{network_id:int}/delegates/{registration_id:int}/remove")
    async def unregister(
        self,
        page: NamedDependency[Page],
        network_id: FromPath[int],
        registration_id: FromPath[int],
    ) -> Template | Redirect:
        return await self._delegation_change(page, network_id, service.unregister, registration_id)
