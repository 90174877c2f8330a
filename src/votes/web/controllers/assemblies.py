"""Assemblies: planning (facilitators), the agenda (reordered with buttons, or by drag and drop
as an enhancement), the item under discussion, the assembly's history, and the members' "now"
page that follows the session.

Every handler gets the viewer's page (outsiders already got a 404) and every query is
scoped by its organisation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_204_NO_CONTENT, HTTP_422_UNPROCESSABLE_ENTITY

from votes.db import agenda_queries, gathering_queries, now_queries, thread_queries
from votes.db.tables import AssemblyKind, AssemblyStatus, Convocation, SubmissionRule
from votes.i18n import gettext as _
from votes.services import advance_votes, assemblies, attendance
from votes.services.actors import Actor, may_run_assemblies, may_take_part
from votes.services.assemblies import AssemblyFields, ItemText
from votes.services.proposals import viewer_of
from votes.services.refusals import Refused
from votes.web.assembly_forms import (
    errors_from,
    local_datetime,
    local_input,
    optional_int,
    refusal,
    text,
    thread_context,
    try_action,
    typed,
)
from votes.web.controllers.gatherings import session_day
from votes.web.forms import FormErrors, Redisplay, whole_number
from votes.web.guards import requires
from votes.web.pages import Page, found
from votes.web.rendering import VARY, see_other
from votes.web.threads import ThreadSlice

# how often phones ask whether the "now" page changed (a 204 when it did not)
NOW_POLL_SECONDS = 30  # a last resort: the live stream's signals trigger the re-fetch


ASSEMBLY_FIELDS = (
    "title", "starts_at", "kind", "convocation", "place", "remote_url", "description",
    "submission_rule", "submission_deadline",
)  # fmt: skip
ITEM_FIELDS = ("title", "description", "planned_minutes")


def _planned_minutes(values: dict[str, str]) -> int:
    """The item's planned minutes (none typed: 0), refused when not a whole number."""
    if not values["planned_minutes"]:
        return 0
    minutes = whole_number(values["planned_minutes"])
    if minutes is None:
        raise Refused("minutes_invalid", "planned_minutes")
    return minutes


async def _save_item(
    save: Callable[[Actor, int, ItemText], Awaitable[int]],
    page: Page,
    target: int,
    values: dict[str, str],
) -> int:
    """Add an item to the assembly ``target``, or update the item ``target``, as typed."""
    text = ItemText(values["title"], values["description"], _planned_minutes(values))
    return await save(page.actor, target, text)


def _parse_assembly(values: dict[str, str], time_zone: str) -> tuple[AssemblyFields | None, Any]:
    errors = FormErrors()
    if not values["title"]:
        errors.add("title", _("Give a title."))
    starts_at = local_datetime(values["starts_at"], time_zone)
    if starts_at is None:
        errors.add("starts_at", _("Give a date and a time."))
    deadline = None
    if values["submission_deadline"]:
        deadline = local_datetime(values["submission_deadline"], time_zone)
        if deadline is None:
            errors.add("submission_deadline", _("Give a date and a time."))
    try:
        kind = AssemblyKind(values["kind"])
        convocation = Convocation(values["convocation"])
        rule = SubmissionRule(values["submission_rule"])
    except ValueError:
        errors.add("", _("Choose one of the options offered."))
    if errors or starts_at is None:
        return None, errors
    return (
        AssemblyFields(
            title=values["title"],
            starts_at=starts_at,
            kind=kind,
            convocation=convocation,
            place=values["place"],
            remote_url=values["remote_url"],
            description=values["description"],
            submission_rule=rule,
            submission_deadline=deadline,
        ),
        errors,
    )


