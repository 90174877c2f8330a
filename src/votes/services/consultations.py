"""Consultations of member cooperatives (#20).

A network's administrator sends one of the network's proposals to every member cooperative
(:func:`send_consultation`). Each cooperative's administrators choose the assembly where it
will be debated (:func:`choose_assembly`): a copy of the proposal is created there through
the proposals service, so threads, amendments and ballots work as for any other proposal.
Once the cooperative's ballot on its copy is published, its administrator returns the answer
(:func:`return_answer`): the verdict and figures are read from that published ballot, never
typed, and they are all the network ever learns of the cooperative's decision.

Each side records its own acts in its own audit chain: the network the sending, the
withdrawal and the answers received; the cooperative what it received, chose and returned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from votes.core.choices import decode_choice
from votes.core.consultation import Figures
from votes.core.results import TallyResult, Verdict
from votes.core.room_counts import merge_room_count
from votes.db.engine import write_transaction
from votes.db.queries import own_row
from votes.db.tables import (
    Assembly,
    AssemblyStatus,
    Ballot,
    BallotPaper,
    BallotStatus,
    Consultation,
    ConsultationStatus,
    ConsultationVerdict,
    NetworkMembership,
    NetworkStatus,
    Organisation,
    Proposal,
    ProposalStatus,
)
from votes.i18n import gettext as _
from votes.services import audit, proposals
from votes.services.actors import Actor, may_administer, require
from votes.services.ballots import counting
from votes.services.refusals import Refused, owned_row

# a network proposal still in play may be sent; a draft or a decided one may not
SENDABLE = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.UNDER_DEBATE})


@dataclass(frozen=True, slots=True)
class ReturnedAnswer:
    """What the cooperative's published ballot says, as the network will receive it."""

    ballot_id: int
    verdict: ConsultationVerdict
    figures: Figures
    weighted: bool = False  # the figures are the papers handed in, the result shows weights


async def _network_name(network_id: int) -> str:
    row = await Organisation.select(Organisation.name).where(Organisation.id == network_id).first()
    return str(row["name"]) if row else ""


async def send_consultation(actor: Actor, proposal_id: int) -> int:
    """Send the network's proposal to each member cooperative not consulted on it yet;
    return how many cooperatives it was sent to."""
    require(may_administer, actor)
    network_id = actor.organisation.id
    async with write_transaction(Consultation._meta.db):
        network = (
            await Organisation.select(Organisation.is_network)
            .where(Organisation.id == network_id)
            .first()
        )
        if network is None or not network["is_network"]:
            raise Refused("not_a_network")
        proposal = await owned_row(
            Proposal, network_id, proposal_id, Proposal.title, Proposal.status
        )
        if proposal["status"] not in SENDABLE:
            raise Refused("proposal_not_sendable")
        # a no-op update takes the proposal's row lock: two sends of it at once (a double tap)
        # run one after the other on PostgreSQL, and the second finds the first's rows
        await Proposal.update({Proposal.title: proposal["title"]}).where(Proposal.id == proposal_id)
        members = await NetworkMembership.select(
            NetworkMembership.cooperative, NetworkMembership.cooperative.name
        ).where(
            (NetworkMembership.network == network_id)
            & (NetworkMembership.status == NetworkStatus.MEMBER.value)
        )
        if not members:
            raise Refused("no_member_cooperatives")
        already = {
            row["cooperative"]
            for row in await Consultation.select(Consultation.cooperative).where(
                Consultation.network_proposal == proposal_id
            )
        }
        fresh = [row for row in members if row["cooperative"] not in already]
        if not fresh:
            raise Refused("already_consulted")
        network_name = await _network_name(network_id)
        for row in sorted(fresh, key=lambda found: found["cooperative"]):
            cooperative_id = int(row["cooperative"])
            inserted = await Consultation.insert(
                Consultation(
                    network=network_id,
                    network_proposal=proposal_id,
                    cooperative=cooperative_id,
                    consultation_key=f"{proposal_id}:{cooperative_id}",
                    sent_by=actor.person_id,
                )
            ).returning(Consultation.id)
            await audit.record(
                cooperative_id,
                "consultation.received",
                subject=f"consultation:{inserted[0]['id']}",
                details={"network": network_name, "title": proposal["title"]},
            )
        await audit.record_by(
            actor,
            "consultation.sent",
            f"proposal:{proposal_id}",
            {"cooperatives": sorted(str(row["cooperative.name"]) for row in fresh)},
        )
    return len(fresh)


