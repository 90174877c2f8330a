"""What the consultation pages read (#20).

The network's side reads only the consultation rows: each cooperative's name, status, verdict
and returned figures, never the copy, its assembly or its ballot. The cooperative's side reads
its own consultations and the network's proposal text sent to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from votes.core.consultation import Answer, Figures
from votes.db.queries import own_row, view_of
from votes.db.tables import (
    Assembly,
    AssemblyStatus,
    Consultation,
    ConsultationStatus,
    Proposal,
    ProposalStatus,
)

_SENDABLE = (ProposalStatus.SUBMITTED.value, ProposalStatus.UNDER_DEBATE.value)


@dataclass(frozen=True, slots=True)
class CooperativeAnswer:
    """One member cooperative's line on the network's consultation page."""

    consultation_id: int
    cooperative: str
    answer: Answer
    figures: Figures
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class NetworkProposal:
    id: int
    title: str
    consulted: int  # cooperatives it was sent to (withdrawn ones included)


@dataclass(frozen=True, slots=True)
class ReceivedConsultation:
    """A consultation as the cooperative that received it sees it."""

    id: int
    network: str
    title: str
    body: str
    status: str
    answer: Answer
    figures: Figures
    copy_id: int | None
    assembly: str  # the chosen assembly's title ("" until chosen)
    sent_at: datetime
    answered_at: datetime | None


def _answer(row: dict[str, Any]) -> Answer:
    if row["status"] == ConsultationStatus.WITHDRAWN.value:
        return Answer.WITHDRAWN
    if row["status"] == ConsultationStatus.ANSWERED.value:
        return Answer(row["verdict"])
    return Answer.UNANSWERED


def _figures(row: dict[str, Any]) -> Figures:
    return Figures(row["votes_for"], row["votes_against"], row["abstentions"], row["voters"])


async def sendable_proposals(network_id: int) -> list[NetworkProposal]:
    """The network's proposals still in play, with how many cooperatives each was sent to."""
    rows = (
        await Proposal.select(Proposal.id, Proposal.title)
        .where((Proposal.organisation == network_id) & Proposal.status.is_in(list(_SENDABLE)))
        .order_by(Proposal.id, ascending=False)
    )
    sent = await Consultation.select(Consultation.network_proposal).where(
        Consultation.network == network_id
    )
    counts: dict[int, int] = {}
    for row in sent:
        counts[row["network_proposal"]] = counts.get(row["network_proposal"], 0) + 1
    return [NetworkProposal(row["id"], row["title"], counts.get(row["id"], 0)) for row in rows]


async def consulted_proposals(network_id: int) -> list[NetworkProposal]:
    """The network's proposals sent to its cooperatives, newest first."""
    rows = await Consultation.select(
        Consultation.network_proposal, Consultation.network_proposal.title
    ).where(Consultation.network == network_id)
    found: dict[int, NetworkProposal] = {}
    for row in rows:
        key = int(row["network_proposal"])
        earlier = found.get(key)
        found[key] = NetworkProposal(
            key, row["network_proposal.title"], (earlier.consulted if earlier else 0) + 1
        )
    return [found[key] for key in sorted(found, reverse=True)]


async def proposal_title(organisation_id: int, proposal_id: int) -> str | None:
    """The title of the organisation's proposal ``proposal_id`` (None if not its own)."""
    row = await own_row(Proposal, organisation_id, proposal_id, Proposal.title)
    return str(row["title"]) if row else None


async def sent_proposal_of(network_id: int, consultation_id: int) -> int | None:
    """The network proposal of the network's consultation ``consultation_id`` (None if the
    consultation is not one the network sent)."""
    row = (
        await Consultation.select(Consultation.network_proposal)
        .where((Consultation.id == consultation_id) & (Consultation.network == network_id))
        .first()
    )
    return int(row["network_proposal"]) if row else None


# a consultation's state and the answer a cooperative returned (its verdict and figures)
_ANSWER_COLUMNS = (
    Consultation.status,
    Consultation.verdict,
    Consultation.votes_for,
    Consultation.votes_against,
    Consultation.abstentions,
    Consultation.voters,
)


async def answers_of(network_id: int, proposal_id: int) -> list[CooperativeAnswer]:
    """Each consulted cooperative's answer, by name: only what the cooperative returned."""
    rows = (
        await Consultation.select(
            Consultation.id,
            Consultation.cooperative.name,
            *_ANSWER_COLUMNS,
            Consultation.answered_at,
        )
        .where(
            (Consultation.network == network_id) & (Consultation.network_proposal == proposal_id)
        )
        .order_by(Consultation.cooperative.name)
    )
    return [
        CooperativeAnswer(
            row["id"],
            row["cooperative.name"],
            _answer(row),
            _figures(row) if row["status"] == ConsultationStatus.ANSWERED.value else Figures(),
            row["answered_at"],
        )
        for row in rows
    ]


_RECEIVED_COLUMNS = (
    Consultation.id,
    Consultation.network.name,
    Consultation.network_proposal.title,
    Consultation.network_proposal.body,
    *_ANSWER_COLUMNS,
    Consultation.copy_proposal,
    Consultation.copy_proposal.assembly.title,  # type: ignore[union-attr]
    Consultation.sent_at,
    Consultation.answered_at,
)


def _received(row: dict[str, Any]) -> ReceivedConsultation:
    return view_of(
        ReceivedConsultation,
        {
            **row,
            "answer": _answer(row),
            "figures": _figures(row),
            "assembly": row["copy_proposal.assembly.title"] or "",
        },
        network="network.name",
        title="network_proposal.title",
        body="network_proposal.body",
        copy_id="copy_proposal",
    )


async def received(cooperative_id: int) -> list[ReceivedConsultation]:
    """The consultations the cooperative received from its networks, newest first."""
    rows = (
        await Consultation.select(*_RECEIVED_COLUMNS)
        .where(Consultation.cooperative == cooperative_id)
        .order_by(Consultation.id, ascending=False)
    )
    return [_received(row) for row in rows]


async def awaiting_answer(cooperative_id: int) -> list[ReceivedConsultation]:
    """The consultations the cooperative has not answered yet (the network did not withdraw)."""
    return [found for found in await received(cooperative_id) if found.status == "sent"]


async def received_one(cooperative_id: int, consultation_id: int) -> ReceivedConsultation | None:
    """The cooperative's consultation ``consultation_id``; None if it is not the cooperative's."""
    row = (
        await Consultation.select(*_RECEIVED_COLUMNS)
        .where((Consultation.id == consultation_id) & (Consultation.cooperative == cooperative_id))
        .first()
    )
    return _received(row) if row else None


async def open_assemblies(organisation_id: int) -> list[tuple[int, str]]:
    """The cooperative's assemblies a consultation may be put on (not closed), soonest last."""
    rows = (
        await Assembly.select(Assembly.id, Assembly.title)
        .where(
            (Assembly.organisation == organisation_id)
            & (Assembly.status != AssemblyStatus.CLOSED.value)
        )
        .order_by(Assembly.starts_at, ascending=False)
    )
    return [(row["id"], row["title"]) for row in rows]
