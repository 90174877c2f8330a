"""``Page`` and ``Visit``: what every page handler needs, as one typed dependency.

A handler inside ``/o/{org}`` takes ``page: NamedDependency[Page]`` instead of the request,
the request context and the acting member one by one, and renders with ``page.render(...)``,
which fills what the organisation layout reads (``context``, ``membership``, ``organisation``)
so that no controller repeats it. Paths inside the organisation come from ``page.path(...)``.
A page outside any organisation takes ``visit: NamedDependency[Visit]`` (the request and its
context), whose ``render`` fills ``context``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from litestar import Request
from litestar.datastructures import FormMultiDict, State
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from votes.db import agenda_queries, network_queries
from votes.db.agenda_queries import AssemblyView
from votes.db.network_queries import NetworkPlace
from votes.db.queries import OrganisationView
from votes.services.accounts import Viewer
from votes.services.actors import Actor
from votes.settings import Settings
from votes.web.context import RequestContext, settings_of
from votes.web.forms import FormErrors, Redisplay
from votes.web.rendering import is_htmx, page, see_other

T = TypeVar("T")


def found(value: T | None) -> T:
    """``value``, or 404 when there is no such thing in the organisation (another
    organisation's is not found either: it does not exist here)."""
    if value is None:
        raise NotFoundException()
    return value


class Visit:
    """A page outside any organisation (the front page, signing in, the instance's
    administration): the request and its context (viewer, language)."""

    __slots__ = ("context", "request")

    def __init__(self, request: Request[Any, Any, State], context: RequestContext) -> None:
        self.request = request
        self.context = context

    @property
    def viewer(self) -> Viewer | None:
        """Who is signed in, if anyone."""
        return self.context.viewer

    @property
    def settings(self) -> Settings:
        return settings_of(self.request)

    @property
    def htmx(self) -> bool:
        """An htmx request (not a history restore): it wants a fragment."""
        return is_htmx(self.request)

    async def form(self) -> FormMultiDict:
        return await self.request.form()

    def render(
        self,
        template: str,
        *,
        fragment: str | None = None,
        status_code: int = HTTP_200_OK,
        **values: Any,
    ) -> Template:
        """Render ``template`` (``fragment`` for htmx) with what the layout reads and ``values``."""
        return page(
            self.request,
            template,
            fragment=fragment,
            status_code=status_code,
            **self._layout(),
            **values,
        )

    def render_form(
        self,
        template: str,
        again: Redisplay | None,
        *,
        fragment: str | None = None,
        **values: Any,
    ) -> Template:
        """Render a page with forms: ``again``'s status and ``errors`` when a refused POST
        shows it again, else 200 and no errors."""
        status_code, errors = again or (HTTP_200_OK, FormErrors())
        return self.render(
            template, fragment=fragment, status_code=status_code, errors=errors, **values
        )

    def _layout(self) -> dict[str, Any]:
        """What the layout reads: the request context."""
        return {"context": self.context}


class Page(Visit):
    """An organisation's page: a :class:`Visit` and the acting member."""

    __slots__ = ("actor", "network_place")

    def __init__(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        actor: Actor,
        network_place: NetworkPlace | None = None,
    ) -> None:
        super().__init__(request, context)
        self.actor = actor
        # what the navigation says of networks (read for administrators only: only their
        # links depend on it)
        self.network_place = network_place or NetworkPlace()

    @property
    def organisation(self) -> OrganisationView:
        return self.actor.organisation

    def path(self, *parts: object) -> str:
        """``/o/<short name>`` followed by ``parts``: ``page.path("assemblies", 3)``."""
        base = f"/o/{self.actor.organisation.short_name}"
        return "/".join((base, *(str(part) for part in parts)))

    def see_other(self, *parts: object) -> Redirect:
        """303 to ``page.path(*parts)`` after a successful POST."""
        return see_other(self.path(*parts))

    def _layout(self) -> dict[str, Any]:
        """What the organisation layout reads: the request context, the acting membership,
        the organisation."""
        return {
            **super()._layout(),
            "membership": self.actor,
            "organisation": self.organisation,
            "network_place": self.network_place,
        }

    async def assembly(self, assembly_id: int) -> AssemblyView:
        """The organisation's assembly ``assembly_id``, or 404 (the lookup most pages of an
        assembly start with)."""
        return found(await agenda_queries.assembly_view(self.organisation.id, assembly_id))


async def provide_visit(
    request: Request[Any, Any, State], context: NamedDependency[RequestContext]
) -> Visit:
    return Visit(request, context)


async def provide_page(
    request: Request[Any, Any, State],
    context: NamedDependency[RequestContext],
    actor: NamedDependency[Actor],
) -> Page:
    """Takes ``actor`` (which takes ``context``) so that the three resolve one after the other
    (see :func:`votes.web.guards.provide_actor`)."""
    place = await network_queries.network_place(actor.organisation_id) if actor.is_admin else None
    return Page(request, context, actor, place)
