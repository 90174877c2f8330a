"""An assembly's record holds: final minutes lock the assembly and everything hanging on it, an
assembly does not close over a running ballot, a closed assembly takes no votes, and the
people who keep the register record proxies on paper (a field a role may not use is refused,
never reinterpreted)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.support.factories import general_assembly, member_actor
from tests.support.refusals import refusal, refusal_code

from votes.db.tables import (
    AgendaItem,
    Assembly,
    AssemblyStatus,
    Attendance,
    Ballot,
    Participation,
    Proxy,
)
from votes.services import accounts, assemblies, attendance, minutes, organisations, proxies
from votes.services.actors import actor_for
from votes.services.assemblies import AssemblyFields, ItemText
from votes.services.ballots import drafts, lifecycle, voting

MOTION = [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")]

# every vote here is stored once by each storage adapter, on the same database
pytestmark = pytest.mark.usefixtures("each_vote_storage")


async def _snapshot(assembly_id: int) -> tuple[object, ...]:
    return (
        await Assembly.select(Assembly.status, Assembly.title, Assembly.current_item_id).where(
            Assembly.id == assembly_id
        ),
        await Ballot.select(Ballot.id, Ballot.status).where(Ballot.assembly == assembly_id),
        await AgendaItem.select(AgendaItem.id, AgendaItem.title, AgendaItem.position).where(
            AgendaItem.assembly == assembly_id
        ),
        await Attendance.count().where(Attendance.assembly == assembly_id),
        await Proxy.select(Proxy.id, Proxy.status).where(Proxy.assembly == assembly_id),
    )


async def test_final_minutes_lock_the_assembly_and_everything_on_it() -> None:
    ga = await general_assembly(4)
    facilitator = await member_actor(ga.organisation_id, facilitator=True)
    item_id = await assemblies.add_item(facilitator, ga.assembly_id, ItemText("Comptes"))
    draft_id = await drafts.create_ballot(facilitator, ga.assembly_id, "Q ?", "majority", MOTION)
    given = await ga.give_proxy(1, 0)
    await assemblies.set_assembly_status(facilitator, ga.assembly_id, AssemblyStatus.CLOSED)
    secretary = await accounts.create_person("Secrétaire", None, None)
    await minutes.finalise(ga.organisation_id, ga.assembly_id, "<p>PV</p>", person_id=secretary)
    before = await _snapshot(ga.assembly_id)

    attempts = [
        assemblies.set_assembly_status(facilitator, ga.assembly_id, AssemblyStatus.IN_SESSION),
        assemblies.update_assembly(
            facilitator, ga.assembly_id, AssemblyFields(title="Autre", starts_at=datetime.now(UTC))
        ),
        assemblies.add_item(facilitator, ga.assembly_id, ItemText("Divers")),
        assemblies.update_item(facilitator, item_id, ItemText("Autre titre")),
        assemblies.remove_item(facilitator, item_id),
        assemblies.move_item(facilitator, item_id, 1),
        assemblies.reorder_agenda(facilitator, ga.assembly_id, [item_id]),
        assemblies.set_current_item(ga.assembly_id, item_id),
        drafts.create_ballot(facilitator, ga.assembly_id, "Encore ?", "majority", MOTION),
        lifecycle.open_ballot(facilitator, draft_id),
        lifecycle.cancel_ballot(facilitator, draft_id, "erreur"),
        attendance.check_in(facilitator, ga.assembly_id, ga.members[2]),
        proxies.give_proxy(
            await actor_for(ga.organisation_id, ga.members[3]), ga.assembly_id, ga.members[0]
        ),
        proxies.revoke_proxy(facilitator, given),
    ]
    for attempt in attempts:
        assert await refusal_code(attempt) == "record_final", attempt
    assert await _snapshot(ga.assembly_id) == before


async def test_an_assembly_does_not_close_over_an_open_or_unpublished_ballot() -> None:
    ga = await general_assembly(3)
    facilitator = await member_actor(ga.organisation_id, facilitator=True)
    system = await actor_for(ga.organisation_id)  # no second signature needed
    await ga.check_in(0, 1, 2)
    first = await drafts.create_ballot(system, ga.assembly_id, "Budget ?", "majority", MOTION)
    second = await drafts.create_ballot(system, ga.assembly_id, "Statuts ?", "majority", MOTION)
    await drafts.create_ballot(system, ga.assembly_id, "Plus tard ?", "majority", MOTION)
    await lifecycle.open_ballot(system, first)
    await lifecycle.open_ballot(system, second)
    await voting.cast_vote(first, ga.members[0], "yes")
    await lifecycle.close_ballot(system, first)

    refused = await refusal(
        assemblies.set_assembly_status(facilitator, ga.assembly_id, AssemblyStatus.CLOSED)
    )
    assert refused.code == "ballots_still_open"
    assert refused.detail["value"] == "Budget ? · Statuts ?"
    row = await Assembly.select(Assembly.status).where(Assembly.id == ga.assembly_id).first()
    assert row == {"status": AssemblyStatus.IN_SESSION.value}

    await lifecycle.publish_ballot(system, first)
    await lifecycle.close_ballot(system, second)
    await lifecycle.publish_ballot(system, second)
    # a draft never opened holds nothing up
    await assemblies.set_assembly_status(facilitator, ga.assembly_id, AssemblyStatus.CLOSED)


async def test_a_closed_assembly_takes_no_vote_even_on_a_ballot_left_open() -> None:
    ga = await general_assembly(2)
    facilitator = await member_actor(ga.organisation_id, facilitator=True)
    await ga.check_in(0, 1)
    ballot_id = await drafts.create_ballot(facilitator, ga.assembly_id, "Q ?", "majority", MOTION)
    await lifecycle.open_ballot(facilitator, ballot_id)
    # a ballot left open by an earlier version, or a race with the close
    await Assembly.update({Assembly.status: AssemblyStatus.CLOSED.value}).where(
        Assembly.id == ga.assembly_id
    )
    attempt = voting.cast_vote(ballot_id, ga.members[0], "yes")
    assert await refusal_code(attempt) == "assembly_closed"
    assert await Participation.count().where(Participation.ballot == ballot_id) == 0
    draft_id = await drafts.create_ballot(facilitator, ga.assembly_id, "Q2 ?", "majority", MOTION)
    assert await refusal_code(lifecycle.open_ballot(facilitator, draft_id)) == "assembly_closed"
    # nor does a counted ballot reopen, public or secret (the secret one is not cancelled)
    for secret in (False, True):
        counted = await drafts.create_ballot(
            facilitator, ga.assembly_id, "Q3 ?", "majority", MOTION, secret=secret, is_test=True
        )
        await Assembly.update({Assembly.status: AssemblyStatus.IN_SESSION.value}).where(
            Assembly.id == ga.assembly_id
        )
        await lifecycle.open_ballot(facilitator, counted)
        await lifecycle.close_ballot(facilitator, counted)
        await Assembly.update({Assembly.status: AssemblyStatus.CLOSED.value}).where(
            Assembly.id == ga.assembly_id
        )
        attempt = lifecycle.reopen_ballot(facilitator, counted, "erreur")
        assert await refusal_code(attempt) == "assembly_closed"
        row = await Ballot.select(Ballot.status).where(Ballot.id == counted).first()
        assert row == {"status": "closed"}


async def _scrutineer(organisation_id: int) -> int:
    person_id = await accounts.create_person("Scrutatrice", None, None)
    return await organisations.add_membership(organisation_id, person_id, is_scrutineer=True)


async def test_a_scrutineer_records_a_paper_proxy_and_a_member_may_not() -> None:
    ga = await general_assembly(4)
    scrutineer = await actor_for(ga.organisation_id, await _scrutineer(ga.organisation_id))
    proxy_id = await proxies.give_proxy(
        scrutineer, ga.assembly_id, ga.members[0], giver_id=ga.members[1]
    )
    row = await Proxy.select(Proxy.giver, Proxy.holder).where(Proxy.id == proxy_id).first()
    assert row == {"giver": ga.members[1], "holder": ga.members[0]}

    member = await actor_for(ga.organisation_id, ga.members[2])
    attempt = proxies.give_proxy(member, ga.assembly_id, ga.members[0], giver_id=ga.members[3])
    assert await refusal_code(attempt) == "stewards_only"
    assert await Proxy.count().where(Proxy.assembly == ga.assembly_id) == 1
