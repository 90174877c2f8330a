"""Votes by correspondence before the assembly (#18): a member's advance-vote form, the paper
forms a scrutineer enters, and the channel each resolution's close adds to the room's count.

Which ballots a postal form answers: the assembly's draft ballots under the general-assembly
rules that decide a resolution (majority method, not a test, not an amendment's ballot). The
form is taken from the convocation (the assembly is ``convened``) until the profile's deadline,
and changed until then: the latest answer counts, one per member and ballot (a unique key in
the database, so two tabs or a double tap never make two).

Secrecy: see :mod:`votes.db.tables.advance_votes` (who and what in two tables; the keyed tag
of the outer envelope is erased by the close, which also writes the papers again in random
order). A room vote on a ballot the member answered by correspondence is refused when the
profile says the advance vote stands; when the room replaces it, the close leaves the form out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from votes.core import postal
from votes.core.rules import PostalRule
from votes.db.engine import write_transaction
from votes.db.tables import (
    AdvanceChannel,
    AdvancePaper,
    AdvanceParticipation,
    AdvanceStatus,
    Amendment,
    Assembly,
    AssemblyStatus,
    Attendance,
    AuditEntry,
    Ballot,
    BallotStatus,
    Membership,
    Organisation,
    Participation,
)
from votes.db.voting_rules import has_voting_rights
from votes.services import audit, minutes, rules, sealing
from votes.services.actors import Actor, may_count, may_take_part, require
from votes.services.refusals import Refused


@dataclass(frozen=True, slots=True)
class Window:
    """When an assembly's postal form is open, under its profile."""

    rule: PostalRule
    deadline: datetime
    convened: bool
    refusal: str  # "" while the form is taken

    @property
    def open(self) -> bool:
        return not self.refusal


@dataclass(frozen=True, slots=True)
class Resolution:
    """A ballot the postal form answers."""

    ballot_id: int
    question: str
    secret: bool
    answer: str  # the member's current answer ("" when none)
    channel: str  # online, paper ("" when none)
    pending: bool  # a paper form awaiting its second scrutineer


def tag_of(ballot_id: int, membership_id: int) -> str:
    """The outer envelope: a keyed tag of (ballot, voter) under the instance's secret key,
    which the database never holds."""
    message = f"advance:{ballot_id}:{membership_id}".encode()
    return hmac.new(sealing._key(), message, hashlib.sha256).hexdigest()


async def _assembly(organisation_id: int, assembly_id: int) -> dict[str, Any]:
    row = (
        await Assembly.select(Assembly.id, Assembly.kind, Assembly.status, Assembly.starts_at)
        .where((Assembly.id == assembly_id) & (Assembly.organisation == organisation_id))
        .first()
    )
    if row is None:
        raise Refused("not_found")
    return dict(row)


async def _zone(organisation_id: int) -> ZoneInfo:
    row = (
        await Organisation.select(Organisation.time_zone)
        .where(Organisation.id == organisation_id)
        .first()
    )
    try:
        return ZoneInfo(str(row["time_zone"]) if row else "Europe/Paris")
    except (ValueError, KeyError):
        return ZoneInfo("Europe/Paris")


async def window(organisation_id: int, assembly_id: int, *, now: datetime | None = None) -> Window:
    """The postal form's window for this assembly, now."""
    assembly = await _assembly(organisation_id, assembly_id)
    profile = await rules.assembly_profile(organisation_id, assembly_id)
    rule = profile.postal
    deadline = postal.postal_deadline(assembly["starts_at"], rule, await _zone(organisation_id))
    convened = assembly["status"] == AssemblyStatus.CONVENED.value
    refusal = postal.form_refusal(
        rule, convened=convened, now=now or datetime.now(UTC), deadline=deadline
    )
    if not rules.governed(assembly["kind"]) and not refusal:
        refusal = "postal_not_allowed"  # a plenary has no statutory postal vote
    return Window(rule, deadline, convened, refusal)


