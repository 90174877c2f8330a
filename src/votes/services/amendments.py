"""Amendments: proposing a change to a proposal's text, settling it (taken in by the author,
declined, withdrawn, or decided by its ballot), and following a published vote.

An amendment taken into the text always adds a proposal version (:func:`proposals.add_version`),
whoever settles it: the author, a facilitator, or the published result of its ballot.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from votes.core import choices
from votes.core.results import TallyResult, Verdict
from votes.db.engine import insert_row, write_transaction
from votes.db.tables import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    AssemblyStatus,
    Proposal,
    ProposalStatus,
)
from votes.i18n import gettext as _
from votes.services import audit
from votes.services.actors import Actor, may_run_assemblies, may_take_part, require
from votes.services.ballots import drafts
from votes.services.proposals import (
    BODY_MAX,
    DECIDED,
    OPEN_TO_AMENDMENTS,
    add_version,
    check_follows_vote,
    is_author,
    proposal_ballot,
    proposal_row,
    readable_row,
)
from votes.services.refusals import Refused, given_reason, owned_row


def apply_amendment(body: str, kind: AmendmentKind, passage: str, text: str) -> str:
    """The proposal's text once the amendment is taken in.

    >>> apply_amendment("Un. Deux. Trois.", AmendmentKind.REPLACE, "Deux.", "Quatre.")
    'Un. Quatre. Trois.'
    >>> apply_amendment("Un.\\n\\nDeux.", AmendmentKind.INSERT, "Un.", "Et demi.")
    'Un.\\n\\nEt demi.\\n\\nDeux.'
    """
    if kind is AmendmentKind.FULL:
        return text
    count = body.count(passage) if passage else 0
    if count == 0:
        raise Refused("passage_not_found", "passage")
    if count > 1:
        raise Refused("passage_ambiguous", "passage")
    if kind is AmendmentKind.DELETE:
        before, _sep, after = body.partition(passage)
        return _join_without_gap(before, after)
    if kind is AmendmentKind.REPLACE:
        return body.replace(passage, text, 1)
    before, _sep, after = body.partition(passage)
    # a passage that ends a paragraph gets the insertion as a paragraph of its own
    if after == "" or after.startswith("\n"):
        tail = after.lstrip("\n")
        return before + passage + "\n\n" + text.strip() + ("\n\n" + tail if tail else "")
    return before + passage + " " + text.strip() + after


def _join_without_gap(before: str, after: str) -> str:
    if before.endswith(" ") and after.startswith(" "):
        return before + after[1:]
    if before.endswith("\n\n") and after.startswith("\n"):
        return before + after.lstrip("\n")
    return before + after


def check_amendment(body: str, kind: AmendmentKind, passage: str, text: str, reason: str) -> str:
    """Validate an amendment against the current text; return the amended text."""
    if kind is not AmendmentKind.FULL and not passage.strip():
        raise Refused("passage_required", "passage")
    if kind is not AmendmentKind.DELETE and not text.strip():
        raise Refused("text_required", "text")
    if len(text) > BODY_MAX or len(passage) > BODY_MAX:
        raise Refused("text_too_long", "text")
    if len(reason) > BODY_MAX:
        raise Refused("text_too_long", "reason")
    amended = apply_amendment(body, kind, passage, text)
    if len(amended) > BODY_MAX:  # insertions and replacements must not grow it past the limit
        raise Refused("amended_too_long", "text")
    if amended.strip() == body.strip():
        raise Refused("unchanged", "text")
    if not amended.strip():
        raise Refused("body_required", "text")
    return amended


async def propose_amendment(
    actor: Actor,
    proposal_id: int,
    kind: AmendmentKind,
    *,
    passage: str = "",
    text: str = "",
    reason: str = "",
) -> int:
    """A member proposes a change to the proposal's current text."""
    require(may_take_part, actor)
    if kind is AmendmentKind.FULL:
        passage = ""
    if kind is AmendmentKind.DELETE:
        text = ""
    async with write_transaction(Amendment._meta.db):
        proposal = await readable_row(actor, proposal_id)
        if proposal["assembly.status"] == AssemblyStatus.CLOSED.value:
            raise Refused("assembly_closed")
        if proposal["status"] == ProposalStatus.WITHDRAWN:
            raise Refused("proposal_withdrawn")
        if proposal["status"] not in OPEN_TO_AMENDMENTS:
            raise Refused("amendments_closed")
        check_amendment(proposal["body"], kind, passage, text, reason)
        last = (
            await Amendment.select(Amendment.number)
            .where(Amendment.proposal == proposal_id)
            .order_by(Amendment.number, ascending=False)
            .first()
        )
        number = (last["number"] + 1) if last else 1
        amendment_id = await insert_row(
            Amendment(
                organisation=actor.organisation.id,
                proposal=proposal_id,
                number=number,
                amendment_key=f"{proposal_id}:{number}",
                author=actor.person_id,
                kind=kind.value,
                passage=passage,
                text=text,
                reason=reason.strip(),
                base_version=proposal["version"],
            )
        )
        await audit.record_by(
            actor,
            "amendment.proposed",
            f"proposal:{proposal_id}",
            {"amendment": amendment_id, "number": number, "kind": kind.value},
        )
    return amendment_id


