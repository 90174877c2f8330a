"""« Mes notifications »: each member chooses which optional mails their cooperative sends them
(#18). Convocations and ballots they may vote on are always sent, and the page says so."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from votes.services import notifications
from votes.services.actors import Actor
from votes.web.context import RequestContext
from votes.web.rendering import page, see_other


def _path(actor: Actor) -> str:
    return f"/o/{actor.organisation.short_name}/notifications"


class NotificationsController(Controller):
    path = "/notifications"

    @get("/")
    async def show(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        saved: FromQuery[str] = "",
    ) -> Template:
        """The member's own choices (the defaults until they save some)."""
        assert actor.membership is not None  # a page is always a member's
        return page(
            request,
            "pages/notifications/preferences.html.jinja",
            context=context,
            membership=actor.membership,
            organisation=actor.organisation,
            chosen=await notifications.preferences_of(actor.membership.id),
            address=await notifications.address_of(actor.membership.person_id),
            saved=saved == "1",
        )

    @post("/")
    async def choose(
        self,
        request: Request[Any, Any, State],
        actor: NamedDependency[Actor],
    ) -> Redirect:
        """Save the acting member's choices: an unticked box is a mail they do not want."""
        form = await request.form()
        await notifications.choose(
            actor,
            notifications.Preferences(
                reminders=form.get("reminders") == "1",
                results=form.get("results") == "1",
                other_ballots=form.get("other_ballots") == "1",
            ),
        )
        return see_other(f"{_path(actor)}?saved=1")
