"""A reason goes to the audit trail and the minutes as its author wrote it: one longer than the
form allows (only a crafted request sends it) is refused with its limit, never cut to fit,
and nothing changes."""

from __future__ import annotations

from tests.support.factories import motion, planned_assembly
from tests.support.refusals import refusal, refusal_code

from votes.core.choices import REASON_MAX
from votes.db.tables import Ballot
from votes.services.ballots import lifecycle, voting

TOO_LONG = "La fin de ce motif est ce qui compte. " * 30  # 1,140 characters


async def _status(ballot_id: int) -> str:
    row = await Ballot.select(Ballot.status).where(Ballot.id == ballot_id).first()
    assert row is not None
    return str(row["status"])


async def test_an_overlong_reason_is_refused_with_its_limit_at_every_step() -> None:
    assert len(TOO_LONG.strip()) > REASON_MAX
    organisation_id, assembly_id, members, _ = await planned_assembly(2)
    ballot_id = await motion(organisation_id, assembly_id)
    system = await lifecycle.system_actor(ballot_id)
    opening = await refusal(lifecycle.open_ballot(system, ballot_id, reason=TOO_LONG))
    assert opening.code == "reason_too_long"
    assert opening.detail == {"num": REASON_MAX}
    assert await _status(ballot_id) == "draft"
    await lifecycle.open_ballot(system, ballot_id)
    await voting.cast_vote(ballot_id, members[0], "yes")
    attempt = lifecycle.cancel_ballot(system, ballot_id, TOO_LONG)
    assert await refusal_code(attempt) == "reason_too_long"
    assert await _status(ballot_id) == "open"
    await lifecycle.close_ballot(system, ballot_id)
    attempt = lifecycle.reopen_ballot(system, ballot_id, TOO_LONG)
    assert await refusal_code(attempt) == "reason_too_long"
    assert await _status(ballot_id) == "closed"
    reason = "x" * REASON_MAX  # the longest the form allows is kept whole
    await lifecycle.cancel_ballot(system, ballot_id, reason)
    row = await Ballot.select(Ballot.cancel_reason).where(Ballot.id == ballot_id).first()
    assert row is not None
    assert row["cancel_reason"] == reason
