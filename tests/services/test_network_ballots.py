"""A network's ballot (#20): voted once, counted per head and per cooperative, under the
network's sharing rule as it stood at the open."""

from __future__ import annotations

import json
from typing import Any

from tests.support.factories import close, open_ballot
from tests.support.network_ballots import Network, network
from tests.support.refusals import refusal_code

from votes.core.results import Verdict
from votes.core.room_counts import RoomCount
from votes.db.tables import Ballot, BallotPaper, College, Organisation
from votes.db.tables.accounts import Membership
from votes.services.actors import actor_for
from votes.services.ballots import counting, lifecycle, room_counts, voting


async def _stored(ballot_id: int) -> tuple[str, dict[str, Any]]:
    row = (
        await Ballot.select(Ballot.result, Ballot.rule_snapshot)
        .where(Ballot.id == ballot_id)
        .first()
    )
    assert row is not None
    return row["result"], json.loads(row["rule_snapshot"])


async def test_the_count_per_cooperative_and_per_head_can_decide_differently() -> None:
    """Grande's six outvote Petite's two per head; per cooperative each weighs half, and
    Petite's unanimous « pour » carries the motion. The ballot's setting says which decides."""
    net = await network({"grande": 6, "petite": 2})
    ballots = {}
    for decides in ("cooperative", "head"):
        ballot_id = await net.motion(rules={"network_decides": decides})
        await open_ballot(ballot_id)
        await net.vote(ballot_id, "grande", {"yes": 1, "no": 5})
        await net.vote(ballot_id, "petite", {"yes": 2})
        ballots[decides] = (ballot_id, await close(ballot_id))
    assert ballots["cooperative"][1].verdict is Verdict.ADOPTED
    assert ballots["head"][1].verdict is Verdict.REJECTED
    _result, snapshot = await _stored(ballots["cooperative"][0])
    count = snapshot["network_count"]
    assert count["decides"] == "cooperative"
    assert count["agree"] is False
    names = [line["name"] for line in count["cooperatives"]]
    assert names == [net.names["grande"], net.names["petite"]]  # names, never ids
    assert [line["voters"] for line in count["cooperatives"]] == [6, 2]
    assert count["cooperatives"][0]["counts"] == {"yes": "1", "no": "5", "abstain": "0"}


async def test_the_sharing_rule_is_the_one_frozen_at_the_open() -> None:
    """Shares by members (3/4, 1/4) frozen at the open: the network switching to equal shares,
    a cooperative leaving and a new participant registered afterwards change nothing."""
    net = await network({"grande": 6, "petite": 2}, sharing="members")
    ballot_id = await net.motion()
    await open_ballot(ballot_id)
    await Organisation.update({Organisation.network_sharing: "equal"}).where(
        Organisation.id == net.organisation_id
    )
    await Membership.update({Membership.delegated_by: net.cooperatives["petite"]}).where(
        Membership.id == net.members["grande"][5]
    )
    await net.vote(ballot_id, "grande", {"yes": 1, "no": 4})
    await net.vote(ballot_id, "petite", {"yes": 2})
    result = await close(ballot_id)
    # by members: 1/5 × 3/4 + 1/4 = 2/5 for, 3/5 against; equal shares would have adopted it
    assert result.verdict is Verdict.REJECTED
    _result, snapshot = await _stored(ballot_id)
    frozen = snapshot["network"]
    assert frozen["sharing"] == "members"
    shares = {line["name"]: line["share"] for line in frozen["cooperatives"].values()}
    assert shares == {net.names["grande"]: "3/4", net.names["petite"]: "1/4"}
    members = {line["name"]: line["members"] for line in frozen["cooperatives"].values()}
    assert members == {net.names["grande"]: 6, net.names["petite"]: 2}


async def test_fixed_shares_come_from_the_network_rules() -> None:
    net = await network(
        {"grande": 6, "petite": 2}, sharing="fixed", fixed={"grande": 2_000, "petite": 8_000}
    )
    ballot_id = await net.motion()
    await open_ballot(ballot_id)
    await net.vote(ballot_id, "grande", {"no": 6})
    await net.vote(ballot_id, "petite", {"yes": 1})
    assert (await close(ballot_id)).verdict is Verdict.ADOPTED  # 4/5 for


async def test_a_secret_ballot_hides_every_cooperative_line_when_one_is_small() -> None:
    net = await network({"grande": 6, "petite": 3}, individuals=1)
    ballot_id = await net.motion(secret=True)
    await open_ballot(ballot_id)
    await net.vote(ballot_id, "grande", {"yes": 3, "no": 3})
    await net.vote(ballot_id, "petite", {"no": 2})
    await net.vote(ballot_id, "", {"yes": 1})
    await close(ballot_id)
    _result, snapshot = await _stored(ballot_id)
    count = snapshot["network_count"]
    assert count["hidden"] == [net.names["petite"]]
    assert [line["counts"] for line in count["cooperatives"]] == [None, None]
    assert [line["result"] for line in count["cooperatives"]] == [None, None]
    assert count["individuals"]["voters"] == 1
    assert count["individuals"]["counts"] is None
    assert count["individuals_hidden"] is True
    # the totals are kept: 4 for, 5 against per head
    per_head = json.loads(count["per_head"])
    assert per_head["verdict"] == "rejected"


