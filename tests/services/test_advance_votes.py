"""Votes by correspondence (#18) through the real services: members answer before the
assembly, the room votes, the close adds the postal channel; quorum, double counting,
secrecy, paper forms under dual control and the attacks (both engines)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.support.actors import scrutineer
from tests.support.audit_trail import audit_details
from tests.support.factories import Assembly, close, general_assembly, member_actor, open_ballot
from tests.support.refusals import refusal, refusal_code

from votes.core import Verdict
from votes.core.results import TallyResult
from votes.core.rules import PostalRule, preset
from votes.db import attendance_queries as aq
from votes.db.tables import (
    AdvancePaper,
    AdvanceParticipation,
    Amendment,
    AuditEntry,
    Ballot,
    LegalForm,
    Membership,
    MembershipStatus,
)
from votes.db.tables import Assembly as AssemblyTable
from votes.services import advance_votes, attendance, paper_forms, rules
from votes.services.actors import Actor, actor_for
from votes.services.ballots import counting, lifecycle, voting


async def postal_assembly(
    members: int = 10,
    *,
    on_arrival: str = "stand",
    room_motions: str = "against",
    dual_control: bool = False,
    allowed: bool = True,
    legal_form: LegalForm = LegalForm.SCOP_SA,
) -> Assembly:
    """A convened AGO in ten days, under a profile that allows postal votes."""
    ga = await general_assembly(members, legal_form=legal_form)
    key = {LegalForm.SCOP_SA: "scop_sa", LegalForm.SCOP_SARL: "scop_sarl"}[legal_form]
    profile = replace(
        preset(key),
        postal=PostalRule(allowed=allowed, on_arrival=on_arrival, room_motions=room_motions),
        dual_control=dual_control,
        adjusted=True,
    )
    await rules.save_profile(await actor_for(ga.organisation_id), profile)
    await AssemblyTable.update(
        {
            AssemblyTable.status: "convened",
            AssemblyTable.starts_at: datetime.now(UTC) + timedelta(days=10),
        }
    ).where(AssemblyTable.id == ga.assembly_id)
    return ga


async def actor(ga: Assembly, index: int) -> Actor:
    return await actor_for(ga.organisation_id, ga.members[index])


async def in_session(ga: Assembly) -> None:
    await AssemblyTable.update({AssemblyTable.status: "in_session"}).where(
        AssemblyTable.id == ga.assembly_id
    )


async def snapshot(ballot_id: int) -> dict[str, Any]:
    row = await Ballot.select(Ballot.rule_snapshot).where(Ballot.id == ballot_id).first()
    assert row is not None
    found: dict[str, Any] = json.loads(row["rule_snapshot"])
    return found


async def totals(ballot_id: int) -> dict[str, int]:
    row = await Ballot.select(Ballot.result).where(Ballot.id == ballot_id).first()
    assert row is not None
    result = TallyResult.from_json(row["result"])
    return {str(k): int(v) for k, v in result.rounds[0].totals.items()}


async def test_advance_votes_are_a_channel_of_their_own_in_the_count_and_the_quorum() -> None:
    ga = await postal_assembly(10)
    first, second = await ga.motion(), await ga.motion()
    for index, answer in ((7, "yes"), (8, "no"), (9, "yes")):
        answered = await advance_votes.cast_advance_votes(
            await actor(ga, index), ga.assembly_id, {first: answer, second: "abstain"}
        )
        assert answered == [first, second]
    await in_session(ga)
    await ga.check_in(*range(5))
    banner = await attendance.quorum_banner(ga.organisation_id, ga.assembly_id)
    assert banner is not None
    assert (banner.present, banner.postal, banner.participants) == (5, 3, 8)
    lines = {line.membership_id: line.status for line in await aq.attendance_register(
        ga.organisation_id, ga.assembly_id
    )}  # fmt: skip
    assert lines[ga.members[7]] == "postal"
    assert lines[ga.members[6]] == "absent"
    await ga.vote(first, {"yes": 2, "no": 3})
    result = await close(first)
    assert result.verdict is Verdict.REJECTED  # 2 + 2 for, 3 + 1 against
    counted = (await snapshot(first))["count"]
    assert counted["postal"] == {"no": 1, "yes": 2}
    assert counted["postal_voters"] == 3
    assert counted["participants"] == 8
    assert (await totals(first))["yes"] == 4
    assert (await totals(first))["no"] == 4


async def test_the_latest_answer_counts_and_two_tabs_never_make_two_votes() -> None:
    ga = await postal_assembly(5)
    ballot_id = await ga.motion()
    member = await actor(ga, 0)
    await advance_votes.cast_advance_votes(member, ga.assembly_id, {ballot_id: "no"})
    await advance_votes.cast_advance_votes(member, ga.assembly_id, {ballot_id: "yes"})
    await advance_votes.cast_advance_votes(member, ga.assembly_id, {ballot_id: "yes"})
    assert await AdvanceParticipation.count().where(AdvanceParticipation.ballot == ballot_id) == 1
    assert await AdvancePaper.count().where(AdvancePaper.ballot == ballot_id) == 1
    [shown] = await advance_votes.resolutions(member, ga.assembly_id)
    assert shown.answer == "yes"
    assert shown.channel == "online"
    await in_session(ga)
    await ga.check_in(1, 2)
    await ga.vote(ballot_id, {"no": 2}, start=1)
    await close(ballot_id)
    assert (await snapshot(ballot_id))["count"]["postal"] == {"yes": 1}


async def _answered_by_post(*ballot_ids: int) -> bool:
    """Whether anybody took part by correspondence in any of these ballots."""
    return await AdvanceParticipation.exists().where(
        AdvanceParticipation.ballot.is_in(list(ballot_ids))
    )


async def test_after_the_deadline_or_when_the_profile_forbids_it_nothing_is_stored() -> None:
    ga = await postal_assembly(3)
    ballot_id = await ga.motion()
    await AssemblyTable.update(
        {AssemblyTable.starts_at: datetime.now(UTC) + timedelta(hours=2)}
    ).where(AssemblyTable.id == ga.assembly_id)  # the day before at 15:00 has passed
    attempt = advance_votes.cast_advance_votes(
        await actor(ga, 0), ga.assembly_id, {ballot_id: "yes"}
    )
    assert await refusal_code(attempt) == "postal_closed"
    forbidden = await postal_assembly(3, allowed=False)
    other = await forbidden.motion()
    attempt = advance_votes.cast_advance_votes(
        await actor(forbidden, 0), forbidden.assembly_id, {other: "yes"}
    )
    assert await refusal_code(attempt) == "postal_not_allowed"
    assert not await _answered_by_post(ballot_id, other)


async def test_attacks_are_refused_and_change_nothing() -> None:
    ga = await postal_assembly(3)
    ballot_id = await ga.motion()
    elsewhere = await postal_assembly(3)
    foreign = await elsewhere.motion()
    member = await actor(ga, 0)
    # a ballot of another assembly (another cooperative's), and a forged id
    for forged in (foreign, 999_999):
        attempt = advance_votes.cast_advance_votes(member, ga.assembly_id, {forged: "yes"})
        assert await refusal_code(attempt) == "not_found"
    # another cooperative's member acting on this assembly: not found there
    attempt = advance_votes.cast_advance_votes(
        await actor(elsewhere, 0), ga.assembly_id, {ballot_id: "yes"}
    )
    assert await refusal_code(attempt) == "not_found"
    # an answer that is not one
    attempt = advance_votes.cast_advance_votes(member, ga.assembly_id, {ballot_id: "maybe"})
    assert await refusal_code(attempt) == "postal_bad_answer"
    # a suspended member
    await Membership.update({Membership.status: MembershipStatus.SUSPENDED.value}).where(
        Membership.id == ga.members[1]
    )
    attempt = advance_votes.cast_advance_votes(
        await actor(ga, 1), ga.assembly_id, {ballot_id: "yes"}
    )
    assert await refusal_code(attempt) == "read_only"
    # a plain member cannot enter paper forms
    attempt = paper_forms.enter_paper_form(member, ga.assembly_id, ga.members[2], {ballot_id: "no"})
    assert await refusal_code(attempt) == "scrutineers_only"
    assert not await _answered_by_post(ballot_id, foreign)


async def test_observers_cannot_vote_by_correspondence() -> None:
    ga = await postal_assembly(2)
    ballot_id = await ga.motion()
    observer = await member_actor(ga.organisation_id)
    await Membership.update({Membership.kind: "observer"}).where(
        Membership.id == observer.membership_id
    )
    attempt = advance_votes.cast_advance_votes(
        await actor_for(ga.organisation_id, observer.membership_id),
        ga.assembly_id,
        {ballot_id: "yes"},
    )
    assert await refusal_code(attempt) == "read_only"


@pytest.mark.usefixtures("each_vote_storage")
async def test_a_postal_voter_who_comes_cannot_vote_twice_when_the_advance_vote_stands() -> None:
    ga = await postal_assembly(4, on_arrival="stand")
    ballot_id = await ga.motion()
    await advance_votes.cast_advance_votes(await actor(ga, 0), ga.assembly_id, {ballot_id: "no"})
    await in_session(ga)
    await ga.check_in(0, 1)
    banner = await attendance.quorum_banner(ga.organisation_id, ga.assembly_id)
    assert banner is not None
    assert (banner.present, banner.postal) == (2, 0)
    await open_ballot(ballot_id)
    assert await refusal_code(voting.cast_vote(ballot_id, ga.members[0], "yes")) == "voted_by_post"
    await voting.cast_vote(ballot_id, ga.members[1], "yes")
    await close(ballot_id)
    counted = (await snapshot(ballot_id))["count"]
    assert counted["postal"] == {"no": 1}
    assert counted["papers"] == 2
    assert counted["participants"] == 2


@pytest.mark.usefixtures("each_vote_storage")
async def test_when_the_room_replaces_them_a_postal_voter_who_comes_is_counted_once() -> None:
    ga = await postal_assembly(4, on_arrival="replaced")
    ballot_id = await ga.motion(secret=True)
    await advance_votes.cast_advance_votes(await actor(ga, 0), ga.assembly_id, {ballot_id: "no"})
    await advance_votes.cast_advance_votes(await actor(ga, 1), ga.assembly_id, {ballot_id: "no"})
    # before the close: no voter on a secret paper, and a tag nobody can compute without the
    # instance's secret key (it names neither the member nor the ballot)
    sealed = await AdvancePaper.select().where(AdvancePaper.ballot == ballot_id)
    assert [p["voter"] for p in sealed] == [None, None]
    unkeyed = {hashlib.sha256(f"advance:{ballot_id}:{m}".encode()).hexdigest() for m in ga.members}
    assert all(len(p["tag"]) == 64 and p["tag"] not in unkeyed for p in sealed)
    await in_session(ga)
    await ga.check_in(0, 2)
    await open_ballot(ballot_id)
    await voting.cast_vote(ballot_id, ga.members[0], "yes")
    await voting.cast_vote(ballot_id, ga.members[2], "yes")
    await close(ballot_id)
    counted = (await snapshot(ballot_id))["count"]
    assert counted["postal"] == {"no": 1}  # member 0's form is left out: the room replaced it
    assert counted["papers"] == 3
    assert (await totals(ballot_id)) == {"yes": 2, "no": 1, "abstain": 0}
    # the envelopes are open: no tag, no voter on a secret ballot
    papers = await AdvancePaper.select().where(AdvancePaper.ballot == ballot_id)
    assert [(p["tag"], p["voter"]) for p in papers] == [("", None)]
    # and a recount from the frozen inputs (read-only) gives the stored result
    recounted = await counting.count_ballot(ballot_id)
    assert {str(k): int(v) for k, v in recounted.rounds[0].totals.items()} == await totals(
        ballot_id
    )


async def test_a_motion_raised_in_the_room_counts_postal_voters_as_the_profile_says() -> None:
    for room_motions, expected in (("against", {"no": 2}), ("abstain", {"abstain": 2})):
        ga = await postal_assembly(6, room_motions=room_motions)
        resolution = await ga.motion()
        for index in (4, 5):
            await advance_votes.cast_advance_votes(
                await actor(ga, index), ga.assembly_id, {resolution: "yes"}
            )
        await in_session(ga)
        await ga.check_in(0, 1, 2)
        amendment = await ga.motion()
        await _as_amendment(ga, amendment)
        await ga.vote(amendment, {"yes": 3})
        await close(amendment)
        assert (await snapshot(amendment))["count"]["postal"] == expected
        # and it is not on the postal form
        shown = await advance_votes.resolutions(await actor(ga, 4), ga.assembly_id)
        assert [r.ballot_id for r in shown] == [resolution]


async def _as_amendment(ga: Assembly, ballot_id: int) -> None:
    from votes.services import proposals

    person = (
        await Membership.select(Membership.person).where(Membership.id == ga.members[0]).first()
    )
    assert person is not None
    proposal_id = await proposals.create_proposal(
        ga.organisation_id, ga.assembly_id, person["person"], "Proposition", "Texte."
    )
    await Amendment.insert(
        Amendment(
            organisation=ga.organisation_id,
            proposal=proposal_id,
            number=1,
            amendment_key=f"{proposal_id}:1",
            author=person["person"],
            base_version=1,
            status="voting",
            ballot_id=ballot_id,
        )
    )


async def _two_scrutineers(ga: Assembly) -> tuple[Actor, Actor]:
    """Two new members made scrutineers, acting (a paper form needs one to enter it and the
    other to confirm it)."""
    made = []
    for _ in range(2):
        member = await member_actor(ga.organisation_id)
        made.append(await scrutineer(ga.organisation_id, member.membership_id))
    return made[0], made[1]


async def test_paper_forms_need_a_second_scrutineer_and_never_double_an_online_vote() -> None:
    ga = await postal_assembly(5, dual_control=True)
    ballot_id = await ga.motion()
    one, two = await _two_scrutineers(ga)
    await advance_votes.cast_advance_votes(await actor(ga, 0), ga.assembly_id, {ballot_id: "yes"})
    attempt = paper_forms.enter_paper_form(one, ga.assembly_id, ga.members[0], {ballot_id: "no"})
    assert await refusal_code(attempt) == "postal_already_answered"
    await paper_forms.enter_paper_form(one, ga.assembly_id, ga.members[1], {ballot_id: "no"})
    # the member cannot change a paper form online
    attempt = advance_votes.cast_advance_votes(
        await actor(ga, 1), ga.assembly_id, {ballot_id: "yes"}
    )
    assert await refusal_code(attempt) == "postal_paper_entered"
    attempt = paper_forms.confirm_paper_form(one, ga.assembly_id, ga.members[1])
    assert await refusal_code(attempt) == "postal_same_scrutineer"
    # a form still pending is not counted
    await paper_forms.enter_paper_form(one, ga.assembly_id, ga.members[2], {ballot_id: "no"})
    assert await paper_forms.confirm_paper_form(two, ga.assembly_id, ga.members[1]) == 1
    forms = await paper_forms.paper_forms(ga.organisation_id, ga.assembly_id)
    assert [(f.membership_id, f.pending) for f in forms] == sorted(
        [(ga.members[1], False), (ga.members[2], True)],
        key=lambda pair: next(f.name for f in forms if f.membership_id == pair[0]).casefold(),
    )
    await in_session(ga)
    await ga.check_in(3, 4)
    await ga.vote(ballot_id, {"yes": 2}, start=3)
    await lifecycle.close_ballot(
        await lifecycle.system_actor(ballot_id), ballot_id, leave_pending=True
    )
    assert (await snapshot(ballot_id))["count"]["postal"] == {"no": 1, "yes": 1}
    actions = [
        row["action"]
        for row in await AuditEntry.select(AuditEntry.action).where(
            AuditEntry.organisation == ga.organisation_id
        )
    ]
    assert {"postal.voted", "postal.paper_entered", "postal.paper_confirmed"} <= set(actions)
    closed = await audit_details("ballot.closed", subject=f"ballot:{ballot_id}")
    assert json.loads(closed)["postal"] == {"no": 1, "yes": 1}  # sealed too


async def test_two_tabs_at_once_store_one_answer_and_a_public_paper_names_its_voter() -> None:
    import asyncio

    ga = await postal_assembly(3)
    ballot_id = await ga.motion()
    member = await actor(ga, 0)
    await asyncio.gather(
        advance_votes.cast_advance_votes(member, ga.assembly_id, {ballot_id: "no"}),
        advance_votes.cast_advance_votes(member, ga.assembly_id, {ballot_id: "yes"}),
    )
    assert await AdvanceParticipation.count().where(AdvanceParticipation.ballot == ballot_id) == 1
    papers = await AdvancePaper.select().where(AdvancePaper.ballot == ballot_id)
    assert len(papers) == 1
    assert papers[0]["voter"] == ga.members[0]  # a public ballot: roll call


async def test_a_room_count_never_makes_more_votes_than_voters_with_the_postal_forms() -> None:
    from votes.core.room_counts import RoomCount
    from votes.services.ballots import room_counts

    ga = await postal_assembly(2)
    ballot_id = await ga.motion()
    await advance_votes.cast_advance_votes(await actor(ga, 0), ga.assembly_id, {ballot_id: "no"})
    await in_session(ga)
    await open_ballot(ballot_id)
    counter = await member_actor(ga.organisation_id, facilitator=True)
    system = await actor_for(ga.organisation_id, counter.membership_id)
    attempt = room_counts.record_room_count(system, ballot_id, RoomCount({"yes": 3}, cast=3))
    assert await refusal_code(attempt) == "too_many_votes"  # 3 members (2 + the counter), 1 by post
    await room_counts.record_room_count(system, ballot_id, RoomCount({"yes": 2}, cast=2))
    await close(ballot_id)
    assert await totals(ballot_id) == {"yes": 2, "no": 1, "abstain": 0}


@pytest.mark.usefixtures("each_vote_storage")
async def test_a_proxy_holder_cannot_vote_for_a_member_whose_postal_vote_stands() -> None:
    from votes.db.tables import Proxy

    ga = await postal_assembly(3)
    ballot_id = await ga.motion()
    await advance_votes.cast_advance_votes(await actor(ga, 0), ga.assembly_id, {ballot_id: "no"})
    await in_session(ga)
    await ga.check_in(1)
    await Proxy.insert(
        Proxy(
            organisation=ga.organisation_id,
            assembly=ga.assembly_id,
            giver=ga.members[0],
            holder=ga.members[1],
            proxy_key=f"{ga.assembly_id}:{ga.members[0]}",
            status="active",
        )
    )
    await open_ballot(ballot_id)
    attempt = voting.cast_vote(ballot_id, ga.members[1], "yes", on_behalf_of=ga.members[0])
    assert await refusal_code(attempt) == "voted_by_post"
    await close(ballot_id)
    assert (await snapshot(ballot_id))["count"]["postal"] == {"no": 1}


async def test_a_resolution_written_after_the_deadline_counts_postal_voters_by_default() -> None:
    ga = await postal_assembly(5, room_motions="abstain")
    prepared = await ga.motion()
    for index in (3, 4):
        await advance_votes.cast_advance_votes(
            await actor(ga, index), ga.assembly_id, {prepared: "no"}
        )
    # weeks later the assembly sits: the resolution was written long before the deadline (the
    # day before at 15:00), the other one is written in the room
    await AuditEntry.update({AuditEntry.occurred_at: datetime.now(UTC) - timedelta(days=20)}).where(
        AuditEntry.subject == f"ballot:{prepared}"
    )
    await AssemblyTable.update(
        {AssemblyTable.status: "in_session", AssemblyTable.starts_at: datetime.now(UTC)}
    ).where(AssemblyTable.id == ga.assembly_id)
    raised = await ga.motion()
    await ga.check_in(0, 1, 2)
    await ga.vote(raised, {"yes": 3})
    await close(raised)
    assert (await snapshot(raised))["count"]["postal"] == {"abstain": 2}
    await ga.vote(prepared, {"yes": 3})
    await close(prepared)
    assert (await snapshot(prepared))["count"]["postal"] == {"no": 2}


async def test_a_secret_resolution_reopened_afresh_keeps_its_postal_forms() -> None:
    ga = await postal_assembly(5, on_arrival="replaced")
    profile = await rules.organisation_profile(ga.organisation_id)
    await rules.save_profile(
        await actor_for(ga.organisation_id), replace(profile, dual_control=False)
    )
    ballot_id = await ga.motion(secret=True)
    for index in (3, 4):
        await advance_votes.cast_advance_votes(
            await actor(ga, index), ga.assembly_id, {ballot_id: "no"}
        )
    await in_session(ga)
    await ga.check_in(0, 1, 2)
    await ga.vote(ballot_id, {"yes": 3})
    await close(ballot_id)
    system = await lifecycle.system_actor(ballot_id)
    fresh = await lifecycle.reopen_ballot(system, ballot_id, "Un bulletin perdu")
    assert fresh != ballot_id
    for index in (0, 1):
        await voting.cast_vote(fresh, ga.members[index], "yes")
    await close(fresh)
    assert (await snapshot(fresh))["count"]["postal"] == {"no": 2}  # carried over, once
    assert await totals(fresh) == {"yes": 2, "no": 2, "abstain": 0}


async def test_a_public_ballot_reopened_still_counts_each_postal_voter_once() -> None:
    ga = await postal_assembly(4, on_arrival="replaced")
    profile = await rules.organisation_profile(ga.organisation_id)
    await rules.save_profile(
        await actor_for(ga.organisation_id), replace(profile, dual_control=False)
    )
    ballot_id = await ga.motion()
    for index in (2, 3):
        await advance_votes.cast_advance_votes(
            await actor(ga, index), ga.assembly_id, {ballot_id: "no"}
        )
    await in_session(ga)
    await ga.check_in(0)
    await ga.vote(ballot_id, {"yes": 1})
    await close(ballot_id)
    assert (await snapshot(ballot_id))["count"]["postal"] == {"no": 2}
    system = await lifecycle.system_actor(ballot_id)
    assert await lifecycle.reopen_ballot(system, ballot_id, "Une arrivée") == ballot_id
    await ga.check_in(3)  # a postal voter comes after all: the room replaces their form
    await voting.cast_vote(ballot_id, ga.members[3], "yes")
    await close(ballot_id)
    assert (await snapshot(ballot_id))["count"]["postal"] == {"no": 1}
    assert await totals(ballot_id) == {"yes": 2, "no": 1, "abstain": 0}


async def _in_session_with_a_pending_paper_form(members: int, answer: str) -> tuple[Assembly, int]:
    """A postal assembly under dual control, in session, whose motion has one paper form (the
    first member's ``answer``) entered by one scrutineer and not yet confirmed: the assembly and
    the motion."""
    ga = await postal_assembly(members, dual_control=True)
    ballot_id = await ga.motion()
    member = await member_actor(ga.organisation_id)
    one_scrutineer = await scrutineer(ga.organisation_id, member.membership_id)
    await paper_forms.enter_paper_form(
        one_scrutineer, ga.assembly_id, ga.members[0], {ballot_id: answer}
    )
    await in_session(ga)
    return ga, ballot_id


async def test_a_close_with_paper_forms_awaiting_a_second_scrutineer_asks_and_says_so() -> None:
    ga, ballot_id = await _in_session_with_a_pending_paper_form(5, "no")
    await ga.check_in(3, 4)
    await ga.vote(ballot_id, {"yes": 2}, start=3)
    facilitator = await actor_for(ga.organisation_id)
    # the facilitator is told before anything is lost
    refused = await refusal(lifecycle.close_ballot(facilitator, ballot_id))
    assert (refused.code, refused.detail["count"]) == ("postal_forms_pending", 1)
    assert (await Ballot.select(Ballot.status).where(Ballot.id == ballot_id))[0]["status"] == "open"
    await lifecycle.close_ballot(facilitator, ballot_id, leave_pending=True)
    frozen = (await snapshot(ballot_id))["postal"]
    assert frozen["pending_left_out"] == 1  # the minutes and the result say so
    assert (await totals(ballot_id)).get("no", 0) == 0  # the unconfirmed "contre" is not in
    closed = await audit_details("ballot.closed", subject=f"ballot:{ballot_id}")
    assert json.loads(closed)["postal_pending_left_out"] == 1


async def test_the_countdown_closes_a_ballot_with_pending_paper_forms_and_records_them() -> None:
    ga, ballot_id = await _in_session_with_a_pending_paper_form(4, "yes")
    await lifecycle.open_ballot(await actor_for(ga.organisation_id), ballot_id)
    await lifecycle.close_ballot(
        await actor_for(ga.organisation_id), ballot_id, reason="time_is_up"
    )
    assert (await snapshot(ballot_id))["postal"]["pending_left_out"] == 1


async def test_a_paper_form_is_confirmed_while_its_resolution_is_open_unless_they_voted() -> None:
    ga = await postal_assembly(6, dual_control=True)
    ballot_id = await ga.motion()
    one, two = await _two_scrutineers(ga)
    for index in (0, 1):
        await paper_forms.enter_paper_form(
            one, ga.assembly_id, ga.members[index], {ballot_id: "no"}
        )
    await in_session(ga)
    await ga.check_in(1, 3, 4)
    await ga.vote(ballot_id, {"yes": 1}, start=1)  # member 1 came and voted in the room
    await ga.vote(ballot_id, {"yes": 2}, start=3)
    # the warning of the close is answered by confirming the form that can still count
    assert await paper_forms.confirm_paper_form(two, ga.assembly_id, ga.members[0]) == 1
    # a second vote of the same member: never
    attempt = paper_forms.confirm_paper_form(two, ga.assembly_id, ga.members[1])
    assert await refusal_code(attempt) == "postal_voted_in_the_room"
    await lifecycle.close_ballot(await actor_for(ga.organisation_id), ballot_id, leave_pending=True)
    assert (await totals(ballot_id)) == {"yes": 3, "no": 1, "abstain": 0}
    assert (await snapshot(ballot_id))["postal"]["pending_left_out"] == 1
