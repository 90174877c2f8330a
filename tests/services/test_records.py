"""Records a cooperative can sign (#16): the count reads only what the close froze, a
verification writes nothing, and a close interrupted before its count is healed."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.conftest import USE_POSTGRES
from tests.support.actors import scrutineer
from tests.support.factories import (
    Assembly,
    chaired_assembly,
    close,
    general_assembly,
    member_actor,
    new_ballot,
    open_ballot,
    publish,
)
from tests.support.refusals import refusal_code

from votes.core import Verdict
from votes.core.room_counts import RoomCount
from votes.db.engine import VotesSQLiteEngine
from votes.db.piccolo_app import APP_CONFIG
from votes.db.tables import (
    Amendment,
    AmendmentKind,
    AssemblyKind,
    AssemblyStatus,
    AuditChain,
    AuditEntry,
    Ballot,
    BallotStatus,
    Membership,
    Minutes,
    Proposal,
    ProposalStatus,
)
from votes.services import (
    accounts,
    amendments,
    assemblies,
    attendance,
    audit,
    integrity,
    minutes,
    organisations,
    proposals,
)
from votes.services.actors import Actor, actor_for
from votes.services.ballots import counting, lifecycle, room_counts, voting


async def _dump() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in a stable order: what a byte-level copy would show."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in APP_CONFIG.table_classes:
        rows = await table.select().order_by(table._meta.primary_key)
        tables[table._meta.tablename] = [
            {key: repr(value) for key, value in row.items()} for row in rows
        ]
    return tables


async def test_check_outs_and_a_new_member_change_neither_the_recount_nor_the_database() -> None:
    ga = await general_assembly(10)
    await ga.check_in(*range(7))
    await ga.give_proxy(8, 0)
    ballot_id = await ga.motion()
    await ga.vote(ballot_id, {"yes": 6, "no": 1})
    result = await close(ballot_id)
    assert result.verdict is Verdict.ADOPTED  # 6 of the 10 members
    # the room empties (routine with 250 people) and someone joins the cooperative
    for index in range(4):
        await attendance.check_out(
            await actor_for(ga.organisation_id), ga.assembly_id, ga.members[index]
        )
    person = await accounts.create_person("Nouvelle venue", None, None)
    await organisations.add_membership(ga.organisation_id, person)

    before = await _dump()
    assert await integrity.verify_ballot(ga.organisation_id, ballot_id) == []
    report = await integrity.verify_everything()
    assert not [f for f in report.ballot_findings if f.ballot_id == ballot_id]
    assert await _dump() == before  # a check never writes, not even the figures
    assert await counting.count_ballot(ballot_id) == result
    row = await Ballot.select(Ballot.rule_snapshot).where(Ballot.id == ballot_id).first()
    assert row is not None
    count = json.loads(row["rule_snapshot"])["count"]
    assert (count["participants"], count["members"]) == (8, 10)


async def _motion_voted_for() -> tuple[Assembly, int]:
    """An open motion of six members all present, four of them for and one against."""
    ga = await general_assembly(6)
    await ga.check_in(*range(6))
    ballot_id = await ga.motion()
    await ga.vote(ballot_id, {"yes": 4, "no": 1})
    return ga, ballot_id


async def _status_and_result(ballot_id: int) -> dict[str, Any]:
    row = await Ballot.select(Ballot.result, Ballot.status).where(Ballot.id == ballot_id).first()
    assert row is not None
    return row


async def test_a_ballot_closed_without_a_count_is_counted_by_the_sweep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, ballot_id = await _motion_voted_for()
    # a crash between the close and its count: the ballot is closed, nothing counted it
    await Ballot.update({Ballot.status: BallotStatus.CLOSED.value, Ballot.result: None}).where(
        Ballot.id == ballot_id
    )
    await lifecycle.close_due_ballots()
    row = await _status_and_result(ballot_id)
    assert row["status"] == BallotStatus.CLOSED.value
    assert row["result"] is not None
    await publish(ballot_id)


async def test_a_failure_during_the_count_leaves_no_closed_ballot_without_a_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, ballot_id = await _motion_voted_for()

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the process dies here")

    with monkeypatch.context() as patched:
        patched.setattr(counting.judging, "judge", crash)
        with pytest.raises(RuntimeError):
            await close(ballot_id)
    row = await _status_and_result(ballot_id)
    # either still open (the close rolled back) or closed with its result: never in between
    assert row["status"] == BallotStatus.OPEN.value or row["result"] is not None
    assert (await close(ballot_id)).verdict is Verdict.ADOPTED


@pytest.mark.skipif(
    USE_POSTGRES, reason="SQLite's query_only pragma makes the connection read-only"
)
async def test_verify_runs_on_a_read_only_connection() -> None:
    ga, ballot_id = await _motion_voted_for()
    await close(ballot_id)
    await attendance.check_out(await actor_for(ga.organisation_id), ga.assembly_id, ga.members[0])
    engine = Ballot._meta.db
    assert isinstance(engine, VotesSQLiteEngine)
    connections = engine.connections()
    await connections.writer.execute("PRAGMA query_only = ON")
    connections.reader.execute("PRAGMA query_only = ON")
    try:
        report = await integrity.verify_everything()
    finally:  # the writer writes again; the reader stays read-only, as the engine made it
        await connections.writer.execute("PRAGMA query_only = OFF")
    assert not [f for f in report.ballot_findings if f.ballot_id == ballot_id]


async def _rewrite_chain_without_key(organisation_id: int) -> None:
    """A forger's recomputation of the chain: every hash again, with plain SHA-256."""
    entries = (
        await AuditEntry.select()
        .where(AuditEntry.organisation == organisation_id)
        .order_by(AuditEntry.sequence)
    )
    previous = audit.GENESIS_HASH
    for entry in entries:
        digest = audit.row_hash(organisation_id, entry, previous)
        await AuditEntry.update(
            {AuditEntry.previous_hash: previous, AuditEntry.entry_hash: digest}
        ).where(AuditEntry.id == entry["id"])
        previous = digest
    await AuditChain.update({AuditChain.last_hash: previous}).where(
        AuditChain.organisation == organisation_id
    )


