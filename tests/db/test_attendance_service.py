"""The attendance register on the real database: check-in and check-out with their times, remote
participation only when the statutes allow it, signing in with an access code, and the quorum."""

from __future__ import annotations

import pytest
from tests.db.attendance_helpers import general_assembly

from votes.core.rules import preset
from votes.db import attendance_queries as aq
from votes.db.tables import AccessCode, AssemblyKind, Attendance
from votes.services import access_codes, attendance, rules
from votes.services.actors import actor_for
from votes.services.refusals import Refused

SECRET = "test-secret-key-that-is-long-enough-0123456789"


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
    with pytest.raises(Refused) as twice:
        await attendance.check_out(
            await actor_for(ga.organisation_id), ga.assembly_id, ga.members[1]
        )
    assert twice.value.code == "not_checked_in"


async def test_remote_participation_only_when_the_statutes_allow_it() -> None:
    ga = await general_assembly(3)
    with pytest.raises(Refused) as refused:
        await ga.check_in(0, remote=True)
    assert refused.value.code == "remote_not_allowed"
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
    with pytest.raises(Refused) as observer:
        await ga.check_in(2)
    assert observer.value.code == "not_a_voter"
    with pytest.raises(Refused) as foreign:
        await attendance.check_in(
            await actor_for(ga.organisation_id), ga.assembly_id, other.members[0]
        )
    assert foreign.value.code == "not_found"


async def test_signing_in_with_an_access_code_checks_in_to_the_assembly_in_session() -> None:
    ga = await general_assembly(2)
    issued = await access_codes.issue_codes(
        await actor_for(ga.organisation_id), [ga.members[0]], secret_key=SECRET
    )
    code = issued[0].code
    await access_codes.sign_in_with_code(code, secret_key=SECRET, hours=1)
    status = await attendance.status_of(ga.organisation_id, ga.assembly_id, ga.members[0])
    assert status == "present"
    row = (
        await Attendance.select(Attendance.method)
        .where(Attendance.membership == ga.members[0])
        .first()
    )
    assert row["method"] == "code"
    assert await AccessCode.count().where(AccessCode.membership == ga.members[0]) == 1
