"""The attendance register (émargement) on the web: stewards (facilitators, scrutineers,
administrators) check members in and out from a searchable list on their phone; a member joins
remotely when the statutes allow it; the live quorum banner; the register as CSV.

Signing in with an access code is not a check-in (a member may sign in from home to give a
proxy): at the door a steward reads the member's QR code with the phone's camera, or types the
short code, and the member is checked in (``/door``).
"""

from __future__ import annotations

import io
from collections.abc import Awaitable
from datetime import datetime
from zoneinfo import ZoneInfo

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from votes.db import attendance_queries as aq
from votes.i18n import gettext as _
from votes.services import access_codes, csv_cells, rules
from votes.services import attendance as service
from votes.services.actors import may_steward
from votes.services.refusals import Refused
from votes.web.forms import Redisplay, name_search, safe_next_path
from votes.web.guards import requires
from votes.web.labels import label
from votes.web.pages import Page, found
from votes.web.refusals import area, row_form_errors
from votes.web.rendering import (
    CONTENT_SECURITY_POLICY_WITH_WASM,
    SECURITY_HEADERS,
    see_other,
)

REFUSALS = area("attendance")


# the steward's register may use the camera (this site only) to read members' QR codes
CAMERA_ALLOWED = SECURITY_HEADERS["Permissions-Policy"].replace("camera=()", "camera=(self)")


REGISTER_SHOWN = 150  # names listed at once on the steward's phone


