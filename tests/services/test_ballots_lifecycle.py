"""The ballot lifecycle and the integrity rules of voting, on the real database (both engines)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, tzinfo

import pytest
from tests.support.actors import scrutineer
from tests.support.factories import (
    advance_phase,
    ballot_open_to,
    close,
    motion,
    open_ballot,
    planned_assembly,
    publish,
)
from tests.support.papers import PAPER_COLUMNS
from tests.support.refusals import refusal_code

from votes.core.room_counts import RoomCount
from votes.db.tables import AuditEntry, Ballot, BallotPaper, Participation
from votes.services.actors import actor_for
from votes.services.ballots import counting, drafts, lifecycle, room_counts, voting
from votes.services.refusals import Refused

KEY = "instance-key-for-receipts"


async def test_a_retried_submission_returns_the_same_receipt_and_stores_one_vote() -> None:
    _, ballot_id, members = await ballot_open_to(1, secret=True)
    token = voting.new_submission_token()
    first = await voting.cast_vote(ballot_id, members[0], "yes", submission=token, receipt_key=KEY)
    again = await voting.cast_vote(ballot_id, members[0], "yes", submission=token, receipt_key=KEY)
    assert again.code == first.code
    assert again.repeated
    assert not first.repeated
    assert await BallotPaper.count().where(BallotPaper.ballot == ballot_id) == 1
    # another form (another token) is a second vote: refused, nothing stored
    attempt = voting.cast_vote(ballot_id, members[0], "no", receipt_key=KEY)
    assert await refusal_code(attempt) == "already_voted"
    assert await BallotPaper.count().where(BallotPaper.ballot == ballot_id) == 1


async def test_a_secret_vote_is_changed_only_by_its_voter_with_their_change_code() -> None:
    _, ballot_id, members = await ballot_open_to(2, secret=True, allow_change=True)
    mine = await voting.cast_vote(ballot_id, members[0], "yes", receipt_key=KEY)
    theirs = await voting.cast_vote(ballot_id, members[1], "yes", receipt_key=KEY)
    assert mine.change_code != mine.code
    assert await refusal_code(voting.change_vote(ballot_id, members[0], "no")) == "receipt_required"
    attempt = voting.change_vote(ballot_id, members[0], "no", change_code="AAAAABBBBB")
    assert await refusal_code(attempt) == "wrong_receipt"
    # the receipt code (shown, compared, fingerprinted in the published list) changes nothing
    attempt = voting.change_vote(ballot_id, members[0], "no", change_code=mine.code)
    assert await refusal_code(attempt) == "wrong_receipt"
    attempt = voting.change_vote(ballot_id, members[1], "no", change_code=mine.code)
    assert await refusal_code(attempt) == "wrong_receipt"
    # nor does another voter's change code, in anyone's hands but theirs
    attempt = voting.change_vote(ballot_id, members[0], "no", change_code=theirs.change_code)
    assert await refusal_code(attempt) == "wrong_receipt"
    attempt = voting.change_vote(ballot_id, members[1], "no", change_code=mine.change_code)
    assert await refusal_code(attempt) == "wrong_receipt"
    await voting.change_vote(ballot_id, members[0], "no", change_code=mine.change_code.lower())
    result = await close(ballot_id)
    assert result.rounds[0].totals["no"] == 1
    assert result.rounds[0].totals["yes"] == 1


class _AMinuteLater(datetime):
    """The services' clock, a minute on."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:
        return datetime.now(tz) + timedelta(minutes=1)


async def test_a_changed_vote_moves_the_time_of_the_members_last_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, ballot_id, members = await ballot_open_to(1, allow_change=True)
    first = await voting.cast_vote(ballot_id, members[0], "yes", receipt_key=KEY)
    # the clock moves on between the two words, as in a plenary
    monkeypatch.setattr(voting, "datetime", _AMinuteLater)
    changed = await voting.change_vote(ballot_id, members[0], "no")
    assert changed.changed
    assert changed.voted_at > first.voted_at
    stored = await Participation.select(Participation.voted_at).where(
        Participation.ballot == ballot_id
    )
    assert [row["voted_at"] for row in stored] == [changed.voted_at]


async def test_changing_is_refused_when_the_ballot_does_not_allow_it() -> None:
    _, ballot_id, members = await ballot_open_to(1)
    await voting.cast_vote(ballot_id, members[0], "yes")
    attempt = voting.change_vote(ballot_id, members[0], "no")
    assert await refusal_code(attempt) == "change_not_allowed"


async def test_every_vote_acknowledged_before_the_close_is_counted() -> None:
    _, ballot_id, members = await ballot_open_to(30, secret=True)

    async def vote(membership: int) -> str:
        try:
            await voting.cast_vote(ballot_id, membership, "yes", receipt_key=KEY)
        except Refused as error:
            return error.code  # only "not_open" is an acceptable refusal
        return "counted"

    tasks = [asyncio.ensure_future(vote(m)) for m in members]
    await asyncio.sleep(0)
    closing = asyncio.ensure_future(close(ballot_id))
    outcomes = await asyncio.gather(*tasks)
    assert set(outcomes) <= {"counted", "not_open"}
    acknowledged = outcomes.count("counted")
    result = await closing
    # the count may have been taken before or after each vote, never in the middle:
    # every acknowledged vote is in the stored papers, and the count is the papers'
    assert await BallotPaper.count().where(BallotPaper.ballot == ballot_id) == acknowledged
    recount = await counting.count_ballot(ballot_id)
    assert recount.rounds[0].totals["yes"] == acknowledged
    assert result.rounds[0].totals["yes"] <= acknowledged


