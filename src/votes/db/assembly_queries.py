"""Read helpers for assemblies, agendas, proposals, amendments and threads.

Like :mod:`votes.db.queries`, every function takes the organisation id and filters by it, so a
foreign id finds nothing. They return plain frozen dataclasses for the templates.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine
from piccolo.query.functions.aggregate import Count

from votes.db.queries import BallotSummary
from votes.db.tables import (
    AgendaItem,
    Amendment,
    AmendmentStatus,
    Assembly,
    AssemblyStatus,
    AuditChain,
    AuditEntry,
    Ballot,
    Contribution,
    Proposal,
    ProposalStatus,
    ProposalSupport,
    ProposalVersion,
    Reaction,
    SupportKind,
    Thread,
)

THREAD_PAGE_SIZE = 20
SEARCH_PAGE_SIZE = 50
# amendments furthest from the text first (see votes.services.proposals.VOTING_ORDER)
_KIND_ORDER = {"full": 0, "delete": 1, "replace": 2, "insert": 3}


# --- who may read a draft ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is reading, as far as drafts go (``votes.services.proposals.viewer_of`` builds it
    from a membership): a draft is its authors' (author and co-authors) until they submit it,
    and facilitators and administrators (``sees_drafts``) read every draft."""

    person_id: int
    sees_drafts: bool = False


# views shared by everyone (the "now" page): nobody's drafts
NOBODY = Viewer(person_id=0)


def may_read(viewer: Viewer, status: str, author_ids: Collection[int]) -> bool:
    """The one rule: whether ``viewer`` may know of a proposal in ``status`` by ``author_ids``.

    >>> may_read(Viewer(7), "draft", {3, 7}), may_read(Viewer(8), "draft", {3, 7})
    (True, False)
    >>> may_read(Viewer(8, sees_drafts=True), "draft", {3}), may_read(NOBODY, "submitted", {3})
    (True, True)
    """
    return (
        status != ProposalStatus.DRAFT.value or viewer.sees_drafts or viewer.person_id in author_ids
    )


async def readable_filter(viewer: Viewer) -> Any:
    """:func:`may_read` as a condition on :class:`Proposal` rows (``None``: every row)."""
    if viewer.sees_drafts:
        return None
    coauthored = await ProposalSupport.select(ProposalSupport.proposal).where(
        (ProposalSupport.person == viewer.person_id)
        & (ProposalSupport.kind == SupportKind.COAUTHOR.value)
    )
    return (
        (Proposal.status != ProposalStatus.DRAFT.value)
        | (Proposal.author == viewer.person_id)
        | Proposal.id.is_in([row["proposal"] for row in coauthored] or [0])
    )


@dataclass(frozen=True, slots=True)
class AssemblyView:
    id: int
    title: str
    kind: str
    convocation: str
    starts_at: datetime
    place: str
    remote_url: str
    status: str
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
class PersonRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class AmendmentView:
    id: int
    number: int
    author_id: int
    author_name: str
    kind: str
    passage: str
    text: str
    reason: str
    base_version: int
    status: str
    decided_by_name: str | None
    decided_at: datetime | None
    ballot_id: int | None
    created_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status in (AmendmentStatus.SUBMITTED.value, AmendmentStatus.VOTING.value)


@dataclass(frozen=True, slots=True)
class ThreadInfo:
    id: int
    key: str
    closed_at: datetime | None
    closed_by_name: str | None
    proposal_id: int | None
    agenda_item_id: int | None
    subject_title: str
    assembly_id: int
    assembly_closed: bool
    proposal_status: str | None

    @property
    def is_open(self) -> bool:
        return (
            self.closed_at is None
            and not self.assembly_closed
            and self.proposal_status != "withdrawn"
        )


@dataclass(frozen=True, slots=True)
class ProposalPage:
    id: int
    assembly: AssemblyView
    agenda_item_id: int | None
    agenda_item_title: str | None
    title: str
    body: str
    status: str
    author: PersonRef
    coauthors: list[PersonRef]
    supporters: list[PersonRef]
    version: int
    created_at: datetime
    updated_at: datetime
    thread_id: int
    amendments: list[AmendmentView]
    ballots: list[BallotSummary]

    def is_author(self, person_id: int) -> bool:
        return person_id == self.author.id or any(c.id == person_id for c in self.coauthors)

    def supports(self, person_id: int) -> bool:
        return any(s.id == person_id for s in self.supporters)


