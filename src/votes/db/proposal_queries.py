"""Read helpers for proposals: one proposal's page (authors, supporters, amendments, ballots),
its versions, and the search with its filters.

Every function takes the organisation id and filters by it; a draft a viewer may not read is
"not found" (:mod:`votes.db.drafts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine

from votes.db.agenda_queries import (
    PROPOSAL_ROW_COLUMNS,
    AssemblyView,
    ProposalRow,
    assembly_view,
    proposal_rows,
)
from votes.db.drafts import NOBODY, Viewer, may_read, readable_filter
from votes.db.queries import BallotSummary, ballot_summaries, own_row, view_of
from votes.db.tables import (
    AgendaItem,
    Amendment,
    AmendmentStatus,
    Assembly,
    Ballot,
    Proposal,
    ProposalSupport,
    ProposalVersion,
    SupportKind,
    Thread,
)

SEARCH_PAGE_SIZE = 50


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


async def proposal_page(
    organisation_id: int, proposal_id: int, viewer: Viewer = NOBODY
) -> ProposalPage | None:
    """The proposal with all it carries; ``None`` when it is not in the organisation or when
    it is a draft ``viewer`` may not read (so every page answers "not found" alike)."""
    row = await own_row(
        Proposal,
        organisation_id,
        proposal_id,
        *Proposal.all_columns(),
        Proposal.author.name,
        Proposal.agenda_item.title,
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
    ballots = await ballot_summaries(
        (Ballot.proposal == proposal_id) & (Ballot.organisation == organisation_id)
    )
    people = {
        kind: [PersonRef(s["person"], s["person.name"]) for s in support if s["kind"] == kind]
        for kind in (SupportKind.COAUTHOR.value, SupportKind.SUPPORTER.value)
    }
    return view_of(
        ProposalPage,
        {
            **row,
            "assembly": assembly,
            "author": PersonRef(row["author"], row["author.name"]),
            "coauthors": people[SupportKind.COAUTHOR.value],
            "supporters": people[SupportKind.SUPPORTER.value],
            "thread_id": thread["id"],
            "amendments": await amendments_of(organisation_id, proposal_id),
            "ballots": ballots,
        },
        agenda_item_id="agenda_item",
        agenda_item_title="agenda_item.title",
    )


async def amendments_of(organisation_id: int, proposal_id: int) -> list[AmendmentView]:
    rows = (
        await Amendment.select(
            *Amendment.all_columns(), Amendment.author.name, Amendment.decided_by.name
        )
        .where((Amendment.proposal == proposal_id) & (Amendment.organisation == organisation_id))
        .order_by(Amendment.number)
    )
    names = {"author_id": "author", "author_name": "author.name"}
    return [view_of(AmendmentView, r, **names, decided_by_name="decided_by.name") for r in rows]


async def proposal_of_amendment(organisation_id: int, amendment_id: int) -> int | None:
    row = await own_row(Amendment, organisation_id, amendment_id, Amendment.proposal)
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
    return [view_of(VersionView, r, author_name="author.name") for r in rows]


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
        await Proposal.select(*PROPOSAL_ROW_COLUMNS)
        .where(where)
        .order_by(Proposal.updated_at, ascending=False)
        .order_by(Proposal.id, ascending=False)
        .limit(SEARCH_PAGE_SIZE)
    )
    return await proposal_rows(rows)


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
