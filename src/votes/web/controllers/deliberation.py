"""Deliberation threads: posting and replying (htmx shows the new contribution at once; without
JavaScript the form posts and comes back to the page), editing within the window, reactions,
moderation, closing, and "show more" for long threads."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from votes.db import thread_queries
from votes.db.tables import ReactionKind, Stance
from votes.services import deliberation
from votes.services.actors import Actor, may_take_part
from votes.services.proposals import viewer_of
from votes.services.refusals import Refused
from votes.web.assembly_forms import (
    errors_from,
    optional_int,
    refusal,
    text,
    thread_context,
    thread_here,
    try_action,
)
from votes.web.forms import FormErrors, Redisplay
from votes.web.pages import Page
from votes.web.rendering import see_other
from votes.web.threads import ThreadSlice

# a thread as it opens: oldest first, from its first contribution
_FROM_THE_START = ThreadSlice()


def _contribution_values(form: Any) -> dict[str, str]:
    """What a contribution's form posted (its text and stance), as typed."""
    return {"body": text(form, "body"), "stance": text(form, "stance")}


def _stance(values: dict[str, str]) -> Stance:
    """The stance chosen (a remark when none); another value is refused as an invalid choice."""
    try:
        return Stance(values["stance"]) if values["stance"] else Stance.REMARK
    except ValueError:
        raise Refused("invalid_choice") from None


async def _thread_form(page: Page) -> tuple[FormMultiDict, str]:
    """A form posted on a thread, and ``here``: the page it comes back to (its ``next``, see
    :func:`thread_here`)."""
    form = await page.form()
    return form, thread_here(page, text(form, "next"))


def _thread_home(page: Page, thread: thread_queries.ThreadInfo) -> str:
    """The page a thread lives on (its proposal's, or its agenda item's): a link to one
    contribution leads there, not to the site's home."""
    if thread.proposal_id is not None:
        return page.path("proposals", thread.proposal_id)
    if thread.agenda_item_id is not None:
        return page.path("items", thread.agenda_item_id)
    return page.path("assemblies", thread.assembly_id)


