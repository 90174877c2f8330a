"""The cooperative's outbox, for its administrators: every mail the app sent or will send for
it, with its state (waiting, sent, failed after retries, or held because no mail server is
configured), its text, and a retry for a failed one."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from votes.services import mail
from votes.services.actors import Actor, may_administer
from votes.web.context import RequestContext
from votes.web.guards import requires
from votes.web.labels import N_
from votes.web.refusals import area
from votes.web.rendering import page, see_other

REFUSALS = area(
    "mail",
    {
        "mail_not_configured": (
            409,
            N_(
                "No mail server is configured: this mail cannot be sent. "
                "Set VOTES_SMTP_HOST (see the README), or hand its content over yourself."
            ),
        ),
    },
)


class MailController(Controller):
    path = "/mail"

    @get("/", guards=[requires(may_administer)])
    async def outbox(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
    ) -> Template:
        return page(
            request,
            "pages/mail/outbox.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            mails=await mail.outbox(actor),
            counts=await mail.outbox_counts(actor),
            configured=mail.smtp_configured(),
            page_size=mail.OUTBOX_PAGE,
        )

    @get("/{mail_id:int}", guards=[requires(may_administer)])
    async def show(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        mail_id: FromPath[int],
    ) -> Template:
        return page(
            request,
            "pages/mail/mail.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            mail=await mail.outbox_mail(actor, mail_id),
            configured=mail.smtp_configured(),
        )

    @post("/{mail_id:int}/retry", guards=[requires(may_administer)])
    async def retry(self, actor: NamedDependency[Actor], mail_id: FromPath[int]) -> Redirect:
        await mail.retry(actor, mail_id)
        return see_other(f"/o/{actor.organisation.short_name}/mail/{mail_id}")
