"""Paper postal forms: a scrutineer enters a member's signed form received before the
deadline, and under dual control another scrutineer confirms it before it counts (while its
resolutions have not closed, and never when its member voted in the room meanwhile). Stored as
the member's own form is (:meth:`votes.services.advance_votes.AnswerSheet.store`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from votes.db.engine import write_transaction
from votes.db.tables import (
    AdvanceChannel,
    AdvanceParticipation,
    AdvanceStatus,
    AssemblyStatus,
    Ballot,
    BallotStatus,
    Participation,
    advance_key,
)
from votes.services import advance_votes, audit, minutes, postal_close, rules
from votes.services.actors import Actor, may_count, require
from votes.services.refusals import Refused


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
        assembly = await advance_votes.assembly_row(organisation_id, assembly_id)
        profile = await rules.assembly_profile(organisation_id, assembly_id)
        if not profile.postal.allowed or not rules.governed(assembly["kind"]):
            raise Refused("postal_not_allowed")
        if assembly["status"] not in (
            AssemblyStatus.CONVENED.value,
            AssemblyStatus.IN_SESSION.value,
        ):
            raise Refused("postal_not_open")
        sheet = await advance_votes.answer_sheet(
            organisation_id,
            assembly_id,
            member_id,
            answers,
            AdvanceChannel.PAPER,
            actor.membership_id,
        )
        dual = sheet.profile.dual_control
        for ballot_id in sorted(sheet.chosen):
            if sheet.rows[ballot_id][
                "status"
            ] != BallotStatus.DRAFT.value or await postal_close.raised_in_the_room(
                organisation_id, assembly_id, ballot_id
            ):
                raise Refused("postal_ballot_started")
            if await AdvanceParticipation.exists().where(
                AdvanceParticipation.advance_key == advance_key(ballot_id, member_id)
            ):
                raise Refused("postal_already_answered")
            status = AdvanceStatus.PENDING if dual else AdvanceStatus.COUNTED
            await sheet.store(ballot_id, status, replace=False)
        await audit.record_act(
            actor,
            "postal.paper_entered",
            f"assembly:{assembly_id}",
            {"member": member_id, "ballots": sorted(sheet.chosen), "pending": dual},
        )


async def confirm_paper_form(actor: Actor, assembly_id: int, member_id: int) -> int:
    """A second scrutineer confirms a member's paper form (before its resolutions close);
    return how many answers now count."""
    require(may_count, actor)
    organisation_id = actor.organisation_id
    async with write_transaction(Ballot._meta.db):
        await minutes.refuse_if_final(assembly_id)
        await advance_votes.assembly_row(organisation_id, assembly_id)
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
        await audit.record_act(
            actor,
            "postal.paper_confirmed",
            f"assembly:{assembly_id}",
            {"member": member_id, "answers": len(pending)},
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
