"""Read helpers for an assembly and its agenda: the assembly itself, its agenda items with the
proposals, ballots and thread hanging on each, the voting order, the assembly's history, and the
list of every ballot of an organisation.

Every function takes the organisation id and filters by it, so a foreign id finds nothing. They
return plain frozen dataclasses for the templates; drafts follow :mod:`votes.db.drafts`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from piccolo.columns import Column
from piccolo.custom_types import Combinable
from piccolo.table import Table

from votes.db.drafts import NOBODY, Viewer, readable_filter
from votes.db.queries import (
    BALLOT_SUMMARY_COLUMNS,
    AssemblySummary,
    BallotSummary,
    ballot_summary,
    own_row,
    view_of,
)
from votes.db.tables import (
    AgendaItem,
    Amendment,
    AmendmentStatus,
    Assembly,
    AssemblyStatus,
    AuditEntry,
    Ballot,
    Contribution,
    Proposal,
    ProposalStatus,
    Thread,
)

# amendments furthest from the text first (see votes.services.proposals.VOTING_ORDER)
_KIND_ORDER = {"full": 0, "delete": 1, "replace": 2, "insert": 3}
# a proposal in one of these has no voting order left
_DECIDED = (
    ProposalStatus.ADOPTED.value,
    ProposalStatus.REJECTED.value,
    ProposalStatus.WITHDRAWN.value,
)


@dataclass(frozen=True, slots=True)
class AssemblyView(AssemblySummary):
    """An assembly as its own pages show it: the summary of the list, and the rest."""

    remote_url: str
    description: str
    submission_rule: str
    submission_deadline: datetime | None
    rule_profile: str
    current_item_id: int | None

    @property
    def is_closed(self) -> bool:
        return self.status == AssemblyStatus.CLOSED.value


@dataclass(frozen=True, slots=True)
class ProposalRow:
    id: int
    title: str
    status: str
    author_name: str
    agenda_item_id: int | None
    assembly_id: int
    assembly_title: str
    updated_at: datetime
    contribution_count: int = 0
    pending_amendments: int = 0


@dataclass(frozen=True, slots=True)
class VotingStep:
    """One vote of an agenda item, in the order it should be taken."""

    proposal_id: int
    title: str
    amendment_number: int | None  # None: the proposal itself
    status: str
    ballot_id: int | None = None


@dataclass(frozen=True, slots=True)
class ItemView:
    id: int
    position: int
    title: str
    description: str
    planned_minutes: int
    thread_id: int | None
    contribution_count: int
    proposals: list[ProposalRow] = field(default_factory=list)
    ballots: list[BallotSummary] = field(default_factory=list)
    voting_order: list[VotingStep] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AssemblyPage:
    assembly: AssemblyView
    agenda: list[ItemView]
    unplaced: list[ProposalRow]  # proposals not yet put on an agenda item
    # ballots on no agenda item (made with "New ballot" between items): listed all the same
    unplaced_ballots: list[BallotSummary] = field(default_factory=list)

    @property
    def current_item(self) -> ItemView | None:
        return next((i for i in self.agenda if i.id == self.assembly.current_item_id), None)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    occurred_at: datetime
    actor_name: str | None
    action: str
    subject: str
    details: str


def assembly_from_row(row: dict[str, Any]) -> AssemblyView:
    return view_of(AssemblyView, row)


async def assembly_view(organisation_id: int, assembly_id: int) -> AssemblyView | None:
    row = await own_row(Assembly, organisation_id, assembly_id)
    return assembly_from_row(row) if row else None


PROPOSAL_ROW_COLUMNS = (
    Proposal.id,
    Proposal.title,
    Proposal.status,
    Proposal.author.name,
    Proposal.agenda_item,
    Proposal.assembly,
    Proposal.assembly.title,
    Proposal.updated_at,
)


async def proposal_rows(rows: list[dict[str, Any]]) -> list[ProposalRow]:
    ids = [row["id"] for row in rows]
    counts = await _contribution_counts(ids)
    pending = await _pending_amendments(ids)
    return [
        view_of(
            ProposalRow,
            {
                **row,
                "contribution_count": counts.get(row["id"], 0),
                "pending_amendments": pending.get(row["id"], 0),
            },
            author_name="author.name",
            agenda_item_id="agenda_item",
            assembly_id="assembly",
            assembly_title="assembly.title",
        )
        for row in rows
    ]


async def _counts(
    table: type[Table], column: Column, ids: list[int], where: Combinable
) -> dict[int, int]:
    """How many of ``table``'s rows matching ``where`` fall on each id of ``column``."""
    if not ids:
        return {}
    values = await table.select(column).where(column.is_in(ids) & where).output(as_list=True)
    return dict(Counter(values))