async def test_an_individual_member_counts_per_head_only() -> None:
    net = await network({"grande": 5, "petite": 5}, individuals=5)
    ballot_id = await net.motion(rules={"network_decides": "head"})
    await open_ballot(ballot_id)
    await net.vote(ballot_id, "grande", {"yes": 3})
    await net.vote(ballot_id, "petite", {"no": 3})
    await net.vote(ballot_id, "", {"yes": 5})
    assert (await close(ballot_id)).verdict is Verdict.ADOPTED  # 8 for, 3 against per head
    _result, snapshot = await _stored(ballot_id)
    count = snapshot["network_count"]
    assert json.loads(count["per_cooperative"])["verdict"] == "rejected"  # half against half
    assert count["individuals"]["voters"] == 5
    assert count["individuals"]["counts"]["yes"] == "5"


async def test_a_recount_from_the_stored_figures_gives_the_same_result() -> None:
    net = await network({"grande": 6, "petite": 5}, sharing="members", individuals=1)
    ballot_id = await net.motion(secret=True)
    await open_ballot(ballot_id)
    await net.vote(ballot_id, "grande", {"yes": 2, "no": 3, "abstain": 1})
    await net.vote(ballot_id, "petite", {"yes": 5})
    await net.vote(ballot_id, "", {"no": 1})
    await close(ballot_id)
    stored_result, stored_snapshot = await _stored(ballot_id)
    # the network's rules and registrations change after the close: the recount reads none
    await Organisation.update({Organisation.network_sharing: "equal"}).where(
        Organisation.id == net.organisation_id
    )
    assert (await counting.count_ballot(ballot_id)).to_json() == stored_result
    row = await Ballot.select().where(Ballot.id == ballot_id).first()
    assert row is not None
    _again, snapshot_text = await counting.count_round(row)
    assert json.loads(snapshot_text or "{}") == stored_snapshot


async def test_a_network_without_registered_participants_cannot_open() -> None:
    net = await network({"vide": 0})
    ballot_id = await net.motion()
    assert await refusal_code(open_ballot(ballot_id)) == "network_shares_invalid"


async def test_a_majority_of_all_members_is_refused_in_a_network() -> None:
    net = await network({"grande": 2})
    ballot_id = await net.motion(rules={"base": "members"})
    assert await refusal_code(open_ballot(ballot_id)) == "network_base_members"


async def test_a_room_count_is_refused_for_a_network_ballot() -> None:
    net = await network({"grande": 2})
    ballot_id = await net.motion()
    await open_ballot(ballot_id)
    actor = await actor_for(net.organisation_id)
    attempt = room_counts.record_room_count(
        actor, ballot_id, RoomCount(counts={"yes": 1}, blank=0, invalid=0, cast=1)
    )
    assert await refusal_code(attempt) == "no_room_count_cooperatives"
    await lifecycle.close_ballot(actor, ballot_id)


async def test_a_choice_between_options_is_counted_both_ways_too() -> None:
    """A plurality choice: four of Grande's five prefer « Lyon », Petite's two « Nantes »; per
    head Lyon wins, per cooperative Petite's half outweighs what Grande gives Lyon."""
    net = await network({"grande": 5, "petite": 2})
    ballot_id = await net.motion(
        method="plurality", choices=[("lyon", "Lyon"), ("nantes", "Nantes"), ("lille", "Lille")]
    )
    await open_ballot(ballot_id)
    for membership, choice in zip(
        net.members["grande"], ("lyon", "lyon", "lyon", "lyon", "nantes"), strict=True
    ):
        await voting.cast_vote(ballot_id, membership, choice)
    for membership in net.members["petite"]:
        await voting.cast_vote(ballot_id, membership, "nantes")
    result = await close(ballot_id)
    assert result.winners == ("nantes",)  # 1/10 + 1/2 against 2/5
    _result, snapshot = await _stored(ballot_id)
    count = snapshot["network_count"]
    assert json.loads(count["per_head"])["winners"] == ["lyon"]  # 4 against 3
    assert count["agree"] is False
    assert count["cooperatives"][1]["counts"]["nantes"] == "2"


async def _network_with_colleges(*, secret: bool = False) -> tuple[Network, int]:
    """Grande (6) and Petite (4) with one individual member; « Salariés » (30 %) holds three
    of Grande's and two of Petite's, « Usagers » (70 %) the others; the individual member is
    in no college. Grande: 1 for, 5 against; Petite: 4 for; the individual member: for."""
    net = await network({"grande": 6, "petite": 4}, individuals=1)
    grande, petite = net.members["grande"], net.members["petite"]
    await net.colleges(
        {"Salariés": "30", "Usagers": "70"},
        {"Salariés": grande[:3] + petite[:2], "Usagers": grande[3:] + petite[2:]},
    )
    ballot_id = await net.motion(secret=secret)
    await open_ballot(ballot_id)
    await net.vote(ballot_id, "grande", {"yes": 1, "no": 5})
    await net.vote(ballot_id, "petite", {"yes": 4})
    await net.vote(ballot_id, "", {"yes": 1})
    return net, ballot_id


