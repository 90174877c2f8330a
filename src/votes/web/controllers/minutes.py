"""The procès-verbal on the web: read it, let the secretary write the bureau's names, an
introduction and notes, finalise it (frozen, digest in the audit trail), print it or download
it as PDF.

Who sees what: facilitators, administrators and scrutineers see the draft as it builds up;
every member reads the minutes once they are final. Only facilitators and administrators
write and finalise.
"""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from votes.db import minutes_queries as mq
from votes.db.minutes_queries import AssemblyRecord, MinutesRow
from votes.i18n import LANGUAGES
from votes.services import minutes as service
from votes.services import rules
from votes.services.actors import Actor, may_run_assemblies
from votes.services.refusals import Refused
from votes.web import records
from votes.web.downloads import pdf_download
from votes.web.forms import FormErrors, Redisplay
from votes.web.guards import requires
from votes.web.mood_annex import mood_annex
from votes.web.pages import Page, found
from votes.web.refusals import area, explain, row_form_errors
from votes.web.rendering import see_other

FIELDS = ("language", "chair", "secretary", "scrutineers", "introduction", "notes")

REFUSALS = area("minutes")


def may_read_draft(actor: Actor) -> bool:
    return may_run_assemblies(actor) or actor.is_scrutineer


async def _record(page: Page, assembly_id: int) -> AssemblyRecord:
    return found(await mq.assembly_record(page.organisation.id, assembly_id))


def _language(minutes: MinutesRow | None, record: AssemblyRecord) -> str:
    if minutes is not None:
        return minutes.language
    default = record.organisation.default_language
    return default if default in LANGUAGES else "fr"


async def _document(record: AssemblyRecord, minutes: MinutesRow | None) -> str:
    """The stored document when final, else the draft as it stands now."""
    if minutes is not None and minutes.is_final:
        return minutes.content
    profile = await rules.assembly_profile(record.organisation.id, record.assembly.id)
    language = _language(minutes, record)
    document = records.render_document(record, minutes, language, profile)
    # mood checks never among the resolutions: an annex after the document
    return document + await mood_annex(record.organisation.id, record.assembly.id, language)


def _values(minutes: MinutesRow | None, record: AssemblyRecord) -> dict[str, str]:
    if minutes is None:
        return {
            "language": _language(None, record),
            "chair": record.facilitators[0] if record.facilitators else "",
            "secretary": "",
            "scrutineers": ", ".join(record.scrutineers),
            "introduction": "",
            "notes": "",
        }
    return {name: getattr(minutes, name) for name in FIELDS}


class MinutesController(Controller):
    path = "/assemblies/{assembly_id:int}"

    @get("/minutes")
    async def minutes(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        return await self._page(page, await _record(page, assembly_id))

    async def _page(
        self,
        page: Page,
        record: AssemblyRecord,
        *,
        values: dict[str, str] | None = None,
        again: Redisplay | None = None,
    ) -> Template:
        """The minutes as they stand, with the secretary's form (``values`` as typed)."""
        organisation_id = page.organisation.id
        minutes = await mq.minutes_row(organisation_id, record.assembly.id)
        final = minutes is not None and minutes.is_final
        readable = final or may_read_draft(page.actor)
        intact = None
        if final:
            intact = await service.check_final_minutes(organisation_id, record.assembly.id)
        return page.render_form(
            "pages/minutes/minutes.html.jinja",
            again,
            record=record,
            minutes=minutes,
            final=final,
            intact=intact,
            document=await _document(record, minutes) if readable else "",
            manager=may_run_assemblies(page.actor),
            values=values or _values(minutes, record),
            languages=LANGUAGES,
        )

    @post("/minutes", guards=[requires(may_run_assemblies)])
    async def save(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        record = await _record(page, assembly_id)
        form = await page.form()
        values = {name: str(form.get(name, "")) for name in FIELDS}
        draft = service.MinutesDraft(**values)
        errors = FormErrors()
        for name, code in service.check_draft(draft).items():
            errors.add(name, explain(code, REFUSALS).message)
        if errors:
            return await self._page(page, record, values=values, again=Redisplay(422, errors))
        try:
            await service.save_draft(
                page.organisation.id, assembly_id, draft, person_id=page.actor.person_id
            )
        except Refused as error:
            return await self._with_error(page, record, error, values)
        return see_other(page.path("assemblies", assembly_id, "minutes") + "#document")

    async def _with_error(
        self,
        page: Page,
        record: AssemblyRecord,
        error: Refused,
        values: dict[str, str] | None = None,
    ) -> Template:
        """The minutes' page again, saying why the action was refused (nothing typed lost)."""
        again = row_form_errors(error, REFUSALS)
        return await self._page(page, record, values=values, again=again)

    @post("/minutes/finalise", guards=[requires(may_run_assemblies)])
    async def finalise(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        record = await _record(page, assembly_id)
        minutes = await mq.minutes_row(page.organisation.id, assembly_id)
        if minutes is not None and minutes.is_final:
            return await self._with_error(page, record, Refused("minutes_final"))
        content = await _document(record, minutes)
        try:
            await service.finalise(
                page.organisation.id, assembly_id, content, person_id=page.actor.person_id
            )
        except Refused as error:
            return await self._with_error(page, record, error)
        return page.see_other("assemblies", assembly_id, "minutes")

    async def _readable_document(
        self, page: Page, assembly_id: int
    ) -> tuple[AssemblyRecord, str, str]:
        """(record, document, language) for print and PDF; a draft is for the bureau only."""
        record = await _record(page, assembly_id)
        minutes = await mq.minutes_row(page.organisation.id, assembly_id)
        if not ((minutes is not None and minutes.is_final) or may_read_draft(page.actor)):
            raise NotFoundException()
        return record, await _document(record, minutes), _language(minutes, record)

    @get("/minutes/print")
    async def printable(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Response[str]:
        record, document, language = await self._readable_document(page, assembly_id)
        html = records.standalone_html(record.assembly.title, document, language, for_pdf=False)
        return Response(
            content=html,
            media_type="text/html",
            headers={"Cache-Control": "no-store"},
        )

    @get("/minutes.pdf")
    async def pdf(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Response[bytes]:
        record, document, language = await self._readable_document(page, assembly_id)
        html = records.standalone_html(record.assembly.title, document, language)
        return pdf_download(await records.pdf_of(html), f"minutes-{assembly_id}.pdf")