async def test_final_minutes_edited_with_their_digest_and_chain_recomputed_are_reported() -> None:
    suffix = uuid.uuid4().hex[:8]
    organisation_id = await organisations.create_organisation(f"PV {suffix}", f"pv16-{suffix}")
    person_id = await accounts.create_person(f"Sec {suffix}", None, None)
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AGO", datetime.now(UTC), status=AssemblyStatus.CLOSED
    )
    await minutes.finalise(organisation_id, assembly_id, "<p>adoptée</p>", person_id=person_id)
    forged = "<p>rejetée</p>"
    digest = audit.content_digest(forged)
    await Minutes.update({Minutes.content: forged, Minutes.digest: digest}).where(
        Minutes.assembly == assembly_id
    )
    entry = (
        await AuditEntry.select(AuditEntry.id, AuditEntry.details)
        .where(
            (AuditEntry.organisation == organisation_id)
            & (AuditEntry.action == "minutes.finalised")
        )
        .first()
    )
    assert entry is not None
    details = {**json.loads(entry["details"]), "digest": digest}
    await AuditEntry.update(
        {AuditEntry.details: json.dumps(details, ensure_ascii=False, sort_keys=True)}
    ).where(AuditEntry.id == entry["id"])
    await _rewrite_chain_without_key(organisation_id)
    assert await minutes.check_final_minutes(organisation_id, assembly_id)  # it all agrees…
    report = await integrity.verify_everything()
    assert not report.intact  # …but the chain no longer carries the key's signature
    assert organisation_id in [b.organisation_id for b in report.chain_breaks]