async def _contribution_counts(proposal_ids: list[int]) -> dict[int, int]:
    proposal = Contribution.thread.proposal
    return await _counts(Contribution, proposal, proposal_ids, Contribution.hidden_reason.is_null())


async def _pending_amendments(proposal_ids: list[int]) -> dict[int, int]:
    pending = Amendment.status.is_in(
        [AmendmentStatus.SUBMITTED.value, AmendmentStatus.VOTING.value]
    )
    return await _counts(Amendment, Amendment.proposal, proposal_ids, pending)


async def _item_contribution_counts(item_ids: list[int]) -> dict[int, int]:
    item = Contribution.thread.agenda_item
    return await _counts(Contribution, item, item_ids, Contribution.hidden_reason.is_null())


async def _voting_orders(
    organisation_id: int, proposals: list[ProposalRow]
) -> dict[int, list[VotingStep]]:
    """Per proposal: its open amendments (furthest from the text first), then itself."""
    ids = [p.id for p in proposals if p.status not in _DECIDED]
    amendments = (
        await Amendment.select(
            Amendment.proposal, Amendment.number, Amendment.kind, Amendment.status,
            Amendment.ballot_id,
        )
        .where(
            (Amendment.organisation == organisation_id)
            & Amendment.proposal.is_in(ids or [0])
            & Amendment.status.is_in(
                [AmendmentStatus.SUBMITTED.value, AmendmentStatus.VOTING.value]
            )
        )
    )  # fmt: skip
    by_proposal: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in amendments:
        by_proposal[row["proposal"]].append(row)
    orders: dict[int, list[VotingStep]] = {}
    for proposal in proposals:
        if proposal.id not in ids:
            continue
        steps = [
            VotingStep(proposal.id, proposal.title, a["number"], a["status"], a["ballot_id"])
            for a in sorted(
                by_proposal[proposal.id], key=lambda a: (_KIND_ORDER[a["kind"]], a["number"])
            )
        ]
        steps.append(VotingStep(proposal.id, proposal.title, None, proposal.status))
        orders[proposal.id] = steps
    return orders


async def assembly_page(
    organisation_id: int, assembly_id: int, viewer: Viewer = NOBODY
) -> AssemblyPage | None:
    """The assembly with its agenda and the proposals ``viewer`` may read."""
    assembly = await assembly_view(organisation_id, assembly_id)
    if assembly is None:
        return None
    agenda, proposals = await _agenda(organisation_id, assembly_id, viewer)
    item_ids = {item.id for item in agenda}
    unplaced = [p for p in proposals if p.agenda_item_id not in item_ids]
    loose = (
        await Ballot.select(*BALLOT_SUMMARY_COLUMNS, Ballot.agenda_item)
        .where((Ballot.assembly == assembly_id) & (Ballot.organisation == organisation_id))
        .order_by(Ballot.id)
    )
    return AssemblyPage(
        assembly=assembly,
        agenda=agenda,
        unplaced=unplaced,
        unplaced_ballots=[ballot_summary(b) for b in loose if b["agenda_item"] not in item_ids],
    )


async def agenda_titles(organisation_id: int, assembly_id: int) -> list[tuple[int, str]]:
    """(id, title) of the assembly's agenda items, in order (to file a new ballot)."""
    rows = (
        await AgendaItem.select(AgendaItem.id, AgendaItem.title)
        .where(
            (AgendaItem.assembly == assembly_id)
            & (AgendaItem.assembly.organisation == organisation_id)
        )
        .order_by(AgendaItem.position)
    )
    return [(row["id"], row["title"]) for row in rows]


async def agenda_item(
    organisation_id: int, item_id: int, viewer: Viewer = NOBODY
) -> tuple[AssemblyView, ItemView] | None:
    """One item with what hangs on it, proposals as ``viewer`` may read them (loads only that
    item's rows: the "now" page uses it)."""
    row = await own_row(
        AgendaItem,
        organisation_id,
        item_id,
        AgendaItem.assembly,
        owner=AgendaItem.assembly.organisation,
    )
    if row is None:
        return None
    assembly = await assembly_view(organisation_id, row["assembly"])
    assert assembly is not None
    agenda, _proposals = await _agenda(organisation_id, row["assembly"], viewer, only_item=item_id)
    return assembly, agenda[0]


