"""A member's side of a ballot: the vote area, the ballot page, voting (for oneself or as a proxy
holder), changing a vote, and checking a receipt."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from votes.core import receipts
from votes.db import ballot_queries as bq
from votes.db.ballot_queries import BallotView
from votes.db.proposal_queries import ProposalPage, proposal_page
from votes.db.tables import BallotStatus
from votes.i18n import gettext as _
from votes.services import advance_votes, attendance, proxies, rules
from votes.services.actors import Actor
from votes.services.ballots import rows
from votes.services.ballots import voting as ballot_voting
from votes.services.proposals import viewer_of
from votes.services.refusals import Refused
from votes.web import voting
from votes.web.controllers.ballots.common import result_context
from votes.web.forms import FormErrors, whole_number
from votes.web.pages import Page, found
from votes.web.refusals import form_errors
from votes.web.rendering import see_other
from votes.web.voting import ballot_or_404


async def _render_ballot(
    page: Page,
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
    changed: bool = False,
) -> Template:
    actor = page.actor
    state = await bq.viewer_state(ballot, actor.id)
    voted_at = state.voted_at
    owner = voting.receipt_owner(page.settings.secret_key, actor.id)
    if not receipt:
        receipt, change_code = _kept_codes(page, ballot.id)
    editing = change and ballot.allow_change and voted_at is not None
    if choice is None and editing:
        stored = await bq.public_choice_of(ballot, actor.id)
        choice = json.loads(stored) if stored else None
    # said before the member fills the form, not after they confirm it
    must_check_in = (
        ballot.status == BallotStatus.OPEN
        and ballot.takes_votes
        and actor.can_vote
        and await attendance.must_check_in_to_vote(
            actor.organisation.id, ballot.assembly_id, actor.id, is_test=ballot.is_test
        )
    )
    # a member who answered this resolution by correspondence, and whose answer stands
    voted_by_post = (
        ballot.status == BallotStatus.OPEN
        and ballot.method == "majority"
        and voted_at is None
        and actor.can_vote
        and await advance_votes.room_vote_refused(ballot.id, actor.id)
    )
    remote_allowed = (
        must_check_in
        and (
            await rules.assembly_profile(actor.organisation.id, ballot.assembly_id)
        ).remote_counts_as_present
    )
    return page.render(
        "pages/ballots/detail.html.jinja",
        fragment="partials/ballots/_voting.html.jinja",
        status_code=status_code,
        ballot=ballot,
        voted_at=voted_at,
        receipt=receipts.format_receipt(receipt),
        receipt_owner=owner,
        change_code=receipts.format_change_code(change_code) if ballot.secret else "",
        editing=editing,
        changed=changed and voted_at is not None and not editing,
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
        voted_by_post=voted_by_post,
        remote_allowed=remote_allowed,
        **await result_context(
            ballot, actor, page.context.language, room_recorded=state.room_recorded
        ),
    )


def _voting_for(form: FormMultiDict) -> str:
    """Whom the form votes for: "" or "self" (the member), a represented member's id, "all"."""
    return str(form.get("for", ""))[:20]


def _submission(form: FormMultiDict) -> str:
    """The token that makes a repeated submission of the same form one vote ("" if none)."""
    return str(form.get("submission", ""))[:64]


async def _form_again(page: Page, ballot: BallotView, form: FormMultiDict, choice: Any) -> Template:
    """The ballot form again with ``choice`` in it, as the member was filling it (for
    themselves or for a member they represent, a first vote or a change)."""
    return await _render_ballot(
        page,
        ballot,
        change=bool(form.get("change")),
        choice=choice,
        voting_for=_voting_for(form),
    )


async def _vote_as_holder(
    page: Page, ballot_id: int, form: FormMultiDict, choice: Any
) -> Template | Redirect:
    """A proxy holder votes for one member they represent, or casts every vote they hold
    (theirs and each represented member's not cast yet) in one action."""
    actor = page.actor
    ballot = await ballot_or_404(actor, ballot_id)
    target = _voting_for(form)
    submission = _submission(form) or ballot_voting.new_submission_token()
    key = page.settings.secret_key
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
        return await _refuse(page, ballot, error, choice, False)
    if page.htmx:
        return await _render_ballot(page, await ballot_or_404(actor, ballot_id))
    return page.see_other("ballots", ballot_id)