async def test_room_and_phone_votes_beyond_the_eligible_are_not_published() -> None:
    plenary = await general_assembly(15, kind=AssemblyKind.PLENARY)
    ballot_id = await plenary.motion()
    await open_ballot(ballot_id)
    room = RoomCount({"yes": 8, "no": 4}, cast=12)
    await room_counts.record_room_count(
        await scrutineer(plenary.organisation_id, plenary.members[0]), ballot_id, room
    )
    await plenary.vote(ballot_id, {"yes": 6, "no": 2})  # the phones keep voting: 20 for 15
    await close(ballot_id)
    assert await refusal_code(publish(ballot_id)) == "too_many_votes"
    findings = await integrity.verify_ballot(plenary.organisation_id, ballot_id)
    findings += await integrity.verify_registers(plenary.organisation_id)
    assert "too_many_votes" in {f.reason for f in findings}
    # the scrutineer corrects the room's count: the ballot is counted again and published
    corrected = RoomCount({"yes": 5, "no": 2}, cast=7)
    await room_counts.record_room_count(
        await scrutineer(plenary.organisation_id, plenary.members[0]), ballot_id, corrected
    )
    await publish(ballot_id)


@dataclass(frozen=True, slots=True)
class Submitted:
    """A proposal a member submitted to an assembly, and the facilitator who chairs it."""

    chair: Actor
    member: Actor
    assembly_id: int
    proposal_id: int


async def _submitted() -> Submitted:
    organisation_id, chair, assembly_id = await chaired_assembly()
    member = await member_actor(organisation_id)
    proposal_id = await proposals.submit_proposal(member, assembly_id, "Prime", "300 €.")
    return Submitted(chair, member, assembly_id, proposal_id)


async def _amend(submitted: Submitted) -> tuple[int, int]:
    """The member proposes to strike the bonus, and the amendment is put to the vote (its
    ballot a draft): the amendment's id and its ballot's."""
    amendment_id = await amendments.propose_amendment(
        submitted.member, submitted.proposal_id, AmendmentKind.FULL, text="Pas de prime."
    )
    return amendment_id, await amendments.put_amendment_to_vote(submitted.chair, amendment_id)


async def _amendment_put_to_vote() -> tuple[Any, int, int, int]:
    submitted = await _submitted()
    amendment_id, ballot_id = await _amend(submitted)
    return submitted.chair, submitted.proposal_id, amendment_id, ballot_id


async def _publish(ballot_id: int, members: list[int], choice: str) -> None:
    await open_ballot(ballot_id)
    for membership_id in members:
        await voting.cast_vote(ballot_id, membership_id, choice)
    await close(ballot_id)
    await publish(ballot_id)


async def _voters(organisation_id: int) -> list[int]:
    rows = await Membership.select(Membership.id).where(
        (Membership.organisation == organisation_id) & (Membership.kind == "member")
    )
    return [row["id"] for row in rows]


async def test_an_amendment_follows_its_published_vote_and_cannot_be_recorded_otherwise() -> None:
    chair, proposal_id, amendment_id, ballot_id = await _amendment_put_to_vote()
    attempt = amendments.decide_amendment(chair, amendment_id, "adopt")
    assert await refusal_code(attempt) == "vote_not_published"
    await _publish(ballot_id, await _voters(chair.organisation.id), "no")
    amendment = await Amendment.select(Amendment.status).where(Amendment.id == amendment_id)
    assert amendment[0]["status"] == "rejected"  # set by the published vote
    attempt = amendments.decide_amendment(chair, amendment_id, "adopt")
    assert await refusal_code(attempt) == "amendment_settled"
    proposal = await Proposal.select(Proposal.body).where(Proposal.id == proposal_id).first()
    assert proposal is not None
    assert proposal["body"] == "300 €."  # not merged into the text


async def test_an_amendment_adopted_by_its_vote_is_taken_into_the_text() -> None:
    chair, proposal_id, _, ballot_id = await _amendment_put_to_vote()
    await _publish(ballot_id, await _voters(chair.organisation.id), "yes")
    proposal = await Proposal.select(Proposal.body).where(Proposal.id == proposal_id).first()
    assert proposal is not None
    assert proposal["body"] == "Pas de prime."


