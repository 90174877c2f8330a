"""Consultations of member cooperatives (#20): the network sends, each cooperative debates its
own copy and returns what its published ballot says; every refusal leaves nothing written."""

from __future__ import annotations

import asyncio
from fractions import Fraction

import pytest
from tests.support.consultations import (
    consultation_of,
    consulted_cooperative,
    cooperative_assembly,
    decide_copy,
    network_with,
    sent_proposal,
)
from tests.support.factories import member_actor
from tests.support.refusals import refusal_code

from votes.core.consultation import Answer, Figures, aggregate_consultation
from votes.core.results import TallyResult, Verdict
from votes.db import consultation_queries as cq
from votes.db.tables import (
    AuditEntry,
    Consultation,
    NetworkMembership,
    NetworkStatus,
    Proposal,
)
from votes.services import consultations
from votes.services.refusals import Refused


async def _actions(organisation_id: int) -> list[str]:
    rows = (
        await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.organisation == organisation_id)
        .order_by(AuditEntry.sequence)
    )
    return [row["action"] for row in rows]


async def _consultation(consultation_id: int) -> dict[str, object]:
    row = await Consultation.select().where(Consultation.id == consultation_id).first()
    assert row is not None
    return row


async def test_sending_reaches_every_member_cooperative_once_and_is_audited_on_both_sides() -> None:
    network, (first, second, invited) = await network_with(3)
    await NetworkMembership.update({NetworkMembership.status: NetworkStatus.INVITED.value}).where(
        NetworkMembership.cooperative == invited.organisation_id
    )
    proposal_id = await sent_proposal(network, send=False)
    assert await consultations.send_consultation(network.admin, proposal_id) == 2
    received = await cq.received(first.organisation_id)
    assert [(r.title, r.answer) for r in received] == [("Charte commune", Answer.UNANSWERED)]
    assert await cq.received(invited.organisation_id) == []
    attempt = consultations.send_consultation(network.admin, proposal_id)
    assert await refusal_code(attempt) == "already_consulted"
    assert await Consultation.count().where(Consultation.network_proposal == proposal_id) == 2
    assert "consultation.sent" in await _actions(network.organisation_id)
    assert "consultation.received" in await _actions(second.organisation_id)


async def test_only_a_network_admin_sends_a_network_proposal_in_play() -> None:
    network, (cooperative,) = await network_with(1)
    proposal_id = await sent_proposal(network, send=False)
    member = await member_actor(network.organisation_id)
    assert await refusal_code(consultations.send_consultation(member, proposal_id)) == "admins_only"
    attempt = consultations.send_consultation(cooperative.admin, proposal_id)
    assert await refusal_code(attempt) == "not_a_network"
    await Proposal.update({Proposal.status: "draft"}).where(Proposal.id == proposal_id)
    attempt = consultations.send_consultation(network.admin, proposal_id)
    assert await refusal_code(attempt) == "proposal_not_sendable"
    lonely, _ = await network_with(0)
    attempt = consultations.send_consultation(lonely.admin, await sent_proposal(lonely, send=False))
    assert await refusal_code(attempt) == "no_member_cooperatives"
    attempt = consultations.send_consultation(lonely.admin, proposal_id)
    assert await refusal_code(attempt) == "not_found"
    assert await Consultation.count().where(Consultation.network_proposal == proposal_id) == 0


async def test_the_copy_carries_the_network_text_and_where_it_comes_from() -> None:
    network, cooperative, _proposal, consultation_id = await consulted_cooperative()
    assembly_id = await cooperative_assembly(cooperative)
    copy_id = await consultations.choose_assembly(cooperative.admin, consultation_id, assembly_id)
    copy = await Proposal.select().where(Proposal.id == copy_id).first()
    assert copy is not None
    assert copy["organisation"] == cooperative.organisation_id
    assert copy["assembly"] == assembly_id
    assert copy["title"] == "Charte commune"
    assert "Le réseau adopte une charte commune." in copy["body"]
    assert network.slug.split("-")[0].capitalize() in copy["body"]
    attempt = consultations.choose_assembly(cooperative.admin, consultation_id, assembly_id)
    assert await refusal_code(attempt) == "assembly_already_chosen"
    seen = await cq.received_one(cooperative.organisation_id, consultation_id)
    assert seen is not None
    assert seen.copy_id == copy_id
    assert seen.assembly
    assert "consultation.assembly_chosen" in await _actions(cooperative.organisation_id)


