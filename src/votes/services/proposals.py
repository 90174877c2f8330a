"""Proposals, their versions, and the contributions that debate them."""

from __future__ import annotations

from votes.db.engine import write_transaction
from votes.db.tables import Contribution, Proposal, ProposalStatus, ProposalVersion, Stance, Thread


async def create_proposal(
    organisation_id: int,
    assembly_id: int,
    author_id: int,
    title: str,
    body: str,
    *,
    agenda_item_id: int | None = None,
    status: ProposalStatus = ProposalStatus.SUBMITTED,
) -> int:
    """Create a proposal, its first version and its thread in one transaction."""
    async with write_transaction(Proposal._meta.db):
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
    return proposal_id


async def add_contribution(
    proposal_id: int,
    author_id: int,
    body: str,
    *,
    stance: Stance = Stance.REMARK,
    parent_id: int | None = None,
) -> int:
    thread = (
        await Thread.select(Thread.id, Thread.organisation)
        .where(Thread.thread_key == f"proposal:{proposal_id}")
        .first()
    )
    assert thread is not None
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
