"""Deliberation threads: contributions with a stance, replies one level deep, edits within a
window, simple reactions, moderation (hidden with a reason, never deleted) and closing.

A thread belongs to one proposal or one agenda item. Members with voting rights write; observers
and suspended members read. Edits and moderation are appended to the audit trail.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.columns import Column

from votes.db import thread_queries
from votes.db.engine import insert_row, write_transaction
from votes.db.tables import (
    AssemblyStatus,
    Contribution,
    ProposalStatus,
    Reaction,
    ReactionKind,
    Stance,
    Thread,
)
from votes.services import audit, events
from votes.services.actors import Actor, may_run_assemblies, may_take_part, require
from votes.services.proposals import viewer_of
from votes.services.refusals import Refused, check_body, given_reason, owned_row

BODY_MAX = 5_000
REASON_MAX = 300
EDIT_WINDOW = timedelta(minutes=15)


async def _thread_row(organisation_id: int, thread_id: int) -> dict[str, Any]:
    return await owned_row(
        Thread,
        organisation_id,
        thread_id,
        *Thread.all_columns(),
        Thread.proposal.assembly.status,  # type: ignore[union-attr]
        Thread.proposal.status,
        Thread.agenda_item.assembly.status,  # type: ignore[union-attr]
    )


async def _check_visible(actor: Actor, thread_id: int) -> None:
    """A draft's thread is as private as the draft: others get "not found", as for the page."""
    if await thread_queries.thread_hidden_as_draft(
        actor.organisation.id, thread_id, viewer_of(actor)
    ):
        raise Refused("not_found")


def _check_open(thread: dict[str, Any]) -> None:
    if thread["closed_at"] is not None:
        raise Refused("thread_closed")
    assembly_status = thread["proposal.assembly.status"] or thread["agenda_item.assembly.status"]
    if assembly_status == AssemblyStatus.CLOSED.value:
        raise Refused("assembly_closed")
    if thread["proposal.status"] == ProposalStatus.WITHDRAWN.value:
        raise Refused("proposal_withdrawn")


async def post_contribution(
    actor: Actor,
    thread_id: int,
    body: str,
    *,
    stance: Stance = Stance.REMARK,
    parent_id: int | None = None,
) -> int:
    """Add a contribution; a reply to a reply joins the first one's replies (one level deep)."""
    require(may_take_part, actor)
    check_body(body, BODY_MAX)
    async with write_transaction(Contribution._meta.db):
        thread = await _thread_row(actor.organisation.id, thread_id)
        await _check_visible(actor, thread_id)
        _check_open(thread)
        if parent_id is not None:
            parent = (
                await Contribution.select(Contribution.id, Contribution.parent)
                .where((Contribution.id == parent_id) & (Contribution.thread == thread_id))
                .first()
            )
            if parent is None:
                raise Refused("parent_unknown")
            parent_id = parent["parent"] or parent["id"]
        contribution_id = await insert_row(
            Contribution(
                organisation=actor.organisation.id,
                thread=thread_id,
                parent=parent_id,
                author=actor.person_id,
                stance=stance.value,
                body=body.strip(),
            )
        )
    events.contribution_posted(actor.organisation.id, thread_id)
    return contribution_id


async def _contribution_row(organisation_id: int, contribution_id: int) -> dict[str, Any]:
    return await owned_row(Contribution, organisation_id, contribution_id)


def may_edit(row: dict[str, Any], person_id: int, now: datetime | None = None) -> bool:
    """The author may edit their contribution within the window, unless it was hidden."""
    return (
        row["author"] == person_id
        and row["hidden_reason"] is None
        and (now or datetime.now(UTC)) - row["created_at"] <= EDIT_WINDOW
    )


async def edit_contribution(
    actor: Actor, contribution_id: int, body: str, *, stance: Stance
) -> int:
    """Change one's own contribution within the edit window; return its thread id."""
    check_body(body, BODY_MAX)
    async with write_transaction(Contribution._meta.db):
        row = await _contribution_row(actor.organisation.id, contribution_id)
        if row["author"] != actor.person_id:
            raise Refused("not_author")
        if row["hidden_reason"] is not None:
            raise Refused("contribution_hidden")
        if not may_edit(row, actor.person_id):
            raise Refused("edit_window_over")
        _check_open(await _thread_row(actor.organisation.id, row["thread"]))
        if row["body"] == body.strip() and row["stance"] == stance.value:
            return int(row["thread"])
        await _change_contribution(
            actor,
            contribution_id,
            {Contribution.body: body.strip(), Contribution.stance: stance.value},
            Contribution.edited_at,
            "contribution.edited",
            {"previous_body": row["body"], "previous_stance": row["stance"]},
        )
    return int(row["thread"])


async def _change_contribution(
    actor: Actor,
    contribution_id: int,
    values: dict[Column | str, Any],
    stamp: Column,
    action: str,
    details: dict[str, Any],
) -> None:
    """Write a contribution's new values with the moment (``stamp``) they changed, and record
    the act in the organisation's audit log: an edit and a hiding are both kept that way."""
    await Contribution.update({**values, stamp: datetime.now(UTC)}).where(
        Contribution.id == contribution_id
    )
    await audit.record_by(actor, action, f"contribution:{contribution_id}", details)


async def hide_contribution(actor: Actor, contribution_id: int, reason: str) -> int:
    """A facilitator hides a contribution; its place in the thread shows that, and why."""
    require(may_run_assemblies, actor)
    reason = given_reason(reason, REASON_MAX, required="reason_required")
    async with write_transaction(Contribution._meta.db):
        row = await _contribution_row(actor.organisation.id, contribution_id)
        if row["hidden_reason"] is not None:
            raise Refused("contribution_hidden")
        await _change_contribution(
            actor,
            contribution_id,
            {Contribution.hidden_reason: reason, Contribution.hidden_by: actor.person_id},
            Contribution.hidden_at,
            "contribution.hidden",
            {"reason": reason, "author": row["author"]},
        )
    return int(row["thread"])


async def toggle_reaction(actor: Actor, contribution_id: int, kind: ReactionKind) -> bool:
    """Add or remove one's reaction; return whether it is there now."""
    require(may_take_part, actor)
    async with write_transaction(Reaction._meta.db):
        row = await _contribution_row(actor.organisation.id, contribution_id)
        await _check_visible(actor, row["thread"])
        if row["hidden_reason"] is not None:
            raise Refused("contribution_hidden")
        key = f"{contribution_id}:{actor.person_id}:{kind.value}"
        if await Reaction.exists().where(Reaction.reaction_key == key):
            await Reaction.delete().where(Reaction.reaction_key == key)
            return False
        await Reaction.insert(
            Reaction(
                contribution=contribution_id,
                person=actor.person_id,
                reaction_key=key,
                kind=kind.value,
            )
        )
    return True


async def set_thread_closed(actor: Actor, thread_id: int, closed: bool) -> None:
    """Close a thread (nobody posts any more; everything stays readable) or open it again."""
    require(may_run_assemblies, actor)
    async with write_transaction(Thread._meta.db):
        thread = await _thread_row(actor.organisation.id, thread_id)
        if (thread["closed_at"] is not None) == closed:
            return
        await Thread.update(
            {
                Thread.closed_at: datetime.now(UTC) if closed else None,
                Thread.closed_by: actor.person_id if closed else None,
            }
        ).where(Thread.id == thread_id)
        action = "thread.closed" if closed else "thread.reopened"
        await audit.record_by(actor, action, thread["thread_key"])
