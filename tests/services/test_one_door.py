"""The services are the door: a use case called by someone whose standing does not allow it is
refused by the service itself, whatever page (or script) called it, and nothing is written."""

from __future__ import annotations

from tests.support.factories import general_assembly
from tests.support.refusals import refusal_code

from votes.core.room_counts import RoomCount
from votes.db.tables import Attendance, Ballot, Membership, MembershipStatus, Proxy
from votes.services import attendance, proxies
from votes.services.actors import actor_for
from votes.services.ballots import counting, lifecycle, room_counts


async def _suspend(membership_id: int) -> None:
    await Membership.update({Membership.status: MembershipStatus.SUSPENDED.value}).where(
        Membership.id == membership_id
    )


async def test_only_a_steward_checks_someone_else_in_or_out() -> None:
    ga = await general_assembly(3)
    member = await actor_for(ga.organisation_id, ga.members[0])
    attempt = attendance.check_in(member, ga.assembly_id, ga.members[1])
    assert await refusal_code(attempt) == "stewards_only"
    attempt = attendance.check_in(member, ga.assembly_id, ga.members[0])
    assert await refusal_code(attempt) == "stewards_only"  # in the room: a steward
    await ga.check_in(1)
    attempt = attendance.check_out(member, ga.assembly_id, ga.members[1])
    assert await refusal_code(attempt) == "stewards_only"
    assert await Attendance.count().where(Attendance.assembly == ga.assembly_id) == 1


async def test_a_suspended_scrutineer_keeps_no_register() -> None:
    ga = await general_assembly(3)
    await Membership.update({Membership.is_scrutineer: True}).where(Membership.id == ga.members[2])
    await _suspend(ga.members[2])
    scrutineer = await actor_for(ga.organisation_id, ga.members[2])
    attempt = attendance.check_in(scrutineer, ga.assembly_id, ga.members[0])
    assert await refusal_code(attempt) == "stewards_only"
    assert await Attendance.count().where(Attendance.assembly == ga.assembly_id) == 0


async def test_only_who_keeps_the_register_records_a_paper_proxy_for_someone_else() -> None:
    ga = await general_assembly(3)
    member = await actor_for(ga.organisation_id, ga.members[0])
    attempt = proxies.give_proxy(member, ga.assembly_id, ga.members[0], giver_id=ga.members[1])
    assert await refusal_code(attempt) == "stewards_only"
    assert await Proxy.count().where(Proxy.assembly == ga.assembly_id) == 0
    # a member gives their own
    assert await proxies.give_proxy(member, ga.assembly_id, ga.members[1])


async def test_ballots_are_run_by_active_facilitators_of_their_own_cooperative() -> None:
    ga = await general_assembly(3)
    ballot_id = await ga.motion()
    member = await actor_for(ga.organisation_id, ga.members[0])
    attempt = lifecycle.open_ballot(member, ballot_id)
    assert await refusal_code(attempt) == "facilitators_only_ballots"
    await Membership.update({Membership.is_facilitator: True}).where(Membership.id == ga.members[1])
    await _suspend(ga.members[1])
    suspended = await actor_for(ga.organisation_id, ga.members[1])
    attempt = lifecycle.open_ballot(suspended, ballot_id)
    assert await refusal_code(attempt) == "facilitators_only_ballots"
    elsewhere = await general_assembly(1)
    foreign = await actor_for(elsewhere.organisation_id)  # every power, in another cooperative
    assert await refusal_code(lifecycle.open_ballot(foreign, ballot_id)) == "not_found"
    row = await Ballot.select(Ballot.status).where(Ballot.id == ballot_id).first()
    assert row["status"] == "draft"


async def test_a_room_count_is_entered_by_a_scrutineer_only() -> None:
    ga = await general_assembly(3)
    ballot_id = await ga.motion()
    await lifecycle.open_ballot(await actor_for(ga.organisation_id), ballot_id)
    member = await actor_for(ga.organisation_id, ga.members[0])
    attempt = room_counts.record_room_count(member, ballot_id, RoomCount({"yes": 1}, cast=1))
    assert await refusal_code(attempt) == "scrutineers_only"
    assert await counting.room_count_of(ballot_id, 1) is None