async def _store_vote(
    page: Page, ballot_id: int, form: FormMultiDict, choice: Any, change: bool
) -> ballot_voting.VoteReceipt:
    if change:
        typed = str(form.get("change_code", ""))[:40]
        kept = _kept_codes(page, ballot_id)[1]
        return await ballot_voting.change_vote(
            ballot_id, page.actor.id, choice, change_code=typed or kept
        )
    return await ballot_voting.cast_vote(
        ballot_id,
        page.actor.id,
        choice,
        submission=_submission(form) or None,
        receipt_key=page.settings.secret_key,
    )


async def _refuse(
    page: Page, ballot: BallotView, error: Refused, choice: Any, change: bool
) -> Template:
    """A refused vote: the form again with the reason (422), or the ballot page saying why
    it cannot take this vote (409: closed, already voted…)."""
    status, errors = form_errors(error, voting.REFUSALS)
    fresh = await ballot_or_404(page.actor, ballot.id)  # it may have closed meanwhile
    return await _render_ballot(
        page,
        fresh,
        change=change,
        choice=choice if status == 422 else None,
        errors=errors,
        status_code=status,
    )


RECEIPT_COOKIE = "votes_receipt_{ballot}"


RECEIPT_COOKIE_SECONDS = 7 * 24 * 3600


def _kept_codes(page: Page, ballot_id: int) -> tuple[str, str]:
    """The (receipt code, change code) this browser keeps for this member on this ballot;
    nothing when they were kept for someone else who used the same phone."""
    cookie = page.request.cookies.get(RECEIPT_COOKIE.format(ballot=ballot_id), "")
    owner = voting.receipt_owner(page.settings.secret_key, page.actor.id)
    return voting.kept_codes(cookie, owner)


async def _represented(ballot: BallotView, actor: Actor) -> list[Any]:
    """The members the viewer votes for by proxy on this ballot, while it takes votes."""
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