async def test_an_assembly_of_another_cooperative_is_refused() -> None:
    network, (first, second) = await network_with(2)
    proposal_id = await sent_proposal(network)
    elsewhere = await cooperative_assembly(second)
    attempt = consultations.choose_assembly(
        first.admin, await consultation_of(proposal_id, first), elsewhere
    )
    assert await refusal_code(attempt) == "not_found"
    assert (await _consultation(await consultation_of(proposal_id, first)))["copy_proposal"] is None


async def test_the_answer_is_read_from_the_published_ballot_and_sent_once() -> None:
    network, cooperative, proposal_id, consultation_id = await consulted_cooperative()
    _copy, ballot_id = await decide_copy(
        cooperative, consultation_id, {"yes": 3, "no": 1, "abstain": 1}
    )
    answer = await consultations.answer_to_return(cooperative.admin, consultation_id)
    assert answer.verdict == "adopted"
    assert answer.figures == Figures(3, 1, 1, 5)
    await consultations.return_answer(cooperative.admin, consultation_id, ballot_id)
    row = await _consultation(consultation_id)
    assert (row["status"], row["verdict"], row["votes_for"], row["voters"]) == (
        "answered",
        "adopted",
        3,
        5,
    )
    assert row["answered_by"] == cooperative.admin.person_id
    attempt = consultations.return_answer(cooperative.admin, consultation_id, ballot_id)
    assert await refusal_code(attempt) == "already_answered"
    assert (await _actions(network.organisation_id))[-1] == "consultation.answer_received"
    assert (await _actions(cooperative.organisation_id))[-1] == "consultation.answered"
    lines = await cq.answers_of(network.organisation_id, proposal_id)
    assert [(line.answer, line.figures) for line in lines] == [
        (Answer.ADOPTED, Figures(3, 1, 1, 5))
    ]


async def test_no_answer_before_publication_by_a_member_or_for_another_cooperative() -> None:
    network, (cooperative, other) = await network_with(2)
    proposal_id = await sent_proposal(network)
    consultation_id = await consultation_of(proposal_id, cooperative)
    attempt = consultations.answer_to_return(cooperative.admin, consultation_id)
    assert await refusal_code(attempt) == "no_assembly_chosen"
    _copy, ballot_id = await decide_copy(cooperative, consultation_id, {"no": 2}, publish=False)
    attempt = consultations.return_answer(cooperative.admin, consultation_id, ballot_id)
    assert await refusal_code(attempt) == "ballot_not_published"
    member = await member_actor(cooperative.organisation_id)
    attempt = consultations.return_answer(member, consultation_id, ballot_id)
    assert await refusal_code(attempt) == "admins_only"
    attempt = consultations.return_answer(other.admin, consultation_id, ballot_id)
    assert await refusal_code(attempt) == "not_found"
    attempt = consultations.return_answer(network.admin, consultation_id, ballot_id)
    assert await refusal_code(attempt) == "not_found"
    row = await _consultation(consultation_id)
    assert (row["status"], row["verdict"], row["answered_at"]) == ("sent", "", None)


async def test_a_stale_confirmation_is_refused() -> None:
    _network, cooperative, _proposal, consultation_id = await consulted_cooperative()
    _copy, ballot_id = await decide_copy(cooperative, consultation_id, {"no": 2})
    attempt = consultations.return_answer(cooperative.admin, consultation_id, ballot_id + 1000)
    assert await refusal_code(attempt) == "ballot_changed"
    assert (await _consultation(consultation_id))["status"] == "sent"


