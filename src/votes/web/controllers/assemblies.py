"""Assemblies: planning (facilitators), the agenda (reordered with buttons, or by drag and drop
as an enhancement), the item under discussion, the assembly's history, and the members' "now"
page that follows the session.

Every handler gets the viewer's actor (outsiders already got a 404) and every query is
scoped by its organisation.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_204_NO_CONTENT, HTTP_422_UNPROCESSABLE_ENTITY

from votes.db import agenda_queries, now_queries, thread_queries
from votes.db.tables import AssemblyKind, AssemblyStatus, Convocation, SubmissionRule
from votes.i18n import gettext as _
from votes.services import advance_votes, assemblies, attendance
from votes.services.actors import Actor, may_run_assemblies, may_take_part
from votes.services.assemblies import AssemblyFields
from votes.services.proposals import viewer_of
from votes.services.refusals import Refused
from votes.web.assembly_forms import (
    errors_from,
    local_datetime,
    local_input,
    optional_int,
    refused,
    text,
    thread_context,
)
from votes.web.context import RequestContext
from votes.web.forms import FormErrors, QueryCount, whole_number
from votes.web.guards import requires
from votes.web.rendering import VARY, is_htmx, page, see_other

# how often phones ask whether the "now" page changed (a 204 when it did not)
NOW_POLL_SECONDS = 30  # a last resort: the live stream's signals trigger the re-fetch


def _base(org: Actor) -> str:
    return f"/o/{org.organisation.short_name}"


def _form_values(form: Any) -> dict[str, str]:
    names = (
        "title", "starts_at", "kind", "convocation", "place", "remote_url", "description",
        "submission_rule", "submission_deadline",
    )  # fmt: skip
    return {name: text(form, name).strip() for name in names}


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
        request: Request[Any, Any, State],
        context: RequestContext,
        actor: Actor,
        *,
        values: dict[str, str],
        errors: FormErrors,
        assembly_id: int | None = None,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "pages/assemblies/form.html.jinja",
            fragment="partials/assemblies/_assembly_form.html.jinja",
            status_code=status_code,
            context=context,
            membership=actor,
            organisation=actor.organisation,
            values=values,
            errors=errors,
            assembly_id=assembly_id,
            kinds=list(AssemblyKind),
            convocations=list(Convocation),
            rules=list(SubmissionRule),
        )

    @get("/assemblies/new", guards=[requires(may_run_assemblies)])
    async def new_assembly(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
    ) -> Template:
        values = {
            "title": "", "starts_at": "", "kind": "ago", "convocation": "first", "place": "",
            "remote_url": "", "description": "", "submission_rule": "members",
            "submission_deadline": "",
        }  # fmt: skip
        return self._assembly_form(request, context, actor, values=values, errors=FormErrors())

    @post("/assemblies", guards=[requires(may_run_assemblies)])
    async def create_assembly(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
    ) -> Template | Redirect:
        values = _form_values(await request.form())
        fields, errors = _parse_assembly(values, actor.organisation.time_zone)
        if fields is not None:
            try:
                assembly_id = await assemblies.create_assembly(
                    actor,
                    fields.title,
                    fields.starts_at,
                    kind=fields.kind,
                    convocation=fields.convocation,
                    place=fields.place,
                    remote_url=fields.remote_url,
                    description=fields.description,
                    submission_rule=fields.submission_rule,
                    submission_deadline=fields.submission_deadline,
                )
                return see_other(f"{_base(actor)}/assemblies/{assembly_id}")
            except Refused as error:
                status, errors = errors_from(error)
                return self._assembly_form(
                    request, context, actor, values=values, errors=errors, status_code=status
                )
        return self._assembly_form(
            request,
            context,
            actor,
            values=values,
            errors=errors,
            status_code=HTTP_422_UNPROCESSABLE_ENTITY,
        )

    @get("/assemblies/{assembly_id:int}/edit", guards=[requires(may_run_assemblies)])
    async def edit_assembly_form(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template:
        assembly = await agenda_queries.assembly_view(actor.organisation.id, assembly_id)
        if assembly is None:
            raise NotFoundException()
        zone = actor.organisation.time_zone
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
        return self._assembly_form(
            request,
            context,
            actor,
            values=values,
            errors=FormErrors(),
            assembly_id=assembly.id,
        )

    @post("/assemblies/{assembly_id:int}/edit")
    async def edit_assembly(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template | Redirect:
        values = _form_values(await request.form())
        fields, errors = _parse_assembly(values, actor.organisation.time_zone)
        status = HTTP_422_UNPROCESSABLE_ENTITY
        if fields is not None:
            try:
                await assemblies.update_assembly(actor, assembly_id, fields)
                return see_other(f"{_base(actor)}/assemblies/{assembly_id}")
            except Refused as error:
                if error.code in ("not_found", "not_facilitator"):
                    return refused(request, context, actor, error, "")
                status, errors = errors_from(error)
        return self._assembly_form(
            request,
            context,
            actor,
            values=values,
            errors=errors,
            assembly_id=assembly_id,
            status_code=status,
        )

    @post("/assemblies/{assembly_id:int}/status")
    async def change_status(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template | Redirect:
        back = f"{_base(actor)}/assemblies/{assembly_id}"
        form = await request.form()
        try:
            status = AssemblyStatus(text(form, "status"))
            await assemblies.set_assembly_status(actor, assembly_id, status)
        except ValueError:
            return refused(request, context, actor, Refused("invalid_choice"), back)
        except Refused as error:
            return refused(request, context, actor, error, back)
        return see_other(back)

    # --- the assembly and its agenda ----------------------------------------------------------

    @get("/assemblies/{assembly_id:int}")
    async def assembly(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template:
        detail = await agenda_queries.assembly_page(
            actor.organisation.id, assembly_id, viewer_of(actor)
        )
        if detail is None:
            raise NotFoundException()
        return page(
            request,
            "pages/assemblies/detail.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            page_data=detail,
            manager=may_run_assemblies(actor),
            may_take_part=may_take_part(actor),
            next_statuses=await assemblies.next_statuses(assembly_id, detail.assembly.status),
            # the vote by correspondence, while its form is open (#18)
            advance_vote_open=(await advance_votes.window(actor.organisation.id, assembly_id)).open,
            item_errors=FormErrors(),
            item_values={"title": "", "description": "", "planned_minutes": ""},
        )

    @post("/assemblies/{assembly_id:int}/items")
    async def add_item(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        values = {name: text(form, name).strip() for name in ("title", "description")}
        values["planned_minutes"] = text(form, "planned_minutes").strip()
        minutes = optional_int(form, "planned_minutes")
        try:
            if values["planned_minutes"] and minutes is None:
                raise Refused("minutes_invalid", "planned_minutes")
            item_id = await assemblies.add_item(
                actor,
                assembly_id,
                values["title"],
                description=values["description"],
                planned_minutes=minutes or 0,
            )
        except Refused as error:
            if error.code in ("not_found", "not_facilitator", "assembly_closed", "record_final"):
                return refused(request, context, actor, error, "")
            status, errors = errors_from(error)
            detail = await agenda_queries.assembly_page(
                actor.organisation.id, assembly_id, viewer_of(actor)
            )
            return page(
                request,
                "pages/assemblies/detail.html.jinja",
                fragment="partials/assemblies/_item_form.html.jinja",
                status_code=status,
                context=context,
                membership=actor,
                organisation=actor.organisation,
                page_data=detail,
                manager=True,
                may_take_part=may_take_part(actor),
                next_statuses=(
                    await assemblies.next_statuses(assembly_id, detail.assembly.status)
                    if detail
                    else ()
                ),
                item_errors=errors,
                item_values=values,
            )
        return see_other(f"{_base(actor)}/assemblies/{assembly_id}#item-{item_id}")

    @get("/items/{item_id:int}")
    async def item(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        item_id: FromPath[int],
        order: FromQuery[str] = "oldest",
        offset: QueryCount = 0,
    ) -> Template:
        found = await agenda_queries.agenda_item(actor.organisation.id, item_id, viewer_of(actor))
        if found is None or found[1].thread_id is None:
            raise NotFoundException()
        assembly, item = found
        thread = await thread_queries.thread_page(
            actor.organisation.id,
            found[1].thread_id,
            actor.person_id,
            order=order,
            offset=offset,
        )
        return page(
            request,
            "pages/assemblies/item.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            assembly=assembly,
            item=item,
            **thread_context(actor, thread, request.url.path),
        )

    @get("/items/{item_id:int}/edit", guards=[requires(may_run_assemblies)])
    async def edit_item_form(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        item_id: FromPath[int],
    ) -> Template:
        found = await agenda_queries.agenda_item(actor.organisation.id, item_id)
        if found is None:
            raise NotFoundException()
        assembly, item = found
        values = {
            "title": item.title,
            "description": item.description,
            "planned_minutes": str(item.planned_minutes or ""),
        }
        return self._item_edit(request, context, actor, assembly, item_id, values)

    def _item_edit(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        actor: Actor,
        assembly: agenda_queries.AssemblyView,
        item_id: int,
        values: dict[str, str],
        errors: FormErrors | None = None,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "pages/assemblies/item_form.html.jinja",
            status_code=status_code,
            context=context,
            membership=actor,
            organisation=actor.organisation,
            assembly=assembly,
            item_id=item_id,
            item_values=values,
            item_errors=errors or FormErrors(),
        )

    @post("/items/{item_id:int}/edit")
    async def edit_item(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        item_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        values = {name: text(form, name).strip() for name in ("title", "description")}
        values["planned_minutes"] = text(form, "planned_minutes").strip()
        minutes = optional_int(form, "planned_minutes")
        try:
            if values["planned_minutes"] and minutes is None:
                raise Refused("minutes_invalid", "planned_minutes")
            assembly_id = await assemblies.update_item(
                actor,
                item_id,
                values["title"],
                description=values["description"],
                planned_minutes=minutes or 0,
            )
        except Refused as error:
            found = await agenda_queries.agenda_item(actor.organisation.id, item_id)
            if error.field == "" or found is None:
                return refused(request, context, actor, error, "")
            status, errors = errors_from(error)
            return self._item_edit(
                request, context, actor, found[0], item_id, values, errors, status
            )
        return see_other(f"{_base(actor)}/assemblies/{assembly_id}#item-{item_id}")

    @post("/items/{item_id:int}/move")
    async def move_item(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        item_id: FromPath[int],
    ) -> Template | Redirect:
        direction = text(await request.form(), "direction")
        try:
            assembly_id = await assemblies.move_item(actor, item_id, -1 if direction == "up" else 1)
        except Refused as error:
            return refused(request, context, actor, error, "")
        return see_other(f"{_base(actor)}/assemblies/{assembly_id}#item-{item_id}")

    @post("/items/{item_id:int}/remove")
    async def remove_item(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        item_id: FromPath[int],
    ) -> Template | Redirect:
        try:
            assembly_id = await assemblies.remove_item(actor, item_id)
        except Refused as error:
            return refused(request, context, actor, error, "")
        return see_other(f"{_base(actor)}/assemblies/{assembly_id}#agenda-title")

    @post("/assemblies/{assembly_id:int}/order")
    async def reorder(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template | Response[None] | Redirect:
        """The drag-and-drop script posts the whole new order (``item`` repeated)."""
        form = await request.form()
        back = f"{_base(actor)}/assemblies/{assembly_id}"
        order = [whole_number(value) for value in form.getall("item", [])]
        if None in order:
            return refused(request, context, actor, Refused("agenda_changed"), back)
        try:
            await assemblies.reorder_agenda(actor, assembly_id, [n for n in order if n is not None])
        except Refused as error:
            return refused(request, context, actor, error, back)
        if is_htmx(request):
            return Response(content=None, status_code=HTTP_204_NO_CONTENT)
        return see_other(back)

    @post("/assemblies/{assembly_id:int}/current")
    async def mark_current(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template | Redirect:
        item_id = optional_int(await request.form(), "item")
        back = f"{_base(actor)}/assemblies/{assembly_id}"
        try:
            await assemblies.mark_current_item(actor, assembly_id, item_id)
        except Refused as error:
            return refused(request, context, actor, error, back)
        return see_other(f"{back}#item-{item_id}" if item_id else back)

    @get("/assemblies/{assembly_id:int}/history")
    async def history(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template:
        assembly = await agenda_queries.assembly_view(actor.organisation.id, assembly_id)
        if assembly is None:
            raise NotFoundException()
        return page(
            request,
            "pages/assemblies/history.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            assembly=assembly,
            entries=await agenda_queries.history_of(
                actor.organisation.id, assembly_id, viewer_of(actor)
            ),
        )

    # --- the members' "now" page ----------------------------------------------------------------

    @get("/now")
    async def now(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        since: FromQuery[str] = "",
    ) -> Template | Response[None]:
        """What the assembly is doing right now. The live stream's signals make phones ask
        again, and a slow poll remains as a last resort, both with ``since=<stamp>``: an
        unchanged stamp answers 204 (htmx swaps nothing) after three small queries."""
        organisation_id = actor.organisation.id
        stamp = await now_queries.now_stamp(organisation_id)
        if since and since == stamp and is_htmx(request):
            return Response(
                content=None,
                status_code=HTTP_204_NO_CONTENT,
                headers={"Vary": VARY, "Cache-Control": "no-store"},
            )
        view = await now_queries.now_view(organisation_id, stamp)
        thread = (
            await thread_queries.thread_page(
                organisation_id, view.thread_id, actor.person_id, order="newest", limit=5
            )
            if view.thread_id
            else None
        )
        return page(
            request,
            "pages/assemblies/now.html.jinja",
            fragment="partials/assemblies/_now.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            now=view,
            quorum=await attendance.quorum_banner(organisation_id, view.assembly.id)
            if view.assembly
            else None,
            stamp=stamp,
            poll_seconds=NOW_POLL_SECONDS,
            **thread_context(actor, thread, f"{_base(actor)}/now"),
        )