async def _amendment_ballots(assembly_id: int) -> set[int]:
    rows = await Amendment.select(Amendment.ballot_id).where(
        Amendment.ballot_id.is_not_null() & (Amendment.proposal.assembly == assembly_id)
    )
    return {int(row["ballot_id"]) for row in rows}


async def resolution_rows(organisation_id: int, assembly_id: int) -> list[dict[str, Any]]:
    """The assembly's ballots a postal form answers (any status: the page shows them all)."""
    rows = (
        await Ballot.select(Ballot.id, Ballot.question, Ballot.secret, Ballot.status, Ballot.rules)
        .where(
            (Ballot.organisation == organisation_id)
            & (Ballot.assembly == assembly_id)
            & (Ballot.method == "majority")
            & (Ballot.is_test == False)  # noqa: E712 - Piccolo builds SQL from ==
            & (Ballot.status != BallotStatus.CANCELLED.value)
        )
        .order_by(Ballot.id)
    )
    amendments = await _amendment_ballots(assembly_id)
    return [
        dict(row)
        for row in rows
        if row["id"] not in amendments
        and json.loads(row["rules"]).get("rule", "profile") == "profile"
    ]


async def resolutions(actor: Actor, assembly_id: int) -> list[Resolution]:
    """The resolutions of the assembly with this member's current answers."""
    organisation_id = actor.organisation_id
    await _assembly(organisation_id, assembly_id)
    rows = await resolution_rows(organisation_id, assembly_id)
    member = actor.membership_id
    mine: dict[int, dict[str, Any]] = {}
    if member is not None and rows:
        found = await AdvanceParticipation.select(
            AdvanceParticipation.ballot, AdvanceParticipation.channel, AdvanceParticipation.status
        ).where(
            (AdvanceParticipation.assembly == assembly_id)
            & (AdvanceParticipation.membership == member)
        )
        mine = {int(r["ballot"]): dict(r) for r in found}
    out = []
    for row in rows:
        answer = ""
        seen = mine.get(row["id"])
        if seen is not None and member is not None:
            paper = (
                await AdvancePaper.select(AdvancePaper.answer)
                .where(
                    (AdvancePaper.ballot == row["id"])
                    & (AdvancePaper.tag == tag_of(row["id"], member))
                )
                .first()
            )
            answer = str(paper["answer"]) if paper else ""
        out.append(
            Resolution(
                ballot_id=row["id"],
                question=row["question"],
                secret=row["secret"],
                answer=answer,
                channel=str(seen["channel"]) if seen else "",
                pending=bool(seen and seen["status"] == AdvanceStatus.PENDING.value),
            )
        )
    return out


def _checked_answers(answers: Mapping[int, str], allowed: set[int]) -> dict[int, str]:
    chosen = {b: a for b, a in answers.items() if a}
    if not chosen:
        raise Refused("postal_nothing_chosen")
    for ballot_id, answer in chosen.items():
        if ballot_id not in allowed:
            raise Refused("not_found")  # another assembly's ballot, or a forged id
        if answer not in postal.ANSWERS:
            raise Refused("postal_bad_answer")
    return chosen


async def _voter_row(organisation_id: int, membership_id: int) -> dict[str, Any]:
    row = (
        await Membership.select(Membership.kind, Membership.status)
        .where((Membership.id == membership_id) & (Membership.organisation == organisation_id))
        .first()
    )
    if row is None or not has_voting_rights(row["kind"], row["status"]):
        raise Refused("postal_not_voter")
    return dict(row)


async def cast_advance_votes(
    actor: Actor, assembly_id: int, answers: Mapping[int, str]
) -> list[int]:
    """Store (or change) the member's own answers by correspondence: ballot id -> yes, no or
    abstain (an empty answer leaves that resolution as it was). All are stored or none.
    Return the ballots answered."""
    require(may_take_part, actor)
    member = actor.membership_id
    if member is None:
        raise Refused("read_only")
    organisation_id = actor.organisation_id
    for attempt in (1, 2):
        try:
            return await _cast(actor, organisation_id, assembly_id, member, answers)
        except Refused:
            raise
        except Exception as error:  # another tab inserted the same key first: once more
            if attempt == 2 or not _is_unique_violation(error):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _is_unique_violation(error: Exception) -> bool:
    text = str(error).lower()
    return "unique" in text or "duplicate" in text