async def _received(actor: Actor, consultation_id: int) -> dict[str, Any]:
    """The cooperative's consultation ``consultation_id``, its administrators only: another
    cooperative's (or the network's own id) is ``not_found``."""
    require(may_administer, actor)
    row = await owned_row(
        Consultation,
        actor.organisation.id,
        consultation_id,
        *Consultation.all_columns(),
        Consultation.network.name,
        Consultation.network_proposal.title,
        Consultation.network_proposal.body,
        owner=Consultation.cooperative,
    )
    if row["status"] == ConsultationStatus.WITHDRAWN.value:
        raise Refused("consultation_withdrawn")
    return row


async def choose_assembly(actor: Actor, consultation_id: int, assembly_id: int) -> int:
    """The cooperative's administrator puts the network's proposal on one of its assemblies:
    a copy is created there, saying where it comes from; return the copy's id."""
    async with write_transaction(Consultation._meta.db):
        row = await _received(actor, consultation_id)
        if row["status"] == ConsultationStatus.ANSWERED.value:
            raise Refused("already_answered")
        if row["copy_proposal"] is not None:
            raise Refused("assembly_already_chosen")
        assembly = await owned_row(
            Assembly, actor.organisation.id, assembly_id, Assembly.status, Assembly.title
        )
        if assembly["status"] == AssemblyStatus.CLOSED.value:
            raise Refused("assembly_closed", "assembly")
        origin = _("Proposal sent by the network %(network)s to its member cooperatives.") % {
            "network": row["network.name"]
        }
        copy_id = await proposals.create_proposal(
            actor.organisation.id,
            assembly_id,
            actor.person_id,
            str(row["network_proposal.title"]),
            f"*{origin}*\n\n{row['network_proposal.body']}",
        )
        # only while no assembly is chosen and the network has not withdrawn it: a second
        # tap, or the network withdrawing meanwhile, refuses (and drops the copy made above)
        if (
            not await Consultation.update({Consultation.copy_proposal: copy_id})
            .where(
                (Consultation.id == consultation_id)
                & Consultation.copy_proposal.is_null()
                & (Consultation.status == ConsultationStatus.SENT.value)
            )
            .returning(Consultation.id)
        ):
            raise Refused("assembly_already_chosen")
        await audit.record_by(
            actor,
            "consultation.assembly_chosen",
            f"consultation:{consultation_id}",
            {"assembly": assembly_id, "proposal": copy_id, "network": row["network.name"]},
        )
    return copy_id


_RESPONSES = ("yes", "no", "abstain", "blank", "invalid")


def _whole(value: object) -> int | None:
    """A count of the published result as a whole number; None for a count weighted by
    colleges (the network receives votes, not weights)."""
    number = Fraction(value) if isinstance(value, (int, Fraction)) else Fraction(0)
    return int(number) if number.denominator == 1 else None


def read_answer(
    ballot_id: int, result: TallyResult, papers: Mapping[str, int] | None = None
) -> ReturnedAnswer:
    """The verdict and the figures a published motion's result gives the network: the figures
    as the result shows them, or, when it shows weights (colleges), the papers handed in
    (``papers``: response → number; ``figures_weighted`` without them)."""
    if result.verdict is None or result.method != "majority":
        raise Refused("not_a_motion")
    verdict = {
        Verdict.ADOPTED: ConsultationVerdict.ADOPTED,
        Verdict.REJECTED: ConsultationVerdict.REJECTED,
    }.get(result.verdict, ConsultationVerdict.NO_DECISION)
    shown = {key: _whole(result.details.get(key, 0)) for key in _RESPONSES}
    counts = {key: value for key, value in shown.items() if value is not None}
    if len(counts) < len(shown):
        if papers is None:
            raise Refused("figures_weighted")
        counts = {key: int(papers.get(key, 0)) for key in _RESPONSES}
    return ReturnedAnswer(
        ballot_id,
        verdict,
        Figures(counts["yes"], counts["no"], counts["abstain"], sum(counts.values())),
        weighted=None in shown.values(),
    )


async def papers_handed_in(ballot_id: int, round_: int) -> dict[str, int]:
    """A motion's papers of one round by response, the room's count included: the votes as
    handed in, before any weighting by college."""
    rows = await BallotPaper.select(BallotPaper.content).where(
        (BallotPaper.ballot == ballot_id) & (BallotPaper.round == round_)
    )
    grouped: Counter[Any] = Counter(decode_choice("majority", row["content"]) for row in rows)
    room = await counting.room_count_of(ballot_id, round_)
    if room is not None:
        merge_room_count("majority", list(_RESPONSES), grouped, room, {})
    return {str(key): int(number) for key, number in grouped.items()}