class DeliberationController(Controller):
    path = "/"

    async def _thread(
        self, actor: Actor, thread_id: int, shown: ThreadSlice = _FROM_THE_START
    ) -> thread_queries.ThreadPage:
        organisation_id = actor.organisation.id
        if await thread_queries.thread_hidden_as_draft(
            organisation_id, thread_id, viewer_of(actor)
        ):
            raise NotFoundException()  # a draft's thread is its authors' too
        thread = await shown.of(actor, thread_id)
        if thread is None:
            raise NotFoundException()
        return thread

    async def _readable_contribution(
        self, actor: Actor, contribution_id: int
    ) -> tuple[thread_queries.ContributionView, thread_queries.ThreadPage]:
        """The contribution and its thread, or "not found" when it is in a draft's thread
        this member may not read."""
        found = await thread_queries.contribution(
            actor.organisation.id, contribution_id, actor.person_id
        )
        thread_id = await thread_queries.thread_id_of(actor.organisation.id, contribution_id)
        if found is None or thread_id is None:
            raise NotFoundException()
        return found, await self._thread(actor, thread_id)  # 404 for a draft's thread

    @get("/threads/{thread_id:int}/contributions")
    async def contributions(
        self,
        page: NamedDependency[Page],
        thread_id: FromPath[int],
        thread_slice: NamedDependency[ThreadSlice],
        next: FromQuery[str] = "",
    ) -> Template:
        """One slice of a long thread: appended in place by htmx ("show more"), or a page of
        its own without JavaScript."""
        thread = await self._thread(page.actor, thread_id, thread_slice)
        here = thread_here(page, next or None)
        return page.render(
            "pages/proposals/thread.html.jinja",
            fragment="partials/proposals/_contribution_list.html.jinja",
            **thread_context(page, thread, here),
        )

    def _form(
        self,
        page: Page,
        thread: thread_queries.ThreadPage,
        *,
        values: dict[str, str],
        parent_id: int | None,
        here: str,
        again: Redisplay | None = None,
    ) -> Template:
        return page.render_form(
            "pages/proposals/contribute.html.jinja",
            again,
            fragment="partials/proposals/_contribution_form.html.jinja",
            values=values,
            parent_id=parent_id,
            **thread_context(page, thread, here),
        )

    @post("/threads/{thread_id:int}/contributions")
    async def post_contribution(
        self, page: NamedDependency[Page], thread_id: FromPath[int]
    ) -> Template | Redirect:
        form, here = await _thread_form(page)
        values = _contribution_values(form)
        parent_id = optional_int(form, "parent")
        shown = ThreadSlice(order=text(form, "order"))  # the order the thread is shown in
        try:
            contribution_id = await deliberation.post_contribution(
                page.actor, thread_id, values["body"], stance=_stance(values), parent_id=parent_id
            )
        except Refused as error:
            thread = await self._thread(page.actor, thread_id, shown)
            return self._form(
                page,
                thread,
                values=values,
                parent_id=parent_id,
                here=here,
                again=errors_from(error, "body"),
            )
        if not page.htmx:
            return see_other(f"{here}#contribution-{contribution_id}")
        thread = await self._thread(page.actor, thread_id, shown)
        posted = await thread_queries.contribution(
            page.organisation.id, contribution_id, page.actor.person_id
        )
        return page.render(
            "partials/proposals/_posted.html.jinja",
            contribution=posted,
            values={"body": "", "stance": ""},
            errors=FormErrors(),
            parent_id=parent_id,
            **thread_context(page, thread, here),
        )

    async def _article(self, page: Page, contribution_id: int, here: str) -> Template:
        """The contribution alone, as htmx swaps it in after an edit, reaction or hiding."""
        found, thread = await self._readable_contribution(page.actor, contribution_id)
        return page.render(
            "partials/proposals/_contribution.html.jinja",
            contribution=found,
            **thread_context(page, thread, here),
        )

    @get("/contributions/{contribution_id:int}")
    async def show(
        self, page: NamedDependency[Page], contribution_id: FromPath[int], next: FromQuery[str] = ""
    ) -> Template | Redirect:
        if not page.htmx:
            thread_id = await thread_queries.thread_id_of(page.organisation.id, contribution_id)
            if thread_id is None:
                raise NotFoundException()
            thread = await self._thread(page.actor, thread_id)  # 404 for a draft's thread
            back = thread_here(page, next) if next else _thread_home(page, thread.info)
            return see_other(f"{back}#contribution-{contribution_id}")
        return await self._article(page, contribution_id, thread_here(page, next))

    @get("/contributions/{contribution_id:int}/reply")
    async def reply_form(
        self, page: NamedDependency[Page], contribution_id: FromPath[int], next: FromQuery[str] = ""
    ) -> Template:
        """The form to reply to a contribution: inline with htmx, a page of its own without."""
        found, thread = await self._readable_contribution(page.actor, contribution_id)
        here = thread_here(page, next)
        if not may_take_part(page.actor):
            return refusal(page, Refused("read_only"), here)
        return self._form(
            page,
            thread,
            values={"body": "", "stance": ""},
            parent_id=found.parent_id or found.id,
            here=here,
        )

    @get("/contributions/{contribution_id:int}/edit")
    async def edit_form(
        self, page: NamedDependency[Page], contribution_id: FromPath[int], next: FromQuery[str] = ""
    ) -> Template:
        found, _ = await self._readable_contribution(page.actor, contribution_id)
        values = {"body": found.body, "stance": found.stance}
        return self._edit_page(page, found, values, thread_here(page, next))

    def _edit_page(
        self,
        page: Page,
        contribution: thread_queries.ContributionView,
        values: dict[str, str],
        here: str,
        again: Redisplay | None = None,
    ) -> Template:
        return page.render_form(
            "pages/proposals/contribution_edit.html.jinja",
            again,
            fragment="partials/proposals/_contribution_edit_form.html.jinja",
            contribution=contribution,
            values=values,
            here=here,
        )

    async def _changed(self, page: Page, contribution_id: int, here: str) -> Template | Redirect:
        """After a change: back to the thread at the contribution, or (htmx) the contribution."""
        if not page.htmx:
            return see_other(f"{here}#contribution-{contribution_id}")
        return await self._article(page, contribution_id, here)

    async def _change(
        self, page: Page, call: Awaitable[object], contribution_id: int, here: str
    ) -> Template | Redirect:
        """Run ``call`` on a contribution: why it was refused, else :meth:`_changed`."""
        refused = await try_action(page, call, here)
        return refused or await self._changed(page, contribution_id, here)

    @post("/contributions/{contribution_id:int}/edit")
    async def edit(
        self, page: NamedDependency[Page], contribution_id: FromPath[int]
    ) -> Template | Redirect:
        form, here = await _thread_form(page)
        values = _contribution_values(form)
        try:
            await deliberation.edit_contribution(
                page.actor, contribution_id, values["body"], stance=_stance(values)
            )
        except Refused as error:
            found, _ = await self._readable_contribution(page.actor, contribution_id)
            return self._edit_page(page, found, values, here, errors_from(error, "body"))
        return await self._changed(page, contribution_id, here)

    @post("/contributions/{contribution_id:int}/hide")
    async def hide(
        self, page: NamedDependency[Page], contribution_id: FromPath[int]
    ) -> Template | Redirect:
        form, here = await _thread_form(page)
        call = deliberation.hide_contribution(page.actor, contribution_id, text(form, "reason"))
        return await self._change(page, call, contribution_id, here)

    @post("/contributions/{contribution_id:int}/react")
    async def react(
        self, page: NamedDependency[Page], contribution_id: FromPath[int]
    ) -> Template | Redirect:
        form, here = await _thread_form(page)
        try:
            kind = ReactionKind(text(form, "kind"))
        except ValueError:
            return refusal(page, Refused("invalid_choice"), here)
        call = deliberation.toggle_reaction(page.actor, contribution_id, kind)
        return await self._change(page, call, contribution_id, here)

    @post("/threads/{thread_id:int}/closed")
    async def set_closed(
        self, page: NamedDependency[Page], thread_id: FromPath[int]
    ) -> Template | Redirect:
        form, here = await _thread_form(page)
        call = deliberation.set_thread_closed(page.actor, thread_id, text(form, "closed") == "1")
        refused = await try_action(page, call, here)
        return refused or see_other(f"{here}#thread-{thread_id}")