async def _cast(
    actor: Actor,
    organisation_id: int,
    assembly_id: int,
    member: int,
    answers: Mapping[int, str],
) -> list[int]:
    async with write_transaction(Ballot._meta.db):
        await minutes.refuse_if_final(assembly_id)
        found = await window(organisation_id, assembly_id)
        if found.refusal:
            raise Refused(found.refusal)
        rows = {r["id"]: r for r in await resolution_rows(organisation_id, assembly_id)}
        chosen = _checked_answers(answers, set(rows))
        await _voter_row(organisation_id, member)
        profile = await rules.freeze_assembly_profile(organisation_id, assembly_id)
        for ballot_id, answer in sorted(chosen.items()):
            if rows[ballot_id]["status"] != BallotStatus.DRAFT.value:
                raise Refused("postal_ballot_started")
            existing = (
                await AdvanceParticipation.select(AdvanceParticipation.channel)
                .where(AdvanceParticipation.advance_key == f"{ballot_id}:{member}")
                .first()
            )
            if existing is not None and existing["channel"] == AdvanceChannel.PAPER.value:
                raise Refused("postal_paper_entered")
            await _write(
                organisation_id,
                assembly_id,
                ballot_id,
                member,
                answer,
                secret=rows[ballot_id]["secret"],
                stands=profile.postal.on_arrival == "stand",
                channel=AdvanceChannel.ONLINE,
                status=AdvanceStatus.COUNTED,
                entered_by=None,
                replace=existing is not None,
            )
        await audit.record(
            organisation_id,
            "postal.voted",
            actor_id=actor.audited_as,
            subject=f"assembly:{assembly_id}",
            details={"ballots": sorted(chosen), "channel": "online"},  # never the answers
        )
    return sorted(chosen)


async def _write(
    organisation_id: int,
    assembly_id: int,
    ballot_id: int,
    member: int,
    answer: str,
    *,
    secret: bool,
    stands: bool,
    channel: AdvanceChannel,
    status: AdvanceStatus,
    entered_by: int | None,
    replace: bool,
) -> None:
    tag = tag_of(ballot_id, member)
    now = datetime.now(UTC)
    if replace:
        await AdvanceParticipation.update(
            {AdvanceParticipation.answered_at: now, AdvanceParticipation.stands: stands}
        ).where(AdvanceParticipation.advance_key == f"{ballot_id}:{member}")
        await AdvancePaper.delete().where(
            (AdvancePaper.ballot == ballot_id) & (AdvancePaper.tag == tag)
        )
    else:
        await AdvanceParticipation.insert(
            AdvanceParticipation(
                organisation=organisation_id,
                assembly=assembly_id,
                ballot=ballot_id,
                membership=member,
                advance_key=f"{ballot_id}:{member}",
                channel=channel.value,
                status=status.value,
                stands=stands,
                entered_by=entered_by,
                answered_at=now,
            )
        )
    await AdvancePaper.insert(
        AdvancePaper(
            id=uuid.uuid4(),
            ballot=ballot_id,
            voter=None if secret else member,
            answer=answer,
            tag=tag,
        )
    )


# ---------------------------------------------------------------------------------------------
# paper forms, entered by a scrutineer