async def _published_answer(row: dict[str, Any]) -> ReturnedAnswer:
    if row["copy_proposal"] is None:
        raise Refused("no_assembly_chosen")
    ballot_id = await proposals.proposal_ballot(int(row["copy_proposal"]))
    ballot = None
    if ballot_id is not None:
        ballot = await own_row(
            Ballot, row["cooperative"], ballot_id, Ballot.status, Ballot.result, Ballot.round
        )
    if ballot_id is None or ballot is None or ballot["status"] != BallotStatus.PUBLISHED.value:
        raise Refused("ballot_not_published")
    result = TallyResult.from_json(ballot["result"])
    try:
        return read_answer(ballot_id, result)
    except Refused as error:
        if error.code != "figures_weighted":
            raise
    return read_answer(ballot_id, result, await papers_handed_in(ballot_id, ballot["round"]))


async def answer_to_return(actor: Actor, consultation_id: int) -> ReturnedAnswer:
    """What the cooperative would return now, for its administrator to confirm (reads only)."""
    row = await _received(actor, consultation_id)
    if row["status"] == ConsultationStatus.ANSWERED.value:
        raise Refused("already_answered")
    return await _published_answer(row)


async def return_answer(actor: Actor, consultation_id: int, confirmed_ballot_id: int) -> None:
    """Send the network the verdict and figures of the published ballot the administrator
    confirmed (``confirmed_ballot_id``: refused if the copy's ballot is another one now)."""
    async with write_transaction(Consultation._meta.db):
        row = await _received(actor, consultation_id)
        if row["status"] == ConsultationStatus.ANSWERED.value:
            raise Refused("already_answered")
        answer = await _published_answer(row)
        if answer.ballot_id != confirmed_ballot_id:
            raise Refused("ballot_changed")
        figures = answer.figures
        answered = (
            await Consultation.update(
                {
                    Consultation.status: ConsultationStatus.ANSWERED.value,
                    Consultation.verdict: answer.verdict.value,
                    Consultation.votes_for: figures.votes_for,
                    Consultation.votes_against: figures.votes_against,
                    Consultation.abstentions: figures.abstentions,
                    Consultation.voters: figures.voters,
                    Consultation.answered_at: datetime.now(UTC),
                    Consultation.answered_by: actor.person_id,
                }
            )
            .where(
                (Consultation.id == consultation_id)
                & (Consultation.status == ConsultationStatus.SENT.value)
            )
            .returning(Consultation.id)
        )
        if not answered:  # answered or withdrawn since it was read: a concurrent request won
            raise Refused("already_answered")
        returned = {
            "verdict": answer.verdict.value,
            "for": figures.votes_for,
            "against": figures.votes_against,
            "abstentions": figures.abstentions,
            "voters": figures.voters,
        }
        await audit.record_by(
            actor,
            "consultation.answered",
            f"consultation:{consultation_id}",
            {**returned, "ballot": answer.ballot_id, "network": row["network.name"]},
        )
        # the network's chain names the cooperative, not the person who answered for it
        await audit.record(
            int(row["network"]),
            "consultation.answer_received",
            subject=f"proposal:{row['network_proposal']}",
            details={**returned, "cooperative": actor.organisation.name},
        )


async def withdraw_consultation(actor: Actor, consultation_id: int) -> None:
    """The network's administrator takes back a consultation not answered yet (the copy a
    cooperative already made stays its own)."""
    require(may_administer, actor)
    async with write_transaction(Consultation._meta.db):
        row = await owned_row(
            Consultation,
            actor.organisation.id,
            consultation_id,
            Consultation.status,
            Consultation.cooperative,
            Consultation.network_proposal,
            Consultation.cooperative.name,
            owner=Consultation.network,
        )
        if row["status"] == ConsultationStatus.ANSWERED.value:
            raise Refused("already_answered")
        if row["status"] == ConsultationStatus.WITHDRAWN.value:
            raise Refused("consultation_withdrawn")
        if (
            not await Consultation.update({Consultation.status: ConsultationStatus.WITHDRAWN.value})
            .where(
                (Consultation.id == consultation_id)
                & (Consultation.status == ConsultationStatus.SENT.value)
            )
            .returning(Consultation.id)
        ):
            raise Refused("already_answered")  # answered meanwhile
        await audit.record_by(
            actor,
            "consultation.withdrawn",
            f"proposal:{row['network_proposal']}",
            {"cooperative": row["cooperative.name"]},
        )
        await audit.record(
            int(row["cooperative"]),
            "consultation.withdrawn",
            subject=f"consultation:{consultation_id}",
            details={"network": actor.organisation.name},
        )