async def test_a_network_with_colleges_also_counts_the_ballot_by_college() -> None:
    """Per head 6 for 5 against, per cooperative 7/12 for: adopted, as the per-cooperative
    count decides. By college: Salariés 3 for 2 against (30 %), Usagers 2 for 3 against
    (70 %): 23/50 for, rejected; the individual member in no college is outside that count."""
    net, ballot_id = await _network_with_colleges()
    assert (await close(ballot_id)).verdict is Verdict.ADOPTED
    _result, snapshot = await _stored(ballot_id)
    frozen = snapshot["network"]["colleges"]
    assert sorted((line["name"], line["weight"]) for line in frozen.values()) == [
        ("Salariés", "3/10"),
        ("Usagers", "7/10"),
    ]
    by_college = snapshot["network_count"]["by_college"]
    result = json.loads(by_college["result"])
    assert result["verdict"] == "rejected"
    assert [line["name"] for line in by_college["colleges"]] == ["Salariés", "Usagers"]
    assert [line["voters"] for line in by_college["colleges"]] == [5, 5]
    assert by_college["colleges"][0]["counts"] == {"yes": "3", "no": "2", "abstain": "0"}
    assert by_college["outside"] == 1
    assert by_college["hidden"] == []
    # each paper names its groups, never its voter
    groups = await BallotPaper.select(BallotPaper.weight_group).where(
        BallotPaper.ballot == ballot_id
    )
    grande, petite = net.cooperatives["grande"], net.cooperatives["petite"]
    salaries, usagers = await _college_id(net, "Salariés"), await _college_id(net, "Usagers")
    assert {row["weight_group"] for row in groups} == {
        f"cooperative:{grande},college:{salaries}",
        f"cooperative:{grande},college:{usagers}",
        f"cooperative:{petite},college:{salaries}",
        f"cooperative:{petite},college:{usagers}",
        "cooperative:,college:",  # the individual member: no cooperative, no college
    }


async def test_a_secret_ballot_by_college_hides_every_college_line_when_one_is_small() -> None:
    net = await network({"grande": 6, "petite": 4})
    await net.colleges(
        {"Salariés": "50", "Usagers": "50"},
        {
            "Salariés": net.members["grande"] + net.members["petite"][:2],
            "Usagers": net.members["petite"][2:],
        },
    )
    ballot_id = await net.motion(secret=True)
    await open_ballot(ballot_id)
    await net.vote(ballot_id, "grande", {"yes": 3, "no": 3})
    await net.vote(ballot_id, "petite", {"no": 2, "yes": 2})
    await close(ballot_id)
    _result, snapshot = await _stored(ballot_id)
    by_college = snapshot["network_count"]["by_college"]
    assert by_college["hidden"] == ["Usagers"]
    assert [line["counts"] for line in by_college["colleges"]] == [None, None]
    assert [line["voters"] for line in by_college["colleges"]] == [8, 2]
    # the totals are kept: Salariés 5 for 3 against (50 %), Usagers' two against (50 %)
    assert json.loads(by_college["result"])["verdict"] == "rejected"  # 5/16 for


async def _college_id(net: Network, name: str) -> int:
    row = (
        await College.select(College.id)
        .where((College.organisation == net.organisation_id) & (College.name == name))
        .first()
    )
    assert row is not None
    return int(row["id"])


async def test_the_count_by_college_is_recounted_alike_from_the_frozen_weights() -> None:
    net, ballot_id = await _network_with_colleges(secret=True)
    await close(ballot_id)
    _stored_result, stored_snapshot = await _stored(ballot_id)
    # the network's colleges change after the close: the recount reads the frozen weights
    await College.update({College.weight_basis_points: 5_000}).where(
        College.organisation == net.organisation_id
    )
    row = await Ballot.select().where(Ballot.id == ballot_id).first()
    assert row is not None
    _again, snapshot_text = await counting.count_round(row)
    assert json.loads(snapshot_text or "{}") == stored_snapshot
    assert stored_snapshot["network_count"]["by_college"]["outside"] == 1


async def test_a_network_whose_college_weights_break_the_rules_cannot_open() -> None:
    net = await network({"grande": 2})
    members = net.members["grande"]
    await net.colleges({"Salariés": "50", "Usagers": "50"}, {"Salariés": members, "Usagers": []})
    await College.update({College.weight_basis_points: 4_000}).where(
        College.organisation == net.organisation_id
    )
    ballot_id = await net.motion()
    assert await refusal_code(open_ballot(ballot_id)) == "college_weights_sum"