async def enter_paper_form(
    actor: Actor, assembly_id: int, member_id: int, answers: Mapping[int, str]
) -> None:
    """A scrutineer enters a member's signed paper form (received before the deadline) while
    its resolutions have not opened. Refused when the member already answered one of them
    (online or on paper). Under dual control the form counts once another scrutineer confirms
    it (:func:`confirm_paper_form`)."""
    require(may_count, actor)
    organisation_id = actor.organisation_id
    async with write_transaction(Ballot._meta.db):
        await minutes.refuse_if_final(assembly_id)
        assembly = await _assembly(organisation_id, assembly_id)
        profile = await rules.assembly_profile(organisation_id, assembly_id)
        if not profile.postal.allowed or not rules.governed(assembly["kind"]):
            raise Refused("postal_not_allowed")
        if assembly["status"] not in (
            AssemblyStatus.CONVENED.value,
            AssemblyStatus.IN_SESSION.value,
        ):
            raise Refused("postal_not_open")
        rows = {r["id"]: r for r in await resolution_rows(organisation_id, assembly_id)}
        chosen = _checked_answers(answers, set(rows))
        await _voter_row(organisation_id, member_id)
        profile = await rules.freeze_assembly_profile(organisation_id, assembly_id)
        dual = profile.dual_control
        for ballot_id, answer in sorted(chosen.items()):
            if rows[ballot_id]["status"] != BallotStatus.DRAFT.value or await _raised_in_the_room(
                organisation_id, assembly_id, ballot_id
            ):
                raise Refused("postal_ballot_started")
            if await AdvanceParticipation.exists().where(
                AdvanceParticipation.advance_key == f"{ballot_id}:{member_id}"
            ):
                raise Refused("postal_already_answered")
            await _write(
                organisation_id,
                assembly_id,
                ballot_id,
                member_id,
                answer,
                secret=rows[ballot_id]["secret"],
                stands=profile.postal.on_arrival == "stand",
                channel=AdvanceChannel.PAPER,
                status=AdvanceStatus.PENDING if dual else AdvanceStatus.COUNTED,
                entered_by=actor.membership_id,
                replace=False,
            )
        await audit.record(
            organisation_id,
            "postal.paper_entered",
            actor_id=actor.audited_as,
            subject=f"assembly:{assembly_id}",
            details={"member": member_id, "ballots": sorted(chosen), "pending": dual},
        )


async def confirm_paper_form(actor: Actor, assembly_id: int, member_id: int) -> int:
    """A second scrutineer confirms a member's paper form (before its resolutions close);
    return how many answers now count."""
    require(may_count, actor)
    organisation_id = actor.organisation_id
    async with write_transaction(Ballot._meta.db):
        await minutes.refuse_if_final(assembly_id)
        await _assembly(organisation_id, assembly_id)
        pending = await AdvanceParticipation.select(
            AdvanceParticipation.id, AdvanceParticipation.entered_by, AdvanceParticipation.ballot
        ).where(
            (AdvanceParticipation.organisation == organisation_id)
            & (AdvanceParticipation.assembly == assembly_id)
            & (AdvanceParticipation.membership == member_id)
            & (AdvanceParticipation.status == AdvanceStatus.PENDING.value)
        )
        if not pending:
            raise Refused("postal_nothing_pending")
        if any(row["entered_by"] == actor.membership_id for row in pending):
            raise Refused("postal_same_scrutineer")
        await _refuse_late_confirmation([int(row["ballot"]) for row in pending], member_id)
        await AdvanceParticipation.update(
            {
                AdvanceParticipation.status: AdvanceStatus.COUNTED.value,
                AdvanceParticipation.confirmed_by: actor.membership_id,
            }
        ).where(AdvanceParticipation.id.is_in([row["id"] for row in pending]))
        await audit.record(
            organisation_id,
            "postal.paper_confirmed",
            actor_id=actor.audited_as,
            subject=f"assembly:{assembly_id}",
            details={"member": member_id, "answers": len(pending)},
        )
    return len(pending)


async def _refuse_late_confirmation(ballot_ids: list[int], member_id: int) -> None:
    """A form may still be confirmed while its resolution is open (the close asks for it):
    not once it is closed, nor when its member has voted in the room meanwhile (the form
    would make a second vote)."""
    if await Ballot.exists().where(
        Ballot.id.is_in(ballot_ids)
        & Ballot.status.not_in([BallotStatus.DRAFT.value, BallotStatus.OPEN.value])
    ):
        raise Refused("postal_ballot_started")
    if await Participation.exists().where(
        Participation.ballot.is_in(ballot_ids) & (Participation.membership == member_id)
    ):
        raise Refused("postal_voted_in_the_room")