async def test_a_vote_after_the_close_is_refused_and_changes_no_count() -> None:
    _, ballot_id, members = await ballot_open_to(2)
    await voting.cast_vote(ballot_id, members[0], "yes")
    await close(ballot_id)
    assert await refusal_code(voting.cast_vote(ballot_id, members[1], "no")) == "not_open"
    assert await Participation.count().where(Participation.ballot == ballot_id) == 1


@pytest.mark.parametrize(
    ("method", "choice", "code"),
    [
        ("irv", ["a", "a"], "duplicate_option"),
        ("irv", ["a", "zz"], "unknown_option"),
        ("irv", [], "empty_ranking"),
        ("score", {"a": 9}, "score_out_of_range"),
        ("score", {"a": True}, "score_out_of_range"),
        ("approval", ["a", "b", "c"], "too_many_approvals"),
        ("plurality", "forged", "unknown_option"),
        ("consent", ["objection", "  "], "reason_required"),
        ("consent", 42, "unknown_option"),
    ],
)
async def test_bad_choices_are_refused_before_anything_is_written(
    method: str, choice: object, code: str
) -> None:
    organisation_id, assembly_id, members, _ = await planned_assembly(1)
    options = (
        [("consent", "Consentement"), ("objection", "Objection")]
        if method == "consent"
        else [("a", "A"), ("b", "B"), ("c", "C")]
    )
    rules = {"max_selections": 2} if method == "approval" else {}
    ballot_id = await drafts.create_ballot(
        await actor_for(organisation_id), assembly_id, "Q", method, options, rules=rules
    )
    await open_ballot(ballot_id)
    assert await refusal_code(voting.cast_vote(ballot_id, members[0], choice)) == code
    assert await Participation.count().where(Participation.ballot == ballot_id) == 0


async def test_voting_in_another_organisations_ballot_or_as_an_observer_is_refused() -> None:
    organisation_id, assembly_id, _, observers = await planned_assembly(1, observers=1)
    _, _, outsiders, _ = await planned_assembly(1)
    ballot_id = await motion(organisation_id, assembly_id)
    await open_ballot(ballot_id)
    for membership in (observers[0], outsiders[0]):
        assert await refusal_code(voting.cast_vote(ballot_id, membership, "yes")) == "not_eligible"


async def test_the_lifecycle_is_audited_and_reopening_needs_a_reason() -> None:
    organisation_id, ballot_id, members = await ballot_open_to(3, duration_seconds=120)
    row = await Ballot.select().where(Ballot.id == ballot_id).first()
    assert row is not None
    assert row["eligible_at_open"] == 3
    assert row["closes_at"] is not None
    await voting.cast_vote(ballot_id, members[0], "yes")
    await close(ballot_id)
    attempt = lifecycle.reopen_ballot(await lifecycle.system_actor(ballot_id), ballot_id, "  ")
    assert await refusal_code(attempt) == "reason_required"
    await lifecycle.reopen_ballot(
        await lifecycle.system_actor(ballot_id), ballot_id, "Un associé n'avait pas reçu le lien"
    )
    await voting.cast_vote(ballot_id, members[1], "no")
    await close(ballot_id)
    await publish(ballot_id)
    attempt = lifecycle.reopen_ballot(
        await lifecycle.system_actor(ballot_id), ballot_id, "trop tard"
    )
    assert await refusal_code(attempt) == "not_closed"
    attempt = lifecycle.cancel_ballot(
        await lifecycle.system_actor(ballot_id), ballot_id, "trop tard"
    )
    assert await refusal_code(attempt) == "finished"
    actions = [
        row["action"]
        for row in await AuditEntry.select(AuditEntry.action)
        .where(
            (AuditEntry.organisation == organisation_id)  # a chain is one organisation's
            & (AuditEntry.subject == f"ballot:{ballot_id}")
        )
        .order_by(AuditEntry.sequence)
    ]
    assert actions == [
        "ballot.created",
        "ballot.opened",
        "ballot.closed",
        "ballot.reopened",
        "ballot.closed",
        "ballot.published",
    ]
    final = await Ballot.select().where(Ballot.id == ballot_id).first()
    assert final is not None
    assert final["eligible_at_close"] == 3


async def test_a_foreign_organisation_cannot_drive_the_lifecycle() -> None:
    organisation_id, assembly_id, _, _ = await planned_assembly(1)
    other_organisation, _, _, _ = await planned_assembly(1)
    ballot_id = await motion(organisation_id, assembly_id)
    attempt = lifecycle.open_ballot(await actor_for(other_organisation), ballot_id)
    assert await refusal_code(attempt) == "not_found"


