"""Convening by letter and the proof of the convocation: the printed letters, each with its
member's access code, for members without an address (and marking them as sent), then who was
convened how and when (with its CSV)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import anyio.to_thread
from jinja2 import Environment
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from votes.db import convocation_queries as queries
from votes.db.agenda_queries import AssemblyView
from votes.db.convocation_queries import ProofLine
from votes.i18n import gettext as _
from votes.services import access_codes
from votes.services import convocations as service
from votes.services.access_codes import IssuedCode
from votes.services.convocations import LetterDraft
from votes.services.refusals import Refused
from votes.web.controllers.access_codes import qr_data_uri
from votes.web.controllers.convocations.common import (
    REFUSALS,
    ConvocationPages,
    convened_assembly,
    convocation_path,
    notice_warning,
    site_url,
    stored_letter,
)
from votes.web.downloads import pdf_download, spreadsheet_csv
from votes.web.forms import Redisplay, whole_number
from votes.web.labels import N_
from votes.web.pages import Page
from votes.web.records import pdf_of, standalone_html, written_in
from votes.web.refusals import errors_on
from votes.web.rendering import see_other
from votes.web.templating import make_environment

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


class Letters(NamedTuple):
    """The assembly, the saved letter, a card for each member still to convene by letter who
    has a code valid until the assembly, and the names of those who have none."""

    assembly: AssemblyView
    letter: LetterDraft | None
    cards: list[dict[str, Any]]
    without_code: list[str]


@cache
def _environment() -> Environment:
    return make_environment()


class ConvocationLettersController(ConvocationPages):
    # --- letters for members without an address -------------------------------------------

    async def _letters(self, page: Page, assembly_id: int) -> Letters:
        organisation_id = page.organisation.id
        assembly = await convened_assembly(page, assembly_id)
        letter = await stored_letter(page, assembly_id)
        convened = await queries.convened_ids(organisation_id, assembly_id)
        now = datetime.now(UTC)
        waiting = [
            v
            for v in await queries.voters(organisation_id)
            if not v.email and v.membership_id not in convened
        ]
        codes = {
            code.membership_id: code
            for code in await access_codes.printable_sheet(
                page.actor, secret_key=page.settings.secret_key
            )
            if code.expires_at >= service.code_valid_until(assembly.starts_at, now)
        }
        ready = [(v, codes[v.membership_id]) for v in waiting if v.membership_id in codes]
        cards = await anyio.to_thread.run_sync(_letter_cards, ready, site_url(page))
        without_code = [v.name for v in waiting if v.membership_id not in codes]
        return Letters(assembly, letter, cards, without_code)

    @get("/letters")
    async def letters(
        self, page: NamedDependency[Page], assembly_id: FromPath[int], marked: FromQuery[str] = ""
    ) -> Template:
        return await self._letters_page(page, assembly_id, marked=whole_number(marked))

    async def _letters_page(
        self,
        page: Page,
        assembly_id: int,
        *,
        marked: int | None = None,
        again: Redisplay | None = None,
    ) -> Template:
        letters = await self._letters(page, assembly_id)
        return page.render_form(
            "pages/convocations/letters.html.jinja",
            again,
            **letters._asdict(),
            **await notice_warning(page, assembly_id),
            marked=marked,
            code_page=f"{site_url(page)}/code",
        )

    @get("/letters.pdf")
    async def letters_pdf(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Response[bytes]:
        letters = await self._letters(page, assembly_id)
        if letters.letter is None:
            raise Refused("convocation_not_prepared")
        assembly = letters.assembly
        organisation = page.organisation
        language = organisation.default_language or "fr"
        with written_in(language):
            body = (
                _environment()
                .get_template("pages/convocations/_letter_pages.html.jinja")
                .render(
                    organisation=organisation,
                    assembly=assembly,
                    letter=letters.letter,
                    cards=letters.cards,
                    code_page=f"{site_url(page)}/code",
                    for_pdf=True,
                )
            )
        html = standalone_html(assembly.title, body, language)
        return pdf_download(await pdf_of(html), f"convocation-{assembly_id}.pdf")

    @post("/letters/codes")
    async def letter_codes(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Redirect:
        """Give each member to print a letter for a personal code valid until the assembly."""
        await service.letter_codes(page.actor, assembly_id, secret_key=page.settings.secret_key)
        return see_other(convocation_path(page, assembly_id, "/letters"))

    @post("/letters/mark")
    async def mark_letters(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        form = await page.form()
        chosen = [n for v in form.getall("member", []) if (n := whole_number(v)) is not None]
        try:
            count = await service.mark_letters(
                page.actor,
                assembly_id,
                chosen,
                confirm_short_notice=form.get("short_notice") == "1",
            )
        except Refused as error:
            if error.code not in ("nobody_chosen", "notice_too_short"):
                raise
            again = errors_on("", error, REFUSALS)  # about the whole list: above it
            return await self._letters_page(page, assembly_id, again=again)
        return see_other(convocation_path(page, assembly_id, f"/letters?marked={count}"))

    # --- proof --------------------------------------------------------------------------------

    @get("/proof")
    async def proof(
        self,
        page: NamedDependency[Page],
        assembly_id: FromPath[int],
        queued: FromQuery[str] = "",
        printed: FromQuery[str] = "",
    ) -> Template:
        assembly = await convened_assembly(page, assembly_id)
        lines = await queries.proof(page.organisation.id, assembly_id)
        return page.render(
            "pages/convocations/proof.html.jinja",
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
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Response[bytes]:
        assembly = await convened_assembly(page, assembly_id)
        lines = await queries.proof(page.organisation.id, assembly_id)
        zone = ZoneInfo(page.organisation.time_zone)
        header = [
            _("name"),
            _("channel"),
            _("address"),
            _("convened at"),
            _("mail state"),
            _("mail sent at"),
            _("Message-ID"),
            _("days of notice missing"),
        ]
        rows = [_csv_row(line, zone) for line in lines]
        return spreadsheet_csv(f"convocation-{assembly.id}-proof.csv", header, rows)


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
