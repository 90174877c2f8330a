"""The facilitator's console (open, close, publish, cancel, reopen, phases), the turnout, the
scrutineer's room count, and the projector."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

import segno
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_409_CONFLICT

from votes.core.choices import REASON_MAX
from votes.core.results import TallyResult
from votes.core.room_counts import PAPER_COUNT_METHODS, RoomCount
from votes.db import attendance_queries as aq
from votes.db import ballot_queries as bq
from votes.db import minutes_queries as mq
from votes.db.ballot_queries import BallotView
from votes.db.tables import BallotStatus
from votes.i18n import gettext as _
from votes.services import attendance, ballot_mails
from votes.services.actors import Actor, may_count, may_run_ballots
from votes.services.ballots import lifecycle, room_counts
from votes.services.refusals import Refused
from votes.web import voting
from votes.web.controllers.ballots.common import (
    console_again,
    live_context,
    render_console,
    room_turnout,
)
from votes.web.controllers.ballots.network import network_result
from votes.web.forms import MAX_ID, FormErrors, Redisplay, whole_number
from votes.web.guards import requires
from votes.web.pages import Page, found
from votes.web.refusals import errors_on
from votes.web.rendering import see_other
from votes.web.voting import ballot_or_404


async def _room_count_page(
    page: Page,
    ballot: BallotView,
    again: Redisplay | None = None,
    values: dict[str, str] | None = None,
) -> Template:
    existing = await bq.room_count(ballot)
    if values is None and existing is not None:
        values = {f"count-{k}": str(v) for k, v in existing.counts.items()}
        values.update(
            blank=str(existing.blank), invalid=str(existing.invalid), cast=str(existing.cast)
        )
    return page.render_form(
        "pages/ballots/room_count.html.jinja",
        again,
        ballot=ballot,
        existing=existing,
        values=values or {},
        turnout=await bq.turnout(ballot),
        counts_allowed=ballot.method in PAPER_COUNT_METHODS,
    )


async def _last_ballot(actor: Actor, assembly_id: int) -> BallotView | None:
    """The assembly's open ballot; else the last one closed: its count, pending publication,
    or its published result (a closed ballot is never hidden behind "no ballot yet" while the
    room waits for it)."""
    organisation_id = actor.organisation.id
    ballot_id = await bq.latest_ballot_of_assembly(organisation_id, assembly_id, "open")
    if ballot_id:
        return await ballot_or_404(actor, ballot_id)
    closed = [
        await ballot_or_404(actor, closed_id)
        for status in (BallotStatus.CLOSED, BallotStatus.PUBLISHED)
        if (closed_id := await bq.latest_ballot_of_assembly(organisation_id, assembly_id, status))
    ]
    return max(closed, key=lambda b: (b.closed_at is not None, b.closed_at, b.id), default=None)


async def _projector_context(page: Page, assembly_id: int) -> dict[str, Any]:
    organisation_id = page.organisation.id
    language = page.context.language
    heading = found(await bq.assembly_heading(organisation_id, assembly_id))
    ballot = await _last_ballot(page.actor, assembly_id)
    join_url = f"{str(page.request.base_url).rstrip('/')}{page.path('vote')}"
    live: dict[str, Any] = {
        "quorum": await attendance.quorum_banner(organisation_id, assembly_id),
        "assembly": heading,
        "ballot": ballot,
        "join_url": join_url,
        "qr_svg": _qr_svg(join_url),
        "turnout": await bq.turnout(ballot) if ballot else None,
        # against who is there, as the console counts it, when the assembly keeps a register
        "room_turnout": await room_turnout(ballot) if ballot else None,
        "remaining": voting.remaining_seconds(ballot.closes_at) if ballot else None,
        "result": None,
        "bars": [],
        "explanation": [],
        "network": None,
    }
    if ballot and ballot.status == BallotStatus.PUBLISHED and ballot.result_json:
        result = TallyResult.from_json(ballot.result_json)
        live.update(
            result=result,
            bars=voting.bars(result, ballot.labels),
            explanation=voting.explanation(result, ballot.labels, language),
            in_words=voting.majority_words(result, language),
            # a network's ballot (#20): per head and per cooperative, side by side
            network=network_result(
                await aq.ballot_rule_snapshot(organisation_id, ballot.id), ballot.labels
            ),
        )
    # the audit trail's head, for the room to note and compare with the minutes
    live["audit_head"] = await mq.audit_head(organisation_id)
    return live


def _qr_svg(url: str) -> str:
    """A QR code of the join address, as inline SVG (no script, no external image)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out,
        kind="svg",
        scale=8,
        border=2,
        xmldecl=False,
        svgclass="qr",
        lineclass=None,
        omitsize=True,
    )
    return out.getvalue().decode()


def _room_fields(ballot: BallotView) -> list[str]:
    return [f"count-{o.key}" for o in ballot.options] + ["blank", "invalid", "cast"]


def _whole_number(value: str, name: str, errors: FormErrors) -> int:
    if not value:
        return 0
    number = whole_number(value, low=-MAX_ID, high=MAX_ID)
    if number is None:
        errors.add(name, _("Write a whole number."))
        return 0
    if number < 0:
        errors.add(name, _("Counts cannot be negative."))
    return number


async def _open(ballot_id: int, actor: Actor, text: str) -> None:
    await lifecycle.open_ballot(actor, ballot_id, reason=text)


