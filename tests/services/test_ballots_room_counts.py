"""Room counts of approval ballots: papers counted per option, checked, merged and recounted
the same way by the audit (both engines)."""

from __future__ import annotations

from collections import Counter

import pytest
from tests.support.actors import scrutineer
from tests.support.factories import ballot_open_to, close
from tests.support.refusals import refusal_code

from votes.core.room_counts import RoomCount, room_approval_papers
from votes.services import integrity
from votes.services.ballots import counting, room_counts, voting

OPTIONS = [("a", "Alice"), ("b", "Bruno"), ("c", "Chloé"), ("d", "Driss")]


async def _approval(count: int, **rules: int) -> tuple[int, int, list[int]]:
    return await ballot_open_to(
        count, question="Qui au conseil ?", method="approval", choices=OPTIONS, seats=2, rules=rules
    )


@pytest.mark.parametrize(
    ("count", "code"),
    [
        (RoomCount({"a": 4}, cast=3), "approvals_over_papers"),
        (RoomCount({"a": 1, "b": 1}, blank=1, cast=4), "approvals_too_few"),
        (RoomCount({"a": 3, "b": 3, "c": 1}, cast=3), "approvals_over_limit"),
        (RoomCount({}, blank=2, invalid=2, cast=3), "papers_mismatch"),
        (RoomCount({"a": -1}, cast=1), "negative_count"),
        (RoomCount({"zz": 1}, cast=1), "unknown_option"),
    ],
)
async def test_approval_counts_that_do_not_add_up_are_refused(count: RoomCount, code: str) -> None:
    organisation_id, ballot_id, members = await _approval(10, max_selections=2)
    attempt = room_counts.record_room_count(
        await scrutineer(organisation_id, members[0]), ballot_id, count
    )
    assert await refusal_code(attempt) == code
    assert await counting.room_count_of(ballot_id, 1) is None


async def test_approval_papers_join_the_count_and_the_audit_recounts_the_same() -> None:
    organisation_id, ballot_id, members = await _approval(12, max_selections=3)
    await voting.cast_vote(ballot_id, members[0], ["a", "d"])
    await voting.cast_vote(ballot_id, members[1], [])  # approves none: a blank vote
    # 6 papers: 1 blank, 1 invalid, 4 valid holding 9 approvals (at most 3 each)
    room = RoomCount({"a": 4, "b": 3, "c": 2, "d": 0}, blank=1, invalid=1, cast=6)
    await room_counts.record_room_count(
        await scrutineer(organisation_id, members[2]), ballot_id, room
    )
    result = await close(ballot_id)
    totals = result.rounds[0].totals
    assert [totals[key] for key in "abcd"] == [5, 3, 2, 1]
    assert result.details["voters"] == 2 + 4 + 1  # invalid papers are no votes
    assert result.winners == ("a", "b")
    assert await integrity.verify_ballot(organisation_id, ballot_id) == []


async def test_blank_papers_are_no_voters_when_the_ballot_asks_for_an_approval() -> None:
    organisation_id, ballot_id, members = await _approval(5, min_selections=1)
    room = RoomCount({"a": 2, "b": 1}, blank=1, cast=3)
    await room_counts.record_room_count(
        await scrutineer(organisation_id, members[0]), ballot_id, room
    )
    result = await close(ballot_id)
    assert result.details["voters"] == 2  # an empty paper is not a valid approval here


@pytest.mark.parametrize(
    ("counts", "valid", "most"),
    [({"a": 5, "b": 5, "c": 5, "d": 5}, 5, 4), ({"a": 7, "b": 1, "c": 0, "d": 2}, 7, 2)],
)
def test_rebuilt_papers_hold_exactly_the_counted_approvals(
    counts: dict[str, int], valid: int, most: int
) -> None:
    room = RoomCount(counts, cast=valid)
    room_counts.check_room_count("approval", {"max_selections": most}, room)
    papers = room_approval_papers([key for key, _ in OPTIONS], room)
    assert sum(papers.values()) == valid
    assert all(1 <= len(paper) <= most for paper in papers)
    approved: Counter[str] = Counter()
    for paper, number in papers.items():
        for key in paper:
            approved[key] += number
    assert {key: approved[key] for key in counts} == counts
