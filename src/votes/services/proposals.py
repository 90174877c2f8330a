"""Proposals: submission (within the assembly's rule and deadline), versions, supporters,
status changes, amendments, and putting them to the vote.

A proposal's text is never overwritten without a trace: every edit, accepted amendment or
adopted amendment adds a :class:`ProposalVersion` (who, when, what note) and an audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from votes.core import choices
from votes.core.results import TallyResult, Verdict
from votes.db.assembly_queries import Viewer, may_read
from votes.db.engine import write_transaction
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
    MembershipKind,
    MembershipStatus,
    Proposal,
    ProposalStatus,
    ProposalSupport,
    ProposalVersion,
    Stance,
    SubmissionRule,
    SupportKind,
    Thread,
)
from votes.i18n import gettext as _
from votes.services import audit
from votes.services.actors import Actor, may_run_assemblies, may_take_part, require
from votes.services.ballots import drafts
from votes.services.refusals import Refused

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
    services) passes this to :func:`votes.db.assembly_queries.may_read`'s rule, so a draft is
    its authors' and the facilitators' only, everywhere alike."""
    return Viewer(actor.person_id, sees_drafts=may_run_assemblies(actor))


def check_text(title: str, body: str) -> None:
    if not title.strip():
        raise Refused("title_required", "title")
    if len(title) > TITLE_MAX:
        raise Refused("title_too_long", "title")
    if not body.strip():
        raise Refused("body_required", "body")
    if len(body) > BODY_MAX:
        raise Refused("text_too_long", "body")


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
    rows = await Proposal.insert(
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
    proposal_id = int(rows[0]["id"])
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
    if not may_take_part(actor):
        raise Refused("read_only")
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
        (Membership.organisation == organisation_id)
        & Membership.person.is_in(list(person_ids))
        & (Membership.kind == MembershipKind.MEMBER.value)
        & (Membership.status == MembershipStatus.ACTIVE.value)
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
        assembly = (
            await Assembly.select()
            .where((Assembly.id == assembly_id) & (Assembly.organisation == organisation_id))
            .first()
        )
        if assembly is None:
            raise Refused("not_found")
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


async def _proposal_row(organisation_id: int, proposal_id: int) -> dict[str, Any]:
    row = (
        await Proposal.select(
            *Proposal.all_columns(),
            Proposal.assembly.status,
            Proposal.assembly.submission_rule,
            Proposal.assembly.submission_deadline,
        )
        .where((Proposal.id == proposal_id) & (Proposal.organisation == organisation_id))
        .first()
    )
    if row is None:
        raise Refused("not_found")
    return row


async def _readable_row(actor: Actor, proposal_id: int) -> dict[str, Any]:
    """The proposal's row, or "not found" for a draft ``actor`` may not read (as its page)."""
    row = await _proposal_row(actor.organisation.id, proposal_id)
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


async def _add_version(
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
        proposal = await _readable_row(actor, proposal_id)  # a draft's form errors tell nothing
        check_text(title, body)
        if len(note) > NOTE_MAX:
            raise Refused("note_too_long", "note")
        if not (may_run_assemblies(actor) or await is_author(actor.person_id, proposal)):
            raise Refused("not_author")
        if proposal["status"] not in EDITABLE:
            raise Refused("proposal_locked")
        if proposal["title"] == title.strip() and proposal["body"] == body:
            raise Refused("unchanged", "body")
        number = await _add_version(proposal, actor.person_id, title.strip(), body, note.strip())
        await audit.record(
            actor.organisation.id,
            "proposal.edited",
            actor_id=actor.person_id,
            subject=f"proposal:{proposal_id}",
            details={"version": number, "note": note.strip()},
        )
    return number


async def change_status(
    actor: Actor, proposal_id: int, status: ProposalStatus, *, reason: str = ""
) -> None:
    """Authors submit or withdraw their proposal; facilitators move it through the debate.

    A proposal put to the vote is adopted or rejected as its published ballot says; another
    outcome is refused (``vote_not_published``, ``vote_says_otherwise``) unless ``reason``
    says why, and the reason is audited (#16)."""
    reason = reason.strip()[: choices.REASON_MAX]
    async with write_transaction(Proposal._meta.db):
        proposal = await _readable_row(actor, proposal_id)
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
            ballot_id = await _proposal_ballot(proposal_id)
            if ballot_id is not None:
                await _check_follows_vote(ballot_id, status.value, reason)
                if reason:
                    details["override"] = reason
        await Proposal.update(
            {Proposal.status: status.value, Proposal.updated_at: datetime.now(UTC)}
        ).where(Proposal.id == proposal_id)
        await audit.record(
            actor.organisation.id,
            "proposal.status_changed",
            actor_id=actor.person_id,
            subject=f"proposal:{proposal_id}",
            details=details,
        )


async def _proposal_ballot(proposal_id: int) -> int | None:
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


async def _check_follows_vote(ballot_id: int, outcome: str, reason: str) -> None:
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
    if not may_take_part(actor):
        raise Refused("read_only")
    async with write_transaction(Proposal._meta.db):
        proposal = await _readable_row(actor, proposal_id)
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
    proposal = await _proposal_row(actor.organisation.id, proposal_id)
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
        await Proposal.update(
            {Proposal.status: ProposalStatus.VOTING.value, Proposal.updated_at: datetime.now(UTC)}
        ).where(Proposal.id == proposal_id)
        await audit.record(
            actor.organisation.id,
            "proposal.put_to_vote",
            actor_id=actor.person_id,
            subject=f"proposal:{proposal_id}",
            details={"ballot": ballot_id},
        )
    return ballot_id


# --- amendments -------------------------------------------------------------------------------


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
    if not may_take_part(actor):
        raise Refused("read_only")
    if kind is AmendmentKind.FULL:
        passage = ""
    if kind is AmendmentKind.DELETE:
        text = ""
    async with write_transaction(Amendment._meta.db):
        proposal = await _readable_row(actor, proposal_id)
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
        rows = await Amendment.insert(
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
        amendment_id = int(rows[0]["id"])
        await audit.record(
            actor.organisation.id,
            "amendment.proposed",
            actor_id=actor.person_id,
            subject=f"proposal:{proposal_id}",
            details={"amendment": amendment_id, "number": number, "kind": kind.value},
        )
    return amendment_id


async def _amendment_row(organisation_id: int, amendment_id: int) -> dict[str, Any]:
    row = (
        await Amendment.select()
        .where((Amendment.id == amendment_id) & (Amendment.organisation == organisation_id))
        .first()
    )
    if row is None:
        raise Refused("not_found")
    return row


async def _take_in(actor: Actor, amendment: dict[str, Any], proposal: dict[str, Any]) -> int:
    """Apply the amendment to the proposal's current text as a new version."""
    if proposal["status"] in DECIDED:
        raise Refused("proposal_decided")
    amended = apply_amendment(
        proposal["body"], AmendmentKind(amendment["kind"]), amendment["passage"], amendment["text"]
    )
    if len(amended) > BODY_MAX:  # the text grew since the amendment was proposed
        raise Refused("amended_too_long")
    note = _("Amendment no. %(number)d") % {"number": amendment["number"]}
    return await _add_version(proposal, actor.person_id, proposal["title"], amended, note)


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
    published, needs a ``reason`` (audited as an override, #16).
    """
    reason = reason.strip()[: choices.REASON_MAX]
    async with write_transaction(Amendment._meta.db):
        amendment = await _amendment_row(actor.organisation.id, amendment_id)
        proposal = await _proposal_row(actor.organisation.id, amendment["proposal"])
        status = amendment["status"]
        manager = may_run_assemblies(actor)
        author = may_take_part(actor) and await is_author(actor.person_id, proposal)
        version: int | None = None
        if decision == "accept" and status == AmendmentStatus.SUBMITTED and author:
            version = await _take_in(actor, amendment, proposal)
            new = AmendmentStatus.ACCEPTED
        elif decision == "reject" and status == AmendmentStatus.SUBMITTED and (author or manager):
            new = AmendmentStatus.REJECTED
        elif (
            decision == "withdraw"
            and status == AmendmentStatus.SUBMITTED
            and amendment["author"] == actor.person_id
        ):
            new = AmendmentStatus.WITHDRAWN
        elif decision == "adopt" and status == AmendmentStatus.VOTING and manager:
            await _check_follows_vote(amendment["ballot_id"], "adopted", reason)
            version = await _take_in(actor, amendment, proposal)
            new = AmendmentStatus.ADOPTED
        elif decision == "reject_vote" and status == AmendmentStatus.VOTING and manager:
            await _check_follows_vote(amendment["ballot_id"], "rejected", reason)
            new = AmendmentStatus.REJECTED
        elif status != AmendmentStatus.SUBMITTED and status != AmendmentStatus.VOTING:
            raise Refused("amendment_settled")
        else:
            raise Refused("not_allowed")
        await _settle(actor, amendment, new, version, reason)
    return version


async def _settle(
    actor: Actor,
    amendment: dict[str, Any],
    status: AmendmentStatus,
    version: int | None,
    reason: str = "",
) -> None:
    await Amendment.update(
        {
            Amendment.status: status.value,
            Amendment.decided_by: actor.person_id,
            Amendment.decided_at: datetime.now(UTC),
        }
    ).where(Amendment.id == amendment["id"])
    await audit.record(
        actor.organisation.id,
        f"amendment.{status.value}",
        actor_id=actor.person_id,
        subject=f"proposal:{amendment['proposal']}",
        details={
            "amendment": amendment["id"],
            "number": amendment["number"],
            "version": version,
            **({"override": reason} if reason else {}),
        },
    )


async def follow_published_vote(ballot: Mapping[str, Any], actor_id: int | None) -> None:
    """Give the amendment or the proposal a ballot decides the outcome its published result
    says (#16): an adopted amendment is taken into the text. Call inside the publication's
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
        proposal = await _proposal_row(organisation_id, amendment["proposal"])
        version = None
        if adopted and proposal["status"] not in DECIDED:
            amended = apply_amendment(
                proposal["body"],
                AmendmentKind(amendment["kind"]),
                amendment["passage"],
                amendment["text"],
            )
            note = _("Amendment no. %(number)d") % {"number": amendment["number"]}
            author = actor_id or amendment["author"]
            version = await _add_version(proposal, author, proposal["title"], amended, note)
        status = AmendmentStatus.ADOPTED if version is not None else AmendmentStatus.REJECTED
        await Amendment.update(
            {
                Amendment.status: status.value,
                Amendment.decided_by: actor_id,
                Amendment.decided_at: datetime.now(UTC),
            }
        ).where(Amendment.id == amendment["id"])
        await audit.record(
            organisation_id,
            f"amendment.{status.value}",
            actor_id=actor_id,
            subject=f"proposal:{amendment['proposal']}",
            details={
                "amendment": amendment["id"],
                "number": amendment["number"],
                "version": version,
                "by_vote": ballot["id"],
            },
        )
        return
    proposal_id = int(ballot["proposal"])
    if await _proposal_ballot(proposal_id) != ballot["id"]:
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
            organisation_id,
            "proposal.status_changed",
            actor_id=actor_id,
            subject=f"proposal:{proposal_id}",
            details={"from": "voting", "to": status_now.value, "by_vote": ballot["id"]},
        )


async def put_amendment_to_vote(actor: Actor, amendment_id: int) -> int:
    """Prepare the amendment's ballot (voted before its proposal) and mark it as put to the vote."""
    require(may_run_assemblies, actor)
    amendment = await _amendment_row(actor.organisation.id, amendment_id)
    proposal = await _proposal_row(actor.organisation.id, amendment["proposal"])
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
        await audit.record(
            actor.organisation.id,
            "amendment.put_to_vote",
            actor_id=actor.person_id,
            subject=f"proposal:{proposal['id']}",
            details={"amendment": amendment_id, "ballot": ballot_id},
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
    rows = await Contribution.insert(
        Contribution(
            organisation=thread["organisation"],
            thread=thread["id"],
            author=author_id,
            body=body,
            stance=stance.value,
            parent=parent_id,
        )
    )
    return int(rows[0]["id"])