async def test_a_withdrawn_consultation_is_no_longer_answered_nor_counted() -> None:
    network, (answering, withdrawn, silent) = await network_with(3)
    proposal_id = await sent_proposal(network)
    taken_back = await consultation_of(proposal_id, withdrawn)
    await consultations.withdraw_consultation(network.admin, taken_back)
    attempt = consultations.withdraw_consultation(network.admin, taken_back)
    assert await refusal_code(attempt) == "consultation_withdrawn"
    attempt = consultations.choose_assembly(
        withdrawn.admin, taken_back, await cooperative_assembly(withdrawn)
    )
    assert await refusal_code(attempt) == "consultation_withdrawn"
    attempt = consultations.withdraw_consultation(answering.admin, taken_back)
    assert await refusal_code(attempt) == "not_found"
    answered = await consultation_of(proposal_id, answering)
    _copy, ballot_id = await decide_copy(answering, answered, {"yes": 1, "no": 2})
    await consultations.return_answer(answering.admin, answered, ballot_id)
    attempt = consultations.withdraw_consultation(network.admin, answered)
    assert await refusal_code(attempt) == "already_answered"
    lines = await cq.answers_of(network.organisation_id, proposal_id)
    tally = aggregate_consultation((line.answer, line.figures) for line in lines)
    assert (tally.adopted, tally.rejected, tally.unanswered) == (0, 1, 1)
    assert tally.figures == Figures(1, 2, 0, 3)
    assert silent.organisation_id in {
        row["cooperative"]
        for row in await Consultation.select(Consultation.cooperative).where(
            Consultation.status == "sent"
        )
    }
    assert "consultation.withdrawn" in await _actions(withdrawn.organisation_id)


async def test_a_double_tap_sends_and_answers_once() -> None:
    network, (cooperative,) = await network_with(1)
    proposal_id = await sent_proposal(network, send=False)
    sent = await asyncio.gather(
        consultations.send_consultation(network.admin, proposal_id),
        consultations.send_consultation(network.admin, proposal_id),
        return_exceptions=True,
    )
    assert {getattr(result, "code", result) for result in sent} == {1, "already_consulted"}
    consultation_id = await consultation_of(proposal_id, cooperative)
    _copy, ballot_id = await decide_copy(cooperative, consultation_id, {"yes": 2})
    before = len(await _actions(network.organisation_id))
    answers = await asyncio.gather(
        consultations.return_answer(cooperative.admin, consultation_id, ballot_id),
        consultations.return_answer(cooperative.admin, consultation_id, ballot_id),
        return_exceptions=True,
    )
    assert {getattr(a, "code", None) for a in answers} == {None, "already_answered"}
    assert len(await _actions(network.organisation_id)) == before + 1


def _motion(verdict: Verdict | None, method: str = "majority", **details: object) -> TallyResult:
    candidates = ("yes", "no", "abstain")
    return TallyResult(method, candidates, 1, (), (), verdict=verdict, details=details)


def test_a_result_weighted_by_colleges_returns_the_papers_handed_in() -> None:
    weighted = _motion(Verdict.ADOPTED, yes=Fraction(7, 2), no=Fraction(3, 2), abstain=1)
    with pytest.raises(Refused, match="figures_weighted"):
        consultations.read_answer(1, weighted)
    answer = consultations.read_answer(1, weighted, {"yes": 3, "no": 2, "abstain": 1, "blank": 1})
    assert answer.verdict == "adopted"
    assert answer.figures == Figures(3, 2, 1, 7)
    assert answer.weighted


def test_no_quorum_is_no_decision_and_only_a_motion_answers() -> None:
    quorum = consultations.read_answer(1, _motion(Verdict.NO_QUORUM, yes=1, no=0, abstain=0))
    assert (quorum.verdict, quorum.figures) == ("no_decision", Figures(1, 0, 0, 1))
    assert not quorum.weighted
    with pytest.raises(Refused, match="not_a_motion"):
        consultations.read_answer(1, _motion(None, "plurality"))
    with pytest.raises(Refused, match="not_a_motion"):
        consultations.read_answer(1, _motion(Verdict.ADOPTED, "consent"))


async def test_the_papers_handed_in_are_the_published_counts() -> None:
    _network, cooperative, _proposal, consultation_id = await consulted_cooperative()
    _copy, ballot_id = await decide_copy(
        cooperative, consultation_id, {"yes": 2, "no": 3, "abstain": 1}
    )
    papers = await consultations.papers_handed_in(ballot_id, 1)
    assert papers == {"yes": 2, "no": 3, "abstain": 1}
