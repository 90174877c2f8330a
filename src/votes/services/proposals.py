"""Proposals: submission (within the assembly's rule and deadline), versions, supporters,
status changes, and putting them to the vote (amendments: :mod:`votes.services.amendments`).

A proposal's text is never overwritten without a trace: every edit, accepted amendment or
adopted amendment adds a :class:`ProposalVersion` (who, when, what note) and an audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from votes.core import choices
from votes.core.results import TallyResult, Verdict
from votes.db.drafts import Viewer, may_read
from votes.db.engine import insert_row, write_transaction
from votes.db.tables import (
    AgendaItem,
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Assembly,
    AssemblyStatus,
    Ballot,
    BallotStatus,
    Contribution,
    Membership,
    Proposal,
    ProposalStatus,
    ProposalSupport,
    ProposalVersion,
    Stance,
    SubmissionRule,
    SupportKind,
    Thread,
)
from votes.db.voting_rules import voters_of
from votes.i18n import gettext as _
from votes.services import audit
from votes.services.actors import Actor, may_run_assemblies, may_take_part, require
from votes.services.ballots import drafts
from votes.services.refusals import Refused, check_body, check_title, given_reason, owned_row

TITLE_MAX = 300
BODY_MAX = 20_000
NOTE_MAX = 300

EDITABLE = frozenset({ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.UNDER_DEBATE})
OPEN_TO_AMENDMENTS = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.UNDER_DEBATE})
DECIDED = frozenset({ProposalStatus.ADOPTED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN})

# what a facilitator may do with a proposal's status (authors only submit and withdraw)
FACILITATOR_STEPS: dict[str, frozenset[str]] = {
    ProposalStatus.DRAFT: frozenset({ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN}),
    ProposalStatus.SUBMITTED: frozenset(
        {ProposalStatus.UNDER_DEBATE, ProposalStatus.VOTING, ProposalStatus.WITHDRAWN}
    ),
    ProposalStatus.UNDER_DEBATE: frozenset(
        {ProposalStatus.SUBMITTED, ProposalStatus.VOTING, ProposalStatus.WITHDRAWN}
    ),
    ProposalStatus.VOTING: frozenset(
        {ProposalStatus.ADOPTED, ProposalStatus.REJECTED, ProposalStatus.UNDER_DEBATE}
    ),
    ProposalStatus.ADOPTED: frozenset(),
    ProposalStatus.REJECTED: frozenset(),
    ProposalStatus.WITHDRAWN: frozenset(),
}
AUTHOR_STEPS: dict[str, frozenset[str]] = {
    ProposalStatus.DRAFT: frozenset({ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN}),
    ProposalStatus.SUBMITTED: frozenset({ProposalStatus.WITHDRAWN}),
    ProposalStatus.UNDER_DEBATE: frozenset({ProposalStatus.WITHDRAWN}),
}

# amendments furthest from the text are voted first: a whole new text, then deletions,
# replacements, and insertions last
VOTING_ORDER = {
    AmendmentKind.FULL: 0,
    AmendmentKind.DELETE: 1,
    AmendmentKind.REPLACE: 2,
    AmendmentKind.INSERT: 3,
}


def viewer_of(actor: Actor) -> Viewer:
    """Who ``actor`` is when reading proposals: every read of a proposal (pages, lists, threads,
    services) passes this to :func:`votes.db.drafts.may_read`'s rule, so a draft is
    its authors' and the facilitators' only, everywhere alike."""
    return Viewer(actor.person_id, sees_drafts=may_run_assemblies(actor))


def check_text(title: str, body: str) -> None:
    check_title(title, TITLE_MAX)
    check_body(body, BODY_MAX)


async def create_proposal(
    organisation_id: int,
    assembly_id: int,
    author_id: int,
    title: str,
    body: str,
    *,
    agenda_item_id: int | None = None,
    status: ProposalStatus = ProposalStatus.SUBMITTED,
    coauthor_ids: Sequence[int] = (),
) -> int:
    """Create a proposal, its first version and its thread in one transaction (no rule is
    checked here: :func:`submit_proposal` is the members' way in)."""
    async with write_transaction(Proposal._meta.db):
        return await _insert_proposal(
            organisation_id,
            assembly_id,
            author_id,
            title.strip(),
            body,
            agenda_item_id=agenda_item_id,
            status=status,
            coauthor_ids=coauthor_ids,
        )


async def _insert_proposal(
    organisation_id: int,
    assembly_id: int,
    author_id: int,
    title: str,
    body: str,
    *,
    agenda_item_id: int | None,
    status: ProposalStatus,
    coauthor_ids: Sequence[int],
) -> int:
    proposal_id = await insert_row(
        Proposal(
            organisation=organisation_id,
            assembly=assembly_id,
            agenda_item=agenda_item_id,
            title=title,
            body=body,
            status=status.value,
            author=author_id,
        )
    )
    await ProposalVersion.insert(
        ProposalVersion(
            proposal=proposal_id,
            version_key=f"{proposal_id}:1",
            number=1,
            title=title,
            body=body,
            author=author_id,
        )
    )
    await Thread.insert(
        Thread(
            organisation=organisation_id,
            thread_key=f"proposal:{proposal_id}",
            proposal=proposal_id,
        )
    )
    coauthors = sorted(set(coauthor_ids) - {author_id})
    if coauthors:
        await ProposalSupport.insert(
            *(
                ProposalSupport(
                    proposal=proposal_id,
                    person=person_id,
                    support_key=f"{proposal_id}:{person_id}",
                    kind=SupportKind.COAUTHOR.value,
                )
                for person_id in coauthors
            )
        )
    await audit.record(
        organisation_id,
        "proposal.created",
        actor_id=author_id,
        subject=f"proposal:{proposal_id}",
        details={"assembly": assembly_id, "title": title, "status": status.value},
    )
    return proposal_id


def deadline_passed(assembly: dict[str, Any], now: datetime | None = None) -> bool:
    deadline: datetime | None = assembly["submission_deadline"]
    return deadline is not None and (now or datetime.now(UTC)) > deadline


def check_may_submit(actor: Actor, assembly: dict[str, Any]) -> None:
    """The assembly's submission rule and deadline (facilitators set the agenda: neither
    binds them)."""
    if may_run_assemblies(actor):
        if assembly["status"] == AssemblyStatus.CLOSED.value:
            raise Refused("assembly_closed")
        return
    require(may_take_part, actor)
    if assembly["status"] == AssemblyStatus.CLOSED.value:
        raise Refused("assembly_closed")
    if assembly["submission_rule"] == SubmissionRule.FACILITATORS.value:
        raise Refused("facilitators_only")
    if deadline_passed(assembly):
        raise Refused("deadline_passed")


async def _members_of(organisation_id: int, person_ids: Sequence[int]) -> list[int]:
    if not person_ids:
        return []
    rows = await Membership.select(Membership.person).where(
        voters_of(organisation_id) & Membership.person.is_in(list(person_ids))
    )
    return [row["person"] for row in rows]


async def submit_proposal(
    actor: Actor,
    assembly_id: int,
    title: str,
    body: str,
    *,
    agenda_item_id: int | None = None,
    draft: bool = False,
    coauthor_ids: Sequence[int] = (),
) -> int:
    """A member puts a proposal to an assembly (or keeps it as a draft until they submit it)."""
    check_text(title, body)
    organisation_id = actor.organisation.id
    async with write_transaction(Proposal._meta.db):
        assembly = await owned_row(Assembly, organisation_id, assembly_id)
        check_may_submit(actor, assembly)
        if agenda_item_id is not None and not await AgendaItem.exists().where(
            (AgendaItem.id == agenda_item_id) & (AgendaItem.assembly == assembly_id)
        ):
            raise Refused("item_unknown", "agenda_item")
        coauthors = await _members_of(organisation_id, coauthor_ids)
        if len(coauthors) != len(set(coauthor_ids)):
            raise Refused("coauthor_unknown", "coauthors")
        return await _insert_proposal(
            organisation_id,
            assembly_id,
            actor.person_id,
            title.strip(),
            body,
            agenda_item_id=agenda_item_id,
            status=ProposalStatus.DRAFT if draft else ProposalStatus.SUBMITTED,
            coauthor_ids=coauthors,
        )


async def proposal_row(organisation_id: int, proposal_id: int) -> dict[str, Any]:
    return await owned_row(
        Proposal,
        organisation_id,
        proposal_id,
        *Proposal.all_columns(),
        Proposal.assembly.status,
        Proposal.assembly.submission_rule,
        Proposal.assembly.submission_deadline,
    )


async def readable_row(actor: Actor, proposal_id: int) -> dict[str, Any]:
    """The proposal's row, or "not found" for a draft ``actor`` may not read (as its page)."""
    row = await proposal_row(actor.organisation.id, proposal_id)
    if row["status"] == ProposalStatus.DRAFT.value and not may_read(
        viewer_of(actor), row["status"], {row["author"], *await _coauthor_ids(proposal_id)}
    ):
        raise Refused("not_found")
    return row


async def _coauthor_ids(proposal_id: int) -> set[int]:
    rows = await ProposalSupport.select(ProposalSupport.person).where(
        (ProposalSupport.proposal == proposal_id)
        & (ProposalSupport.kind == SupportKind.COAUTHOR.value)
    )
    return {row["person"] for row in rows}


async def is_author(person_id: int, proposal: dict[str, Any]) -> bool:
    return proposal["author"] == person_id or person_id in await _coauthor_ids(proposal["id"])


async def add_version(
    proposal: dict[str, Any], actor_id: int, title: str, body: str, note: str
) -> int:
    number = int(proposal["version"]) + 1
    await ProposalVersion.insert(
        ProposalVersion(
            proposal=proposal["id"],
            version_key=f"{proposal['id']}:{number}",
            number=number,
            title=title,
            body=body,
            author=actor_id,
            note=note[:NOTE_MAX],
        )
    )
    await Proposal.update(
        {
            Proposal.title: title,
            Proposal.body: body,
            Proposal.version: number,
            Proposal.updated_at: datetime.now(UTC),
        }
    ).where(Proposal.id == proposal["id"])
    return number


async def edit_proposal(
    actor: Actor, proposal_id: int, title: str, body: str, *, note: str = ""
) -> int:
    """Save a new version of the text; return its number."""
    async with write_transaction(Proposal._meta.db):
        proposal = await readable_row(actor, proposal_id)  # a draft's form errors tell nothing
        check_text(title, body)
        if len(note) > NOTE_MAX:
            raise Refused("note_too_long", "note")
        if not (may_run_assemblies(actor) or await is_author(actor.person_id, proposal)):
            raise Refused("not_author")
        if proposal["status"] not in EDITABLE:
            raise Refused("proposal_locked")
        if proposal["title"] == title.strip() and proposal["body"] == body:
            raise Refused("unchanged", "body")
        number = await add_version(proposal, actor.person_id, title.strip(), body, note.strip())
        await audit.record_by(
            actor,
            "proposal.edited",
            f"proposal:{proposal_id}",
            {"version": number, "note": note.strip()},
        )
    return number


async def _set_status(
    actor: Actor,
    proposal_id: int,
    status: ProposalStatus,
    action: str,
    details: dict[str, Any],
) -> None:
    """Give a proposal its new status (and update time) and say so in the audit log."""
    await Proposal.update(
        {Proposal.status: status.value, Proposal.updated_at: datetime.now(UTC)}
    ).where(Proposal.id == proposal_id)
    await audit.record_by(actor, action, f"proposal:{proposal_id}", details)


async def change_status(
    actor: Actor, proposal_id: int, status: ProposalStatus, *, reason: str = ""
) -> None:
    """Authors submit or withdraw their proposal; facilitators move it through the debate.

    A proposal put to the vote is adopted or rejected as its published ballot says; another
    outcome is refused (``vote_not_published``, ``vote_says_otherwise``) unless ``reason``
    says why, and the reason is audited."""
    reason = given_reason(reason, choices.REASON_MAX)
    async with write_transaction(Proposal._meta.db):
        proposal = await readable_row(actor, proposal_id)
        current = proposal["status"]
        manager = may_run_assemblies(actor)
        author = may_take_part(actor) and await is_author(actor.person_id, proposal)
        allowed = (FACILITATOR_STEPS[current] if manager else frozenset()) | (
            AUTHOR_STEPS.get(current, frozenset()) if author else frozenset()
        )
        if not (manager or author):
            raise Refused("not_author")
        if status.value not in allowed:
            raise Refused("status_step_not_allowed")
        if status is ProposalStatus.SUBMITTED and not manager:
            check_may_submit(actor, _assembly_of(proposal))
        details: dict[str, Any] = {"from": current, "to": status.value}
        if status in (ProposalStatus.ADOPTED, ProposalStatus.REJECTED):
            ballot_id = await proposal_ballot(proposal_id)
            if ballot_id is not None:
                await check_follows_vote(ballot_id, status.value, reason)
                if reason:
                    details["override"] = reason
        await _set_status(actor, proposal_id, status, "proposal.status_changed", details)


async def proposal_ballot(proposal_id: int) -> int | None:
    """The newest ballot on the proposal itself (not on one of its amendments), if any."""
    amendment_ballots = await Amendment.select(Amendment.ballot_id).where(
        (Amendment.proposal == proposal_id) & Amendment.ballot_id.is_not_null()
    )
    excluded = [row["ballot_id"] for row in amendment_ballots]
    query = Ballot.select(Ballot.id).where(
        (Ballot.proposal == proposal_id)
        & Ballot.is_test.eq(False)
        & (Ballot.status != BallotStatus.CANCELLED.value)
    )
    if excluded:
        query = query.where(Ballot.id.not_in(excluded))
    row = await query.order_by(Ballot.id, ascending=False).first()
    return int(row["id"]) if row else None


async def check_follows_vote(ballot_id: int, outcome: str, reason: str) -> None:
    """Refuse recording ``outcome`` ("adopted" or "rejected") against the ballot's published
    result, or before it is published, unless a reason is given (an override, audited)."""
    row = await Ballot.select(Ballot.status, Ballot.result).where(Ballot.id == ballot_id).first()
    verdict = None
    if row is not None and row["status"] == BallotStatus.PUBLISHED.value and row["result"]:
        found = TallyResult.from_json(row["result"]).verdict
        verdict = "adopted" if found is Verdict.ADOPTED else "rejected"
    if verdict == outcome or reason:
        return
    raise Refused("vote_not_published" if verdict is None else "vote_says_otherwise")


def _assembly_of(proposal: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": proposal["assembly.status"],
        "submission_rule": proposal["assembly.submission_rule"],
        "submission_deadline": proposal["assembly.submission_deadline"],
    }


async def toggle_support(actor: Actor, proposal_id: int) -> bool:
    """Support a proposal, or stop supporting it; return whether the member supports it now."""
    require(may_take_part, actor)
    async with write_transaction(Proposal._meta.db):
        proposal = await readable_row(actor, proposal_id)
        if proposal["status"] in DECIDED or proposal["status"] == ProposalStatus.DRAFT:
            raise Refused("support_closed")
        key = f"{proposal_id}:{actor.person_id}"
        existing = await ProposalSupport.select().where(ProposalSupport.support_key == key).first()
        if proposal["author"] == actor.person_id or (
            existing and existing["kind"] == SupportKind.COAUTHOR.value
        ):
            raise Refused("own_proposal")
        if existing:
            await ProposalSupport.delete().where(ProposalSupport.support_key == key)
        else:
            await ProposalSupport.insert(
                ProposalSupport(proposal=proposal_id, person=actor.person_id, support_key=key)
            )
    return existing is None


async def put_to_vote(actor: Actor, proposal_id: int) -> int:
    """Prepare the proposal's ballot (a draft, opened from the ballot page) and mark the proposal
    as put to the vote. Amendments not yet decided or put to the vote must be settled first."""
    require(may_run_assemblies, actor)
    proposal = await proposal_row(actor.organisation.id, proposal_id)
    if proposal["status"] not in OPEN_TO_AMENDMENTS:
        raise Refused("status_step_not_allowed")
    if await Amendment.exists().where(
        (Amendment.proposal == proposal_id) & (Amendment.status == AmendmentStatus.SUBMITTED.value)
    ):
        raise Refused("amendments_pending")
    ballot_id = await drafts.create_ballot(
        actor,
        proposal["assembly"],
        _("Do you adopt “%(title)s”?") % {"title": proposal["title"]},
        "majority",
        drafts.default_options("majority"),
        agenda_item_id=proposal["agenda_item"],
        proposal_id=proposal_id,
    )
    async with write_transaction(Proposal._meta.db):
        await _set_status(
            actor, proposal_id, ProposalStatus.VOTING, "proposal.put_to_vote", {"ballot": ballot_id}
        )
    return ballot_id


# --- seeding helpers (the demo goes through the same tables) ----------------------------------


async def add_contribution(
    proposal_id: int,
    author_id: int,
    body: str,
    *,
    stance: Stance = Stance.REMARK,
    parent_id: int | None = None,
) -> int:
    """Add a contribution to a proposal's thread without the member rules (demo, imports)."""
    thread = (
        await Thread.select(Thread.id, Thread.organisation)
        .where(Thread.thread_key == f"proposal:{proposal_id}")
        .first()
    )
    if thread is None:
        raise Refused("not_found")
    return await insert_row(
        Contribution(
            organisation=thread["organisation"],
            thread=thread["id"],
            author=author_id,
            body=body,
            stance=stance.value,
            parent=parent_id,
        )
    )