async def _amendment_row(organisation_id: int, amendment_id: int) -> dict[str, Any]:
    return await owned_row(Amendment, organisation_id, amendment_id)


async def _take_in(
    amendment: dict[str, Any], proposal: dict[str, Any], author_id: int, *, by_vote: bool = False
) -> int:
    """Apply the amendment to the proposal's current text as a new version by ``author_id``.
    A published vote's outcome is taken in whatever the length; a person's decision is refused
    when the text grew past the limit since the amendment was proposed."""
    amended = apply_amendment(
        proposal["body"], AmendmentKind(amendment["kind"]), amendment["passage"], amendment["text"]
    )
    if len(amended) > BODY_MAX and not by_vote:
        raise Refused("amended_too_long")
    note = _("Amendment no. %(number)d") % {"number": amendment["number"]}
    return await add_version(proposal, author_id, proposal["title"], amended, note)


async def decide_amendment(
    actor: Actor, amendment_id: int, decision: str, *, reason: str = ""
) -> int | None:
    """Settle an amendment. ``decision`` is one of:

    - ``accept``: the proposal's author takes it into the text;
    - ``reject``: the author or a facilitator declines it;
    - ``withdraw``: its own author takes it back;
    - ``adopt`` / ``reject_vote``: a facilitator records the outcome of its ballot.

    Returns the new version number when the text changed. The outcome of an amendment put
    to the vote is its published ballot's: another one, or one recorded before the result is
    published, needs a ``reason`` (audited as an override).
    """
    reason = given_reason(reason, choices.REASON_MAX)
    async with write_transaction(Amendment._meta.db):
        amendment = await _amendment_row(actor.organisation.id, amendment_id)
        proposal = await proposal_row(actor.organisation.id, amendment["proposal"])
        status = amendment["status"]
        manager = may_run_assemblies(actor)
        author = may_take_part(actor) and await is_author(actor.person_id, proposal)
        taken_in = False
        if decision == "accept" and status == AmendmentStatus.SUBMITTED and author:
            new, taken_in = AmendmentStatus.ACCEPTED, True
        elif decision == "reject" and status == AmendmentStatus.SUBMITTED and (author or manager):
            new = AmendmentStatus.REJECTED
        elif (
            decision == "withdraw"
            and status == AmendmentStatus.SUBMITTED
            and amendment["author"] == actor.person_id
        ):
            new = AmendmentStatus.WITHDRAWN
        elif decision == "adopt" and status == AmendmentStatus.VOTING and manager:
            await check_follows_vote(amendment["ballot_id"], "adopted", reason)
            new, taken_in = AmendmentStatus.ADOPTED, True
        elif decision == "reject_vote" and status == AmendmentStatus.VOTING and manager:
            await check_follows_vote(amendment["ballot_id"], "rejected", reason)
            new = AmendmentStatus.REJECTED
        elif status != AmendmentStatus.SUBMITTED and status != AmendmentStatus.VOTING:
            raise Refused("amendment_settled")
        else:
            raise Refused("not_allowed")
        version: int | None = None
        if taken_in:
            if proposal["status"] in DECIDED:
                raise Refused("proposal_decided")
            version = await _take_in(amendment, proposal, actor.person_id)
        details = {"override": reason} if reason else {}
        await _settle(actor.organisation.id, actor.person_id, amendment, new, version, details)
    return version


# the audit trail's act for each outcome an amendment is settled with, written out so that
# each has its words on the audit page
SETTLED_ACTIONS = {
    AmendmentStatus.ACCEPTED: "amendment.accepted",
    AmendmentStatus.REJECTED: "amendment.rejected",
    AmendmentStatus.ADOPTED: "amendment.adopted",
    AmendmentStatus.WITHDRAWN: "amendment.withdrawn",
}


