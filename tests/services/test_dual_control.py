"""Dual control (#16): a general assembly's binding ballot is published or reopened by a
facilitator only once a scrutineer, another person, has confirmed it; the audit trail names
them. Rehearsals, plenaries and profiles that turn it off need no confirmation."""

from __future__ import annotations

import json
from dataclasses import replace

from tests.support.audit_trail import audit_details
from tests.support.factories import close, general_assembly
from tests.support.refusals import refusal_code

from votes.db import audit_queries
from votes.db import minutes_queries as mq
from votes.db.tables import AssemblyKind, Ballot, Membership
from votes.services import rules
from votes.services.actors import actor_for
from votes.services.ballots import lifecycle


async def _roles(ga, index: int, **roles: bool) -> None:  # type: ignore[no-untyped-def]
    await Membership.update({getattr(Membership, k): v for k, v in roles.items()}).where(
        Membership.id == ga.members[index]
    )


async def _closed_motion(ga, **options: object) -> int:  # type: ignore[no-untyped-def]
    await ga.check_in(*range(len(ga.members)))
    ballot_id = await ga.motion(**options)
    await ga.vote(ballot_id, {"yes": 3, "no": 1})
    await close(ballot_id)
    return ballot_id


async def _status(ballot_id: int) -> str:
    row = await Ballot.select(Ballot.status).where(Ballot.id == ballot_id).first()
    return str(row["status"])


async def test_a_binding_result_is_published_only_after_another_persons_confirmation() -> None:
    ga = await general_assembly(4)
    await _roles(ga, 0, is_facilitator=True)
    await _roles(ga, 1, is_scrutineer=True)
    await _roles(ga, 2, is_facilitator=True, is_scrutineer=True)
    ballot_id = await _closed_motion(ga)
    chair = await actor_for(ga.organisation_id, ga.members[0])
    assert await refusal_code(lifecycle.publish_ballot(chair, ballot_id)) == "cosignature_required"
    # a facilitator who is also a scrutineer cannot confirm their own publication
    both = await actor_for(ga.organisation_id, ga.members[2])
    await lifecycle.cosign(both, ballot_id, "publish")
    assert await refusal_code(lifecycle.publish_ballot(both, ballot_id)) == "cosignature_by_another"
    # a confirmation of the reopening does not allow publishing
    scrutineer = await actor_for(ga.organisation_id, ga.members[1])
    await lifecycle.cosign(scrutineer, ballot_id, "reopen")
    assert await refusal_code(lifecycle.publish_ballot(chair, ballot_id)) == "cosignature_required"
    assert await _status(ballot_id) == "closed"
    await lifecycle.cosign(scrutineer, ballot_id, "publish")
    await lifecycle.publish_ballot(chair, ballot_id)
    assert await _status(ballot_id) == "published"
    details = await audit_details("ballot.published", subject=f"ballot:{ballot_id}")
    scrutineer_person = scrutineer.membership.person_id if scrutineer.membership else None
    assert json.loads(details)["cosigned_by"] == scrutineer_person
    # the minutes name them
    record = await mq.assembly_record(ga.organisation_id, ga.assembly_id)
    assert record is not None
    [resolution] = [r for r in record.resolutions if r.ballot_id == ballot_id]
    assert resolution.cosigned_by == scrutineer.person_name


async def test_only_a_scrutineer_confirms_and_only_a_closed_ballot() -> None:
    ga = await general_assembly(3)
    await _roles(ga, 0, is_facilitator=True)
    ballot_id = await ga.motion()
    chair = await actor_for(ga.organisation_id, ga.members[0])
    assert await refusal_code(lifecycle.cosign(chair, ballot_id, "publish")) == "cosigners_only"
    await _roles(ga, 1, is_scrutineer=True)
    scrutineer = await actor_for(ga.organisation_id, ga.members[1])
    assert await refusal_code(lifecycle.cosign(scrutineer, ballot_id, "publish")) == "not_closed"
    assert await refusal_code(lifecycle.cosign(scrutineer, ballot_id, "cancel")) == "invalid_choice"
    assert await audit_queries.cosignature(ga.organisation_id, ballot_id) is None


async def test_a_confirmation_is_spent_by_a_reopening_and_names_the_new_count() -> None:
    ga = await general_assembly(4)
    await _roles(ga, 0, is_facilitator=True)
    await _roles(ga, 1, is_scrutineer=True)
    ballot_id = await _closed_motion(ga)
    chair = await actor_for(ga.organisation_id, ga.members[0])
    scrutineer = await actor_for(ga.organisation_id, ga.members[1])
    attempt = lifecycle.reopen_ballot(chair, ballot_id, "Panne du Wi-Fi")
    assert await refusal_code(attempt) == "cosignature_required"
    await lifecycle.cosign(scrutineer, ballot_id, "reopen")
    await lifecycle.reopen_ballot(chair, ballot_id, "Panne du Wi-Fi")
    await close(ballot_id)
    # the confirmation given before the reopening says nothing of the new count
    assert await audit_queries.cosignature(ga.organisation_id, ballot_id) is None
    assert await refusal_code(lifecycle.publish_ballot(chair, ballot_id)) == "cosignature_required"


async def test_rehearsals_plenaries_and_profiles_without_dual_control_need_no_confirmation() -> (
    None
):
    ga = await general_assembly(4)
    await _roles(ga, 0, is_facilitator=True)
    chair = await actor_for(ga.organisation_id, ga.members[0])
    rehearsal = await _closed_motion(ga, is_test=True)
    await lifecycle.publish_ballot(chair, rehearsal)
    plenary = await general_assembly(4, kind=AssemblyKind.PLENARY)
    await _roles(plenary, 0, is_facilitator=True)
    motion = await _closed_motion(plenary)
    await lifecycle.publish_ballot(
        await actor_for(plenary.organisation_id, plenary.members[0]), motion
    )
    relaxed = await general_assembly(4)
    await _roles(relaxed, 0, is_facilitator=True, is_admin=True)
    admin = await actor_for(relaxed.organisation_id, relaxed.members[0])
    profile = await rules.organisation_profile(relaxed.organisation_id)
    await rules.save_profile(
        await actor_for(relaxed.organisation_id),
        replace(profile, dual_control=False, adjusted=True),
    )
    motion = await _closed_motion(relaxed)
    await lifecycle.publish_ballot(admin, motion)
    assert {await _status(b) for b in (rehearsal, motion)} == {"published"}
