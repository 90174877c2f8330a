"""The "now" page: what an organisation's assembly is doing at this moment (the item in
discussion, its proposals, the open ballots), its cheap fingerprint (:func:`now_stamp`) and a
per-process cache of the latest view by fingerprint."""

from __future__ import annotations

from dataclasses import dataclass

from votes.db.agenda_queries import AssemblyView, ItemView, agenda_item, assembly_from_row
from votes.db.drafts import NOBODY
from votes.db.proposal_queries import ProposalPage, proposal_page
from votes.db.queries import BallotSummary, ballot_summaries
from votes.db.tables import (
    Assembly,
    AssemblyStatus,
    AuditChain,
    Ballot,
    BallotStatus,
    Contribution,
)


@dataclass(frozen=True, slots=True)
class NowView:
    assembly: AssemblyView | None
    item: ItemView | None
    proposals: list[ProposalPage]
    open_ballots: list[BallotSummary]
    thread_id: int | None  # the thread shown: the first proposal's, else the item's


async def current_assembly(organisation_id: int) -> AssemblyView | None:
    """The assembly in session (the latest to start if several), else the next convened one."""
    for status, ascending in ((AssemblyStatus.IN_SESSION, False), (AssemblyStatus.CONVENED, True)):
        row = (
            await Assembly.select()
            .where((Assembly.organisation == organisation_id) & (Assembly.status == status.value))
            .order_by(Assembly.starts_at, ascending=ascending)
            .first()
        )
        if row:
            return assembly_from_row(row)
    return None


# the latest "now" view of each organisation, by stamp: when the session moves on, every phone
# asks at once, and all but the first get the view already built (per process; tiny)
_NOW_CACHE: dict[int, tuple[str, NowView]] = {}


async def now_view(organisation_id: int, stamp: str | None = None) -> NowView:
    """What the organisation's assembly is doing now; with the ``stamp`` it was computed for,
    a view already built for the same stamp is reused (the stamp moves with every change)."""
    cached = _NOW_CACHE.get(organisation_id)
    if stamp is not None and cached is not None and cached[0] == stamp:
        return cached[1]
    view = await _build_now_view(organisation_id)
    if stamp is not None:
        _NOW_CACHE[organisation_id] = (stamp, view)
    return view


async def _build_now_view(organisation_id: int) -> NowView:
    assembly = await current_assembly(organisation_id)
    if assembly is None:
        return NowView(None, None, [], [], None)
    open_ballots = await ballot_summaries(
        (Ballot.organisation == organisation_id)
        & (Ballot.assembly == assembly.id)
        & (Ballot.status == BallotStatus.OPEN.value)
    )
    item = None
    proposals: list[ProposalPage] = []
    if assembly.current_item_id is not None:
        found = await agenda_item(organisation_id, assembly.current_item_id, NOBODY)
        item = found[1] if found else None
    if item is not None:
        for row in item.proposals:  # the view is everyone's: no drafts (NOBODY's view)
            page = await proposal_page(organisation_id, row.id, NOBODY)
            if page is not None:
                proposals.append(page)
    thread_id = proposals[0].thread_id if proposals else (item.thread_id if item else None)
    return NowView(assembly, item, proposals, open_ballots, thread_id)


async def now_stamp(organisation_id: int) -> str:
    """A cheap fingerprint of what the "now" page shows: it changes when the audit trail grows
    (agenda, proposals, amendments, moderation, ballots), a contribution is posted or a ballot
    opens or closes. Pollers compare it and fetch the page only when it moved."""
    head = (
        await AuditChain.select(AuditChain.last_sequence)
        .where(AuditChain.chain_key == str(organisation_id))
        .first()
    )
    last = (
        await Contribution.select(Contribution.id)
        .where(Contribution.organisation == organisation_id)
        .order_by(Contribution.id, ascending=False)
        .first()
    )
    open_ballots = await Ballot.select(Ballot.id).where(
        (Ballot.organisation == organisation_id) & (Ballot.status == BallotStatus.OPEN.value)
    )
    ballots = ".".join(str(b["id"]) for b in open_ballots)
    return f"{head['last_sequence'] if head else 0}-{last['id'] if last else 0}-{ballots}"