class BallotVotingController(Controller):
    path = "/"

    @get("/vote")
    async def vote_area(self, page: NamedDependency[Page]) -> Template:
        """The page a member keeps open during the session: it lists the open ballots and
        refreshes itself, so a ballot appears on every phone when the facilitator opens it."""
        ids = await bq.open_ballot_ids(page.organisation.id)
        return page.render(
            "pages/ballots/vote_area.html.jinja",
            fragment="partials/ballots/_vote_area.html.jinja",
            open_ballots=[await ballot_or_404(page.actor, ballot_id) for ballot_id in ids],
        )

    @get("/ballots/{ballot_id:int}")
    async def detail(
        self,
        page: NamedDependency[Page],
        ballot_id: FromPath[int],
        change: FromQuery[bool] = False,
        changed: FromQuery[bool] = False,
    ) -> Template:
        ballot = await ballot_or_404(page.actor, ballot_id)
        motion = None
        if ballot.proposal_id and not page.htmx:  # the whole page only: fragments skip it
            motion = await proposal_page(
                page.organisation.id, ballot.proposal_id, viewer_of(page.actor)
            )
        return await _render_ballot(page, ballot, change=change, motion=motion, changed=changed)

    @get("/ballots/{ballot_id:int}/status")
    async def status(
        self, page: NamedDependency[Page], ballot_id: FromPath[int], seen: FromQuery[str] = ""
    ) -> Response[None] | Template:
        """What phones poll: 204 while nothing changed. Once it changed, the ballot area itself,
        swapped in place with a sentence for the page's live region (a screen reader hears
        "the ballot is open"); a plain request gets a refresh of the page."""
        status = found(await bq.ballot_status(page.organisation.id, ballot_id))
        now = f"{status[0]}:{status[1]}:{status[2]}"
        headers = {"Cache-Control": "no-store"}
        if now != seen and page.htmx:
            ballot = await ballot_or_404(page.actor, ballot_id)
            fresh = await _render_ballot(page, ballot, announce=_announcement(ballot))
            fresh.headers.update(
                headers | {"HX-Retarget": "#voting-area", "HX-Reswap": "outerHTML"}
            )
            return fresh
        if now != seen:
            headers["HX-Refresh"] = "true"
        return Response(content=None, status_code=204, headers=headers)

    @post("/ballots/{ballot_id:int}/rank")
    async def rank(self, page: NamedDependency[Page], ballot_id: FromPath[int]) -> Template:
        """One tap on a ranked ballot: the form comes back with the new order."""
        ballot = await ballot_or_404(page.actor, ballot_id)
        form = await page.form()
        keys = [option.key for option in ballot.options]
        return await _form_again(
            page, ballot, form, voting.apply_tap(voting.ranking_from(form), form, keys)
        )

    @post("/ballots/{ballot_id:int}/review")
    async def review(self, page: NamedDependency[Page], ballot_id: FromPath[int]) -> Template:
        """The confirmation step: the choice read back, to confirm or to change."""
        ballot = await ballot_or_404(page.actor, ballot_id)
        form = await page.form()
        raw = voting.choice_from(ballot.method, form, [o.key for o in ballot.options])
        change = bool(form.get("change"))
        try:
            checked = ballot_voting.check_choice(
                ballot.method, [o.key for o in ballot.options], ballot.rules, raw
            )
        except Refused as error:
            return await _refuse(page, ballot, error, raw, change)
        if not ballot.takes_votes or ballot.time_is_up:
            over = ballot.status != BallotStatus.OPEN or ballot.time_is_up
            closed = Refused("not_open" if over else "not_yet")
            return await _refuse(page, ballot, closed, raw, change)
        return page.render(
            "pages/ballots/review.html.jinja",
            fragment="partials/ballots/_review.html.jinja",
            ballot=ballot,
            words=voting.choice_words(ballot, checked),
            fields=voting.hidden_fields(ballot.method, checked),
            submission=_submission(form) or ballot_voting.new_submission_token(),
            change=change,
            change_code=_kept_codes(page, ballot.id)[1],
            voting_for=_voting_for(form),
            represented=await _represented(ballot, page.actor),
        )

    @post("/ballots/{ballot_id:int}/edit")
    async def edit(self, page: NamedDependency[Page], ballot_id: FromPath[int]) -> Template:
        """Back from the confirmation step to the form, with the choice kept."""
        ballot = await ballot_or_404(page.actor, ballot_id)
        form = await page.form()
        choice = voting.choice_from(ballot.method, form, [o.key for o in ballot.options])
        return await _form_again(page, ballot, form, choice)

    @post("/ballots/{ballot_id:int}/vote")
    async def vote(
        self, page: NamedDependency[Page], ballot_id: FromPath[int]
    ) -> Template | Redirect:
        """Store a vote. The hot path of a plenary: it reads only the ballot's cached definition
        before the one write transaction, and answers a plain form with a redirect."""
        actor = page.actor
        try:
            definition = await rows.ballot_definition(ballot_id)
        except Refused as error:
            raise NotFoundException() from error
        if definition.organisation_id != actor.organisation.id:
            raise NotFoundException()
        form = await page.form()
        choice = voting.choice_from(definition.method, form, list(definition.keys))
        change = bool(form.get("change"))
        target = _voting_for(form)
        if target and target != "self" and not change:
            return await _vote_as_holder(page, ballot_id, form, choice)
        try:
            receipt = await _store_vote(page, ballot_id, form, choice, change)
        except Refused as error:
            ballot = await ballot_or_404(actor, ballot_id)
            return await _refuse(page, ballot, error, choice, change)
        response: Template | Redirect
        path = page.path("ballots", ballot_id)
        if page.htmx:
            ballot = await ballot_or_404(actor, ballot_id)
            response = await _render_ballot(
                page,
                ballot,
                receipt=receipt.code,
                change_code=receipt.change_code,
                changed=receipt.changed,
            )
        else:
            # a changed vote is confirmed as such on the page the member lands on
            response = see_other(f"{path}?changed=1" if receipt.changed else path)
        if receipt.code:
            owner = voting.receipt_owner(page.settings.secret_key, actor.id)
            response.set_cookie(
                RECEIPT_COOKIE.format(ballot=ballot_id),
                f"{owner}.{receipt.code}.{receipt.change_code}",
                max_age=RECEIPT_COOKIE_SECONDS,
                path=path,
                httponly=True,
                secure=page.settings.secure_cookies,
                samesite="lax",
            )
        return response

    @post("/ballots/{ballot_id:int}/verify")
    async def verify(self, page: NamedDependency[Page], ballot_id: FromPath[int]) -> Template:
        """A voter checks that the paper of their receipt code is in the published count."""
        ballot = await ballot_or_404(page.actor, ballot_id)
        if ballot.status != BallotStatus.PUBLISHED:
            raise NotFoundException()
        form = await page.form()
        code = receipts.normalise_receipt(str(form.get("receipt", ""))[:40])
        content = await bq.paper_by_receipt(ballot, receipts.receipt_hash(code)) if code else None
        return page.render(
            "pages/ballots/verify.html.jinja",
            fragment="partials/ballots/_verify.html.jinja",
            status_code=HTTP_200_OK if content else 422,
            ballot=ballot,
            code=receipts.format_receipt(code),
            fingerprint=receipts.receipt_fingerprint(code),
            words=voting.choice_words(ballot, json.loads(content)) if content else [],
            found=content is not None,
        )