async def test_secret_papers_cannot_be_linked_to_the_register() -> None:
    _, ballot_id, members = await ballot_open_to(24, secret=True)
    choices = ["yes", "no", "abstain"]
    for index, membership in enumerate(members):
        await voting.cast_vote(
            ballot_id, membership, choices[index % 3], submission=f"form-{index}", receipt_key=KEY
        )
    await close(ballot_id)
    register = await Participation.select().where(Participation.ballot == ballot_id)
    papers = await BallotPaper.select().where(BallotPaper.ballot == ballot_id)
    assert len(papers) == len(register) == 24
    for paper in papers:
        # nothing on a paper names a voter or a time, and no column is shared with the register
        assert paper["voter"] is None
        assert set(paper) == PAPER_COLUMNS
        assert paper["weight_group"] == ""  # a college is written only when votes are weighted
    # the register keeps a hash of each form's token, never the receipt or its hash
    receipt_hashes = {paper["receipt_hash"] for paper in papers}
    assert not receipt_hashes & {row["submission_hash"] for row in register}
    # and the papers' stored order does not follow the order of the votes
    stored_order = [json.loads(paper["content"]) for paper in papers]
    assert stored_order != [choices[i % 3] for i in range(24)]


async def test_a_room_count_is_merged_with_checks() -> None:
    organisation_id, ballot_id, members = await ballot_open_to(10)
    await voting.cast_vote(ballot_id, members[0], "yes")
    await voting.cast_vote(ballot_id, members[1], "no")
    bad = [
        (RoomCount({"yes": -1}, cast=-1), "negative_count"),
        (RoomCount({"yes": 2, "no": 1}, blank=1, cast=3), "count_mismatch"),
        (RoomCount({"yes": 9}, cast=9), "too_many_votes"),
        (RoomCount({"forged": 1}, cast=1), "unknown_option"),
    ]
    for count, code in bad:
        attempt = room_counts.record_room_count(
            await scrutineer(organisation_id, members[2]), ballot_id, count
        )
        assert await refusal_code(attempt) == code
    good = RoomCount({"yes": 3, "no": 1, "abstain": 0}, blank=1, invalid=1, cast=6)
    await room_counts.record_room_count(
        await scrutineer(organisation_id, members[2]), ballot_id, good
    )
    result = await close(ballot_id)
    totals = result.rounds[0].totals
    assert (totals["yes"], totals["no"], totals["blank"], totals["invalid"]) == (4, 2, 1, 1)


async def test_consent_rounds_keep_every_round_and_adopt_only_without_objection() -> None:
    _, ballot_id, members = await ballot_open_to(
        3,
        question="Consentez-vous à la nouvelle charte ?",
        method="consent",
        choices=[("consent", "Consentement"), ("concern", "Réserve"), ("objection", "Objection")],
        facilitated=True,
    )
    assert await refusal_code(voting.cast_vote(ballot_id, members[0], "consent")) == "not_yet"
    assert await advance_phase(ballot_id) == "reactions"
    assert await advance_phase(ballot_id) == "consent"
    await voting.cast_vote(ballot_id, members[0], ["objection", "Le budget manque"])
    await voting.cast_vote(ballot_id, members[1], "consent")
    first = await close(ballot_id)
    assert first.verdict == "blocked"
    assert (
        await lifecycle.rerun_consent_round(
            await lifecycle.system_actor(ballot_id), ballot_id, "Budget ajouté en annexe"
        )
        == 2
    )
    await advance_phase(ballot_id)
    await advance_phase(ballot_id)
    # everyone answers again in the new round
    for membership in members:
        await voting.cast_vote(ballot_id, membership, "consent")
    second = await close(ballot_id)
    assert second.verdict == "adopted"
    row = await Ballot.select(Ballot.earlier_rounds).where(Ballot.id == ballot_id).first()
    assert row is not None
    earlier = json.loads(row["earlier_rounds"])
    assert [r["amendment"] for r in earlier] == ["Budget ajouté en annexe"]


async def test_bad_settings_are_refused() -> None:
    organisation_id, assembly_id, _, _ = await planned_assembly(1)
    cases = [
        ({"method": "nope"}, "unknown_method"),
        ({"options": [("a", "A")]}, "too_few_options"),
        ({"options": [("a", "A"), ("a", "B")]}, "duplicate_option"),
        ({"seats": 2, "method": "irv"}, "bad_seats"),
        ({"rules": {"threshold": "3/2"}, "method": "majority"}, "bad_threshold"),
    ]
    for change, code in cases:
        options: dict[str, object] = {
            "method": "plurality",
            "options": [("a", "A"), ("b", "B"), ("c", "C")],
        } | change
        if options["method"] == "majority":
            options["options"] = [("yes", "Pour"), ("no", "Contre")]
        attempt = drafts.create_ballot(
            await actor_for(organisation_id),
            assembly_id,
            "Q",
            str(options["method"]),
            options["options"],  # type: ignore[arg-type]
            seats=int(options.get("seats", 1)),  # type: ignore[call-overload]
            rules=options.get("rules"),  # type: ignore[arg-type]
        )
        assert await refusal_code(attempt) == code