class AttendanceController(Controller):
    path = "/assemblies/{assembly_id:int}"

    @get("/attendance")
    async def register(
        self, page: NamedDependency[Page], assembly_id: FromPath[int], q: FromQuery[str] = ""
    ) -> Template:
        """Stewards: the whole register, searchable; members: their own line and the quorum."""
        return await self._page(page, assembly_id, name_search(q))

    async def _page(
        self,
        page: Page,
        assembly_id: int,
        search: str = "",
        again: Redisplay | None = None,
        welcomed: str = "",
    ) -> Template:
        organisation_id = page.organisation.id
        assembly = await page.assembly(assembly_id)
        lines = await aq.attendance_register(organisation_id, assembly_id)
        mine = next((line for line in lines if line.membership_id == page.actor.id), None)
        steward = may_steward(page.actor)
        shown = lines if steward else []
        wanted = aq.folded(search)
        if wanted:
            shown = [line for line in shown if wanted in aq.folded(line.name)]
        # a phone at the door lists a few hundred names at most: the search finds the others
        more = max(0, len(shown) - REGISTER_SHOWN)
        shown = shown[:REGISTER_SHOWN]
        profile = await rules.assembly_profile(organisation_id, assembly_id)
        response = page.render_form(
            "pages/attendance/register.html.jinja",
            again,
            fragment="partials/attendance/_register.html.jinja",
            assembly=assembly,
            lines=shown,
            mine=mine,
            steward=steward,
            search=search,
            counts=aq.count_register(lines),
            quorum=await service.quorum_banner(organisation_id, assembly_id),
            remote_allowed=profile.remote_counts_as_present,
            running=assembly.status in service.RUNNING,
            welcomed=welcomed,
            more=more,
        )
        if steward:  # the door's scanner reads QR codes with this page's camera
            response.headers["Permissions-Policy"] = CAMERA_ALLOWED
            # and, where the browser has no BarcodeDetector, with the vendored WebAssembly one
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY_WITH_WASM
        return response

    @post("/attendance/door", guards=[requires(may_steward)])
    async def door(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """The steward read a member's QR code (or typed their code): check them in."""
        form = await page.form()
        scanned = str(form.get("code", ""))[:300]
        try:
            done = await access_codes.check_in_at_the_door(
                page.actor, assembly_id, scanned, secret_key=page.settings.secret_key
            )
        except Refused as error:
            return await self._refuse(page, assembly_id, error, "")
        if done.changed:
            welcomed = _("%(name)s is checked in: present.") % {"name": done.name}
        else:
            welcomed = _("%(name)s was already checked in.") % {"name": done.name}
        return await self._page(page, assembly_id, welcomed=welcomed)

    @post("/attendance/{membership_id:int}/check-in", guards=[requires(may_steward)])
    async def check_in(
        self, page: NamedDependency[Page], assembly_id: FromPath[int], membership_id: FromPath[int]
    ) -> Template | Redirect:
        form = await page.form()
        remote = form.get("mode") == "remote"
        call = service.check_in(page.actor, assembly_id, membership_id, remote=remote)
        return await self._mark(page, assembly_id, call, search=name_search(form.get("q", "")))

    @post("/attendance/{membership_id:int}/check-out", guards=[requires(may_steward)])
    async def check_out(
        self, page: NamedDependency[Page], assembly_id: FromPath[int], membership_id: FromPath[int]
    ) -> Template | Redirect:
        form = await page.form()
        call = service.check_out(page.actor, assembly_id, membership_id)
        return await self._mark(page, assembly_id, call, search=name_search(form.get("q", "")))

    @post("/attendance/join-remotely")
    async def join_remotely(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """A member following from afar signs the register themselves (when allowed)."""
        form = await page.form()
        try:
            await service.check_in(page.actor, assembly_id, page.actor.id, remote=True)
        except Refused as error:
            return await self._refuse(page, assembly_id, error, "")
        back = str(form.get("next", ""))  # the ballot the member was about to fill in
        return see_other(
            safe_next_path(back) if back else page.path("assemblies", assembly_id, "attendance")
        )

    async def _mark(
        self, page: Page, assembly_id: int, call: Awaitable[object], *, search: str
    ) -> Template | Redirect:
        """A steward's mark in the register (``call``), then the list where they were
        searching, or it again with the refusal."""
        try:
            await call
        except Refused as error:
            return await self._refuse(page, assembly_id, error, search)
        if page.htmx:  # the steward's list, refreshed in place
            return await self._page(page, assembly_id, search)
        query = f"?q={search}" if search else ""
        return see_other(f"{page.path('assemblies', assembly_id, 'attendance')}{query}")

    async def _refuse(
        self,
        page: Page,
        assembly_id: int,
        error: Refused,
        search: str,
    ) -> Template:
        return await self._page(page, assembly_id, search, row_form_errors(error, REFUSALS))

    @get("/quorum")
    async def quorum(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        """The live quorum banner alone: what pages re-fetch when the quorum changes."""
        quorum = found(await service.quorum_banner(page.organisation.id, assembly_id))
        return page.render(
            "partials/attendance/_quorum.html.jinja",
            quorum=quorum,
        )

    @get("/attendance/register.csv", guards=[requires(may_steward)])
    async def register_csv(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Response[str]:
        """The feuille de présence with its times, as kept (stewards only), in the reader's
        words and the cooperative's time zone: it is opened in a spreadsheet, not parsed."""
        await page.assembly(assembly_id)
        lines = await aq.attendance_register(page.organisation.id, assembly_id)
        out = io.StringIO()
        writer = csv_cells.writer(out)
        writer.writerow(
            [
                _("Name"),
                _("Category"),
                _("College"),
                _("Status"),
                _("Arrived at"),
                _("Left at"),
                _("Checked in by"),
                _("Steward"),
                _("Represented by"),
                _("Blank proxy"),
                _("Voting instructions"),
            ]
        )
        zone = ZoneInfo(page.organisation.time_zone)

        def when(moment: datetime | None) -> str:  # the cooperative's clock, to the minute
            return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

        for line in lines:
            writer.writerow(
                [
                    line.name,
                    line.category,
                    line.college,
                    label("attendance", line.status),
                    when(line.checked_in_at),
                    when(line.checked_out_at),
                    label("check_in_method", line.method) if line.method else "",
                    line.steward,
                    line.proxy_holder,
                    _("yes") if line.blank_proxy else "",
                    line.instructions,
                ]
            )
        return Response(
            content=out.getvalue(),
            media_type="text/csv",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="assembly-{assembly_id}-register.csv"'
                ),
                "Cache-Control": "no-store",
            },
        )
