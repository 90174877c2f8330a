"""Preparing the convocation: its text (prefilled from the assembly), its preview as a member
reads it, and sending it to every member with voting rights."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from votes.db import convocation_queries as queries
from votes.db.agenda_queries import AssemblyView
from votes.db.convocation_queries import AgendaLine
from votes.i18n import gettext as _
from votes.i18n import ngettext
from votes.services import access_codes, rules
from votes.services import convocations as service
from votes.services.actors import Actor
from votes.services.convocations import LetterDraft
from votes.services.refusals import Refused
from votes.web.controllers.convocations import common
from votes.web.forms import Redisplay
from votes.web.labels import label
from votes.web.pages import Page
from votes.web.records import written_in
from votes.web.refusals import form_errors
from votes.web.rendering import see_other

RESOLUTION_TEXT_MAX = 2_000  # a longer draft resolution is linked, not copied into the letter


def default_letter(
    actor: Actor,
    assembly: AssemblyView,
    agenda: list[AgendaLine],
    *,
    base_url: str,
    proxy_cap: int | None,
    postal_until: datetime | None = None,
) -> LetterDraft:
    """The letter prefilled from the assembly, in the cooperative's language: its kind and
    call, the date in words, the place, the remote link, the agenda with the draft resolutions
    (a proposal's text, or a link when long; a question put straight to the vote), and the
    proxy paragraph, with the vote by correspondence and its deadline (``postal_until``) when
    the rules allow it."""
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
        if any(item.resolutions or item.questions for item in agenda):
            lines += ["", _("Draft resolutions:")]
        for item in agenda:
            for resolution in item.resolutions:
                link = f"{base_url}/o/{organisation.short_name}/proposals/{resolution.id}"
                lines += ["", f"— {resolution.title} ({item.position}. {item.title})"]
                if len(resolution.body) <= RESOLUTION_TEXT_MAX:
                    lines += ["", resolution.body.strip()]
                lines.append(_("Read it online: %(link)s") % {"link": link})
            lines += [
                f"— {question} ({item.position}. {item.title})" for question in item.questions
            ]
        deadline = (
            None
            if postal_until is None
            else service.when_in_words(postal_until, organisation.time_zone)
        )
        instructions = _instructions(proxy_cap, deadline)
    return LetterDraft("\n".join(lines).strip(), instructions)


def _instructions(proxy_cap: int | None, postal_deadline: str | None) -> str:
    """What absent members may do: a proxy (within the cap), and a vote by correspondence
    only where the rules allow one (never a hedge a member could not act on)."""
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
        ) % {"num": proxy_cap}
    if postal_deadline is None:
        return f"{first} {cap}"
    postal = _(
        "You may also vote by correspondence on each resolution until %(deadline)s, from the"
        " personal link that comes with this convocation."
    ) % {"deadline": postal_deadline}
    return f"{first} {cap}\n\n{postal}"


async def _letter(page: Page, assembly: AssemblyView) -> tuple[LetterDraft, bool]:
    """The letter as saved, else prefilled from the assembly; and whether it was saved."""
    stored = await common.stored_letter(page, assembly.id)
    if stored is not None:
        return stored, True
    organisation_id = page.organisation.id
    agenda = await queries.agenda_with_resolutions(organisation_id, assembly.id)
    profile = await rules.assembly_profile(organisation_id, assembly.id)
    voters = await queries.voters(organisation_id)
    row = {"starts_at": assembly.starts_at, "kind": assembly.kind}
    prefilled = default_letter(
        page.actor,
        assembly,
        agenda,
        base_url=common.site_url(page),
        proxy_cap=profile.proxies.cap(len(voters)),
        postal_until=service.advance_vote_until(row, profile, page.organisation.time_zone),
    )
    return prefilled, False


class ConvocationController(common.ConvocationPages):
    async def _prepare_page(
        self,
        page: Page,
        assembly_id: int,
        *,
        again: Redisplay | None = None,
        values: LetterDraft | None = None,
        saved: bool = False,
    ) -> Template:
        organisation_id = page.organisation.id
        assembly = await common.convened_assembly(page, assembly_id)
        letter, stored = await _letter(page, assembly)
        voters = await queries.voters(organisation_id)
        convened = await queries.convened_ids(organisation_id, assembly_id)
        return page.render_form(
            "pages/convocations/prepare.html.jinja",
            again,
            assembly=assembly,
            values=values or letter,
            stored=stored,
            saved=saved,
            **await common.notice_warning(page, assembly_id),
            voters=len(voters),
            with_address=sum(1 for v in voters if v.email),
            to_mail=sum(1 for v in voters if v.email and v.membership_id not in convened),
            to_print=sum(1 for v in voters if not v.email and v.membership_id not in convened),
            convened=len(convened),
            letter_max=service.LETTER_MAX,
            instructions_max=service.INSTRUCTIONS_MAX,
        )

    @get("/")
    async def prepare_form(
        self, page: NamedDependency[Page], assembly_id: FromPath[int], saved: FromQuery[str] = ""
    ) -> Template:
        return await self._prepare_page(page, assembly_id, saved=bool(saved))

    @post("/")
    async def prepare(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        form = await page.form()
        draft = LetterDraft(
            str(form.get("body", "")).replace("\r\n", "\n"),
            str(form.get("instructions", "")).replace("\r\n", "\n"),
        )
        try:
            await service.prepare(page.actor, assembly_id, draft)
        except Refused as error:
            if error.code not in ("letter_empty", "letter_too_long"):
                raise
            again = form_errors(error, common.REFUSALS)
            shown = LetterDraft(
                draft.body[: service.LETTER_MAX], draft.instructions[: service.INSTRUCTIONS_MAX]
            )
            return await self._prepare_page(page, assembly_id, again=again, values=shown)
        return see_other(common.convocation_path(page, assembly_id, "?saved=1"))

    @get("/preview")
    async def preview(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        """The mail as a member reads it (in the cooperative's language, with sample secrets)
        and the printed letter."""
        assembly = await common.convened_assembly(page, assembly_id)
        letter, stored = await _letter(page, assembly)
        base = common.site_url(page)
        organisation = page.organisation
        with written_in(organisation.default_language or "fr"):
            subject, text = service.compose_mail(
                name=page.actor.person_name or _("Camille Martin"),
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
        return page.render(
            "pages/convocations/preview.html.jinja",
            assembly=assembly,
            subject=subject,
            text=text,
            letter=letter,
            prepared=stored,
        )

    @post("/send")
    async def send(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Redirect:
        form = await page.form()
        result = await service.send(
            page.actor,
            assembly_id,
            base_url=common.site_url(page),
            secret_key=page.settings.secret_key,
            confirm_short_notice=form.get("short_notice") == "1",
        )
        query = urlencode({"queued": result.queued, "printed": result.without_address})
        return see_other(common.convocation_path(page, assembly_id, f"/proof?{query}"))