async def test_recording_an_outcome_ahead_of_the_vote_needs_a_reason_and_is_audited() -> None:
    chair, proposal_id, amendment_id, _ = await _amendment_put_to_vote()
    reason = "Adopté à main levée, le réseau étant coupé"
    await amendments.decide_amendment(chair, amendment_id, "adopt", reason=reason)
    entry = await audit.latest_entry(
        chair.organisation.id, "amendment.adopted", f"proposal:{proposal_id}"
    )
    assert entry is not None
    assert entry[1]["override"] == reason


async def test_a_proposal_follows_its_published_vote() -> None:
    submitted = await _submitted()
    chair, proposal_id = submitted.chair, submitted.proposal_id
    organisation_id = chair.organisation.id
    ballot_id = await proposals.put_to_vote(chair, proposal_id)
    attempt = proposals.change_status(chair, proposal_id, ProposalStatus.ADOPTED)
    assert await refusal_code(attempt) == "vote_not_published"
    await _publish(ballot_id, await _voters(organisation_id), "no")
    row = await Proposal.select(Proposal.status).where(Proposal.id == proposal_id).first()
    assert row is not None
    assert row["status"] == "rejected"  # no "Adoptée" in one click after a rejection
    attempt = proposals.change_status(chair, proposal_id, ProposalStatus.ADOPTED)
    assert await refusal_code(attempt) == "status_step_not_allowed"


async def test_a_motion_does_not_open_before_its_amendments_are_voted_unless_told_why() -> None:
    submitted = await _submitted()
    await _amend(submitted)  # its ballot is still a draft
    organisation_id = submitted.chair.organisation.id
    motion = await new_ballot(
        organisation_id,
        submitted.assembly_id,
        "Adoptez-vous la prime ?",
        proposal_id=submitted.proposal_id,
    )
    attempt = lifecycle.open_ballot(await lifecycle.system_actor(motion), motion)
    assert await refusal_code(attempt) == "amendments_pending_vote"
    reason = "L'amendement sera voté à la reprise, de l'accord de la salle"
    await lifecycle.open_ballot(await lifecycle.system_actor(motion), motion, reason=reason)
    entry = await audit.latest_entry(organisation_id, "ballot.opened", f"ballot:{motion}")
    assert entry is not None
    assert entry[1]["reason"] == reason


async def test_condorcet_ballots_get_a_lot_seeded_before_the_vote_like_irv() -> None:
    plenary = await general_assembly(3, kind=AssemblyKind.PLENARY)
    ballot_id = await plenary.ballot(
        "Quel lieu ?",
        method="ranked_pairs",
        choices=[("a", "Arles"), ("b", "Brest"), ("c", "Caen")],
    )
    row = await Ballot.select(Ballot.rules).where(Ballot.id == ballot_id).first()
    assert row is not None
    seed = json.loads(row["rules"])["seed"]  # recorded before any vote
    await open_ballot(ballot_id)
    for member, ranking in zip(
        plenary.members, (["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]), strict=True
    ):
        await voting.cast_vote(ballot_id, member, ranking)
    result = await close(ballot_id)  # a perfect cycle: only the lot can decide
    assert len(result.winners) == 1
    assert any(e.seed == seed for e in result.tie_events)


async def test_a_count_that_cannot_be_made_leaves_the_ballot_open_with_a_clear_refusal() -> None:
    plenary = await general_assembly(2, kind=AssemblyKind.PLENARY)
    ballot_id = await plenary.ballot(
        "Qui ?",
        method="irv",
        choices=[("a", "Ana"), ("b", "Bo")],
    )
    # a ballot prepared before lots were seeded: a tie at every round cannot be settled
    await Ballot.update({Ballot.rules: json.dumps({"tie_break": "unresolved"})}).where(
        Ballot.id == ballot_id
    )
    await open_ballot(ballot_id)
    await voting.cast_vote(ballot_id, plenary.members[0], ["a"])
    await voting.cast_vote(ballot_id, plenary.members[1], ["b"])
    assert await refusal_code(close(ballot_id)) == "not_countable"
    row = await Ballot.select(Ballot.status).where(Ballot.id == ballot_id).first()
    assert row is not None
    assert row["status"] == BallotStatus.OPEN.value
