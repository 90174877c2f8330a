"""Who may reach what. Outsiders learn nothing: a foreign organisation's pages answer 404."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath

from votes.db import queries
from votes.db.queries import MembershipView
from votes.web.context import RequestContext, load_request_context, use_organisation_language


async def requires_sign_in(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    context = await load_request_context(connection)
    if context.viewer is None:
        raise NotAuthorizedException()


async def provide_context(request: Request[Any, Any, State]) -> RequestContext:
    return await load_request_context(request)


async def provide_membership(
    context: NamedDependency[RequestContext], org: FromPath[str]
) -> MembershipView:
    """The viewer's membership of the organisation in the URL, or 404 if they have none.

    It takes ``context`` as a dependency (rather than loading it) so that Litestar resolves the
    two one after the other: dependencies of the same level are resolved in a task group,
    which costs more than the lookups themselves on a voting burst."""
    if context.viewer is None:
        raise NotAuthorizedException()
    membership = await queries.membership_by_slug(org, context.viewer.person_id)
    # a session opened with another organisation's access code does not open this one
    if (
        membership is None
        or membership.status == "left"
        or not context.viewer.may_enter(membership.organisation.id)
    ):
        raise NotFoundException()
    use_organisation_language(context, membership.organisation.default_language)
    return membership


def ensure_admin(membership: MembershipView) -> None:
    if not membership.is_admin:
        raise PermissionDeniedException()
