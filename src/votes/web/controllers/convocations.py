"""The convocation of an assembly (administrators only): prepare its text (prefilled from the
assembly), preview it as a member reads it, send it to every member with voting rights, print
letters with each member's access code for those without an address, and the proof of who
was convened how and when (with its CSV)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import anyio.to_thread
from jinja2 import Environment
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from votes.db import agenda_queries
from votes.db import convocation_queries as queries
from votes.db.agenda_queries import AssemblyView
from votes.db.convocation_queries import AgendaLine, ProofLine
from votes.i18n import gettext as _
from votes.i18n import ngettext
from votes.services import access_codes, csv_cells, rules
from votes.services import convocations as service
from votes.services.access_codes import IssuedCode
from votes.services.actors import Actor, may_administer
from votes.services.convocations import LetterDraft, Notice
from votes.services.refusals import Refused
from votes.web.context import RequestContext, settings_of
from votes.web.controllers.access_codes import qr_data_uri
from votes.web.forms import FormErrors, whole_number
from votes.web.guards import requires
from votes.web.labels import N_, Nn_, label
from votes.web.records import pdf_of, standalone_html, written_in
from votes.web.refusals import Plural, area, explain
from votes.web.rendering import page, see_other
from votes.web.templating import make_environment

RESOLUTION_TEXT_MAX = 2_000  # a longer draft resolution is linked, not copied into the letter

REFUSALS = area(
    "convocations",
    {
        "assembly_closed": (
            409,
            N_("This assembly is closed: nobody can be convened to it any more. Nothing was sent."),
        ),
        "convocation_not_prepared": (
            409,
            N_("Save the convocation's text before sending it. Nothing was sent."),
        ),
        "letter_empty": (422, N_("Write the convocation's text: it cannot be empty.")),
        "letter_too_long": (
            422,
            N_("This text is too long: at most %(num)d characters. Nothing was saved."),
        ),
        "notice_too_short": (
            409,
            Plural(
                Nn_(
                    "The notice period is %(num)d day short: tick the box to convene anyway.",
                    "The notice period is %(num)d days short: tick the box to convene anyway.",
                ),
                "count",
            ),
        ),
        "nobody_chosen": (422, N_("Choose at least one member who is not convened yet.")),
    },
)


CHANNELS = {"mail": N_("by e-mail"), "letter": N_("by letter")}
MAIL_STATES = {
    "waiting": N_("waiting"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "failed": N_("failed"),
    "held": N_("kept (no mail server)"),
}


def channel_words(channel: str) -> str:
    return _(CHANNELS[channel]) if channel in CHANNELS else _("not convened")


def mail_state_words(status: str) -> str:
    return _(MAIL_STATES[status]) if status in MAIL_STATES else ""


def _path(actor: Actor, assembly_id: int, rest: str = "") -> str:
    return f"/o/{actor.organisation.short_name}/assemblies/{assembly_id}/convocation{rest}"


async def _assembly(actor: Actor, assembly_id: int) -> AssemblyView:
    assembly = await agenda_queries.assembly_view(actor.organisation_id, assembly_id)
    if assembly is None:
        raise Refused("not_found")
    return assembly


def _base_url(request: Request[Any, Any, State]) -> str:
    return str(request.base_url).rstrip("/")


def default_letter(
    actor: Actor,
    assembly: AssemblyView,
    agenda: list[AgendaLine],
    *,
    base_url: str,
    proxy_cap: int | None,
) -> LetterDraft:
    """The letter prefilled from the assembly, in the cooperative's language: its kind and
    call, the date in words, the place, the remote link, the agenda with the draft resolutions
    (their text, or a link when long), and the proxy and postal-vote paragraph."""
    organisation = actor.organisation
    language = organisation.default_language or "fr"
    with written_in(language):
        kind = label("assembly_kind", assembly.kind)
        call = label("convocation", assembly.convocation)
        lines = [
            _("%(cooperative)s convenes its members to: %(kind)s, %(call)s.")
            % {"cooperative": organisation.name, "kind": kind, "call": call},
            "",
            _("Date: %(when)s")
            % {"when": service.when_in_words(assembly.starts_at, organisation.time_zone)},
        ]
        if assembly.place:
            lines.append(_("Place: %(place)s") % {"place": assembly.place})
        if assembly.remote_url:
            lines.append(_("To take part remotely: %(link)s") % {"link": assembly.remote_url})
        if assembly.description.strip():
            lines += ["", assembly.description.strip()]
        lines += ["", _("Agenda:")]
        if not agenda:
            lines.append(_("(the agenda is not written yet)"))
        for item in agenda:
            lines.append(f"{item.position}. {item.title}")
        resolutions = [(item, r) for item in agenda for r in item.resolutions]
        if resolutions:
            lines += ["", _("Draft resolutions:")]
            for item, resolution in resolutions:
                link = f"{base_url}/o/{organisation.short_name}/proposals/{resolution.id}"
                lines += ["", f"— {resolution.title} ({item.position}. {item.title})"]
                if len(resolution.body) <= RESOLUTION_TEXT_MAX:
                    lines += ["", resolution.body.strip()]
                lines.append(_("Read it online: %(link)s") % {"link": link})
        instructions = _instructions(proxy_cap)
    return LetterDraft("\n".join(lines).strip(), instructions)


def _instructions(proxy_cap: int | None) -> str:
    first = _(
        "If you cannot attend, you may be represented by another member with voting rights:"
        " give them a signed proxy, dated and naming the assembly."
    )
    if proxy_cap is None:
        cap = _("The statutes set no limit on the proxies one member may hold.")
    else:
        cap = ngettext(
            "Each member may hold at most %(num)d proxy besides their own vote.",
            "Each member may hold at most %(num)d proxies besides their own vote.",
            proxy_cap,
        )
    postal = _(
        "Where the statutes allow it, you may also vote by post or in advance:"
        " the form and its deadline are given to you with this convocation."
    )
    return f"{first} {cap}\n\n{postal}"


@cache
def _environment() -> Environment:
    return make_environment()


class ConvocationController(Controller):
    path = "/assemblies/{assembly_id:int}/convocation"
    guards = [requires(may_administer)]  # noqa: RUF012 - Litestar's own attribute

    async def _prepare_page(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        actor: Actor,
        assembly_id: int,
        *,
        values: LetterDraft | None = None,
        errors: FormErrors | None = None,
        status_code: int = HTTP_200_OK,
        saved: bool = False,
    ) -> Template:
        assembly = await _assembly(actor, assembly_id)
        stored = await queries.letter_of(actor.organisation_id, assembly_id)
        if values is None:
            if stored is not None:
                values = LetterDraft(stored.body, stored.instructions)
            else:
                values = await self._default(request, actor, assembly)
        voters = await queries.voters(actor.organisation_id)
        convened = await queries.convened_ids(actor.organisation_id, assembly_id)
        return page(
            request,
            "pages/convocations/prepare.html.jinja",
            status_code=status_code,
            context=context,
            membership=actor,
            organisation=actor.organisation,
            assembly=assembly,
            values=values,
            errors=errors or FormErrors(),
            stored=stored,
            saved=saved,
            notice=await service.notice_for(actor, assembly_id),
            words=_notice_words,
            voters=len(voters),
            with_address=sum(1 for v in voters if v.email),
            to_mail=sum(1 for v in voters if v.email and v.membership_id not in convened),
            to_print=sum(1 for v in voters if not v.email and v.membership_id not in convened),
            convened=len(convened),
            letter_max=service.LETTER_MAX,
            instructions_max=service.INSTRUCTIONS_MAX,
        )

    async def _default(
        self, request: Request[Any, Any, State], actor: Actor, assembly: AssemblyView
    ) -> LetterDraft:
        agenda = await queries.agenda_with_resolutions(actor.organisation_id, assembly.id)
        profile = await rules.assembly_profile(actor.organisation_id, assembly.id)
        voters = await queries.voters(actor.organisation_id)
        return default_letter(
            actor,
            assembly,
            agenda,
            base_url=_base_url(request),
            proxy_cap=profile.proxies.cap(len(voters)),
        )

    @get("/")
    async def prepare_form(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
        saved: FromQuery[str] = "",
    ) -> Template:
        return await self._prepare_page(request, context, actor, assembly_id, saved=bool(saved))

    @post("/")
    async def prepare(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        draft = LetterDraft(
            str(form.get("body", "")).replace("\r\n", "\n"),
            str(form.get("instructions", "")).replace("\r\n", "\n"),
        )
        try:
            await service.prepare(actor, assembly_id, draft)
        except Refused as error:
            if error.code not in ("letter_empty", "letter_too_long"):
                raise
            status, message = explain(error, REFUSALS)
            errors = FormErrors()
            errors.add(error.field or "", message)
            shown = LetterDraft(
                draft.body[: service.LETTER_MAX], draft.instructions[: service.INSTRUCTIONS_MAX]
            )
            return await self._prepare_page(
                request,
                context,
                actor,
                assembly_id,
                values=shown,
                errors=errors,
                status_code=status,
            )
        return see_other(_path(actor, assembly_id, "?saved=1"))

    @get("/preview")
    async def preview(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template:
        """The mail as a member reads it (in the cooperative's language, with sample secrets)
        and the printed letter."""
        assembly = await _assembly(actor, assembly_id)
        stored = await queries.letter_of(actor.organisation_id, assembly_id)
        letter = (
            LetterDraft(stored.body, stored.instructions)
            if stored
            else await self._default(request, actor, assembly)
        )
        base = _base_url(request)
        organisation = actor.organisation
        with written_in(organisation.default_language or "fr"):
            subject, text = service.compose_mail(
                name=actor.person_name or _("Camille Martin"),
                cooperative=organisation.name,
                title=assembly.title,
                starts_at=assembly.starts_at,
                time_zone=organisation.time_zone,
                letter=letter,
                link=f"{base}{access_codes.LINK_PATH}…",
                code="ABCDE-FGHJK",
                code_page=f"{base}/code",
                page=service.assembly_link(base, organisation.short_name, assembly_id),
            )
        return page(
            request,
            "pages/convocations/preview.html.jinja",
            context=context,
            membership=actor,
            organisation=organisation,
            assembly=assembly,
            subject=subject,
            text=text,
            letter=letter,
            prepared=stored is not None,
        )

    @post("/send")
    async def send(
        self,
        request: Request[Any, Any, State],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Redirect:
        form = await request.form()
        result = await service.send(
            actor,
            assembly_id,
            base_url=_base_url(request),
            secret_key=settings_of(request).secret_key,
            confirm_short_notice=form.get("short_notice") == "1",
        )
        query = urlencode({"queued": result.queued, "printed": result.without_address})
        return see_other(_path(actor, assembly_id, f"/proof?{query}"))

    # --- letters for members without an address -------------------------------------------

    async def _letters(
        self, request: Request[Any, Any, State], actor: Actor, assembly_id: int
    ) -> tuple[AssemblyView, LetterDraft | None, list[dict[str, Any]], list[str]]:
        assembly = await _assembly(actor, assembly_id)
        stored = await queries.letter_of(actor.organisation_id, assembly_id)
        letter = LetterDraft(stored.body, stored.instructions) if stored else None
        convened = await queries.convened_ids(actor.organisation_id, assembly_id)
        now = datetime.now(UTC)
        waiting = [
            v
            for v in await queries.voters(actor.organisation_id)
            if not v.email and v.membership_id not in convened
        ]
        codes = {
            code.membership_id: code
            for code in await access_codes.printable_sheet(
                actor, secret_key=settings_of(request).secret_key
            )
            if code.expires_at >= service.code_valid_until(assembly.starts_at, now)
        }
        base = _base_url(request)
        ready = [(v, codes[v.membership_id]) for v in waiting if v.membership_id in codes]
        cards = await anyio.to_thread.run_sync(_letter_cards, ready, base)
        without_code = [v.name for v in waiting if v.membership_id not in codes]
        return assembly, letter, cards, without_code

    @get("/letters")
    async def letters(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
        marked: FromQuery[str] = "",
    ) -> Template:
        assembly, letter, cards, without_code = await self._letters(request, actor, assembly_id)
        return page(
            request,
            "pages/convocations/letters.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            assembly=assembly,
            letter=letter,
            cards=cards,
            without_code=without_code,
            notice=await service.notice_for(actor, assembly_id),
            words=_notice_words,
            marked=whole_number(marked),
            code_page=f"{_base_url(request)}/code",
            errors=FormErrors(),
        )

    @get("/letters.pdf")
    async def letters_pdf(
        self,
        request: Request[Any, Any, State],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Response[bytes]:
        assembly, letter, cards, _without = await self._letters(request, actor, assembly_id)
        if letter is None:
            raise Refused("convocation_not_prepared")
        organisation = actor.organisation
        language = organisation.default_language or "fr"
        with written_in(language):
            body = (
                _environment()
                .get_template("pages/convocations/_letter_pages.html.jinja")
                .render(
                    organisation=organisation,
                    assembly=assembly,
                    letter=letter,
                    cards=cards,
                    code_page=f"{_base_url(request)}/code",
                    for_pdf=True,
                )
            )
        html = standalone_html(assembly.title, body, language)
        return Response(
            await pdf_of(html),
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="convocation-{assembly_id}.pdf"',
                "Cache-Control": "no-store",
            },
        )

    @post("/letters/codes")
    async def letter_codes(
        self,
        request: Request[Any, Any, State],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Redirect:
        """Give each member to print a letter for a personal code valid until the assembly."""
        await service.letter_codes(actor, assembly_id, secret_key=settings_of(request).secret_key)
        return see_other(_path(actor, assembly_id, "/letters"))

    @post("/letters/mark")
    async def mark_letters(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        chosen = [n for v in form.getall("member", []) if (n := whole_number(v)) is not None]
        try:
            count = await service.mark_letters(
                actor,
                assembly_id,
                chosen,
                confirm_short_notice=form.get("short_notice") == "1",
            )
        except Refused as error:
            if error.code not in ("nobody_chosen", "notice_too_short"):
                raise
            status, message = explain(error, REFUSALS)
            assembly, letter, cards, without_code = await self._letters(request, actor, assembly_id)
            errors = FormErrors()
            errors.add("", message)
            return page(
                request,
                "pages/convocations/letters.html.jinja",
                status_code=status,
                context=context,
                membership=actor,
                organisation=actor.organisation,
                assembly=assembly,
                letter=letter,
                cards=cards,
                without_code=without_code,
                notice=await service.notice_for(actor, assembly_id),
                words=_notice_words,
                marked=None,
                code_page=f"{_base_url(request)}/code",
                errors=errors,
            )
        return see_other(_path(actor, assembly_id, f"/letters?marked={count}"))

    # --- proof --------------------------------------------------------------------------------

    @get("/proof")
    async def proof(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
        queued: FromQuery[str] = "",
        printed: FromQuery[str] = "",
    ) -> Template:
        assembly = await _assembly(actor, assembly_id)
        lines = await queries.proof(actor.organisation_id, assembly_id)
        return page(
            request,
            "pages/convocations/proof.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            assembly=assembly,
            lines=lines,
            convened=sum(1 for line in lines if line.channel),
            queued=whole_number(queued),
            channel_words=channel_words,
            mail_state_words=mail_state_words,
            printed=whole_number(printed),
        )

    @get("/proof.csv")
    async def proof_csv(
        self, actor: NamedDependency[Actor], assembly_id: FromPath[int]
    ) -> Response[bytes]:
        assembly = await _assembly(actor, assembly_id)
        lines = await queries.proof(actor.organisation_id, assembly_id)
        zone = ZoneInfo(actor.organisation.time_zone)
        buffer = io.StringIO()
        writer = csv_cells.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(
            [
                _("name"),
                _("channel"),
                _("address"),
                _("convened at"),
                _("mail state"),
                _("mail sent at"),
                _("Message-ID"),
                _("days of notice missing"),
            ]
        )
        for line in lines:
            writer.writerow(_csv_row(line, zone))
        return Response(
            ("\ufeff" + buffer.getvalue()).encode("utf-8"),
            media_type="text/csv",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="convocation-{assembly.id}-proof.csv"'
                ),
                "Cache-Control": "no-store",
            },
        )


def _csv_row(line: ProofLine, zone: ZoneInfo) -> list[str]:
    def moment(value: datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if value else ""

    return [
        line.name,
        channel_words(line.channel),
        line.recipient,
        moment(line.recorded_at),
        mail_state_words(line.mail_status),
        moment(line.sent_at),
        line.message_id,
        str(line.notice_short_days),
    ]


def _notice_words(notice: Notice) -> dict[str, str]:
    """The notice's dates in words, for the warning."""
    return {
        "day": service.day_in_words(notice.assembly_day),
        "today": service.day_in_words(notice.today),
        "latest": service.day_in_words(notice.latest_day),
    }


def _letter_cards(ready: list[tuple[queries.Voter, IssuedCode]], base: str) -> list[dict[str, Any]]:
    """What each printed letter shows of its member (QR codes drawn off the event loop)."""
    cards = []
    for voter, code in ready:
        link = f"{base}{access_codes.LINK_PATH}{code.link_token}"
        cards.append(
            {
                "membership_id": voter.membership_id,
                "name": voter.name,
                "code": code.display_code,
                "link": link,
                "qr": qr_data_uri(link),
                "expires_at": code.expires_at,
            }
        )
    return cards
