"""The attendance register on the real database: check-in and check-out with their times, remote
participation only when the statutes allow it, signing in with an access code, and the quorum."""

from __future__ import annotations

from tests.support.factories import general_assembly
from tests.support.keys import SECRET_KEY
from tests.support.refusals import refusal_code

from votes.core.rules import preset
from votes.db import attendance_queries as aq
from votes.db.tables import AssemblyKind, Attendance
from votes.services import access_codes, attendance, rules
from votes.services.actors import actor_for


async def test_check_in_and_out_are_timestamped_and_counted() -> None:
    ga = await general_assembly(4, kind=AssemblyKind.AGE)
    await ga.check_in(0, 1)
    assert not await attendance.check_in(
        await actor_for(ga.organisation_id), ga.assembly_id, ga.members[0]
    )
    banner = await attendance.quorum_banner(ga.organisation_id, ga.assembly_id)
    assert banner is not None
    assert (banner.participants, banner.required, banner.reached) == (2, 3, False)  # 3/4 of 4
    await attendance.check_out(await actor_for(ga.organisation_id), ga.assembly_id, ga.members[1])
    lines = {
        line.membership_id: line
        for line in await aq.attendance_register(ga.organisation_id, ga.assembly_id)
    }
    assert lines[ga.members[1]].status == "left"
    assert lines[ga.members[1]].checked_out_at is not None
    assert lines[ga.members[0]].checked_in_at is not None
    assert lines[ga.members[3]].status == "absent"
    twice = attendance.check_out(await actor_for(ga.organisation_id), ga.assembly_id, ga.members[1])
    assert await refusal_code(twice) == "not_checked_in"


async def test_remote_participation_only_when_the_statutes_allow_it() -> None:
    ga = await general_assembly(3)
    assert await refusal_code(ga.check_in(0, remote=True)) == "remote_not_allowed"
    assert not await Attendance.exists().where(Attendance.assembly == ga.assembly_id)
    other = await general_assembly(3)
    allowed = preset("scop_sarl").customised(
        "scop_sarl", remote_counts_as_present=True, adjusted=True
    )
    await rules.save_profile(await actor_for(other.organisation_id), allowed)
    await other.check_in(0, remote=True)
    banner = await attendance.quorum_banner(other.organisation_id, other.assembly_id)
    assert banner is not None
    assert (banner.remote, banner.participants) == (1, 1)


async def test_observers_and_foreign_members_do_not_sign_the_register() -> None:
    ga = await general_assembly(2, observers=1)
    other = await general_assembly(1)
    assert await refusal_code(ga.check_in(2)) == "not_a_voter"
    chair = await actor_for(ga.organisation_id)
    foreign = attendance.check_in(chair, ga.assembly_id, other.members[0])
    assert await refusal_code(foreign) == "not_found"


async def test_signing_in_with_an_access_code_is_not_a_check_in() -> None:
    """A member signing in from home (to give a proxy) is not in the room (#17)."""
    ga = await general_assembly(2)
    issued = await access_codes.issue_codes(
        await actor_for(ga.organisation_id), [ga.members[0]], secret_key=SECRET_KEY
    )
    await access_codes.sign_in_with_code(issued[0].code, secret_key=SECRET_KEY, hours=1)
    status = await attendance.status_of(ga.organisation_id, ga.assembly_id, ga.members[0])
    assert status == "absent"
    banner = await attendance.quorum_banner(ga.organisation_id, ga.assembly_id)
    assert banner is not None
    assert banner.participants == 0


async def test_a_steward_checks_in_at_the_door_by_reading_the_members_code() -> None:
    ga = await general_assembly(3)
    steward = await actor_for(ga.organisation_id)
    issued = await access_codes.issue_codes(steward, ga.members[:2], secret_key=SECRET_KEY)
    by_qr = await access_codes.check_in_at_the_door(
        steward,
        ga.assembly_id,
        f"https://votes.example/c/{issued[0].link_token}",
        secret_key=SECRET_KEY,
    )
    assert (by_qr.membership_id, by_qr.changed) == (issued[0].membership_id, True)
    typed = issued[1].display_code.lower().replace("-", " ")
    by_code = await access_codes.check_in_at_the_door(
        steward, ga.assembly_id, typed, secret_key=SECRET_KEY
    )
    assert by_code.membership_id == issued[1].membership_id
    again = await access_codes.check_in_at_the_door(
        steward, ga.assembly_id, issued[1].code, secret_key=SECRET_KEY
    )
    assert not again.changed
    row = (
        await Attendance.select(Attendance.method, Attendance.status)
        .where(Attendance.membership == issued[0].membership_id)
        .first()
    )
    assert row == {"method": "code", "status": "present"}
    # the code still signs its owner in on their phone afterwards
    await access_codes.sign_in_with_code(issued[0].code, secret_key=SECRET_KEY, hours=1)
    unknown = access_codes.check_in_at_the_door(
        steward, ga.assembly_id, "ZZZZZ-ZZZZZ", secret_key=SECRET_KEY
    )
    assert await refusal_code(unknown) == "code_unknown"
    await access_codes.revoke_code(steward, ga.members[2])
    other = await general_assembly(1)
    foreign = await access_codes.issue_codes(
        await actor_for(other.organisation_id), secret_key=SECRET_KEY
    )
    elsewhere = access_codes.check_in_at_the_door(
        steward, ga.assembly_id, foreign[0].code, secret_key=SECRET_KEY
    )
    assert await refusal_code(elsewhere) == "code_unknown"


async def test_a_back_to_back_ago_and_age_share_the_door() -> None:
    """Members checked in for the morning's AGO are checked in for the AGE that follows; a
    member leaving is recorded at both; another day's assembly keeps its own register."""
    from datetime import timedelta

    from votes.db.tables import Assembly, AssemblyStatus
    from votes.services import assemblies

    ga = await general_assembly(3)
    row = await Assembly.select(Assembly.starts_at).where(Assembly.id == ga.assembly_id).first()
    starts_at = row["starts_at"]
    age = await assemblies.create_assembly(
        await actor_for(ga.organisation_id), "AGE", starts_at, kind=AssemblyKind.AGE,
        status=AssemblyStatus.IN_SESSION,
    )  # fmt: skip
    later = await assemblies.create_assembly(
        await actor_for(ga.organisation_id), "AGO suivante", starts_at + timedelta(days=7),
        status=AssemblyStatus.IN_SESSION,
    )  # fmt: skip
    steward = await actor_for(ga.organisation_id)
    await ga.check_in(0, 1)
    for assembly in (ga.assembly_id, age):
        status = await attendance.status_of(ga.organisation_id, assembly, ga.members[0])
        assert status == "present"
    assert await attendance.status_of(ga.organisation_id, later, ga.members[0]) == "absent"
    banner = await attendance.quorum_banner(ga.organisation_id, age)
    assert banner is not None
    assert banner.present == 2
    await attendance.check_out(steward, age, ga.members[1])
    assert await attendance.status_of(ga.organisation_id, ga.assembly_id, ga.members[1]) == "left"
    issued = await access_codes.issue_codes(steward, [ga.members[2]], secret_key=SECRET_KEY)
    await access_codes.check_in_at_the_door(
        steward, ga.assembly_id, issued[0].code, secret_key=SECRET_KEY
    )
    assert await attendance.status_of(ga.organisation_id, age, ga.members[2]) == "present"