@dataclass(frozen=True, slots=True)
class VersionView:
    number: int
    title: str
    body: str
    author_name: str
    note: str
    created_at: datetime


@dataclass(slots=True)
class ContributionView:
    id: int
    parent_id: int | None
    author_id: int
    author_name: str
    stance: str
    body: str
    created_at: datetime
    edited_at: datetime | None
    hidden_reason: str | None
    hidden_by_name: str | None
    reactions: dict[str, int] = field(default_factory=dict)
    mine: frozenset[str] = frozenset()
    replies: list[ContributionView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ThreadPage:
    info: ThreadInfo
    contributions: list[ContributionView]  # top-level, each with its replies
    total: int  # top-level contributions in the whole thread
    offset: int
    order: str  # "oldest" or "newest"
    stance_counts: dict[str, int]

    @property
    def next_offset(self) -> int | None:
        shown = self.offset + len(self.contributions)
        return shown if shown < self.total else None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    occurred_at: datetime
    actor_name: str | None
    action: str
    subject: str
    details: str


def _assembly(row: dict[str, Any]) -> AssemblyView:
    return AssemblyView(
        id=row["id"],
        title=row["title"],
        kind=row["kind"],
        convocation=row["convocation"],
        starts_at=row["starts_at"],
        place=row["place"],
        remote_url=row["remote_url"],
        status=row["status"],
        description=row["description"],
        submission_rule=row["submission_rule"],
        submission_deadline=row["submission_deadline"],
        rule_profile=row["rule_profile"],
        current_item_id=row["current_item_id"],
    )


async def assembly_view(organisation_id: int, assembly_id: int) -> AssemblyView | None:
    row = (
        await Assembly.select()
        .where((Assembly.id == assembly_id) & (Assembly.organisation == organisation_id))
        .first()
    )
    return _assembly(row) if row else None


_PROPOSAL_ROW_COLUMNS = (
    Proposal.id,
    Proposal.title,
    Proposal.status,
    Proposal.author.name,
    Proposal.agenda_item,
    Proposal.assembly,
    Proposal.assembly.title,
    Proposal.updated_at,
)


async def _proposal_rows(rows: list[dict[str, Any]]) -> list[ProposalRow]:
    ids = [row["id"] for row in rows]
    counts = await _contribution_counts(ids)
    pending = await _pending_amendments(ids)
    return [
        ProposalRow(
            id=row["id"],
            title=row["title"],
            status=row["status"],
            author_name=row["author.name"],
            agenda_item_id=row["agenda_item"],
            assembly_id=row["assembly"],
            assembly_title=row["assembly.title"],
            updated_at=row["updated_at"],
            contribution_count=counts.get(row["id"], 0),
            pending_amendments=pending.get(row["id"], 0),
        )
        for row in rows
    ]


async def _contribution_counts(proposal_ids: list[int]) -> dict[int, int]:
    if not proposal_ids:
        return {}
    rows = await Contribution.select(Contribution.thread.proposal).where(
        Contribution.thread.proposal.is_in(proposal_ids) & Contribution.hidden_reason.is_null()
    )
    return dict(Counter(row["thread.proposal"] for row in rows))


async def _pending_amendments(proposal_ids: list[int]) -> dict[int, int]:
    if not proposal_ids:
        return {}
    rows = await Amendment.select(Amendment.proposal).where(
        Amendment.proposal.is_in(proposal_ids)
        & Amendment.status.is_in([AmendmentStatus.SUBMITTED.value, AmendmentStatus.VOTING.value])
    )
    return dict(Counter(row["proposal"] for row in rows))


async def _item_contribution_counts(item_ids: list[int]) -> dict[int, int]:
    if not item_ids:
        return {}
    rows = await Contribution.select(Contribution.thread.agenda_item).where(
        Contribution.thread.agenda_item.is_in(item_ids) & Contribution.hidden_reason.is_null()
    )
    return dict(Counter(row["thread.agenda_item"] for row in rows))


def _ballot(row: dict[str, Any]) -> BallotSummary:
    return BallotSummary(
        id=row["id"],
        question=row["question"],
        method=row["method"],
        status=row["status"],
        secret=row["secret"],
        is_test=row["is_test"],
    )


async def _voting_orders(
    organisation_id: int, proposals: list[ProposalRow]
) -> dict[int, list[VotingStep]]:
    """Per proposal: its open amendments (furthest from the text first), then itself."""
    ids = [p.id for p in proposals if p.status not in ("adopted", "rejected", "withdrawn")]
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
        await Ballot.select(
            Ballot.id, Ballot.question, Ballot.method, Ballot.status, Ballot.secret,
            Ballot.is_test, Ballot.agenda_item,
        )
        .where((Ballot.assembly == assembly_id) & (Ballot.organisation == organisation_id))
        .order_by(Ballot.id)
    )  # fmt: skip
    return AssemblyPage(
        assembly=assembly,
        agenda=agenda,
        unplaced=unplaced,
        unplaced_ballots=[_ballot(b) for b in loose if b["agenda_item"] not in item_ids],
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
    row = (
        await AgendaItem.select(AgendaItem.assembly)
        .where((AgendaItem.id == item_id) & (AgendaItem.assembly.organisation == organisation_id))
        .first()
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
    proposals = await _proposal_rows(
        await Proposal.select(*_PROPOSAL_ROW_COLUMNS).where(proposal_filter).order_by(Proposal.id)
    )
    ballots = (
        await Ballot.select(
            Ballot.id, Ballot.question, Ballot.method, Ballot.status, Ballot.secret,
            Ballot.is_test, Ballot.agenda_item,
        )
        .where(ballot_filter)
        .order_by(Ballot.id)
    )  # fmt: skip
    counts = await _item_contribution_counts(item_ids)
    orders = await _voting_orders(organisation_id, proposals)
    agenda = []
    for item in items:
        mine = [p for p in proposals if p.agenda_item_id == item["id"]]
        agenda.append(
            ItemView(
                id=item["id"],
                position=item["position"],
                title=item["title"],
                description=item["description"],
                planned_minutes=item["planned_minutes"],
                thread_id=thread_of.get(item["id"]),
                contribution_count=counts.get(item["id"], 0),
                proposals=mine,
                ballots=[_ballot(b) for b in ballots if b["agenda_item"] == item["id"]],
                voting_order=[step for p in mine for step in orders.get(p.id, [])],
            )
        )
    return agenda, proposals


async def proposal_page(
    organisation_id: int, proposal_id: int, viewer: Viewer = NOBODY
) -> ProposalPage | None:
    """The proposal with all it carries; ``None`` when it is not in the organisation or when
    it is a draft ``viewer`` may not read (so every page answers "not found" alike)."""
    row = (
        await Proposal.select(
            *Proposal.all_columns(), Proposal.author.name, Proposal.agenda_item.title
        )
        .where((Proposal.id == proposal_id) & (Proposal.organisation == organisation_id))
        .first()
    )
    if row is None:
        return None
    support = (
        await ProposalSupport.select(
            ProposalSupport.person, ProposalSupport.person.name, ProposalSupport.kind
        )
        .where(ProposalSupport.proposal == proposal_id)
        .order_by(ProposalSupport.id)
    )
    authors = {row["author"]}
    authors.update(s["person"] for s in support if s["kind"] == SupportKind.COAUTHOR.value)
    if not may_read(viewer, row["status"], authors):
        return None
    assembly = await assembly_view(organisation_id, row["assembly"])
    assert assembly is not None
    thread = await Thread.select(Thread.id).where(Thread.proposal == proposal_id).first()
    assert thread is not None
    ballots = (
        await Ballot.select(
            Ballot.id, Ballot.question, Ballot.method, Ballot.status, Ballot.secret, Ballot.is_test
        )
        .where((Ballot.proposal == proposal_id) & (Ballot.organisation == organisation_id))
        .order_by(Ballot.id)
    )
    return ProposalPage(
        id=row["id"],
        assembly=assembly,
        agenda_item_id=row["agenda_item"],
        agenda_item_title=row["agenda_item.title"],
        title=row["title"],
        body=row["body"],
        status=row["status"],
        author=PersonRef(row["author"], row["author.name"]),
        coauthors=[
            PersonRef(s["person"], s["person.name"])
            for s in support
            if s["kind"] == SupportKind.COAUTHOR.value
        ],
        supporters=[
            PersonRef(s["person"], s["person.name"])
            for s in support
            if s["kind"] == SupportKind.SUPPORTER.value
        ],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        thread_id=thread["id"],
        amendments=await amendments_of(organisation_id, proposal_id),
        ballots=[_ballot(b) for b in ballots],
    )


async def amendments_of(organisation_id: int, proposal_id: int) -> list[AmendmentView]:
    rows = (
        await Amendment.select(
            *Amendment.all_columns(), Amendment.author.name, Amendment.decided_by.name
        )
        .where((Amendment.proposal == proposal_id) & (Amendment.organisation == organisation_id))
        .order_by(Amendment.number)
    )
    return [
        AmendmentView(
            id=r["id"],
            number=r["number"],
            author_id=r["author"],
            author_name=r["author.name"],
            kind=r["kind"],
            passage=r["passage"],
            text=r["text"],
            reason=r["reason"],
            base_version=r["base_version"],
            status=r["status"],
            decided_by_name=r["decided_by.name"],
            decided_at=r["decided_at"],
            ballot_id=r["ballot_id"],
            created_at=r["created_at"],
        )
        for r in rows
    ]


async def proposal_of_amendment(organisation_id: int, amendment_id: int) -> int | None:
    row = (
        await Amendment.select(Amendment.proposal)
        .where((Amendment.id == amendment_id) & (Amendment.organisation == organisation_id))
        .first()
    )
    return int(row["proposal"]) if row else None


async def versions_of(organisation_id: int, proposal_id: int) -> list[VersionView]:
    rows = (
        await ProposalVersion.select(*ProposalVersion.all_columns(), ProposalVersion.author.name)
        .where(
            (ProposalVersion.proposal == proposal_id)
            & (ProposalVersion.proposal.organisation == organisation_id)
        )
        .order_by(ProposalVersion.number)
    )
    return [
        VersionView(
            number=r["number"],
            title=r["title"],
            body=r["body"],
            author_name=r["author.name"],
            note=r["note"],
            created_at=r["created_at"],
        )
        for r in rows
    ]


async def thread_hidden_as_draft(organisation_id: int, thread_id: int, viewer: Viewer) -> bool:
    """Whether the thread belongs to a draft proposal that ``viewer`` may not read: such a
    thread is as private as its draft."""
    row = (
        await Thread.select(Thread.proposal, Thread.proposal.status, Thread.proposal.author)
        .where((Thread.id == thread_id) & (Thread.organisation == organisation_id))
        .first()
    )
    if row is None or row["proposal"] is None:
        return False
    if may_read(viewer, row["proposal.status"], {row["proposal.author"]}):
        return False
    coauthor = await ProposalSupport.exists().where(
        (ProposalSupport.support_key == f"{row['proposal']}:{viewer.person_id}")
        & (ProposalSupport.kind == SupportKind.COAUTHOR.value)
    )
    return not coauthor


async def thread_info(organisation_id: int, thread_id: int) -> ThreadInfo | None:
    row = (
        await Thread.select(
            *Thread.all_columns(),
            Thread.closed_by.name,
            Thread.proposal.title,
            Thread.proposal.status,
            Thread.proposal.assembly,
            Thread.proposal.assembly.status,  # type: ignore[union-attr]
            Thread.agenda_item.title,
            Thread.agenda_item.assembly,
            Thread.agenda_item.assembly.status,  # type: ignore[union-attr]
        )
        .where((Thread.id == thread_id) & (Thread.organisation == organisation_id))
        .first()
    )
    if row is None:
        return None
    on_proposal = row["proposal"] is not None
    return ThreadInfo(
        id=row["id"],
        key=row["thread_key"],
        closed_at=row["closed_at"],
        closed_by_name=row["closed_by.name"],
        proposal_id=row["proposal"],
        agenda_item_id=row["agenda_item"],
        subject_title=row["proposal.title"] if on_proposal else row["agenda_item.title"],
        assembly_id=row["proposal.assembly"] if on_proposal else row["agenda_item.assembly"],
        assembly_closed=(
            row["proposal.assembly.status"] if on_proposal else row["agenda_item.assembly.status"]
        )
        == AssemblyStatus.CLOSED.value,
        proposal_status=row["proposal.status"],
    )


_CONTRIBUTION_COLUMNS = (
    *Contribution.all_columns(),
    Contribution.author.name,
    Contribution.hidden_by.name,
)


def _contribution(row: dict[str, Any]) -> ContributionView:
    return ContributionView(
        id=row["id"],
        parent_id=row["parent"],
        author_id=row["author"],
        author_name=row["author.name"],
        stance=row["stance"],
        body=row["body"] if row["hidden_reason"] is None else "",  # hidden words never leave
        created_at=row["created_at"],
        edited_at=row["edited_at"],
        hidden_reason=row["hidden_reason"],
        hidden_by_name=row["hidden_by.name"],
    )


async def thread_page(
    organisation_id: int,
    thread_id: int,
    viewer_id: int,
    *,
    order: str = "oldest",
    offset: int = 0,
    limit: int = THREAD_PAGE_SIZE,
) -> ThreadPage | None:
    """A slice of a thread's top-level contributions (each with all its replies)."""
    info = await thread_info(organisation_id, thread_id)
    if info is None:
        return None
    newest = order == "newest"
    in_thread = (Contribution.thread == thread_id) & (Contribution.organisation == organisation_id)
    top = (
        await Contribution.select(*_CONTRIBUTION_COLUMNS)
        .where(in_thread & Contribution.parent.is_null())
        .order_by(Contribution.id, ascending=not newest)
        .offset(max(offset, 0))
        .limit(limit)
    )
    total = await Contribution.count().where(in_thread & Contribution.parent.is_null())
    top_ids = [row["id"] for row in top]
    replies = (
        await Contribution.select(*_CONTRIBUTION_COLUMNS)
        .where(in_thread & Contribution.parent.is_in(top_ids or [0]))
        .order_by(Contribution.id)
    )
    views = {row["id"]: _contribution(row) for row in [*top, *replies]}
    await _attach_reactions(views, viewer_id)
    for row in replies:
        views[row["parent"]].replies.append(views[row["id"]])
    stances = (
        await Contribution.select(Contribution.stance, Count())
        .where(in_thread & Contribution.hidden_reason.is_null())
        .group_by(Contribution.stance)
    )
    return ThreadPage(
        info=info,
        contributions=[views[i] for i in top_ids],
        total=total,
        offset=max(offset, 0),
        order="newest" if newest else "oldest",
        stance_counts={row["stance"]: row["count"] for row in stances},
    )


async def _attach_reactions(views: dict[int, ContributionView], viewer_id: int) -> None:
    if not views:
        return
    rows = await Reaction.select(Reaction.contribution, Reaction.person, Reaction.kind).where(
        Reaction.contribution.is_in(list(views))
    )
    for row in rows:
        view = views[row["contribution"]]
        view.reactions[row["kind"]] = view.reactions.get(row["kind"], 0) + 1
        if row["person"] == viewer_id:
            view.mine = view.mine | {row["kind"]}


async def contribution(
    organisation_id: int, contribution_id: int, viewer_id: int
) -> ContributionView | None:
    row = (
        await Contribution.select(*_CONTRIBUTION_COLUMNS)
        .where(
            (Contribution.id == contribution_id) & (Contribution.organisation == organisation_id)
        )
        .first()
    )
    if row is None:
        return None
    view = _contribution(row)
    await _attach_reactions({view.id: view}, viewer_id)
    return view


async def thread_id_of(organisation_id: int, contribution_id: int) -> int | None:
    row = (
        await Contribution.select(Contribution.thread)
        .where(
            (Contribution.id == contribution_id) & (Contribution.organisation == organisation_id)
        )
        .first()
    )
    return int(row["thread"]) if row else None


@dataclass(frozen=True, slots=True)
class ProposalFilters:
    text: str = ""
    status: str = ""
    assembly_id: int | None = None
    agenda_item_id: int | None = None
    author_id: int | None = None


def _like_pattern(word: str, *, sqlite: bool) -> str:
    """A LIKE pattern finding ``word`` anywhere. PostgreSQL escapes wildcards with a backslash;
    SQLite has no default escape, so a typed % or _ there matches any one character."""
    if sqlite:
        escaped = word.replace("%", "_")
    else:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_proposals(
    organisation_id: int, filters: ProposalFilters, viewer: Viewer
) -> list[ProposalRow]:
    """Proposals matching every filter given, newest first, among those ``viewer`` may read."""
    where: Any = Proposal.organisation == organisation_id
    for word in filters.text.split()[:8]:
        pattern = _like_pattern(word, sqlite=isinstance(Proposal._meta.db, SQLiteEngine))
        if isinstance(Proposal._meta.db, SQLiteEngine):
            # SQLite's LIKE ignores case by itself (and has no ILIKE)
            where &= Proposal.title.like(pattern) | Proposal.body.like(pattern)
        else:
            where &= Proposal.title.ilike(pattern) | Proposal.body.ilike(pattern)
    if filters.status:
        where &= Proposal.status == filters.status
    if filters.assembly_id is not None:
        where &= Proposal.assembly == filters.assembly_id
    if filters.agenda_item_id is not None:
        where &= Proposal.agenda_item == filters.agenda_item_id
    if filters.author_id is not None:
        where &= Proposal.author == filters.author_id
    readable = await readable_filter(viewer)
    if readable is not None:
        where &= readable
    rows = (
        await Proposal.select(*_PROPOSAL_ROW_COLUMNS)
        .where(where)
        .order_by(Proposal.updated_at, ascending=False)
        .order_by(Proposal.id, ascending=False)
        .limit(SEARCH_PAGE_SIZE)
    )
    return await _proposal_rows(rows)


@dataclass(frozen=True, slots=True)
class FilterChoices:
    authors: list[PersonRef]
    items: list[tuple[int, str, str]]  # item id, assembly title, item title
    assemblies: list[tuple[int, str]]


async def filter_choices(organisation_id: int, viewer: Viewer = NOBODY) -> FilterChoices:
    """The search filters' choices; authors are those of proposals ``viewer`` may read."""
    where: Any = Proposal.organisation == organisation_id
    readable = await readable_filter(viewer)
    if readable is not None:
        where &= readable
    authors = await Proposal.select(Proposal.author, Proposal.author.name).where(where).distinct()
    items = (
        await AgendaItem.select(AgendaItem.id, AgendaItem.title, AgendaItem.assembly.title)
        .where(AgendaItem.assembly.organisation == organisation_id)
        .order_by(AgendaItem.assembly.starts_at, ascending=False)
        .order_by(AgendaItem.position)
    )
    assemblies = (
        await Assembly.select(Assembly.id, Assembly.title)
        .where(Assembly.organisation == organisation_id)
        .order_by(Assembly.starts_at, ascending=False)
    )
    return FilterChoices(
        authors=sorted(
            {PersonRef(a["author"], a["author.name"]) for a in authors}, key=lambda p: p.name
        ),
        items=[(i["id"], i["assembly.title"], i["title"]) for i in items],
        assemblies=[(a["id"], a["title"]) for a in assemblies],
    )


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
    return [
        HistoryEntry(
            occurred_at=r["occurred_at"],
            actor_name=r["actor.name"],
            action=r["action"],
            subject=r["subject"],
            details=r["details"],
        )
        for r in rows
    ]


# --- the "now" page ---------------------------------------------------------------------------


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
            return _assembly(row)
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
    open_ballots = (
        await Ballot.select(
            Ballot.id, Ballot.question, Ballot.method, Ballot.status, Ballot.secret, Ballot.is_test
        )
        .where(
            (Ballot.organisation == organisation_id)
            & (Ballot.assembly == assembly.id)
            & (Ballot.status == "open")
        )
        .order_by(Ballot.id)
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
    return NowView(assembly, item, proposals, [_ballot(b) for b in open_ballots], thread_id)


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
        (Ballot.organisation == organisation_id) & (Ballot.status == "open")
    )
    ballots = ".".join(str(b["id"]) for b in open_ballots)
    return f"{head['last_sequence'] if head else 0}-{last['id'] if last else 0}-{ballots}"


@dataclass(frozen=True, slots=True)
class BallotListLine:
    """One ballot in a facilitator's list of every ballot (#16)."""

    assembly_id: int
    assembly_title: str
    item_title: str  # "" on no agenda item
    ballot: BallotSummary


async def organisation_ballots(organisation_id: int) -> list[BallotListLine]:
    """Every ballot of the organisation, newest assembly first, in the order they were made."""
    rows = (
        await Ballot.select(
            Ballot.id, Ballot.question, Ballot.method, Ballot.status, Ballot.secret,
            Ballot.is_test, Ballot.assembly, Ballot.assembly.title, Ballot.agenda_item.title,
            Ballot.assembly.starts_at,
        )
        .where(Ballot.organisation == organisation_id)
        .order_by(Ballot.assembly.starts_at, ascending=False)
        .order_by(Ballot.id)
    )  # fmt: skip
    return [
        BallotListLine(
            assembly_id=row["assembly"],
            assembly_title=row["assembly.title"],
            item_title=row["agenda_item.title"] or "",
            ballot=_ballot(row),
        )
        for row in rows
    ]
