"""Ballots on the web: voting from a phone, the facilitator's console, the scrutineer's room
count, the projector, results and their exports.

Every page works with plain forms; htmx swaps fragments for speed. Pages that change while
people look at them (turnout, the member's ballot area, the projector) are cheap fragments that
htmx re-fetches every few seconds; the status poll answers 204 while nothing changed, so a room
of phones costs one indexed lookup each per poll. Server-sent events (#8) can replace the polls
by triggering the same fragment requests.
"""

from __future__ import annotations

import io
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import segno
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict, State
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_409_CONFLICT

from votes.core import METHODS, receipts
from votes.core.choices import REASON_MAX
from votes.core.formats import write_blt
from votes.core.papers import RANKED_METHODS
from votes.core.results import TallyError, TallyResult
from votes.core.room_counts import PAPER_COUNT_METHODS, RoomCount
from votes.db import assembly_queries
from votes.db import attendance_queries as aq
from votes.db import ballot_queries as bq
from votes.db import minutes_queries as mq
from votes.db.assembly_queries import ProposalPage, proposal_page
from votes.db.ballot_queries import BallotView
from votes.db.tables import BallotStatus
from votes.i18n import gettext as _
from votes.services import attendance, exports, proxies, rules
from votes.services.actors import Actor, may_count, may_run_assemblies, may_run_ballots
from votes.services.ballots import drafts, lifecycle, room_counts, rows
from votes.services.ballots import voting as ballot_voting
from votes.services.proposals import viewer_of
from votes.services.refusals import Refused
from votes.web import voting
from votes.web.context import RequestContext, settings_of
from votes.web.forms import MAX_ID, FormErrors, whole_number
from votes.web.guards import requires
from votes.web.refusals import explain, form_errors
from votes.web.rendering import is_htmx, page, see_other
from votes.web.voting import ballot_or_404, cosign_state

RECEIPT_COOKIE = "votes_receipt_{ballot}"
RECEIPT_COOKIE_SECONDS = 7 * 24 * 3600


def may_see_result(ballot: BallotView, actor: Actor) -> bool:
    """Results are public once published; facilitators and scrutineers see a public ballot's
    at close. A secret ballot's count stays sealed until it is published, for everyone: totals
    read before a reopening would tell, by difference, how each late voter voted."""
    return ballot.status == BallotStatus.PUBLISHED or (
        ballot.status == BallotStatus.CLOSED
        and not ballot.secret
        and (actor.is_facilitator or actor.is_scrutineer)
    )


def _org_path(actor: Actor) -> str:
    return f"/o/{actor.organisation.short_name}"


def _ballot_path(actor: Actor, ballot_id: int) -> str:
    return f"{_org_path(actor)}/ballots/{ballot_id}"


def _kept_codes(request: Request[Any, Any, State], actor: Actor, ballot_id: int) -> tuple[str, str]:
    """The (receipt code, change code) this browser keeps for this member on this ballot;
    nothing when they were kept for someone else who used the same phone."""
    cookie = request.cookies.get(RECEIPT_COOKIE.format(ballot=ballot_id), "")
    owner = voting.receipt_owner(settings_of(request).secret_key, actor.id)
    return voting.kept_codes(cookie, owner)


async def _result_context(
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
        "rule_snapshot": await aq.ballot_rule_snapshot(ballot.organisation_id, ballot.id),
    }


