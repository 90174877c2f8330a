"""A countdown closes its ballot: votes after the deadline are refused, and the deadline sweep
closes a due ballot once, however many workers run it (both engines)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from tests.support.factories import (
    advance_phase,
    ballot_open_to,
    close,
    new_ballot,
    planned_assembly,
)
from tests.support.refusals import refusal_code

from votes.core.results import TallyResult
from votes.db.tables import AuditEntry, Ballot, Participation
from votes.services.ballots import counting, lifecycle, voting


async def _timed_motion(organisation_id: int, assembly_id: int, **options: object) -> int:
    return await new_ballot(
        organisation_id,
        assembly_id,
        "Adoptez-vous le budget ?",
        duration_seconds=60,
        **options,
        opened=True,
    )


async def _run_out(ballot_id: int) -> None:
    """The countdown ends now (as if its minute had passed)."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    await Ballot.update({Ballot.closes_at: past}).where(Ballot.id == ballot_id)


async def _closes(ballot_id: int) -> list[dict[str, object]]:
    return list(
        await AuditEntry.select(AuditEntry.actor, AuditEntry.details).where(
            (AuditEntry.subject == f"ballot:{ballot_id}") & (AuditEntry.action == "ballot.closed")
        )
    )


async def test_a_vote_after_the_deadline_is_refused_like_a_vote_after_the_close() -> None:
    organisation_id, assembly_id, members, _ = await planned_assembly(2)
    ballot_id = await _timed_motion(organisation_id, assembly_id, allow_change=True)
    await voting.cast_vote(ballot_id, members[0], "yes")
    await _run_out(ballot_id)
    # the sweep has not run: the ballot is still open, yet the deadline alone refuses the vote
    assert await refusal_code(voting.cast_vote(ballot_id, members[1], "no")) == "not_open"
    assert await refusal_code(voting.change_vote(ballot_id, members[0], "no")) == "not_open"
    assert await Participation.count().where(Participation.ballot == ballot_id) == 1
    result = await close(ballot_id)
    assert (result.rounds[0].totals["yes"], result.rounds[0].totals["no"]) == (1, 0)


async def test_the_sweep_closes_a_due_ballot_once_counts_it_and_says_why() -> None:
    organisation_id, assembly_id, members, _ = await planned_assembly(3)
    due = await _timed_motion(organisation_id, assembly_id)
    running = await _timed_motion(organisation_id, assembly_id)
    await voting.cast_vote(due, members[0], "yes")
    await voting.cast_vote(due, members[1], "no")
    await voting.cast_vote(due, members[2], "yes")
    await _run_out(due)

    closed = await lifecycle.close_due_ballots()

    assert due in closed
    assert running not in closed  # its minute is not over
    row = await Ballot.select(Ballot.status, Ballot.result).where(Ballot.id == due).first()
    assert row is not None
    assert row["status"] == "closed"
    totals = TallyResult.from_json(row["result"]).rounds[0].totals
    assert (totals["yes"], totals["no"]) == (2, 1)
    [entry] = await _closes(due)
    assert entry["actor"] is None  # the platform, not a person
    assert json.loads(str(entry["details"]))["reason"] == "time_is_up"
    still = await Ballot.select(Ballot.status).where(Ballot.id == running).first()
    assert still is not None
    assert still["status"] == "open"
    # the next sweep finds nothing more to do
    assert due not in await lifecycle.close_due_ballots()
    assert len(await _closes(due)) == 1


async def test_two_workers_sweeping_at_once_close_a_ballot_once() -> None:
    organisation_id, assembly_id, members, _ = await planned_assembly(2)
    ballot_id = await _timed_motion(organisation_id, assembly_id)
    await voting.cast_vote(ballot_id, members[0], "yes")
    await _run_out(ballot_id)
    first, second = await asyncio.gather(
        lifecycle.close_due_ballots(), lifecycle.close_due_ballots()
    )
    assert [*first, *second].count(ballot_id) == 1
    assert len(await _closes(ballot_id)) == 1
    recount = await counting.count_ballot(ballot_id)
    assert recount.rounds[0].totals["yes"] == 1


async def test_the_facilitator_may_still_close_before_the_deadline() -> None:
    organisation_id, assembly_id, members, _ = await planned_assembly(1)
    ballot_id = await _timed_motion(organisation_id, assembly_id)
    await voting.cast_vote(ballot_id, members[0], "no")
    result = await close(ballot_id)
    assert result.rounds[0].totals["no"] == 1
    assert ballot_id not in await lifecycle.close_due_ballots(
        datetime.now(UTC) + timedelta(hours=1)
    )


async def test_a_facilitated_consent_countdown_starts_with_the_consent_round() -> None:
    _, ballot_id, members = await ballot_open_to(
        1,
        question="Consentez-vous à la charte ?",
        method="consent",
        choices=[("consent", "Consentement"), ("objection", "Objection")],
        facilitated=True,
        duration_seconds=60,
    )
    # questions and reactions take the time they need: the sweep leaves the ballot open
    later = datetime.now(UTC) + timedelta(hours=1)
    assert ballot_id not in await lifecycle.close_due_ballots(later)
    await advance_phase(ballot_id)
    await advance_phase(ballot_id)
    row = await Ballot.select(Ballot.closes_at).where(Ballot.id == ballot_id).first()
    assert row is not None
    assert row["closes_at"] is not None
    await voting.cast_vote(ballot_id, members[0], "consent")
    assert ballot_id in await lifecycle.close_due_ballots(later)
