"""Proxies on the real database: the law's limits (caps at 19, 20 and 40 members, no proxy to
oneself, to a non-member or in a chain, none once checked in), revocation on check-in, and
votes cast on behalf of represented members, one by one or together."""

from __future__ import annotations

import pytest
from tests.support.factories import close, general_assembly, open_ballot
from tests.support.refusals import refusal_code, refused_unchanged

from votes.db import attendance_queries as aq
from votes.db.tables import AuditEntry, Participation, Proxy
from votes.services import proxies
from votes.services.actors import actor_for
from votes.services.ballots import voting

# every vote here is stored once by each storage adapter, on the same database
pytestmark = pytest.mark.usefixtures("each_vote_storage")


async def _give(ga, giver: int, holder: int | None) -> int:  # type: ignore[no-untyped-def]
    holder_id = None if holder is None else ga.members[holder]
    return await proxies.give_proxy(
        await actor_for(ga.organisation_id, ga.members[giver]), ga.assembly_id, holder_id
    )


async def _refused(ga, giver: int, holder: int | None) -> str:  # type: ignore[no-untyped-def]
    return await refused_unchanged(
        _give(ga, giver, holder),
        lambda: Proxy.count().where(Proxy.organisation == ga.organisation_id),
    )


@pytest.mark.parametrize(("members", "cap"), [(19, 1), (20, 1), (40, 2)])
async def test_the_scop_cap_on_proxies_by_size(members: int, cap: int) -> None:
    ga = await general_assembly(members)
    for giver in range(1, cap + 1):
        await _give(ga, giver, 0)
    assert await _refused(ga, cap + 1, 0) == "holder_at_cap"


async def test_a_proxy_to_oneself_or_to_someone_without_a_vote_here_is_refused() -> None:
    ga = await general_assembly(3, observers=1)
    other = await general_assembly(1)
    assert await _refused(ga, 0, 0) == "proxy_to_self"
    assert await _refused(ga, 0, 3) == "holder_not_member"  # an observer
    foreign = proxies.give_proxy(
        await actor_for(ga.organisation_id, ga.members[0]), ga.assembly_id, other.members[0]
    )
    assert await refusal_code(foreign) == "holder_not_member"


async def test_chains_of_proxies_are_refused_both_ways() -> None:
    ga = await general_assembly(4)
    await _give(ga, 0, 1)  # A → B
    assert await _refused(ga, 1, 2) == "proxy_chain"  # B holds A's proxy: B cannot give one
    assert await _refused(ga, 2, 0) == "proxy_chain"  # A is represented: A cannot hold one
    assert await _refused(ga, 0, 2) == "proxy_exists"


async def test_a_proxy_given_after_checking_in_is_refused() -> None:
    ga = await general_assembly(3)
    await ga.check_in(0)
    assert await _refused(ga, 0, 1) == "giver_checked_in"


async def test_checking_in_revokes_the_givers_proxy() -> None:
    ga = await general_assembly(3)
    proxy_id = await _give(ga, 0, 1)
    await ga.check_in(0, 1)
    row = await Proxy.select().where(Proxy.id == proxy_id).first()
    assert (row["status"], row["revoked_reason"]) == ("revoked", "checked_in")
    lines = {
        line.membership_id: line
        for line in await aq.attendance_register(ga.organisation_id, ga.assembly_id)
    }
    assert lines[ga.members[0]].status == "present"
    ballot_id = await ga.motion()
    await open_ballot(ballot_id)
    attempt = voting.cast_vote(ballot_id, ga.members[1], "yes", on_behalf_of=ga.members[0])
    assert await refusal_code(attempt) == "not_your_proxy"
    await voting.cast_vote(ballot_id, ga.members[0], "no")  # they vote themselves