class BallotController(Controller):
    path = "/"

    # -- the member's side ----------------------------------------------------------------------

    @get("/vote")
    async def vote_area(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
    ) -> Template:
        """The page a member keeps open during the session: it lists the open ballots and
        refreshes itself, so a ballot appears on every phone when the facilitator opens it."""
        ids = await bq.open_ballot_ids(actor.organisation.id)
        open_ballots = [await ballot_or_404(actor, ballot_id) for ballot_id in ids]
        return page(
            request,
            "pages/ballots/vote_area.html.jinja",
            fragment="partials/ballots/_vote_area.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            open_ballots=open_ballots,
        )

    @get("/ballots", guards=[requires(may_run_ballots)])
    async def ballot_list(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
    ) -> Template:
        """A facilitator's list of every ballot, whatever made it and wherever it is filed."""
        return page(
            request,
            "pages/ballots/list.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            lines=await assembly_queries.organisation_ballots(actor.organisation.id),
        )

    @get("/ballots/{ballot_id:int}")
    async def detail(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
        change: FromQuery[bool] = False,
    ) -> Template:
        ballot = await ballot_or_404(actor, ballot_id)
        motion = None
        if ballot.proposal_id and not is_htmx(request):  # the whole page only: fragments skip it
            motion = await proposal_page(
                actor.organisation.id, ballot.proposal_id, viewer_of(actor)
            )
        return await self._render_ballot(
            request, context, actor, ballot, change=change, motion=motion
        )

    async def _render_ballot(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        actor: Actor,
        ballot: BallotView,
        *,
        change: bool = False,
        choice: Any = None,
        errors: FormErrors | None = None,
        status_code: int = HTTP_200_OK,
        receipt: str = "",
        change_code: str = "",
        voting_for: str = "",
        announce: str = "",
        motion: ProposalPage | None = None,
    ) -> Template:
        state = await bq.viewer_state(ballot, actor.id)
        voted_at = state.voted_at
        owner = voting.receipt_owner(settings_of(request).secret_key, actor.id)
        if not receipt:
            receipt, change_code = _kept_codes(request, actor, ballot.id)
        editing = change and ballot.allow_change and voted_at is not None
        if choice is None and editing:
            stored = await bq.public_choice_of(ballot, actor.id)
            choice = json.loads(stored) if stored else None
        # said before the member fills the form, not after they confirm it (#17)
        must_check_in = (
            ballot.status == BallotStatus.OPEN
            and ballot.takes_votes
            and actor.can_vote
            and await attendance.must_check_in_to_vote(
                actor.organisation.id, ballot.assembly_id, actor.id, is_test=ballot.is_test
            )
        )
        remote_allowed = (
            must_check_in
            and (
                await rules.assembly_profile(actor.organisation.id, ballot.assembly_id)
            ).remote_counts_as_present
        )
        return page(
            request,
            "pages/ballots/detail.html.jinja",
            fragment="partials/ballots/_voting.html.jinja",
            status_code=status_code,
            context=context,
            membership=actor,
            organisation=actor.organisation,
            ballot=ballot,
            voted_at=voted_at,
            receipt=receipts.format_receipt(receipt),
            receipt_owner=owner,
            change_code=receipts.format_change_code(change_code) if ballot.secret else "",
            editing=editing,
            choice=choice,
            errors=errors or FormErrors(),
            submission=ballot_voting.new_submission_token(),
            turnout=state.turnout,
            remaining=voting.remaining_seconds(ballot.closes_at),
            represented=await _represented(ballot, actor) if state.holds_proxies else [],
            voting_for=voting_for,
            announce=announce,
            motion=motion,
            must_check_in=must_check_in,
            remote_allowed=remote_allowed,
            **await _result_context(
                ballot, actor, context.language, room_recorded=state.room_recorded
            ),
        )

    @get("/ballots/{ballot_id:int}/status")
    async def status(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
        seen: FromQuery[str] = "",
    ) -> Response[None] | Template:
        """What phones poll: 204 while nothing changed. Once it changed, the ballot area itself,
        swapped in place with a sentence for the page's live region (a screen reader hears
        "the ballot is open"); a plain request gets a refresh of the page."""
        found = await bq.ballot_status(actor.organisation.id, ballot_id)
        if found is None:
            raise NotFoundException()
        now = f"{found[0]}:{found[1]}:{found[2]}"
        headers = {"Cache-Control": "no-store"}
        if now != seen and is_htmx(request):
            ballot = await ballot_or_404(actor, ballot_id)
            fresh = await self._render_ballot(
                request, context, actor, ballot, announce=_announcement(ballot)
            )
            fresh.headers.update(
                headers | {"HX-Retarget": "#voting-area", "HX-Reswap": "outerHTML"}
            )
            return fresh
        if now != seen:
            headers["HX-Refresh"] = "true"
        return Response(content=None, status_code=204, headers=headers)

    @post("/ballots/{ballot_id:int}/rank")
    async def rank(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
    ) -> Template:
        """One tap on a ranked ballot: the form comes back with the new order."""
        ballot = await ballot_or_404(actor, ballot_id)
        form = await request.form()
        keys = [option.key for option in ballot.options]
        order = voting.apply_tap(voting.ranking_from(form), form, keys)
        return await self._render_ballot(
            request,
            context,
            actor,
            ballot,
            change=bool(form.get("change")),
            choice=order,
            voting_for=str(form.get("for", ""))[:20],
        )

    @post("/ballots/{ballot_id:int}/review")
    async def review(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
    ) -> Template:
        """The confirmation step: the choice read back, to confirm or to change."""
        ballot = await ballot_or_404(actor, ballot_id)
        form = await request.form()
        raw = voting.choice_from(ballot.method, form, [o.key for o in ballot.options])
        change = bool(form.get("change"))
        try:
            checked = ballot_voting.check_choice(
                ballot.method, [o.key for o in ballot.options], ballot.rules, raw
            )
        except Refused as error:
            return await self._refuse(request, context, actor, ballot, error, raw, change)
        if not ballot.takes_votes or ballot.time_is_up:
            over = ballot.status != BallotStatus.OPEN or ballot.time_is_up
            closed = Refused("not_open" if over else "not_yet")
            return await self._refuse(request, context, actor, ballot, closed, raw, change)
        return page(
            request,
            "pages/ballots/review.html.jinja",
            fragment="partials/ballots/_review.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            ballot=ballot,
            words=voting.choice_words(ballot, checked),
            fields=voting.hidden_fields(ballot.method, checked),
            submission=str(form.get("submission", ""))[:64] or ballot_voting.new_submission_token(),
            change=change,
            change_code=_kept_codes(request, actor, ballot.id)[1],
            voting_for=str(form.get("for", ""))[:20],
            represented=await _represented(ballot, actor),
        )

    @post("/ballots/{ballot_id:int}/edit")
    async def edit(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
    ) -> Template:
        """Back from the confirmation step to the form, with the choice kept."""
        ballot = await ballot_or_404(actor, ballot_id)
        form = await request.form()
        choice = voting.choice_from(ballot.method, form, [o.key for o in ballot.options])
        return await self._render_ballot(
            request,
            context,
            actor,
            ballot,
            change=bool(form.get("change")),
            choice=choice,
            voting_for=str(form.get("for", ""))[:20],
        )

    @post("/ballots/{ballot_id:int}/vote")
    async def vote(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
    ) -> Template | Redirect:
        """Store a vote. The hot path of a plenary: it reads only the ballot's cached definition
        before the one write transaction, and answers a plain form with a redirect."""
        try:
            definition = await rows.ballot_definition(ballot_id)
        except Refused as error:
            raise NotFoundException() from error
        if definition.organisation_id != actor.organisation.id:
            raise NotFoundException()
        form = await request.form()
        choice = voting.choice_from(definition.method, form, list(definition.keys))
        change = bool(form.get("change"))
        target = str(form.get("for", ""))[:20]
        if target and target != "self" and not change:
            return await self._vote_as_holder(request, context, actor, ballot_id, form, choice)
        try:
            receipt = await self._store_vote(request, actor, ballot_id, form, choice, change)
        except Refused as error:
            ballot = await ballot_or_404(actor, ballot_id)
            return await self._refuse(request, context, actor, ballot, error, choice, change)
        response: Template | Redirect
        if is_htmx(request):
            ballot = await ballot_or_404(actor, ballot_id)
            response = await self._render_ballot(
                request,
                context,
                actor,
                ballot,
                receipt=receipt.code,
                change_code=receipt.change_code,
            )
        else:
            response = see_other(_ballot_path(actor, ballot_id))
        if receipt.code:
            owner = voting.receipt_owner(settings_of(request).secret_key, actor.id)
            response.set_cookie(
                RECEIPT_COOKIE.format(ballot=ballot_id),
                f"{owner}.{receipt.code}.{receipt.change_code}",
                max_age=RECEIPT_COOKIE_SECONDS,
                path=_ballot_path(actor, ballot_id),
                httponly=True,
                secure=settings_of(request).secure_cookies,
                samesite="lax",
            )
        return response

    async def _vote_as_holder(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        actor: Actor,
        ballot_id: int,
        form: FormMultiDict,
        choice: Any,
    ) -> Template | Redirect:
        """A proxy holder votes for one member they represent, or casts every vote they hold
        (theirs and each represented member's not cast yet) in one action."""
        ballot = await ballot_or_404(actor, ballot_id)
        target = str(form.get("for", ""))[:20]
        submission = str(form.get("submission", ""))[:64] or ballot_voting.new_submission_token()
        key = settings_of(request).secret_key
        try:
            if target == "all":
                await ballot_voting.cast_held_votes(
                    ballot_id,
                    actor.id,
                    choice,
                    represented=[r.membership_id for r in await _represented(ballot, actor)],
                    own=True,
                    submission=submission,
                    receipt_key=key,
                )
            else:
                await ballot_voting.cast_vote(
                    ballot_id,
                    actor.id,
                    choice,
                    submission=submission,
                    receipt_key=key,
                    on_behalf_of=whole_number(target) or 0,
                )
        except Refused as error:
            return await self._refuse(request, context, actor, ballot, error, choice, False)
        if is_htmx(request):
            fresh = await ballot_or_404(actor, ballot_id)
            return await self._render_ballot(request, context, actor, fresh)
        return see_other(_ballot_path(actor, ballot_id))

    async def _store_vote(
        self,
        request: Request[Any, Any, State],
        actor: Actor,
        ballot_id: int,
        form: FormMultiDict,
        choice: Any,
        change: bool,
    ) -> ballot_voting.VoteReceipt:
        if change:
            typed = str(form.get("change_code", ""))[:40]
            kept = _kept_codes(request, actor, ballot_id)[1]
            return await ballot_voting.change_vote(
                ballot_id, actor.id, choice, change_code=typed or kept
            )
        return await ballot_voting.cast_vote(
            ballot_id,
            actor.id,
            choice,
            submission=str(form.get("submission", ""))[:64] or None,
            receipt_key=settings_of(request).secret_key,
        )

    async def _refuse(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        actor: Actor,
        ballot: BallotView,
        error: Refused,
        choice: Any,
        change: bool,
    ) -> Template:
        """A refused vote: the form again with the reason (422), or the ballot page saying why
        it cannot take this vote (409: closed, already voted…)."""
        status, errors = form_errors(error, voting.REFUSALS)
        fresh = await ballot_or_404(actor, ballot.id)  # it may have closed meanwhile
        return await self._render_ballot(
            request,
            context,
            actor,
            fresh,
            change=change,
            choice=choice if status == 422 else None,
            errors=errors,
            status_code=status,
        )

    @post("/ballots/{ballot_id:int}/verify")
    async def verify(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
    ) -> Template:
        """A voter checks that the paper of their receipt code is in the published count."""
        ballot = await ballot_or_404(actor, ballot_id)
        if ballot.status != BallotStatus.PUBLISHED:
            raise NotFoundException()
        form = await request.form()
        code = receipts.normalise_receipt(str(form.get("receipt", ""))[:40])
        content = await bq.paper_by_receipt(ballot, receipts.receipt_hash(code)) if code else None
        return page(
            request,
            "pages/ballots/verify.html.jinja",
            fragment="partials/ballots/_verify.html.jinja",
            status_code=HTTP_200_OK if content else 422,
            context=context,
            membership=actor,
            organisation=actor.organisation,
            ballot=ballot,
            code=receipts.format_receipt(code),
            fingerprint=receipts.receipt_fingerprint(code),
            words=voting.choice_words(ballot, json.loads(content)) if content else [],
            found=content is not None,
        )

    # -- exports -------------------------------------------------------------------------------

    async def _exportable(self, actor: Actor, ballot_id: int) -> BallotView:
        ballot = await ballot_or_404(actor, ballot_id)
        if not (ballot.result_json and may_see_result(ballot, actor)):
            raise NotFoundException()
        return ballot

    @get("/ballots/{ballot_id:int}/result.json")
    async def export_json(
        self, actor: NamedDependency[Actor], ballot_id: FromPath[int]
    ) -> Response[str]:
        ballot = await self._exportable(actor, ballot_id)
        assert ballot.result_json is not None
        body = {
            "ballot": {
                "id": ballot.id,
                "question": ballot.question,
                "method": ballot.method,
                "seats": ballot.seats,
                "secret": ballot.secret,
                "test": ballot.is_test,
                "options": [{"key": o.key, "label": o.label} for o in ballot.options],
                "eligible_at_open": ballot.eligible_at_open,
                "eligible_at_close": ballot.eligible_at_close,
            },
            "result": json.loads(ballot.result_json),
            "papers": [
                {"receipt": p.fingerprint, "choice": json.loads(p.content)}
                for p in await bq.published_papers(ballot)
            ]
            if ballot.status == BallotStatus.PUBLISHED
            else [],
        }
        return _download(
            json.dumps(body, ensure_ascii=False, indent=2), "application/json", ballot, "json"
        )

    @get("/ballots/{ballot_id:int}/result.csv")
    async def export_csv(
        self, actor: NamedDependency[Actor], ballot_id: FromPath[int]
    ) -> Response[str]:
        ballot = await self._exportable(actor, ballot_id)
        assert ballot.result_json is not None
        body = exports.ballot_result_csv(ballot.result_json, ballot.labels)
        return _download(body, "text/csv; charset=utf-8", ballot, "csv")

    @get("/ballots/{ballot_id:int}/result.blt")
    async def export_blt(
        self, actor: NamedDependency[Actor], ballot_id: FromPath[int]
    ) -> Response[str]:
        ballot = await self._exportable(actor, ballot_id)
        if ballot.method not in RANKED_METHODS or ballot.status != BallotStatus.PUBLISHED:
            raise NotFoundException()
        # candidates are named by their labels, as people read them (keys when two labels are
        # the same once made BLT-safe: the file must still name each candidate once)
        names = {o.key: o.label.replace('"', "'").replace("\n", " ") for o in ballot.options}
        if len(set(names.values())) != len(names):
            names = {key: key for key in names}
        rankings = {
            tuple(names.get(key, key) for key in ranking): weight
            for ranking, weight in (await bq.rankings(ballot)).items()
        }
        try:
            text = write_blt(
                [names[o.key] for o in ballot.options],
                rankings,
                seats=ballot.seats,
                title=ballot.question.replace('"', "'"),
            )
        except TallyError as error:
            raise NotFoundException() from error
        return _download(text, "text/plain; charset=utf-8", ballot, "blt")

    # -- the facilitator's console -------------------------------------------------------------

    @get("/ballots/{ballot_id:int}/console", guards=[requires(may_run_ballots)])
    async def console(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
    ) -> Template:
        ballot = await ballot_or_404(actor, ballot_id)
        return await self._console(request, context, actor, ballot)

    async def _console(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        actor: Actor,
        ballot: BallotView,
        errors: FormErrors | None = None,
        status_code: int = HTTP_200_OK,
        warned: bool = False,
    ) -> Template:
        warnings: list[str] = []
        if ballot.status == BallotStatus.DRAFT:  # said before opening, confirmed by the facilitator
            warnings = await attendance.opening_warnings(
                actor.organisation.id, ballot.assembly_id, is_test=ballot.is_test
            )
        return page(
            request,
            "pages/ballots/console.html.jinja",
            status_code=status_code,
            context=context,
            membership=actor,
            organisation=actor.organisation,
            ballot=ballot,
            errors=errors or FormErrors(),
            warnings=warnings,
            warned=warned,
            quorum=await attendance.quorum_banner(actor.organisation.id, ballot.assembly_id),
            cosign=await cosign_state(ballot),
            **await _live_context(ballot),
            **await _result_context(ballot, actor, context.language),
        )

    @get("/ballots/{ballot_id:int}/turnout", guards=[requires(may_run_ballots)])
    async def turnout(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
    ) -> Template:
        """The console's live part: turnout, countdown and who has not voted yet."""
        ballot = await ballot_or_404(actor, ballot_id)
        return page(
            request,
            "partials/ballots/_turnout.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            ballot=ballot,
            **await _live_context(ballot),
        )

    @post("/ballots/{ballot_id:int}/console/{action:str}", guards=[requires(may_run_ballots)])
    async def act(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
        action: FromPath[str],
    ) -> Template | Redirect:
        """One tap on the console: open, close, publish, cancel, reopen, next phase, rerun."""
        if action not in _ACTIONS:
            raise NotFoundException()
        ballot = await ballot_or_404(actor, ballot_id)
        form = await request.form()
        text = str(form.get("reason", ""))[:REASON_MAX]
        if action == "open" and ballot.status == BallotStatus.DRAFT and form.get("despite") != "1":
            # not in session, or no quorum: the facilitator opens only once told (#17)
            warnings = await attendance.opening_warnings(
                actor.organisation.id, ballot.assembly_id, is_test=ballot.is_test
            )
            if warnings:
                return await self._console(
                    request, context, actor, ballot, status_code=HTTP_409_CONFLICT, warned=True
                )
        try:
            # a secret ballot reopens as a fresh one: the console follows it
            shown = await _ACTIONS[action](ballot.id, actor, text) or ballot.id
        except Refused as error:
            status, errors = form_errors(error, voting.REFUSALS, action)
            fresh = await ballot_or_404(actor, ballot.id)
            return await self._console(request, context, actor, fresh, errors, status)
        return see_other(f"{_ballot_path(actor, shown)}/console")

    # -- the scrutineer's room count -----------------------------------------------------------

    @get("/ballots/{ballot_id:int}/room-count", guards=[requires(may_count)])
    async def room_count_form(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
    ) -> Template:
        ballot = await ballot_or_404(actor, ballot_id)
        return await self._room_count_page(request, context, actor, ballot)

    async def _room_count_page(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        actor: Actor,
        ballot: BallotView,
        errors: FormErrors | None = None,
        values: dict[str, str] | None = None,
        status_code: int = HTTP_200_OK,
    ) -> Template:
        existing = await bq.room_count(ballot)
        if values is None and existing is not None:
            values = {f"count-{k}": str(v) for k, v in existing.counts.items()}
            values.update(
                blank=str(existing.blank), invalid=str(existing.invalid), cast=str(existing.cast)
            )
        return page(
            request,
            "pages/ballots/room_count.html.jinja",
            status_code=status_code,
            context=context,
            membership=actor,
            organisation=actor.organisation,
            ballot=ballot,
            existing=existing,
            values=values or {},
            errors=errors or FormErrors(),
            turnout=await bq.turnout(ballot),
            counts_allowed=ballot.method in PAPER_COUNT_METHODS,
        )

    @post("/ballots/{ballot_id:int}/room-count", guards=[requires(may_count)])
    async def room_count(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
    ) -> Template | Redirect:
        ballot = await ballot_or_404(actor, ballot_id)
        form = await request.form()
        values = {name: str(form.get(name, "")).strip()[:12] for name in _room_fields(ballot)}
        errors = FormErrors()
        numbers = {name: _whole_number(value, name, errors) for name, value in values.items()}
        if not errors:
            count = RoomCount(
                counts={o.key: numbers[f"count-{o.key}"] for o in ballot.options},
                blank=numbers["blank"],
                invalid=numbers["invalid"],
                cast=numbers["cast"],
            )
            try:
                await room_counts.record_room_count(actor, ballot.id, count)
            except Refused as error:
                status, message = explain(error, voting.REFUSALS)
                errors.add("", message)
                return await self._room_count_page(
                    request, context, actor, ballot, errors, values, status
                )
            return see_other(f"{_ballot_path(actor, ballot.id)}/room-count?saved=1")
        return await self._room_count_page(request, context, actor, ballot, errors, values, 422)

    # -- preparing a ballot --------------------------------------------------------------------

    @get("/assemblies/{assembly_id:int}/ballots/new", guards=[requires(may_run_assemblies)])
    async def new_ballot(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
        method: FromQuery[str] = "majority",
    ) -> Template:
        heading = await bq.assembly_heading(actor.organisation.id, assembly_id)
        if heading is None:
            raise NotFoundException()
        method = method if method in METHODS else "majority"
        defaults = drafts.default_options(method)
        values = {
            "method": method,
            "options": "\n".join(label for _key, label in defaults),
            "seats": "1",
            "threshold": "1/2",
            "agenda_item": str(await _current_item(actor, assembly_id) or ""),
        }
        items = await assembly_queries.agenda_titles(actor.organisation.id, assembly_id)
        return self._new_page(
            request, context, actor, heading, values, FormErrors(), agenda_items=items
        )

    def _new_page(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        actor: Actor,
        heading: bq.AssemblyHeading,
        values: dict[str, str],
        errors: FormErrors,
        status_code: int = HTTP_200_OK,
        editing: BallotView | None = None,
        agenda_items: tuple[tuple[int, str], ...] | list[tuple[int, str]] = (),
    ) -> Template:
        """The ballot form: a new ballot, or (``editing``) a draft's settings to correct."""
        return page(
            request,
            "pages/ballots/new.html.jinja",
            status_code=status_code,
            context=context,
            membership=actor,
            organisation=actor.organisation,
            assembly=heading,
            values=values,
            errors=errors,
            methods=METHODS,
            editing=editing,
            agenda_items=agenda_items,
            # what the form shows for each method (static/js/ballot-form.js)
            option_defaults={
                method: "\n".join(label for _key, label in drafts.default_options(method))
                for method in METHODS
            },
            multi_seat=sorted(drafts.MULTI_SEAT_METHODS),
        )

    @post(
        "/assemblies/{assembly_id:int}/ballots",
        guards=[requires(may_run_assemblies)],
    )
    async def create(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template | Redirect:
        heading = await bq.assembly_heading(actor.organisation.id, assembly_id)
        if heading is None:
            raise NotFoundException()
        form = await request.form()
        values = {name: str(form.get(name, ""))[:5000] for name in _NEW_FIELDS}
        values["agenda_item"] = str(form.get("agenda_item", ""))[:20]
        errors = FormErrors()
        settings = _read_settings(values, errors)
        item_id = await _chosen_item(actor, assembly_id, form.get("agenda_item"))
        if settings is not None:
            try:
                ballot_id = await drafts.create_ballot(
                    actor,
                    assembly_id,
                    settings.question,
                    settings.method,
                    settings.options,
                    seats=settings.seats,
                    secret=settings.secret,
                    is_test=settings.is_test,
                    allow_change=settings.allow_change,
                    duration_seconds=settings.duration_seconds,
                    facilitated=settings.facilitated,
                    rules=dict(settings.rules or {}),
                    agenda_item_id=item_id,
                )
            except Refused as error:
                errors.add("", explain(error, voting.REFUSALS).message)
            else:
                return see_other(f"{_ballot_path(actor, ballot_id)}/console")
        items = await assembly_queries.agenda_titles(actor.organisation.id, assembly_id)
        return self._new_page(
            request, context, actor, heading, values, errors, 422, agenda_items=items
        )

    # -- every ballot of an assembly, and a copy of one ----------------------------------------

    @get("/assemblies/{assembly_id:int}/ballots", guards=[requires(may_run_assemblies)])
    async def assembly_ballots(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template:
        """The facilitator's list of every ballot of the assembly, with its console and a copy."""
        heading = await bq.assembly_heading(actor.organisation.id, assembly_id)
        if heading is None:
            raise NotFoundException()
        return page(
            request,
            "pages/ballots/assembly_list.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            assembly=heading,
            ballots=await bq.ballots_of_assembly(actor.organisation.id, assembly_id),
        )

    @post("/ballots/{ballot_id:int}/duplicate", guards=[requires(may_run_assemblies)])
    async def duplicate(
        self,
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
    ) -> Redirect:
        """A new draft with the same question, method, options and rules (e.g. a second round,
        or the same vote on the next resolution), opened on its settings to adjust."""
        ballot = await ballot_or_404(actor, ballot_id)
        copy_id = await drafts.create_ballot(
            actor,
            ballot.assembly_id,
            ballot.question,
            ballot.method,
            [(option.key, option.label) for option in ballot.options],
            agenda_item_id=ballot.agenda_item_id,
            proposal_id=ballot.proposal_id,
            seats=ballot.seats,
            secret=ballot.secret,
            is_test=ballot.is_test,
            rules=dict(ballot.rules),
            allow_change=ballot.allow_change,
            duration_seconds=ballot.duration_seconds,
            facilitated=ballot.phase != "none",  # a facilitated round never comes back to none
        )
        return see_other(f"{_ballot_path(actor, copy_id)}/settings")

    # -- correcting a draft -------------------------------------------------------------------

    async def _draft(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        actor: Actor,
        ballot_id: int,
    ) -> tuple[BallotView, bq.AssemblyHeading] | Template:
        """The draft to edit and its assembly, or the console saying it can no longer be
        edited (409)."""
        ballot = await ballot_or_404(actor, ballot_id)
        heading = await bq.assembly_heading(actor.organisation.id, ballot.assembly_id)
        if heading is None:
            raise NotFoundException()
        if ballot.status != BallotStatus.DRAFT:
            return await self._not_editable(request, context, actor, ballot)
        return ballot, heading

    async def _not_editable(
        self,
        request: Request[Any, Any, State],
        context: RequestContext,
        actor: Actor,
        ballot: BallotView,
    ) -> Template:
        status, message = explain("not_editable", voting.REFUSALS)
        errors = FormErrors()
        errors.add("edit", message)
        fresh = await ballot_or_404(actor, ballot.id)
        return await self._console(request, context, actor, fresh, errors, status)

    @get("/ballots/{ballot_id:int}/settings", guards=[requires(may_run_assemblies)])
    async def edit_draft_form(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
    ) -> Template:
        """The creation form again, filled with a draft's settings, to correct them."""
        found = await self._draft(request, context, actor, ballot_id)
        if isinstance(found, Template):
            return found
        ballot, heading = found
        values = _form_values(ballot)
        return self._new_page(
            request, context, actor, heading, values, FormErrors(), editing=ballot
        )

    @post("/ballots/{ballot_id:int}/settings", guards=[requires(may_run_assemblies)])
    async def edit_draft(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        ballot_id: FromPath[int],
    ) -> Template | Redirect:
        found = await self._draft(request, context, actor, ballot_id)
        if isinstance(found, Template):
            return found
        ballot, heading = found
        form = await request.form()
        values = {name: str(form.get(name, ""))[:5000] for name in _NEW_FIELDS}
        errors = FormErrors()
        settings = _read_settings(values, errors)
        if settings is not None:
            if settings.method == ballot.method:  # rules the form does not show are kept
                kept = {k: v for k, v in ballot.rules.items() if k not in _FORM_RULES}
                settings = replace(settings, rules={**kept, **(settings.rules or {})})
            try:
                await drafts.edit_draft(actor, ballot.id, settings)
            except Refused as error:
                if error.code == "not_editable":  # opened meanwhile
                    return await self._not_editable(request, context, actor, ballot)
                errors.add("", explain(error, voting.REFUSALS).message)
            else:
                return see_other(f"{_ballot_path(actor, ballot.id)}/console")
        return self._new_page(request, context, actor, heading, values, errors, 422, editing=ballot)

    # -- the projector -------------------------------------------------------------------------

    @get("/assemblies/{assembly_id:int}/projector")
    async def projector(
        self,
        request: Request[Any, Any, State],
        context: NamedDependency[RequestContext],
        actor: NamedDependency[Actor],
        assembly_id: FromPath[int],
    ) -> Template:
        """The room's big screen; its live part is re-fetched every few seconds."""
        live = await _projector_context(request, actor, assembly_id, context.language)
        return page(
            request,
            "pages/ballots/projector.html.jinja",
            fragment="partials/ballots/_projector_live.html.jinja",
            context=context,
            membership=actor,
            organisation=actor.organisation,
            **live,
        )


# ---------------------------------------------------------------------------------------------
# helpers of the controller


async def _represented(ballot: BallotView, actor: Actor) -> list[Any]:
    """The members the viewer votes for by proxy on this ballot (#7), while it takes votes."""
    if ballot.status != BallotStatus.OPEN or not actor.can_vote:
        return []
    return await proxies.represented_by(
        actor.organisation.id,
        ballot.assembly_id,
        actor.id,
        ballot_id=ballot.id,
        round_=ballot.round,
    )


def _announcement(ballot: BallotView) -> str:
    """The sentence a screen reader hears when the ballot on screen moves on by itself."""
    if ballot.status == BallotStatus.OPEN and ballot.takes_votes:
        return _("The ballot is open: you can vote now.")
    if ballot.status == BallotStatus.OPEN:
        return _("The ballot is open: the round is being discussed before the vote.")
    if ballot.status == BallotStatus.CLOSED:
        return _("The ballot is closed.")
    if ballot.status == BallotStatus.PUBLISHED:
        return _("The result is published.")
    if ballot.status == BallotStatus.CANCELLED:
        return _("The ballot was cancelled.")
    return ""


async def _live_context(ballot: BallotView) -> dict[str, Any]:
    turnout = await bq.turnout(ballot)
    # against the register when the assembly keeps one: absent members are not "missing"
    room = await aq.room_turnout(
        ballot.organisation_id, ballot.assembly_id, ballot.id, ballot.round
    )
    missing: list[Any] = []
    if ballot.status == BallotStatus.OPEN:
        missing = room.waiting if room else [(name, "") for name in await bq.non_voters(ballot)]
    return {
        "turnout": turnout,
        "room_turnout": room,
        "missing": missing,
        "remaining": voting.remaining_seconds(ballot.closes_at),
    }


async def _projector_context(
    request: Request[Any, Any, State],
    actor: Actor,
    assembly_id: int,
    language: str,
) -> dict[str, Any]:
    organisation_id = actor.organisation.id
    heading = await bq.assembly_heading(organisation_id, assembly_id)
    if heading is None:
        raise NotFoundException()
    ballot_id = await bq.latest_ballot_of_assembly(organisation_id, assembly_id, "open")
    ballot = await ballot_or_404(actor, ballot_id) if ballot_id else None
    if ballot is None:
        # the last ballot closed: its count, pending publication, or its published result (a
        # closed ballot is never hidden behind "no ballot yet" while the room waits for it)
        found = [
            await ballot_or_404(actor, found_id)
            for status in (BallotStatus.CLOSED, BallotStatus.PUBLISHED)
            if (
                found_id := await bq.latest_ballot_of_assembly(organisation_id, assembly_id, status)
            )
        ]
        ballot = max(
            found, key=lambda b: (b.closed_at is not None, b.closed_at, b.id), default=None
        )
    join_url = f"{str(request.base_url).rstrip('/')}{_org_path(actor)}/vote"
    live: dict[str, Any] = {
        "quorum": await attendance.quorum_banner(organisation_id, assembly_id),
        "assembly": heading,
        "ballot": ballot,
        "join_url": join_url,
        "qr_svg": _qr_svg(join_url),
        "turnout": await bq.turnout(ballot) if ballot else None,
        "remaining": voting.remaining_seconds(ballot.closes_at) if ballot else None,
        "result": None,
        "bars": [],
        "explanation": [],
    }
    if ballot and ballot.status == BallotStatus.PUBLISHED and ballot.result_json:
        result = TallyResult.from_json(ballot.result_json)
        live.update(
            result=result,
            bars=voting.bars(result, ballot.labels),
            explanation=voting.explanation(result, ballot.labels, language),
            in_words=voting.majority_words(result, language),
        )
    # the audit trail's head, for the room to note and compare with the minutes (#16)
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


def _download(body: str, media_type: str, ballot: BallotView, extension: str) -> Response[str]:
    return Response(
        content=body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="ballot-{ballot.id}.{extension}"',
            "Cache-Control": "no-store",
        },
    )


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


_NEW_FIELDS = (
    "question",
    "method",
    "options",
    "seats",
    "secret",
    "is_test",
    "allow_change",
    "minutes",
    "facilitated",
    "threshold",
    "base",
    "max_selections",
    "scale_max",
    "rule",  # general assemblies (#7): "profile" (the default) or "ballot"
    "management",
)


# the rules the ballot form sets (an edit keeps the others: a lot's seed, a minimum of approvals)
_FORM_RULES = frozenset(
    {"threshold", "base", "rule", "management_supports", "max_selections", "scale"}
)


def _form_values(ballot: BallotView) -> dict[str, str]:
    """A draft's settings as the ballot form's fields (what ``_read_settings`` reads back)."""
    rules = ballot.rules
    duration = ballot.duration_seconds

    def checked(on: bool) -> str:
        return "1" if on else ""

    return {
        "question": ballot.question,
        "method": ballot.method,
        "options": "\n".join(option.label for option in ballot.options),
        "seats": str(ballot.seats),
        "secret": checked(ballot.secret),
        "is_test": checked(ballot.is_test),
        "allow_change": checked(ballot.allow_change),
        "minutes": str(-(-duration // 60)) if duration else "",
        "facilitated": checked(ballot.phase == "questions"),
        "threshold": str(rules.get("threshold", "1/2")),
        "base": str(rules.get("base", "")),
        "max_selections": str(rules.get("max_selections", "")),
        "scale_max": str(rules["scale"][1]) if rules.get("scale") else "",
        "rule": "ballot" if rules.get("rule") == "ballot" else "profile",
        "management": checked(bool(rules.get("management_supports"))),
    }


def _read_settings(values: dict[str, str], errors: FormErrors) -> drafts.BallotSettings | None:
    """The creation form's fields, read; problems become errors on their field."""
    method = values["method"] if values["method"] in METHODS else ""
    if not method:
        errors.add("method", explain("unknown_method", voting.REFUSALS).message)
    labels = [line.strip() for line in values["options"].splitlines() if line.strip()]
    if method not in drafts.RESPONSE_METHODS and labels in _response_answers():
        # "Pour / Contre / Abstention" left from the majority form are not candidates
        errors.add("options", explain("too_few_options", voting.REFUSALS).message)
    fixed = dict(drafts.default_options(method))
    keys = list(fixed) if method in drafts.RESPONSE_METHODS - {"plurality"} else []
    if keys and len(labels) != len(keys):
        labels = list(fixed.values())  # the method's own responses
    options = (
        list(zip(keys, labels, strict=True))
        if keys
        else [(f"o{n}", label) for n, label in enumerate(labels, start=1)]
    )
    seats = _small_int(values["seats"] or "1", "seats", errors)
    minutes = _small_int(values["minutes"], "minutes", errors) if values["minutes"] else 0
    rules: dict[str, Any] = {}
    if method == "majority":
        rules["threshold"] = values["threshold"] or "1/2"
        if values["base"] in ("cast", "cast_and_abstentions", "members"):
            rules["base"] = values["base"]
        if values["rule"] == "ballot":
            rules["rule"] = "ballot"  # else the assembly's rules judge it, if they govern it
        if values["management"]:
            rules["management_supports"] = True
    if method == "approval" and values["max_selections"]:
        rules["max_selections"] = _small_int(values["max_selections"], "max_selections", errors)
    if method == "score" and values["scale_max"]:
        rules["scale"] = [0, _small_int(values["scale_max"], "scale_max", errors)]
    if errors:
        return None
    return drafts.BallotSettings(
        question=values["question"],
        method=method,
        options=options,
        seats=seats,
        secret=bool(values["secret"]),
        is_test=bool(values["is_test"]),
        allow_change=bool(values["allow_change"]),
        duration_seconds=minutes * 60 if minutes else None,
        facilitated=bool(values["facilitated"]),
        rules=rules,
    )


def _response_answers() -> list[list[str]]:
    """Each response method's own answers in the current language, as a form lists them."""
    answers = (drafts.default_options(method) for method in METHODS)
    return [[label for _key, label in found] for found in answers if found]


def _small_int(value: str, name: str, errors: FormErrors) -> int:
    number = whole_number(value, high=99_999)
    if number is None:
        errors.add(name, _("Write a whole number."))
        return 0
    return number


async def _chosen_item(actor: Actor, assembly_id: int, chosen: Any) -> int | None:
    """The agenda item the facilitator filed the new ballot under (one of this assembly's,
    or none); a form without the field (an older page) files it under the current item."""
    if chosen is None:
        return await _current_item(actor, assembly_id)
    items = await assembly_queries.agenda_titles(actor.organisation.id, assembly_id)
    return next((item for item, _title in items if str(item) == str(chosen)), None)


async def _current_item(actor: Actor, assembly_id: int) -> int | None:
    return await bq.current_item_id(actor.organisation.id, assembly_id)


async def _open(ballot_id: int, actor: Actor, text: str) -> None:
    await lifecycle.open_ballot(actor, ballot_id, reason=text)


async def _close(ballot_id: int, actor: Actor, _text: str) -> None:
    await lifecycle.close_ballot(actor, ballot_id)


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
