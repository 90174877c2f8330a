"""Read helpers for deliberation threads: a thread's header, a page of its contributions with
their replies and reactions, one contribution. Hidden contributions never carry their words.

Every function takes the organisation id and filters by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Count

from votes.db.drafts import Viewer, may_read
from votes.db.queries import own_row, view_of
from votes.db.tables import (
    AssemblyStatus,
    Contribution,
    ProposalStatus,
    ProposalSupport,
    Reaction,
    SupportKind,
    Thread,
)

THREAD_PAGE_SIZE = 20


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
            and self.proposal_status != ProposalStatus.WITHDRAWN
        )


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


async def thread_hidden_as_draft(organisation_id: int, thread_id: int, viewer: Viewer) -> bool:
    """Whether the thread belongs to a draft proposal that ``viewer`` may not read: such a
    thread is as private as its draft."""
    row = await own_row(
        Thread,
        organisation_id,
        thread_id,
        Thread.proposal,
        Thread.proposal.status,
        Thread.proposal.author,
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
    row = await own_row(
        Thread,
        organisation_id,
        thread_id,
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
    if row is None:
        return None
    on_proposal = row["proposal"] is not None
    subject = "proposal." if on_proposal else "agenda_item."
    return view_of(
        ThreadInfo,
        {
            **row,
            "assembly_closed": row[subject + "assembly.status"] == AssemblyStatus.CLOSED.value,
        },
        key="thread_key",
        closed_by_name="closed_by.name",
        proposal_id="proposal",
        agenda_item_id="agenda_item",
        subject_title=subject + "title",
        assembly_id=subject + "assembly",
        proposal_status="proposal.status",
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
    row = await own_row(Contribution, organisation_id, contribution_id, *_CONTRIBUTION_COLUMNS)
    if row is None:
        return None
    view = _contribution(row)
    await _attach_reactions({view.id: view}, viewer_id)
    return view


async def thread_id_of(organisation_id: int, contribution_id: int) -> int | None:
    row = await own_row(Contribution, organisation_id, contribution_id, Contribution.thread)
    return int(row["thread"]) if row else None