async def _close(ballot_id: int, actor: Actor, text: str) -> None:
    # "despite": told that paper postal forms await a second scrutineer, close anyway
    await lifecycle.close_ballot(actor, ballot_id, leave_pending=text == "despite")


async def _publish(ballot_id: int, actor: Actor, _text: str) -> None:
    await lifecycle.publish_ballot(actor, ballot_id)


async def _cancel(ballot_id: int, actor: Actor, text: str) -> None:
    await lifecycle.cancel_ballot(actor, ballot_id, text)


async def _reopen(ballot_id: int, actor: Actor, text: str) -> int:
    return await lifecycle.reopen_ballot(actor, ballot_id, text)


async def _next_phase(ballot_id: int, actor: Actor, _text: str) -> None:
    await lifecycle.advance_phase(actor, ballot_id)


async def _rerun(ballot_id: int, actor: Actor, text: str) -> None:
    await lifecycle.rerun_consent_round(actor, ballot_id, text)


_ACTIONS: dict[str, Callable[[int, Actor, str], Awaitable[int | None]]] = {
    "open": _open,
    "close": _close,
    "publish": _publish,
    "cancel": _cancel,
    "reopen": _reopen,
    "next-phase": _next_phase,
    "rerun": _rerun,
}


class BallotConsoleController(Controller):
    path = "/"

    @get("/ballots/{ballot_id:int}/console", guards=[requires(may_run_ballots)])
    async def console(self, page: NamedDependency[Page], ballot_id: FromPath[int]) -> Template:
        return await render_console(page, await ballot_or_404(page.actor, ballot_id))

    @get("/ballots/{ballot_id:int}/turnout", guards=[requires(may_run_ballots)])
    async def turnout(self, page: NamedDependency[Page], ballot_id: FromPath[int]) -> Template:
        """The console's live part: turnout, countdown and who has not voted yet."""
        ballot = await ballot_or_404(page.actor, ballot_id)
        return page.render(
            "partials/ballots/_turnout.html.jinja", ballot=ballot, **await live_context(ballot)
        )

    @post("/ballots/{ballot_id:int}/console/{action:str}", guards=[requires(may_run_ballots)])
    async def act(
        self, page: NamedDependency[Page], ballot_id: FromPath[int], action: FromPath[str]
    ) -> Template | Redirect:
        """One tap on the console: open, close, publish, cancel, reopen, next phase, rerun."""
        if action not in _ACTIONS:
            raise NotFoundException()
        actor = page.actor
        ballot = await ballot_or_404(actor, ballot_id)
        form = await page.form()
        text = str(form.get("reason", ""))[:REASON_MAX]
        if action == "close":
            text = "despite" if form.get("despite") == "1" else ""
        if action == "open" and ballot.status == BallotStatus.DRAFT and form.get("despite") != "1":
            # not in session, or no quorum: the facilitator opens only once told
            warnings = await attendance.opening_warnings(
                actor.organisation.id, ballot.assembly_id, is_test=ballot.is_test
            )
            if warnings:
                return await render_console(
                    page, ballot, status_code=HTTP_409_CONFLICT, warned=True
                )
        if action in ("open", "reopen"):  # the links of a long ballot's mails point here
            ballot_mails.remember_base_url(str(page.request.base_url))
        try:
            # a secret ballot reopens as a fresh one: the console follows it
            shown = await _ACTIONS[action](ballot.id, actor, text) or ballot.id
        except Refused as error:
            return await console_again(page, ballot.id, error, action)
        return page.see_other("ballots", shown, "console")

    @get("/ballots/{ballot_id:int}/room-count", guards=[requires(may_count)])
    async def room_count_form(
        self, page: NamedDependency[Page], ballot_id: FromPath[int]
    ) -> Template:
        return await _room_count_page(page, await ballot_or_404(page.actor, ballot_id))

    @post("/ballots/{ballot_id:int}/room-count", guards=[requires(may_count)])
    async def room_count(
        self, page: NamedDependency[Page], ballot_id: FromPath[int]
    ) -> Template | Redirect:
        ballot = await ballot_or_404(page.actor, ballot_id)
        form = await page.form()
        values = {name: str(form.get(name, "")).strip()[:12] for name in _room_fields(ballot)}
        errors = FormErrors()
        numbers = {name: _whole_number(value, name, errors) for name, value in values.items()}
        if errors:
            return await _room_count_page(page, ballot, Redisplay(422, errors), values)
        count = RoomCount(
            counts={o.key: numbers[f"count-{o.key}"] for o in ballot.options},
            blank=numbers["blank"],
            invalid=numbers["invalid"],
            cast=numbers["cast"],
        )
        try:
            await room_counts.record_room_count(page.actor, ballot.id, count)
        except Refused as error:
            again = errors_on("", error, voting.REFUSALS)
            return await _room_count_page(page, ballot, again, values)
        return see_other(f"{page.path('ballots', ballot.id, 'room-count')}?saved=1")

    @get("/assemblies/{assembly_id:int}/projector")
    async def projector(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        """The room's big screen; its live part is re-fetched every few seconds."""
        return page.render(
            "pages/ballots/projector.html.jinja",
            fragment="partials/ballots/_projector_live.html.jinja",
            **await _projector_context(page, assembly_id),
        )
