"""The close of a resolution answered by correspondence: inside the ballot's close, the
postal envelopes are opened (the keyed tags erased, the papers written again in random
order), the forms the count must not take are left out (a voter the room replaces, a form
awaiting its second scrutineer, a text changed after the deadline) and the channel is frozen
into the ballot's rule snapshot; a secret ballot reopened afresh carries its forms over."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Mapping
from typing import Any

from votes.core import postal
from votes.core.rules import PostalRule
from votes.db.attendance_queries import postal_voters
from votes.db.engine import write_transaction
from votes.db.tables import (
    AdvancePaper,
    AdvanceParticipation,
    AdvanceStatus,
    Attendance,
    AuditEntry,
    Ballot,
    Membership,
    Participation,
    advance_key,
)
from votes.services import advance_votes, rules
from votes.services.refusals import Refused


async def _came(organisation_id: int, assembly_id: int, ballot_id: int) -> set[int]:
    """Members who came: signed the register (even if they left since), or voted in the room
    on this ballot (themselves or through their proxy holder)."""
    seen = await Attendance.select(Attendance.membership).where(
        (Attendance.organisation == organisation_id) & (Attendance.assembly == assembly_id)
    )
    voted = await Participation.select(Participation.membership).where(
        Participation.ballot == ballot_id
    )
    return {int(r["membership"]) for r in seen} | {int(r["membership"]) for r in voted}


async def _groups(organisation_id: int, members: set[int], weight_groups: str) -> dict[int, str]:
    if not members:
        return {}
    rows = await Membership.select(Membership.id, Membership.college, Membership.category).where(
        (Membership.organisation == organisation_id) & Membership.id.is_in(sorted(members))
    )
    return {
        int(r["id"]): rules.paper_group(weight_groups, r["college"], r["category"]) for r in rows
    }


async def freeze_channel(
    row: Mapping[str, Any],
    values: Mapping[str, Any],
    sealed: dict[str, Any],
    *,
    leave_pending: bool = False,
) -> dict[str, Any]:
    """At a ballot's close (inside its transaction, before its count): open the postal
    envelopes and freeze the channel into the rule snapshot (``values`` are the close's
    changes so far). Return the changes to add (none for a ballot outside the channel); the
    channel's totals go into the close's audit entry (``sealed``) too.

    Paper forms still awaiting their second scrutineer cannot count (dual control), and
    after the close nobody can confirm them: the close is refused
    (``postal_forms_pending``) until the facilitator, told how many, closes anyway
    (``leave_pending``); their number is then frozen with the channel and sealed, so the
    result and the minutes say that signed forms were left out, never silently."""
    snapshot_text = values.get("rule_snapshot") or row["rule_snapshot"]
    if not snapshot_text or row["method"] != "majority" or row["round"] != 1:
        return {}
    organisation_id, assembly_id, ballot_id = row["organisation"], row["assembly"], row["id"]
    profile = await rules.assembly_profile(organisation_id, assembly_id)
    rule = profile.postal
    if not rule.allowed:
        return {}
    pending = await _pending_count(ballot_id)
    if pending and not leave_pending:
        raise Refused("postal_forms_pending", count=pending)
    snapshot = json.loads(snapshot_text)
    came = await _came(organisation_id, assembly_id, ballot_id)
    groups_of = row["weight_groups"]
    if await raised_in_the_room(organisation_id, assembly_id, ballot_id):
        voters = await postal_voters(organisation_id, assembly_id) - came
        await _leave_out_forms(ballot_id)
        groups = await _groups(organisation_id, voters, groups_of)
        by_group: dict[str, int] = {}
        for member in voters:
            by_group[groups.get(member, "")] = by_group.get(groups.get(member, ""), 0) + 1
        channel = postal.room_motion_channel(rule, by_group)
    else:
        channel = await _open_envelopes(row, rule, came)
    snapshot[postal.POSTAL_KEY] = postal.channel_to_data(channel)
    sealed["postal"] = channel.totals()
    if pending:
        snapshot[postal.POSTAL_KEY][PENDING_LEFT_OUT] = pending
        sealed["postal_pending_left_out"] = pending
    return {"rule_snapshot": json.dumps(snapshot, sort_keys=True)}


PENDING_LEFT_OUT = "pending_left_out"  # in the frozen channel: paper forms never confirmed


async def _pending_count(ballot_id: int) -> int:
    return int(
        await AdvanceParticipation.count().where(
            (AdvanceParticipation.ballot == ballot_id)
            & (AdvanceParticipation.status == AdvanceStatus.PENDING.value)
        )
    )


async def raised_in_the_room(organisation_id: int, assembly_id: int, ballot_id: int) -> bool:
    """Whether the postal voters never saw this ballot as it is put to the vote: an
    amendment's, or one written (or rewritten) after the postal deadline (a secret ballot
    reopened afresh carries its forms over: it is the same resolution)."""
    if ballot_id in await advance_votes.amendment_ballots(assembly_id):
        return True
    if await AdvanceParticipation.exists().where(
        (AdvanceParticipation.ballot == ballot_id) & (AdvanceParticipation.carried == True)  # noqa: E712
    ):
        return False
    deadline = (await advance_votes.window(organisation_id, assembly_id)).deadline
    return bool(
        await AuditEntry.exists().where(
            (AuditEntry.organisation == organisation_id)
            & (AuditEntry.subject == f"ballot:{ballot_id}")
            & AuditEntry.action.is_in(["ballot.created", "ballot.edited"])
            & (AuditEntry.occurred_at > deadline)
        )
    )


async def _leave_out_forms(ballot_id: int) -> None:
    """Forms given on a text that changed after the deadline: the count leaves them out."""
    await AdvanceParticipation.update(
        {AdvanceParticipation.status: AdvanceStatus.WITHDRAWN.value}
    ).where(AdvanceParticipation.ballot == ballot_id)
    await AdvancePaper.delete().where(AdvancePaper.ballot == ballot_id)


async def _open_envelopes(
    row: Mapping[str, Any], rule: PostalRule, came: set[int]
) -> postal.PostalChannel:
    """Leave out the forms the count must not take (awaiting a second scrutineer, or of a
    voter the room replaces), erase the tags and write the papers again in random order."""
    ballot_id = row["id"]
    entries = await AdvanceParticipation.select(
        AdvanceParticipation.id,
        AdvanceParticipation.membership,
        AdvanceParticipation.status,
        AdvanceParticipation.carried,
    ).where(AdvanceParticipation.ballot == ballot_id)
    counted = {int(e["membership"]) for e in entries if e["status"] == AdvanceStatus.COUNTED.value}
    carried = any(e["carried"] for e in entries)  # opened papers of a cancelled secret ballot
    out = frozenset() if carried else postal.withdrawn(rule, counted, came)
    keep = counted - out
    if out:
        await AdvanceParticipation.update(
            {AdvanceParticipation.status: AdvanceStatus.WITHDRAWN.value}
        ).where(
            (AdvanceParticipation.ballot == ballot_id)
            & AdvanceParticipation.membership.is_in(sorted(out))
        )
    tags = {advance_votes.tag_of(ballot_id, member): member for member in keep}
    groups = await _groups(row["organisation"], keep, row["weight_groups"])
    papers = await AdvancePaper.select().where(AdvancePaper.ballot == ballot_id)
    await AdvancePaper.delete().where(AdvancePaper.ballot == ballot_id)
    kept = []
    for paper in papers:
        member = tags.get(paper["tag"])
        if member is None:  # left out, pending, or an envelope already opened
            if paper["tag"] or paper["voter"] in out:  # a roll-call paper names its voter
                continue
            kept.append(paper)
            continue
        paper.update(id=uuid.uuid4(), tag="", weight_group=groups.get(member, ""))
        kept.append(paper)
    random.SystemRandom().shuffle(kept)
    if kept:
        await AdvancePaper.insert(*(AdvancePaper(**paper) for paper in kept))
    return postal.channel_of((p["weight_group"], p["answer"]) for p in kept)


async def carry_over(cancelled_id: int, fresh_id: int) -> None:
    """A secret ballot reopened afresh (the same resolution put to the vote again): its
    forms by correspondence, opened at its close, count for the fresh ballot."""
    async with write_transaction(Ballot._meta.db):
        entries = await AdvanceParticipation.select(
            AdvanceParticipation.id, AdvanceParticipation.membership
        ).where(AdvanceParticipation.ballot == cancelled_id)
        for entry in entries:
            await AdvanceParticipation.update(
                {
                    AdvanceParticipation.ballot: fresh_id,
                    AdvanceParticipation.advance_key: advance_key(fresh_id, entry["membership"]),
                    AdvanceParticipation.carried: True,
                    # their papers were opened (no tag, no voter): the room cannot replace
                    # them any more, so the fresh ballot takes no second vote from them
                    AdvanceParticipation.stands: True,
                }
            ).where(AdvanceParticipation.id == entry["id"])
        await AdvancePaper.update({AdvancePaper.ballot: fresh_id}).where(
            AdvancePaper.ballot == cancelled_id
        )
