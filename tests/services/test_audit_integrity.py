"""Ballot boxes are sealed at close; a changed, added or removed paper, an edited room count
or a stored result that a recount does not give are all reported, never repaired."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from tests.support.actors import scrutineer
from tests.support.factories import close, new_ballot

from votes.core.room_counts import RoomCount
from votes.db.tables import AuditEntry, Ballot, BallotPaper, MembershipKind, PaperCount
from votes.services import accounts, assemblies, audit, integrity, organisations
from votes.services.actors import actor_for
from votes.services.ballots import room_counts, voting


async def _closed_ballot(*, secret: bool) -> tuple[int, int, list[int]]:
    suffix = uuid.uuid4().hex[:8]
    organisation_id = await organisations.create_organisation(f"Sceau {suffix}", f"s-{suffix}")
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AG", datetime.now(UTC)
    )
    members = []
    for index in range(5):
        person = await accounts.create_person(f"S{suffix}-{index}", None, None)
        members.append(
            await organisations.add_membership(organisation_id, person, kind=MembershipKind.MEMBER)
        )
    ballot_id = await new_ballot(
        organisation_id, assembly_id, "Adopte-t-on ?", secret=secret, opened=True
    )
    for membership_id, choice in zip(members, ["yes", "yes", "yes", "no"], strict=False):
        await voting.cast_vote(ballot_id, membership_id, choice)
    await close(ballot_id)
    return organisation_id, ballot_id, members


async def test_the_close_seals_the_papers_without_naming_secret_voters() -> None:
    organisation_id, ballot_id, _ = await _closed_ballot(secret=True)
    sealed = await audit.latest_entry(organisation_id, "ballot.closed", f"ballot:{ballot_id}")
    assert sealed is not None
    details = sealed[1]
    assert details["papers"] == 4
    assert len(details["box_digest"]) == 64
    # no choice, no voter: digests of the options and of the register, and numbers
    assert set(details) == {
        "round",
        "papers",
        "box_digest",
        "options_digest",
        "register_digest",
        "participations",
    }
    assert await integrity.verify_ballot(organisation_id, ballot_id) == []
    assert await audit.verify_chain(organisation_id) is None


async def test_a_changed_vote_is_detected_by_the_seal_and_the_recount() -> None:
    organisation_id, ballot_id, _ = await _closed_ballot(secret=True)
    paper = (
        await BallotPaper.select(BallotPaper.id)
        .where((BallotPaper.ballot == ballot_id) & (BallotPaper.content == json.dumps("no")))
        .first()
    )
    assert paper is not None
    await BallotPaper.update({BallotPaper.content: json.dumps("yes")}).where(
        BallotPaper.id == paper["id"]
    )
    reasons = {f.reason for f in await integrity.verify_ballot(organisation_id, ballot_id)}
    assert reasons == {"papers_changed", "result_differs"}


async def test_a_removed_paper_and_an_edited_stored_result_are_detected() -> None:
    organisation_id, ballot_id, _ = await _closed_ballot(secret=False)
    first = await BallotPaper.select(BallotPaper.id).where(BallotPaper.ballot == ballot_id).first()
    assert first is not None
    await BallotPaper.delete().where(BallotPaper.id == first["id"])
    findings = await integrity.verify_ballot(organisation_id, ballot_id)
    changed = next(f for f in findings if f.reason == "papers_changed")
    assert "4 papers" in changed.detail
    assert "3 stored now" in changed.detail

    other_organisation, other_ballot, _ = await _closed_ballot(secret=False)
    row = await Ballot.select(Ballot.result).where(Ballot.id == other_ballot).first()
    assert row is not None
    forged = json.loads(row["result"])
    forged["verdict"] = "rejected"
    await Ballot.update({Ballot.result: json.dumps(forged)}).where(Ballot.id == other_ballot)
    reasons = [f.reason for f in await integrity.verify_ballot(other_organisation, other_ballot)]
    assert reasons == ["result_differs"]


async def test_an_edited_room_count_is_detected() -> None:
    organisation_id, ballot_id, members = await _closed_ballot(secret=False)
    await room_counts.record_room_count(
        await scrutineer(organisation_id, members[0]),
        ballot_id,
        RoomCount({"yes": 1}, cast=1),
    )
    assert await integrity.verify_ballot(organisation_id, ballot_id) == []
    await PaperCount.update({PaperCount.counts: json.dumps({"no": 1})}).where(
        PaperCount.ballot == ballot_id
    )
    reasons = {f.reason for f in await integrity.verify_ballot(organisation_id, ballot_id)}
    assert "room_count_changed" in reasons


async def test_the_whole_report_names_chain_breaks_and_ballot_findings() -> None:
    organisation_id, _ballot_id, _ = await _closed_ballot(secret=True)
    await AuditEntry.update({AuditEntry.subject: "ballot:0"}).where(
        (AuditEntry.organisation == organisation_id) & (AuditEntry.action == "ballot.opened")
    )
    report = await integrity.verify_everything()
    assert not report.intact
    assert any(b.organisation_id == organisation_id for b in report.chain_breaks)
    assert report.ballots_checked >= 1
