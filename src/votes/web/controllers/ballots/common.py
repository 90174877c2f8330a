"""What the ballot pages share: the console page, the result shown and the live context."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar.response import Template
from litestar.status_codes import HTTP_200_OK

from votes.core.results import TallyResult
from votes.db import attendance_queries as aq
from votes.db import ballot_queries as bq
from votes.db.ballot_queries import BallotView
from votes.db.tables import BallotStatus
from votes.services import attendance
from votes.services.actors import Actor
from votes.services.refusals import Refused
from votes.web import voting
from votes.web.controllers.ballots.network import network_result
from votes.web.forms import FormErrors
from votes.web.pages import Page
from votes.web.refusals import form_errors
from votes.web.voting import ballot_or_404, cosign_state


async def render_console(
    page: Page,
    ballot: BallotView,
    errors: FormErrors | None = None,
    status_code: int = HTTP_200_OK,
    warned: bool = False,
) -> Template:
    organisation_id = page.organisation.id
    warnings: list[str] = []
    if ballot.status == BallotStatus.DRAFT:  # said before opening, confirmed by the facilitator
        warnings = await attendance.opening_warnings(
            organisation_id, ballot.assembly_id, is_test=ballot.is_test
        )
    return page.render(
        "pages/ballots/console.html.jinja",
        status_code=status_code,
        ballot=ballot,
        errors=errors or FormErrors(),
        warnings=warnings,
        warned=warned,
        quorum=await attendance.quorum_banner(organisation_id, ballot.assembly_id),
        cosign=await cosign_state(ballot),
        **await live_context(ballot),
        **await result_context(ballot, page.actor, page.context.language),
    )


async def console_again(page: Page, ballot_id: int, error: Refused, field: str = "") -> Template:
    """The console of the ballot as it is now (it may have moved meanwhile), saying why the
    action was refused, with the refusal's status."""
    status, errors = form_errors(error, voting.REFUSALS, field)
    fresh = await ballot_or_404(page.actor, ballot_id)
    return await render_console(page, fresh, errors, status)


def may_see_result(ballot: BallotView, actor: Actor) -> bool:
    """Results are public once published; facilitators and scrutineers see a public ballot's
    at close. A secret ballot's count stays sealed until it is published, for everyone: totals
    read before a reopening would tell, by difference, how each late voter voted."""
    return ballot.status == BallotStatus.PUBLISHED or (
        ballot.status == BallotStatus.CLOSED
        and not ballot.secret
        and (actor.is_facilitator or actor.is_scrutineer)
    )


async def result_context(
    ballot: BallotView, actor: Actor, language: str, *, room_recorded: bool = True
) -> dict[str, Any]:
    """The result and everything shown with it, for whoever may see it now (``room_recorded``
    False: the caller knows there is no room count to read)."""
    shown = bool(ballot.result_json) and may_see_result(ballot, actor)
    empty: dict[str, Any] = {
        "result": None,
        "explanation": [],
        "bars": [],
        "matrix": None,
        "rounds": [],
        "room": await bq.room_count(ballot) if room_recorded else None,
        "roll_call": [],
        "papers": [],
        "rule_snapshot": None,
        "network": None,
    }
    if not shown or ballot.result_json is None:
        return empty
    result = TallyResult.from_json(ballot.result_json)
    earlier = [
        (
            r.number,
            r.amendment,
            voting.explanation(TallyResult.from_json(r.result_json), ballot.labels, language),
        )
        for r in ballot.earlier_rounds
    ]
    published = ballot.status == BallotStatus.PUBLISHED
    snapshot = await aq.ballot_rule_snapshot(ballot.organisation_id, ballot.id)
    return empty | {
        "result": result,
        "explanation": voting.explanation(result, ballot.labels, language),
        "in_words": voting.majority_words(result, language),
        "bars": voting.bars(result, ballot.labels),
        "matrix": voting.pairwise(result),
        "rounds": earlier,
        "roll_call": [
            (name, voting.choice_text(ballot.method, ballot.labels, content))
            for name, content in await bq.roll_call(ballot)
        ],
        "papers": [
            replace(paper, content=voting.choice_text(ballot.method, ballot.labels, paper.content))
            for paper in await bq.published_papers(ballot)
        ]
        if ballot.secret and published
        else [],
        "rule_snapshot": snapshot,
        # a network's ballot (#20): both counts and each cooperative's line
        "network": network_result(snapshot, ballot.labels),
    }


def _frozen_at_close(ballot: BallotView) -> tuple[int, int] | None:
    """(present or represented, members with voting rights) as the close froze them: a closed
    ballot's turnout reads these, so that a proxy given or a member added after the close
    changes nothing in it (its count read the same)."""
    if ballot.status in (BallotStatus.DRAFT, BallotStatus.OPEN) or ballot.present_at_close is None:
        return None
    expected = ballot.present_at_close + (ballot.represented_at_close or 0)
    return expected, ballot.eligible_at_close or expected


async def room_turnout(ballot: BallotView) -> aq.RoomTurnout | None:
    """Who voted among those present or represented: the one figure the console and the
    projector show (frozen at the close once closed); None while the assembly keeps no
    register (both then count against the members with voting rights)."""
    return await aq.room_turnout(
        ballot.organisation_id,
        ballot.assembly_id,
        ballot.id,
        ballot.round,
        frozen=_frozen_at_close(ballot),
    )


async def live_context(ballot: BallotView) -> dict[str, Any]:
    turnout = await bq.turnout(ballot)
    # against the register when the assembly keeps one: absent members are not "missing"
    room = await room_turnout(ballot)
    missing: list[Any] = []
    if ballot.status == BallotStatus.OPEN:
        missing = room.waiting if room else [(name, "") for name in await bq.non_voters(ballot)]
    return {
        "turnout": turnout,
        "room_turnout": room,
        "missing": missing,
        "remaining": voting.remaining_seconds(ballot.closes_at),
    }