async def test_the_holder_splits_the_votes_they_hold_and_the_trail_says_for_whom() -> None:
    ga = await general_assembly(40)
    await _give(ga, 1, 0)
    await _give(ga, 2, 0)
    await ga.check_in(0)
    ballot_id = await ga.motion(secret=True)
    await open_ballot(ballot_id)
    await voting.cast_vote(ballot_id, ga.members[0], "yes")
    await voting.cast_vote(ballot_id, ga.members[0], "no", on_behalf_of=ga.members[1])
    await voting.cast_vote(ballot_id, ga.members[0], "abstain", on_behalf_of=ga.members[2])
    # one vote per represented member, enforced by the participation register
    twice = voting.cast_vote(ballot_id, ga.members[0], "yes", on_behalf_of=ga.members[1])
    assert await refusal_code(twice) == "already_voted"
    voters = {
        row["membership"]
        for row in await Participation.select(Participation.membership).where(
            Participation.ballot == ballot_id
        )
    }
    assert voters == set(ga.members[:3])
    entries = await AuditEntry.select(AuditEntry.details).where(
        (AuditEntry.organisation == ga.organisation_id) & (AuditEntry.action == "vote.by_proxy")
    )
    assert len(entries) == 2
    assert all("yes" not in e["details"] and "no" not in e["details"] for e in entries)
    result = await close(ballot_id)
    assert result.rounds[0].totals == {"yes": 1, "no": 1, "abstain": 1}


async def test_a_holder_must_be_checked_in_and_votes_only_for_their_own_principals() -> None:
    ga = await general_assembly(4)
    await _give(ga, 1, 0)
    ballot_id = await ga.motion()
    await open_ballot(ballot_id)
    absent = voting.cast_vote(ballot_id, ga.members[0], "yes", on_behalf_of=ga.members[1])
    assert await refusal_code(absent) == "not_checked_in"
    await ga.check_in(2)
    stranger = voting.cast_vote(ballot_id, ga.members[2], "yes", on_behalf_of=ga.members[1])
    assert await refusal_code(stranger) == "not_your_proxy"


async def test_a_giver_or_an_admin_takes_a_proxy_back() -> None:
    ga = await general_assembly(3)
    proxy_id = await _give(ga, 0, 1)
    other = proxies.revoke_proxy(await actor_for(ga.organisation_id, ga.members[2]), proxy_id)
    assert await refusal_code(other) == "not_allowed"
    await proxies.revoke_proxy(await actor_for(ga.organisation_id, ga.members[0]), proxy_id)
    again = proxies.revoke_proxy(await actor_for(ga.organisation_id), proxy_id)
    assert await refusal_code(again) == "proxy_revoked"
    await _give(ga, 0, 2)  # a new proxy once the first is taken back


async def test_a_holder_casts_every_vote_they_hold_in_one_call() -> None:
    ga = await general_assembly(40)
    await _give(ga, 1, 0)
    await _give(ga, 2, 0)
    await ga.check_in(0)
    ballot_id = await ga.motion()
    await open_ballot(ballot_id)
    await voting.cast_vote(ballot_id, ga.members[0], "no", on_behalf_of=ga.members[1])
    represented = [ga.members[1], ga.members[2]]
    stored = await voting.cast_held_votes(
        ballot_id, ga.members[0], "yes", represented=represented, own=True
    )
    assert stored == 2  # their own and member 2's: member 1's vote was in already
    again = await voting.cast_held_votes(
        ballot_id, ga.members[0], "yes", represented=represented, own=True
    )
    assert again == 0
    result = await close(ballot_id)
    assert result.rounds[0].totals == {"yes": 2, "no": 1, "abstain": 0}


async def test_held_votes_are_stored_all_or_none() -> None:
    ga = await general_assembly(40)
    await _give(ga, 1, 0)
    await ga.check_in(0)
    ballot_id = await ga.motion()
    await open_ballot(ballot_id)
    # member 3 gave no proxy to member 0: the whole call is refused, nothing is stored
    attempt = voting.cast_held_votes(
        ballot_id, ga.members[0], "yes", represented=[ga.members[1], ga.members[3]], own=True
    )
    assert await refusal_code(attempt) == "not_your_proxy"
    assert await Participation.count().where(Participation.ballot == ballot_id) == 0
    entries = await AuditEntry.count().where(
        (AuditEntry.organisation == ga.organisation_id) & (AuditEntry.action == "vote.by_proxy")
    )
    assert entries == 0
