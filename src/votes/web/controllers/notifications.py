"""« Mes notifications »: each member chooses which optional mails their cooperative sends them.
Convocations and ballots they may vote on are always sent, and the page says so."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from votes.services import notifications
from votes.web.pages import Page
from votes.web.rendering import see_other


class NotificationsController(Controller):
    path = "/notifications"

    @get("/")
    async def show(self, page: NamedDependency[Page], saved: FromQuery[str] = "") -> Template:
        """The member's own choices (the defaults until they save some)."""
        membership = page.actor.membership
        assert membership is not None  # a page is always a member's
        return page.render(
            "pages/notifications/preferences.html.jinja",
            chosen=await notifications.preferences_of(membership.id),
            address=await notifications.address_of(membership.person_id),
            saved=saved == "1",
        )

    @post("/")
    async def choose(self, page: NamedDependency[Page]) -> Redirect:
        """Save the acting member's choices: an unticked box is a mail they do not want."""
        form = await page.form()
        await notifications.choose(
            page.actor,
            notifications.Preferences(
                reminders=form.get("reminders") == "1",
                results=form.get("results") == "1",
                other_ballots=form.get("other_ballots") == "1",
            ),
        )
        return see_other(f"{page.path('notifications')}?saved=1")