async def _settle(
    organisation_id: int,
    actor_id: int | None,
    amendment: dict[str, Any],
    status: AmendmentStatus,
    version: int | None,
    details: dict[str, Any],
) -> None:
    """Record the amendment's outcome and audit it (``actor_id`` None: the system)."""
    await Amendment.update(
        {
            Amendment.status: status.value,
            Amendment.decided_by: actor_id,
            Amendment.decided_at: datetime.now(UTC),
        }
    ).where(Amendment.id == amendment["id"])
    await audit.record(
        organisation_id,
        SETTLED_ACTIONS[status],
        actor_id=actor_id,
        subject=f"proposal:{amendment['proposal']}",
        details={
            "amendment": amendment["id"],
            "number": amendment["number"],
            "version": version,
            **details,
        },
    )


async def follow_published_vote(ballot: Mapping[str, Any], actor_id: int | None) -> None:
    """Give the amendment or the proposal a ballot decides the outcome its published result
    says: an adopted amendment is taken into the text. Call inside the publication's
    transaction. An outcome already recorded (ahead of the vote, with a reason) is kept."""
    if ballot["proposal"] is None or not ballot["result"]:
        return
    verdict = TallyResult.from_json(ballot["result"]).verdict
    if verdict is None:
        return
    adopted = verdict is Verdict.ADOPTED
    organisation_id = ballot["organisation"]
    amendment = (
        await Amendment.select()
        .where(
            (Amendment.organisation == organisation_id)
            & (Amendment.ballot_id == ballot["id"])
            & (Amendment.status == AmendmentStatus.VOTING.value)
        )
        .first()
    )
    if amendment is not None:
        proposal = await proposal_row(organisation_id, amendment["proposal"])
        version = None
        if adopted and proposal["status"] not in DECIDED:
            author_id = actor_id or amendment["author"]
            version = await _take_in(amendment, proposal, author_id, by_vote=True)
        status = AmendmentStatus.ADOPTED if version is not None else AmendmentStatus.REJECTED
        by_vote = {"by_vote": ballot["id"]}
        await _settle(organisation_id, actor_id, amendment, status, version, by_vote)
        return
    await _follow_on_proposal(ballot, adopted, actor_id)


async def _follow_on_proposal(
    ballot: Mapping[str, Any], adopted: bool, actor_id: int | None
) -> None:
    """The proposal put to the vote takes the verdict of its newest ballot."""
    proposal_id = int(ballot["proposal"])
    if await proposal_ballot(proposal_id) != ballot["id"]:
        return
    status_now = ProposalStatus.ADOPTED if adopted else ProposalStatus.REJECTED
    changed = (
        await Proposal.update(
            {Proposal.status: status_now.value, Proposal.updated_at: datetime.now(UTC)}
        )
        .where((Proposal.id == proposal_id) & (Proposal.status == ProposalStatus.VOTING.value))
        .returning(Proposal.id)
    )
    if changed:
        await audit.record(
            ballot["organisation"],
            "proposal.status_changed",
            actor_id=actor_id,
            subject=f"proposal:{proposal_id}",
            details={"from": "voting", "to": status_now.value, "by_vote": ballot["id"]},
        )


async def put_amendment_to_vote(actor: Actor, amendment_id: int) -> int:
    """Prepare the amendment's ballot (voted before its proposal) and mark it as put to the vote."""
    require(may_run_assemblies, actor)
    amendment = await _amendment_row(actor.organisation.id, amendment_id)
    proposal = await proposal_row(actor.organisation.id, amendment["proposal"])
    if amendment["status"] != AmendmentStatus.SUBMITTED:
        raise Refused("amendment_settled")
    if proposal["status"] not in OPEN_TO_AMENDMENTS:
        raise Refused("amendments_closed")
    question = _("Do you adopt amendment no. %(number)d to “%(title)s”?") % {
        "number": amendment["number"],
        "title": proposal["title"],
    }
    ballot_id = await drafts.create_ballot(
        actor,
        proposal["assembly"],
        question,
        "majority",
        drafts.default_options("majority"),
        agenda_item_id=proposal["agenda_item"],
        proposal_id=proposal["id"],
    )
    async with write_transaction(Amendment._meta.db):
        await Amendment.update(
            {Amendment.status: AmendmentStatus.VOTING.value, Amendment.ballot_id: ballot_id}
        ).where(Amendment.id == amendment_id)
        await audit.record_by(
            actor,
            "amendment.put_to_vote",
            f"proposal:{proposal['id']}",
            {"amendment": amendment_id, "ballot": ballot_id},
        )
    return ballot_id
