"""The cooperative's outbox, for its administrators: every mail the app sent or will send for
it, with its state (waiting, sent, failed after retries, or held because no mail server is
configured), its text, and a retry for a failed one."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from votes.services import mail
from votes.services.actors import may_administer
from votes.web.guards import requires
from votes.web.pages import Page
from votes.web.refusals import area

REFUSALS = area("mail")


class MailController(Controller):
    path = "/mail"
    guards = [requires(may_administer)]  # noqa: RUF012 - Litestar's declared shape

    @get("/")
    async def outbox(self, page: NamedDependency[Page]) -> Template:
        return page.render(
            "pages/mail/outbox.html.jinja",
            mails=await mail.outbox(page.actor),
            counts=await mail.outbox_counts(page.actor),
            configured=mail.smtp_configured(),
            page_size=mail.OUTBOX_PAGE,
        )

    @get("/{mail_id:int}")
    async def show(self, page: NamedDependency[Page], mail_id: FromPath[int]) -> Template:
        return page.render(
            "pages/mail/mail.html.jinja",
            mail=await mail.outbox_mail(page.actor, mail_id),
            configured=mail.smtp_configured(),
        )

    @post("/{mail_id:int}/retry")
    async def retry(self, page: NamedDependency[Page], mail_id: FromPath[int]) -> Redirect:
        await mail.retry(page.actor, mail_id)
        return page.see_other("mail", mail_id)
