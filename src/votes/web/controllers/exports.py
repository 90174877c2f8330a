"""Downloads of an assembly's records: results of every ballot (CSV, JSON) for every member,
the attendance register (CSV, PDF) and the whole-assembly archive for those who run the
assembly. The archive can take seconds on a large assembly: it is built in the background and
its page shows the progress (htmx polls a small fragment; without JavaScript the page reloads
itself every two seconds) until the download is ready."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from votes.db import minutes_queries as mq
from votes.db.minutes_queries import AssemblyRecord
from votes.db.queries import MembershipView
from votes.services import exports, rules
from votes.services.assemblies import can_manage
from votes.web import records
from votes.web.context import RequestContext
from votes.web.controllers.minutes import pdf_download
from votes.web.guards import provide_membership, requires_sign_in
from votes.web.rendering import page, see_other


def _download(body: str, media_type: str, filename: str) -> Response[str]:
    return Response(
        content=body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _ensure_manager(membership: MembershipView) -> None:
    if not can_manage(membership):
        raise PermissionDeniedException()


async def _record(membership: MembershipView, assembly_id: int) -> AssemblyRecord:
    record = await mq.assembly_record(membership.organisation.id, assembly_id)
    if record is None:
        raise NotFoundException()
    return record


class ExportsController(Controller):
    path = "/o/{org:str}/assemblies/{assembly_id:int}"
    guards = [requires_sign_in]  # noqa: RUF012 - Litestar reads this class attribute
    dependencies = {"membership": Provide(provide_membership)}  # noqa: RUF012

    @get("/results.csv")
    async def results_csv(
        self, membership: NamedDependency[MembershipView], assembly_id: FromPath[int]
    ) -> Response[str]:
        record = await _record(membership, assembly_id)
        return _download(
            exports.results_csv(record),
            "text/csv; charset=utf-8",
            f"assembly-{assembly_id}-results.csv",
        )

    @get("/results.json")
    async def results_json(
        self, membership: NamedDependency[MembershipView], assembly_id: FromPath[int]
    ) -> Response[str]:
        record = await _record(membership, assembly_id)
        return _download(
            exports.results_json(record),
            "application/json",
            f"assembly-{assembly_id}-results.json",
        )

    @get("/attendance.csv")
    async def attendance_csv(
        self, membership: NamedDependency[MembershipView], assembly_id: FromPath[int]
    ) -> Response[str]:
        _ensure_manager(membership)
        record = await _record(membership, assembly_id)
        return _download(
            exports.attendance_csv(record),
            "text/csv; charset=utf-8",
            f"assembly-{assembly_id}-attendance.csv",
        )

    @get("/attendance.pdf")
    async def attendance_pdf(
        self, membership: NamedDependency[MembershipView], assembly_id: FromPath[int]
    ) -> Response[bytes]:
        _ensure_manager(membership)
        record = await _record(membership, assembly_id)
        minutes = await mq.minutes_row(membership.organisation.id, assembly_id)
        language = minutes.language if minutes else record.organisation.default_language
        profile = await rules.assembly_profile(membership.organisation.id, assembly_id)
        body = records.render_attendance(record, language, profile)
        html = records.standalone_html(record.assembly.title, body, language)
        return pdf_download(await records.pdf_of(html), f"assembly-{assembly_id}-attendance.pdf")

    @get("/archive")
    async def archive(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        membership: NamedDependency[MembershipView],
        assembly_id: FromPath[int],
    ) -> Template:
        _ensure_manager(membership)
        record = await _record(membership, assembly_id)
        job = await exports.latest_job(
            membership.organisation.id, assembly_id, membership.person_id
        )
        return page(
            request,
            "pages/minutes/archive.html.jinja",
            fragment="partials/minutes/_archive_progress.html.jinja",
            context=context,
            membership=membership,
            organisation=membership.organisation,
            record=record,
            job=job,
        )

    @post("/archive")
    async def start_archive(
        self, membership: NamedDependency[MembershipView], assembly_id: FromPath[int]
    ) -> Redirect:
        _ensure_manager(membership)
        await _record(membership, assembly_id)
        await exports.start_archive(membership.organisation.id, assembly_id, membership.person_id)
        return see_other(
            f"/o/{membership.organisation.short_name}/assemblies/{assembly_id}/archive"
        )

    @get("/archive.json")
    async def archive_download(
        self, membership: NamedDependency[MembershipView], assembly_id: FromPath[int]
    ) -> Response[str]:
        _ensure_manager(membership)
        content = await exports.archive_content(
            membership.organisation.id, assembly_id, membership.person_id
        )
        if content is None:
            raise NotFoundException()
        return _download(content, "application/json", f"assembly-{assembly_id}-archive.json")
