"""Reads for convocations: the letter as prepared, what the letter is made of (the agenda and
the draft resolutions on it), the members to convene, and the proof of convocation with the
outbox status of each mail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from votes.db.queries import keyed_row, view_of
from votes.db.tables import (
    AgendaItem,
    Ballot,
    BallotStatus,
    ConvocationLetter,
    ConvocationRecord,
    Membership,
    Proposal,
    ProposalStatus,
)
from votes.db.voting_rules import voters_of

# proposals that are not put to the assembly (yet, or any more)
_NOT_ON_THE_TABLE = (ProposalStatus.DRAFT.value, ProposalStatus.WITHDRAWN.value)


@dataclass(frozen=True, slots=True)
class LetterRow:
    body: str
    instructions: str
    prepared_at: datetime
    first_sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class DraftResolution:
    id: int
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class AgendaLine:
    position: int
    title: str
    description: str
    resolutions: list[DraftResolution]
    # the questions put to the vote on the item without a proposal behind them (a ballot
    # prepared straight under the item): resolutions too, and what members answer by post
    questions: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Voter:
    """A member with voting rights, as the convocation needs them."""

    membership_id: int
    person_id: int
    name: str
    email: str  # "" when the member has no address
    language: str  # "" unless the person chose one


@dataclass(frozen=True, slots=True)
class ProofLine:
    """One member with voting rights and how they were convened (``channel`` "" : not yet)."""

    membership_id: int
    name: str
    email: str
    channel: str
    recipient: str
    recorded_at: datetime | None
    mail_status: str
    sent_at: datetime | None
    message_id: str
    notice_short_days: int


async def letter_of(organisation_id: int, assembly_id: int) -> LetterRow | None:
    row = await keyed_row(
        ConvocationLetter.letter_key,
        assembly_id,
        organisation_id,
        ConvocationLetter.body,
        ConvocationLetter.instructions,
        ConvocationLetter.prepared_at,
        ConvocationLetter.first_sent_at,
    )
    return LetterRow(**row) if row else None


async def agenda_with_resolutions(organisation_id: int, assembly_id: int) -> list[AgendaLine]:
    """The agenda in order, each item with the proposals put on it (drafts and withdrawn ones
    left out)."""
    items = (
        await AgendaItem.select(
            AgendaItem.id, AgendaItem.position, AgendaItem.title, AgendaItem.description
        )
        .where(
            (AgendaItem.assembly == assembly_id)
            & (AgendaItem.assembly.organisation == organisation_id)
        )
        .order_by(AgendaItem.position)
    )
    proposals = (
        await Proposal.select(Proposal.id, Proposal.title, Proposal.body, Proposal.agenda_item)
        .where(
            (Proposal.assembly == assembly_id)
            & (Proposal.organisation == organisation_id)
            & Proposal.agenda_item.is_in([item["id"] for item in items] or [0])
            & Proposal.status.not_in(list(_NOT_ON_THE_TABLE))
        )
        .order_by(Proposal.id)
    )
    questions = (
        await Ballot.select(Ballot.question, Ballot.agenda_item)
        .where(
            (Ballot.assembly == assembly_id)
            & (Ballot.organisation == organisation_id)
            & Ballot.agenda_item.is_in([item["id"] for item in items] or [0])
            & Ballot.proposal.is_null()
            & Ballot.is_test.eq(False)
            & (Ballot.status != BallotStatus.CANCELLED.value)
        )
        .order_by(Ballot.id)
    )
    return [
        AgendaLine(
            position=index,
            title=item["title"],
            description=item["description"],
            resolutions=[
                DraftResolution(p["id"], p["title"], p["body"])
                for p in proposals
                if p["agenda_item"] == item["id"]
            ],
            questions=[q["question"] for q in questions if q["agenda_item"] == item["id"]],
        )
        for index, item in enumerate(items, start=1)
    ]


async def voters(organisation_id: int) -> list[Voter]:
    """Every member with voting rights now (the rule of :mod:`votes.db.voting_rules`)."""
    rows = (
        await Membership.select(
            Membership.id,
            Membership.person,
            Membership.person.name,
            Membership.person.email,
            Membership.person.preferred_language,
        )
        .where(voters_of(organisation_id))
        .order_by(Membership.person.name)
    )
    return [
        Voter(
            membership_id=row["id"],
            person_id=row["person"],
            name=row["person.name"],
            email=row["person.email"] or "",
            language=row["person.preferred_language"] or "",
        )
        for row in rows
    ]


async def convened_ids(organisation_id: int, assembly_id: int) -> set[int]:
    """The memberships already convened to the assembly (by mail or by letter)."""
    rows = await ConvocationRecord.select(ConvocationRecord.membership).where(
        (ConvocationRecord.assembly == assembly_id)
        & (ConvocationRecord.organisation == organisation_id)
    )
    return {int(row["membership"]) for row in rows}


async def proof(organisation_id: int, assembly_id: int) -> list[ProofLine]:
    """Each member with voting rights, and each member convened who no longer has them, with
    how and when they were convened and, for a mail, what the outbox says of it."""
    records: dict[int, dict[str, Any]] = {
        int(row["membership"]): row
        for row in await ConvocationRecord.select(
            ConvocationRecord.membership,
            ConvocationRecord.membership.person.name,  # type: ignore[union-attr]
            ConvocationRecord.membership.person.email,  # type: ignore[union-attr]
            ConvocationRecord.channel,
            ConvocationRecord.recipient,
            ConvocationRecord.recorded_at,
            ConvocationRecord.mail.status,
            ConvocationRecord.mail.sent_at,
            ConvocationRecord.message_id,
            ConvocationRecord.notice_short_days,
        ).where(
            (ConvocationRecord.assembly == assembly_id)
            & (ConvocationRecord.organisation == organisation_id)
        )
    }
    lines = []
    for voter in await voters(organisation_id):
        row = records.pop(voter.membership_id, None)
        lines.append(_line(voter.membership_id, voter.name, voter.email, row))
    for membership_id, row in records.items():  # convened, and no longer a voter
        name = row["membership.person.name"]
        lines.append(_line(membership_id, name, row["membership.person.email"] or "", row))
    return sorted(lines, key=lambda line: line.name.casefold())


def _line(membership_id: int, name: str, email: str, row: dict[str, Any] | None) -> ProofLine:
    if row is None:
        return ProofLine(membership_id, name, email, "", "", None, "", None, "", 0)
    return view_of(
        ProofLine,
        {
            **row,
            "membership_id": membership_id,
            "name": name,
            "email": email,
            "mail_status": row["mail.status"] or "",
        },
        sent_at="mail.sent_at",
    )
