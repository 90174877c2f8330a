"""Who may read a draft proposal: the one visibility rule (:class:`Viewer`, :func:`may_read`)
and the same rule as a condition on :class:`~votes.db.tables.Proposal` rows
(:func:`readable_filter`). Every proposal, thread and search query goes through it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from votes.db.tables import (
    Proposal,
    ProposalStatus,
    ProposalSupport,
    SupportKind,
)


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
