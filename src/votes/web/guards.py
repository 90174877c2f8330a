"""Who may reach what: the one door of every organisation page.

Outsiders learn nothing: a foreign organisation's pages answer 404, as if it did not exist.
Within the organisation, a route declares the rule it needs where it is declared
(``guards=[requires(may_run_ballots)]``); the rule itself is written once, in
``votes.services.actors``, and the service behind the route checks the same rule again.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from votes.db import queries
from votes.db.tables import MembershipStatus
from votes.services.actors import Actor, Rule
from votes.web.context import RequestContext, load_request_context, use_organisation_language

_ACTOR_STATE = "votes_actor"


async def requires_sign_in(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    context = await load_request_context(connection)
    if context.viewer is None:
        raise NotAuthorizedException()


async def provide_context(request: Request[Any, Any, State]) -> RequestContext:
    return await load_request_context(request)


async def load_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """The viewer acting in the organisation of the URL (loaded once per request), or 404 if
    they do not belong to it, have left it, or signed in with another organisation's code."""
    context = await load_request_context(connection)
    cached: Actor | None = connection.state.get(_ACTOR_STATE)
    if cached is not None:
        # a guard loaded it: the language is set again in the handler's own context
        use_organisation_language(context, cached.organisation.default_language)
        return cached
    if context.viewer is None:
        raise NotAuthorizedException()
    membership = await queries.membership_by_slug(
        str(connection.path_params["org"]), context.viewer.person_id
    )
    if (
        membership is None
        or membership.status == MembershipStatus.LEFT.value
        or not context.viewer.may_enter(membership.organisation.id)
    ):
        raise NotFoundException()
    use_organisation_language(context, membership.organisation.default_language)
    actor = Actor.of(membership, via_code=context.viewer.organisation_scope is not None)
    connection.state[_ACTOR_STATE] = actor
    return actor


async def provide_actor(
    request: Request[Any, Any, State], context: NamedDependency[RequestContext]
) -> Actor:
    """The acting member. It takes ``context`` so that Litestar resolves the two one after the
    other: dependencies of the same level run in a task group, where the language this sets
    for gettext would be lost to the handler."""
    del context  # loaded, and cached on the request, before the actor
    return await load_actor(request)


def requires(rule: Rule) -> Guard:
    """A route guard: 403 unless the acting member satisfies ``rule`` (404 for outsiders)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not rule(await load_actor(connection)):
            raise PermissionDeniedException()

    guard.__name__ = f"requires_{rule.__name__}"
    return guard