async def _agenda(
    organisation_id: int, assembly_id: int, viewer: Viewer, *, only_item: int | None = None
) -> tuple[list[ItemView], list[ProposalRow]]:
    """The agenda's items (or just one) with their proposals (those ``viewer`` may read),
    ballots, threads and voting order; and the proposals loaded."""
    item_filter: Any = AgendaItem.assembly == assembly_id
    proposal_filter: Any = (Proposal.assembly == assembly_id) & (
        Proposal.organisation == organisation_id
    )
    readable = await readable_filter(viewer)
    if readable is not None:
        proposal_filter &= readable
    ballot_filter = (Ballot.assembly == assembly_id) & (Ballot.organisation == organisation_id)
    if only_item is not None:
        item_filter &= AgendaItem.id == only_item
        proposal_filter &= Proposal.agenda_item == only_item
        ballot_filter &= Ballot.agenda_item == only_item
    items = await AgendaItem.select().where(item_filter).order_by(AgendaItem.position)
    item_ids = [item["id"] for item in items]
    threads = await Thread.select(Thread.id, Thread.agenda_item).where(
        Thread.agenda_item.is_in(item_ids or [0])
    )
    thread_of = {t["agenda_item"]: t["id"] for t in threads}
    proposals = await proposal_rows(
        await Proposal.select(*PROPOSAL_ROW_COLUMNS).where(proposal_filter).order_by(Proposal.id)
    )
    ballots = (
        await Ballot.select(*BALLOT_SUMMARY_COLUMNS, Ballot.agenda_item)
        .where(ballot_filter)
        .order_by(Ballot.id)
    )
    counts = await _item_contribution_counts(item_ids)
    orders = await _voting_orders(organisation_id, proposals)
    agenda = []
    for item in items:
        mine = [p for p in proposals if p.agenda_item_id == item["id"]]
        agenda.append(
            view_of(
                ItemView,
                {
                    **item,
                    "thread_id": thread_of.get(item["id"]),
                    "contribution_count": counts.get(item["id"], 0),
                    "proposals": mine,
                    "ballots": [
                        ballot_summary(b) for b in ballots if b["agenda_item"] == item["id"]
                    ],
                    "voting_order": [step for p in mine for step in orders.get(p.id, [])],
                },
            )
        )
    return agenda, proposals


async def history_of(
    organisation_id: int, assembly_id: int, viewer: Viewer = NOBODY
) -> list[HistoryEntry]:
    """The assembly's story from the audit trail: agenda changes, proposals and amendments
    (of the proposals ``viewer`` may read)."""
    where: Any = (Proposal.assembly == assembly_id) & (Proposal.organisation == organisation_id)
    readable = await readable_filter(viewer)
    if readable is not None:
        where &= readable
    proposals = await Proposal.select(Proposal.id).where(where)
    subjects = [f"assembly:{assembly_id}", *(f"proposal:{p['id']}" for p in proposals)]
    rows = (
        await AuditEntry.select(
            AuditEntry.occurred_at,
            AuditEntry.actor.name,
            AuditEntry.action,
            AuditEntry.subject,
            AuditEntry.details,
        )
        .where((AuditEntry.organisation == organisation_id) & AuditEntry.subject.is_in(subjects))
        .order_by(AuditEntry.sequence, ascending=False)
    )
    return [view_of(HistoryEntry, r, actor_name="actor.name") for r in rows]


@dataclass(frozen=True, slots=True)
class BallotListLine:
    """One ballot in a facilitator's list of every ballot."""

    assembly_id: int
    assembly_title: str
    item_title: str  # "" on no agenda item
    ballot: BallotSummary


async def organisation_ballots(organisation_id: int) -> list[BallotListLine]:
    """Every ballot of the organisation, newest assembly first, in the order they were made."""
    rows = (
        await Ballot.select(
            *BALLOT_SUMMARY_COLUMNS,
            Ballot.assembly,
            Ballot.assembly.title,
            Ballot.agenda_item.title,
            Ballot.assembly.starts_at,
        )
        .where(Ballot.organisation == organisation_id)
        .order_by(Ballot.assembly.starts_at, ascending=False)
        .order_by(Ballot.id)
    )
    return [
        BallotListLine(
            assembly_id=row["assembly"],
            assembly_title=row["assembly.title"],
            item_title=row["agenda_item.title"] or "",
            ballot=ballot_summary(row),
        )
        for row in rows
    ]
