"""Casting and counting votes through the services, against the real database."""

from __future__ import annotations

import json

import pytest
from tests.support.factories import ballot_open_to, close, motion, open_ballot, planned_assembly
from tests.support.papers import PAPER_COLUMNS
from tests.support.refusals import refusal_code

from votes.core.receipts import receipt_hash
from votes.db.tables import BallotPaper, Participation
from votes.services.ballots import counting, voting

# every vote here is stored once by each storage adapter, on the same database
pytestmark = pytest.mark.usefixtures("each_vote_storage")


async def test_a_member_votes_once_and_a_second_vote_changes_no_count() -> None:
    _, ballot_id, members = await ballot_open_to(2)
    await voting.cast_vote(ballot_id, members[0], "yes")
    assert await refusal_code(voting.cast_vote(ballot_id, members[0], "no")) == "already_voted"
    assert await BallotPaper.count().where(BallotPaper.ballot == ballot_id) == 1
    result = await close(ballot_id)
    assert result.rounds[0].totals["yes"] == 1
    assert result.rounds[0].totals["no"] == 0


async def test_the_database_itself_refuses_a_second_participation() -> None:
    _, ballot_id, members = await ballot_open_to(1)
    await voting.cast_vote(ballot_id, members[0], "yes")
    with pytest.raises(Exception, match=r"(?i)unique"):
        await Participation.insert(
            Participation(
                ballot=ballot_id,
                membership=members[0],
                participation_key=f"{ballot_id}:{members[0]}",
            )
        )


async def test_votes_outside_the_open_window_or_by_non_voters_are_refused() -> None:
    organisation_id, assembly_id, members, observers = await planned_assembly(1, observers=1)
    _other_organisation, _, outsiders, _ = await planned_assembly(1)
    ballot_id = await motion(organisation_id, assembly_id)
    attempt = voting.cast_vote(ballot_id, members[0], "yes")
    assert await refusal_code(attempt) == "not_open"  # still a draft
    await open_ballot(ballot_id)
    for membership in (observers[0], outsiders[0]):
        assert await refusal_code(voting.cast_vote(ballot_id, membership, "yes")) == "not_eligible"
    await close(ballot_id)
    attempt = voting.cast_vote(ballot_id, members[0], "yes")
    assert await refusal_code(attempt) == "not_open"  # after the close
    assert await BallotPaper.count().where(BallotPaper.ballot == ballot_id) == 0


async def test_secret_papers_carry_nothing_that_leads_back_to_the_voter() -> None:
    _, ballot_id, members = await ballot_open_to(3, secret=True)
    receipts = [
        (await voting.cast_vote(ballot_id, member, choice)).code
        for member, choice in zip(members, ["yes", "no", "yes"], strict=True)
    ]
    # while the ballot is open its papers are sealed: neither the choice nor the receipt's
    # hash can be read, and every paper has the same length
    sealed = await BallotPaper.select().where(BallotPaper.ballot == ballot_id)
    assert all(paper["content"].startswith("sealed:") for paper in sealed)
    assert len({len(paper["content"]) for paper in sealed}) == 1
    assert not {p["receipt_hash"] for p in sealed} & {receipt_hash(c) for c in receipts}
    await close(ballot_id)
    papers = await BallotPaper.select().where(BallotPaper.ballot == ballot_id)
    assert len(papers) == 3
    assert not {str(p["id"]) for p in papers} & {str(p["id"]) for p in sealed}
    for paper in papers:
        assert paper["voter"] is None
        # no time column, nothing but the ballot, its round and the choice (and a college
        # only when the ballot is weighted by college: not here)
        assert set(paper) == PAPER_COLUMNS
        assert paper["weight_group"] == ""
        assert json.loads(paper["content"]) in ("yes", "no")
    # the ids are random, so their order says nothing about the order of the votes
    assert all(len(str(paper["id"])) == 36 for paper in papers)
    # each voter can find their own paper by the receipt code only they were given
    hashes = {paper["receipt_hash"] for paper in papers}
    assert {receipt_hash(code) for code in receipts} == hashes


async def test_closing_counts_with_the_core_and_a_recount_agrees() -> None:
    _, ballot_id, members = await ballot_open_to(
        4,
        question="Élection",
        method="irv",
        choices=[("a", "A"), ("b", "B"), ("c", "C")],
        rules={"seed": "recount"},
    )
    for member, ranking in zip(members, [["a", "b"], ["b", "a"], ["c", "b"], ["b"]], strict=True):
        await voting.cast_vote(ballot_id, member, ranking)
    result = await close(ballot_id)
    assert result.winners == ("b",)
    assert await counting.count_ballot(ballot_id) == result