class AssemblyController(Controller):
    path = "/"

    # --- planning ---------------------------------------------------------------------------

    def _assembly_form(
        self,
        page: Page,
        *,
        values: dict[str, str],
        assembly_id: int | None = None,
        again: Redisplay | None = None,
    ) -> Template:
        return page.render_form(
            "pages/assemblies/form.html.jinja",
            again,
            fragment="partials/assemblies/_assembly_form.html.jinja",
            values=values,
            assembly_id=assembly_id,
            kinds=list(AssemblyKind),
            convocations=list(Convocation),
            rules=list(SubmissionRule),
        )

    @get("/assemblies/new", guards=[requires(may_run_assemblies)])
    async def new_assembly(self, page: NamedDependency[Page]) -> Template:
        values = {
            "title": "", "starts_at": "", "kind": "ago", "convocation": "first", "place": "",
            "remote_url": "", "description": "", "submission_rule": "members",
            "submission_deadline": "",
        }  # fmt: skip
        return self._assembly_form(page, values=values)

    @post("/assemblies", guards=[requires(may_run_assemblies)])
    async def create_assembly(self, page: NamedDependency[Page]) -> Template | Redirect:
        values = typed(await page.form(), ASSEMBLY_FIELDS)
        fields, errors = _parse_assembly(values, page.organisation.time_zone)
        again = Redisplay(HTTP_422_UNPROCESSABLE_ENTITY, errors)
        if fields is not None:
            try:
                assembly_id = await assemblies.create_assembly(page.actor, **asdict(fields))
                return page.see_other("assemblies", assembly_id)
            except Refused as error:
                again = errors_from(error)
        return self._assembly_form(page, values=values, again=again)

    @get("/assemblies/{assembly_id:int}/edit", guards=[requires(may_run_assemblies)])
    async def edit_assembly_form(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template:
        assembly = await page.assembly(assembly_id)
        zone = page.organisation.time_zone
        values = {
            "title": assembly.title,
            "starts_at": local_input(assembly.starts_at, zone),
            "kind": assembly.kind,
            "convocation": assembly.convocation,
            "place": assembly.place,
            "remote_url": assembly.remote_url,
            "description": assembly.description,
            "submission_rule": assembly.submission_rule,
            "submission_deadline": local_input(assembly.submission_deadline, zone),
        }
        return self._assembly_form(page, values=values, assembly_id=assembly.id)

    @post("/assemblies/{assembly_id:int}/edit")
    async def edit_assembly(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        values = typed(await page.form(), ASSEMBLY_FIELDS)
        fields, errors = _parse_assembly(values, page.organisation.time_zone)
        again = Redisplay(HTTP_422_UNPROCESSABLE_ENTITY, errors)
        if fields is not None:
            try:
                await assemblies.update_assembly(page.actor, assembly_id, fields)
                return page.see_other("assemblies", assembly_id)
            except Refused as error:
                if error.code in ("not_found", "not_facilitator"):
                    return refusal(page, error, "")
                again = errors_from(error)
        return self._assembly_form(page, values=values, assembly_id=assembly_id, again=again)

    @post("/assemblies/{assembly_id:int}/status")
    async def change_status(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        back = page.path("assemblies", assembly_id)
        form = await page.form()
        try:
            status = AssemblyStatus(text(form, "status"))
        except ValueError:
            return refusal(page, Refused("invalid_choice"), back)
        change = assemblies.set_assembly_status(page.actor, assembly_id, status)
        return await try_action(page, change, back) or see_other(back)

    # --- the assembly and its agenda ----------------------------------------------------------

    async def _detail(
        self,
        page: Page,
        assembly_id: int,
        *,
        fragment: str | None = None,
        status_code: int = 200,
        item_errors: FormErrors | None = None,
        item_values: dict[str, str] | None = None,
    ) -> Template:
        """The assembly's page; after a refused new item, its form again (the fragment for
        htmx) with what was typed."""
        actor = page.actor
        detail = found(
            await agenda_queries.assembly_page(page.organisation.id, assembly_id, viewer_of(actor))
        )
        window = await advance_votes.window(page.organisation.id, assembly_id)
        # a session of a gathering links back to its programme (#20)
        session = await gathering_queries.session_of(page.organisation.id, assembly_id)
        # the "now" page follows one assembly: with parallel sessions (a gathering's ateliers)
        # only that one's page leads there; the others lead to their own floor
        followed = await now_queries.current_assembly(page.organisation.id)
        return page.render(
            "pages/assemblies/detail.html.jinja",
            session=session,
            session_day=session_day(session[1], page.organisation.time_zone) if session else "",
            fragment=fragment,
            status_code=status_code,
            page_data=detail,
            manager=may_run_assemblies(actor),
            may_take_part=may_take_part(actor),
            next_statuses=await assemblies.next_statuses(assembly_id, detail.assembly.status),
            # the vote by correspondence, while its form is open
            advance_vote_open=window.open,
            followed_now=followed is not None and followed.id == assembly_id,
            item_errors=item_errors or FormErrors(),
            item_values=item_values or {"title": "", "description": "", "planned_minutes": ""},
        )

    @get("/assemblies/{assembly_id:int}")
    async def assembly(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        return await self._detail(page, assembly_id)

    @post("/assemblies/{assembly_id:int}/items")
    async def add_item(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        values = typed(await page.form(), ITEM_FIELDS)
        try:
            item_id = await _save_item(assemblies.add_item, page, assembly_id, values)
        except Refused as error:
            if error.code in ("not_found", "not_facilitator", "assembly_closed", "record_final"):
                return refusal(page, error, "")
            status, errors = errors_from(error)
            return await self._detail(
                page,
                assembly_id,
                fragment="partials/assemblies/_item_form.html.jinja",
                status_code=status,
                item_errors=errors,
                item_values=values,
            )
        return see_other(f"{page.path('assemblies', assembly_id)}#item-{item_id}")

    @get("/items/{item_id:int}")
    async def item(
        self,
        page: NamedDependency[Page],
        item_id: FromPath[int],
        thread_slice: NamedDependency[ThreadSlice],
    ) -> Template:
        actor = page.actor
        assembly, item = found(
            await agenda_queries.agenda_item(page.organisation.id, item_id, viewer_of(actor))
        )
        thread = await thread_slice.of(actor, found(item.thread_id))
        return page.render(
            "pages/assemblies/item.html.jinja",
            assembly=assembly,
            item=item,
            **thread_context(page, thread),
        )

    @get("/items/{item_id:int}/edit", guards=[requires(may_run_assemblies)])
    async def edit_item_form(self, page: NamedDependency[Page], item_id: FromPath[int]) -> Template:
        assembly, item = found(await agenda_queries.agenda_item(page.organisation.id, item_id))
        values = {
            "title": item.title,
            "description": item.description,
            "planned_minutes": str(item.planned_minutes or ""),
        }
        return self._item_edit(page, assembly, item_id, values)

    def _item_edit(
        self,
        page: Page,
        assembly: agenda_queries.AssemblyView,
        item_id: int,
        values: dict[str, str],
        errors: FormErrors | None = None,
        status_code: int = 200,
    ) -> Template:
        return page.render(
            "pages/assemblies/item_form.html.jinja",
            status_code=status_code,
            assembly=assembly,
            item_id=item_id,
            item_values=values,
            item_errors=errors or FormErrors(),
        )

    @post("/items/{item_id:int}/edit")
    async def edit_item(
        self, page: NamedDependency[Page], item_id: FromPath[int]
    ) -> Template | Redirect:
        values = typed(await page.form(), ITEM_FIELDS)
        try:
            assembly_id = await _save_item(assemblies.update_item, page, item_id, values)
        except Refused as error:
            shown = await agenda_queries.agenda_item(page.organisation.id, item_id)
            if error.field == "" or shown is None:
                return refusal(page, error, "")
            status, errors = errors_from(error)
            return self._item_edit(page, shown[0], item_id, values, errors, status)
        return see_other(f"{page.path('assemblies', assembly_id)}#item-{item_id}")

    @post("/items/{item_id:int}/move")
    async def move_item(
        self, page: NamedDependency[Page], item_id: FromPath[int]
    ) -> Template | Redirect:
        direction = text(await page.form(), "direction")
        step = -1 if direction == "up" else 1
        try:
            assembly_id = await assemblies.move_item(page.actor, item_id, step)
        except Refused as error:
            return refusal(page, error, "")
        return see_other(f"{page.path('assemblies', assembly_id)}#item-{item_id}")

    @post("/items/{item_id:int}/remove")
    async def remove_item(
        self, page: NamedDependency[Page], item_id: FromPath[int]
    ) -> Template | Redirect:
        try:
            assembly_id = await assemblies.remove_item(page.actor, item_id)
        except Refused as error:
            return refusal(page, error, "")
        return see_other(f"{page.path('assemblies', assembly_id)}#agenda-title")

    @post("/assemblies/{assembly_id:int}/order")
    async def reorder(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Response[None] | Redirect:
        """The drag-and-drop script posts the whole new order (``item`` repeated)."""
        form = await page.form()
        back = page.path("assemblies", assembly_id)
        order = [whole_number(value) for value in form.getall("item", [])]
        if None in order:
            return refusal(page, Refused("agenda_changed"), back)
        change = assemblies.reorder_agenda(
            page.actor, assembly_id, [n for n in order if n is not None]
        )
        if refused := await try_action(page, change, back):
            return refused
        if page.htmx:
            return Response(content=None, status_code=HTTP_204_NO_CONTENT)
        return see_other(back)

    @post("/assemblies/{assembly_id:int}/current")
    async def mark_current(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        item_id = optional_int(await page.form(), "item")
        back = page.path("assemblies", assembly_id)
        change = assemblies.mark_current_item(page.actor, assembly_id, item_id)
        refused = await try_action(page, change, back)
        return refused or see_other(f"{back}#item-{item_id}" if item_id else back)

    @get("/assemblies/{assembly_id:int}/history")
    async def history(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        assembly = await page.assembly(assembly_id)
        return page.render(
            "pages/assemblies/history.html.jinja",
            assembly=assembly,
            entries=await agenda_queries.history_of(
                page.organisation.id, assembly_id, viewer_of(page.actor)
            ),
        )

    # --- the members' "now" page ----------------------------------------------------------------

    @get("/now")
    async def now(
        self, page: NamedDependency[Page], since: FromQuery[str] = ""
    ) -> Template | Response[None]:
        """What the assembly is doing right now. The live stream's signals make phones ask
        again, and a slow poll remains as a last resort, both with ``since=<stamp>``: an
        unchanged stamp answers 204 (htmx swaps nothing) after three small queries."""
        organisation_id = page.organisation.id
        stamp = await now_queries.now_stamp(organisation_id)
        if since and since == stamp and page.htmx:
            return Response(
                content=None,
                status_code=HTTP_204_NO_CONTENT,
                headers={"Vary": VARY, "Cache-Control": "no-store"},
            )
        view = await now_queries.now_view(organisation_id, stamp)
        thread = (
            await thread_queries.thread_page(
                organisation_id, view.thread_id, page.actor.person_id, order="newest", limit=5
            )
            if view.thread_id
            else None
        )
        return page.render(
            "pages/assemblies/now.html.jinja",
            fragment="partials/assemblies/_now.html.jinja",
            now=view,
            quorum=await attendance.quorum_banner(organisation_id, view.assembly.id)
            if view.assembly
            else None,
            stamp=stamp,
            poll_seconds=NOW_POLL_SECONDS,
            **thread_context(page, thread),
        )