@dataclass(frozen=True, slots=True)
class PaperFormLine:
    membership_id: int
    name: str
    answers: int
    pending: bool
    entered_by: str


async def paper_forms(organisation_id: int, assembly_id: int) -> list[PaperFormLine]:
    """The paper forms entered for the assembly, by member (never their answers)."""
    rows = await AdvanceParticipation.select(
        AdvanceParticipation.membership,
        AdvanceParticipation.membership.person.name,  # type: ignore[union-attr]
        AdvanceParticipation.status,
        AdvanceParticipation.entered_by.person.name,  # type: ignore[union-attr]
    ).where(
        (AdvanceParticipation.organisation == organisation_id)
        & (AdvanceParticipation.assembly == assembly_id)
        & (AdvanceParticipation.channel == AdvanceChannel.PAPER.value)
    )
    by: dict[int, PaperFormLine] = {}
    for row in rows:
        seen = by.get(row["membership"])
        pending = row["status"] == AdvanceStatus.PENDING.value
        by[row["membership"]] = PaperFormLine(
            row["membership"],
            row["membership.person.name"],
            (seen.answers if seen else 0) + 1,
            pending or bool(seen and seen.pending),
            row["entered_by.person.name"] or "",
        )
    return sorted(by.values(), key=lambda line: line.name.casefold())


async def postal_voter_ids(organisation_id: int, assembly_id: int) -> set[int]:
    """Members whose answers by correspondence count at this assembly (quorum: ``postal``)."""
    rows = await AdvanceParticipation.select(AdvanceParticipation.membership).where(
        (AdvanceParticipation.organisation == organisation_id)
        & (AdvanceParticipation.assembly == assembly_id)
        & (AdvanceParticipation.status == AdvanceStatus.COUNTED.value)
    )
    return {int(row["membership"]) for row in rows}


# ---------------------------------------------------------------------------------------------
# the close: the channel a ballot adds to its count


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
    if await _raised_in_the_room(organisation_id, assembly_id, ballot_id):
        voters = await postal_voter_ids(organisation_id, assembly_id) - came
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


async def _raised_in_the_room(organisation_id: int, assembly_id: int, ballot_id: int) -> bool:
    """Whether the postal voters never saw this ballot as it is put to the vote: an
    amendment's, or one written (or rewritten) after the postal deadline (a secret ballot
    reopened afresh carries its forms over: it is the same resolution)."""
    if ballot_id in await _amendment_ballots(assembly_id):
        return True
    if await AdvanceParticipation.exists().where(
        (AdvanceParticipation.ballot == ballot_id) & (AdvanceParticipation.carried == True)  # noqa: E712
    ):
        return False
    deadline = (await window(organisation_id, assembly_id)).deadline
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
    tags = {tag_of(ballot_id, member): member for member in keep}
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
                    AdvanceParticipation.advance_key: f"{fresh_id}:{entry['membership']}",
                    AdvanceParticipation.carried: True,
                    # their papers were opened (no tag, no voter): the room cannot replace
                    # them any more, so the fresh ballot takes no second vote from them
                    AdvanceParticipation.stands: True,
                }
            ).where(AdvanceParticipation.id == entry["id"])
        await AdvancePaper.update({AdvancePaper.ballot: fresh_id}).where(
            AdvancePaper.ballot == cancelled_id
        )


async def room_vote_refused(ballot_id: int, membership_id: int) -> bool:
    """Whether the member's advance vote on this ballot stands, so the room takes none."""
    return bool(
        await AdvanceParticipation.exists().where(
            (AdvanceParticipation.advance_key == f"{ballot_id}:{membership_id}")
            & (AdvanceParticipation.status == AdvanceStatus.COUNTED.value)
            & (AdvanceParticipation.stands == True)  # noqa: E712
        )
    )
