"""Downloads of an assembly's records: results of every ballot (CSV, JSON) for every member,
the attendance register (CSV, PDF) and the whole-assembly archive for those who run the
assembly. The archive can take seconds on a large assembly: it is built in the background and
its page shows the progress (htmx polls a small fragment; without JavaScript the page reloads
itself every two seconds) until the download is ready."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template

from votes.db import minutes_queries as mq
from votes.db.minutes_queries import AssemblyRecord
from votes.services import exports, rules
from votes.services.actors import Actor, may_run_assemblies
from votes.web import records
from votes.web.downloads import download, pdf_download
from votes.web.guards import requires
from votes.web.pages import Page, found


async def _record(actor: NamedDependency[Actor], assembly_id: FromPath[int]) -> AssemblyRecord:
    """The assembly's record, which every file and the archive are made of: 404 for an
    assembly of another cooperative (after the route's guard, as Litestar runs guards first)."""
    return found(await mq.assembly_record(actor.organisation.id, assembly_id))


class ExportsController(Controller):
    path = "/assemblies/{assembly_id:int}"
    dependencies = {"record": Provide(_record)}  # noqa: RUF012 - Litestar's declared shape

    @get("/results.csv")
    async def results_csv(self, record: NamedDependency[AssemblyRecord]) -> Response[bytes]:
        return _record_file(record, exports.results_csv, "results.csv")

    @get("/results.json")
    async def results_json(self, record: NamedDependency[AssemblyRecord]) -> Response[bytes]:
        return _record_file(record, exports.results_json, "results.json")

    @get("/attendance.csv", guards=[requires(may_run_assemblies)])
    async def attendance_csv(self, record: NamedDependency[AssemblyRecord]) -> Response[bytes]:
        return _record_file(record, exports.attendance_csv, "attendance.csv")

    @get("/attendance.pdf", guards=[requires(may_run_assemblies)])
    async def attendance_pdf(
        self,
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
        record: NamedDependency[AssemblyRecord],
    ) -> Response[bytes]:
        minutes = await mq.minutes_row(actor.organisation.id, assembly_id)
        language = minutes.language if minutes else record.organisation.default_language
        profile = await rules.assembly_profile(actor.organisation.id, assembly_id)
        body = records.render_attendance(record, language, profile)
        html = records.standalone_html(record.assembly.title, body, language)
        return pdf_download(await records.pdf_of(html), f"assembly-{assembly_id}-attendance.pdf")

    @get("/archive", guards=[requires(may_run_assemblies)])
    async def archive(
        self,
        page: NamedDependency[Page],
        assembly_id: FromPath[int],
        record: NamedDependency[AssemblyRecord],
    ) -> Template:
        job = await exports.latest_job(page.organisation.id, assembly_id, page.actor.person_id)
        return page.render(
            "pages/minutes/archive.html.jinja",
            fragment="partials/minutes/_archive_progress.html.jinja",
            record=record,
            job=job,
        )

    @post("/archive", guards=[requires(may_run_assemblies)])
    async def start_archive(
        self, page: NamedDependency[Page], record: NamedDependency[AssemblyRecord]
    ) -> Redirect:
        assembly_id = record.assembly.id  # read through the record: 404 for another's
        await exports.start_archive(page.actor, assembly_id)
        return page.see_other("assemblies", assembly_id, "archive")

    @get("/archive.json", guards=[requires(may_run_assemblies)])
    async def archive_download(
        self, actor: NamedDependency[Actor], assembly_id: FromPath[int]
    ) -> Response[bytes]:
        content = found(
            await exports.archive_content(actor.organisation.id, assembly_id, actor.person_id)
        )
        return download(content, "application/json", f"assembly-{assembly_id}-archive.json")


def _record_file(
    record: AssemblyRecord, write: Callable[[AssemblyRecord], str], name: str
) -> Response[bytes]:
    """A file ``write`` makes of the assembly's record, saved as ``assembly-<id>-<name>``."""
    media_type = "application/json" if name.endswith(".json") else "text/csv"
    return download(write(record), media_type, f"assembly-{record.assembly.id}-{name}")
