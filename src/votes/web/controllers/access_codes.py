"""Personal access codes (admins only): issue them (confirmed when they cancel valid ones), the
printable QR sheet printed again as often as needed, the mail-merge CSV, codes by e-mail,
revoking one, and lifting a venue's sign-in block.

Members sign in with these codes on their phones in the room; nothing here keeps a code in
clear beyond the sheet being printed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import anyio.to_thread
import segno
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from votes.db import member_queries
from votes.db.tables import MembershipStatus
from votes.i18n import gettext as _
from votes.services import access_codes, accounts, mailings
from votes.services.access_codes import IssuedCode
from votes.services.actors import may_administer
from votes.services.refusals import Refused
from votes.web.controllers.auth import client_address
from votes.web.controllers.members import REFUSALS, member_or_404
from votes.web.downloads import spreadsheet_csv
from votes.web.forms import FormErrors, whole_number
from votes.web.guards import requires
from votes.web.pages import Page
from votes.web.refusals import explain
from votes.web.rendering import see_other


class AccessCodesController(Controller):
    path = "/members/codes"

    @get("/", guards=[requires(may_administer)])
    async def codes(
        self, page: NamedDependency[Page], mailed: FromQuery[str] = "", already: FromQuery[str] = ""
    ) -> Template:
        sent = whole_number(mailed)
        result = None if sent is None else (sent, whole_number(already) or 0)
        return await self._codes_page(page, FormErrors(), mailed=result)

    async def _codes_page(
        self,
        page: Page,
        errors: FormErrors,
        *,
        status_code: int = HTTP_200_OK,
        confirm: dict[str, Any] | None = None,
        mailed: tuple[int, int] | None = None,
    ) -> Template:
        organisation_id = page.organisation.id
        states = await member_queries.code_states(organisation_id)
        return page.render(
            "pages/members/codes.html.jinja",
            status_code=status_code,
            members=await member_queries.register_of(
                organisation_id, status=MembershipStatus.ACTIVE.value
            ),
            states=states,
            valid_codes=sum(1 for state in states.values() if state.state == "active"),
            default_days=access_codes.DEFAULT_DAYS,
            max_days=access_codes.MAX_DAYS,
            errors=errors,
            confirm=confirm,
            door=await _door(page.request),
            mailed=mailed,
        )

    @post("/", guards=[requires(may_administer)])
    async def issue(self, page: NamedDependency[Page]) -> Template | Redirect:
        """Issue codes, once confirmed when they cancel valid ones (printed sheets stop
        working), then show the sheet at an address a reload only prints again."""
        form = await page.form()
        days_text = str(form.get("days", access_codes.DEFAULT_DAYS))
        days = whole_number(days_text) or 0
        selected = [n for v in form.getall("member", []) if (n := whole_number(v)) is not None]
        which = None if form.get("scope") == "all" else selected
        settings = page.settings
        errors = FormErrors()
        if which == []:
            errors.add("", _("Choose at least one member, or issue codes for everyone."))
            return await self._codes_page(page, errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        if form.get("confirm") != "1":
            cancelled = await access_codes.members_with_valid_codes(page.actor, which)
            if cancelled:
                confirm = {
                    "cancelled": cancelled,
                    "days": days_text[:4],
                    "scope": "all" if which is None else "selected",
                    "members": selected,
                }
                return await self._codes_page(
                    page, errors, status_code=HTTP_409_CONFLICT, confirm=confirm
                )
        try:
            issued = await access_codes.issue_codes(
                page.actor, which, secret_key=settings.secret_key, days=days
            )
        except Refused as error:
            errors.add(error.field, explain(error, REFUSALS).message)
            return await self._codes_page(page, errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
        if not issued:
            return page.see_other("members", "codes")
        query = urlencode({"issue": issued[0].sheet})
        return see_other(f"{page.path('members', 'codes', 'sheet')}?{query}")

    @post("/mail", guards=[requires(may_administer)])
    async def mail_codes(self, page: NamedDependency[Page]) -> Redirect:
        """Mail each member with an address their code: the valid one they hold, or a
        new one; the page then says how many mails were queued."""
        result = await mailings.mail_access_codes(
            page.actor, base_url=str(page.request.base_url), secret_key=page.settings.secret_key
        )
        query = urlencode({"mailed": result.queued, "already": result.already})
        return see_other(f"{page.path('members', 'codes')}?{query}")

    @get("/sheet", guards=[requires(may_administer)])
    async def sheet(self, page: NamedDependency[Page], issue: FromQuery[str] = "") -> Template:
        """The printable sheet: one issue's codes, or every valid code, printed again as often
        as needed; reloading it never issues anything."""
        settings = page.settings
        issued = await access_codes.printable_sheet(
            page.actor, secret_key=settings.secret_key, sheet=issue[:32] or None
        )
        base = str(page.request.base_url).rstrip("/")
        cards = await anyio.to_thread.run_sync(
            _sheet_cards, issued, base, page.organisation.time_zone
        )
        return page.render(
            "pages/members/code_sheet.html.jinja",
            cards=cards,
            whole=not issue,
            code_page=f"{base}/code",
        )

    @post("/csv", guards=[requires(may_administer)], status_code=HTTP_200_OK)
    async def codes_csv(self, page: NamedDependency[Page]) -> Response[bytes]:
        """The sheet's codes as a mail-merge CSV: the sheet posts them back (nothing is kept
        on the server that could rebuild them)."""
        form = await page.form()
        header = [_("name"), _("email"), _("category"), _("code"), _("link"), _("valid until")]
        rows = [str(row).split("\t")[:6] for row in form.getall("row", [])]
        return spreadsheet_csv(f"{page.organisation.short_name}-codes.csv", header, rows)

    @post("/unblock", guards=[requires(may_administer)])
    async def unblock(self, page: NamedDependency[Page]) -> Redirect:
        """Let the venue sign in again: forget the failures from the address the admin is
        connected from, the one the room shares (see :mod:`votes.services.accounts`)."""
        await accounts.lift_address_block(page.actor, client_address(page.request))
        return page.see_other("members", "codes")

    @post("/{membership_id:int}/revoke", guards=[requires(may_administer)])
    async def revoke(self, page: NamedDependency[Page], membership_id: FromPath[int]) -> Redirect:
        await member_or_404(page.actor, membership_id)
        await access_codes.revoke_code(page.actor, membership_id)
        return page.see_other("members", "codes")


def qr_data_uri(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


async def _door(request: Request[Any, Any, State]) -> dict[str, Any]:
    """Failed sign-ins from the address of this request (the venue's, at the welcome desk)."""
    address = client_address(request)
    codes = await accounts.recent_failures(accounts.code_address_key(address))
    passwords = await accounts.recent_failures(accounts.address_key(address))
    return {
        "address": address or "?",
        "failures": codes + passwords,
        "blocked": codes >= accounts.CODE_ADDRESS_FAILURE_LIMIT
        or passwords >= accounts.ADDRESS_FAILURE_LIMIT,
    }


def _sheet_cards(issued: list[IssuedCode], base: str, time_zone: str) -> list[dict[str, Any]]:
    """What each card of the printable sheet shows (QR codes drawn off the event loop)."""
    cards = []
    for code in issued:
        link = f"{base}{access_codes.LINK_PATH}{code.link_token}"
        cards.append(
            {
                "name": code.name,
                "email": code.email or "",
                "category": code.category,
                "code": code.display_code,
                "link": link,
                "qr": qr_data_uri(link),
                "expires_at": code.expires_at,
                "csv_row": "\t".join(
                    (
                        code.name,
                        code.email or "",
                        code.category,
                        code.display_code,
                        link,
                        _date(code.expires_at, time_zone),
                    )
                ),
            }
        )
    return cards


def _date(value: datetime, time_zone: str) -> str:
    """The expiry in the mail-merge file: the cooperative's local time, as on the printed sheet."""
    return value.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")
