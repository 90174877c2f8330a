"""A network's decision counted per head, per cooperative and within each cooperative (#20)."""

from __future__ import annotations

import doctest
from fractions import Fraction

import pytest

from votes.core import network
from votes.core.network import NetworkBallot, Sharing, cooperative_shares, count_network
from votes.core.results import TallyError, Verdict


def test_doctests() -> None:
    assert doctest.testmod(network).failed == 0


def test_shares_equal_by_members_or_fixed_add_up_to_one() -> None:
    members = {"oxalis": 30, "coopaname": 90, "smart": 0}
    equal = cooperative_shares(Sharing.EQUAL, members)
    assert equal == {"coopaname": Fraction(1, 2), "oxalis": Fraction(1, 2)}  # smart has nobody
    assert cooperative_shares(Sharing.MEMBERS, members) == {
        "coopaname": Fraction(3, 4),
        "oxalis": Fraction(1, 4),
    }
    fixed = cooperative_shares(Sharing.FIXED, members, {"oxalis": "2/5", "coopaname": "3/5"})
    assert fixed == {"coopaname": Fraction(3, 5), "oxalis": Fraction(2, 5)}
    assert sum(fixed.values()) == 1


@pytest.mark.parametrize(
    ("members", "fixed", "message"),
    [
        ({"a": 3, "b": -1}, None, "fewer than no members"),
        ({"a": 0}, None, "no cooperative with members"),
        ({"a": 3, "b": 2}, {"a": "1/2", "c": "1/2"}, "the cooperatives taking part are"),
        ({"a": 3, "b": 2}, {"a": "1/2", "b": "1/3"}, "add up to 100 %"),
        ({"a": 3, "b": 2}, None, "add up to 100 %"),  # fixed shares that were never written
    ],
)
def test_shares_that_cannot_be_fixed_are_refused(
    members: dict[str, int], fixed: dict[str, str] | None, message: str
) -> None:
    sharing = Sharing.EQUAL if message.startswith(("fewer", "no coop")) else Sharing.FIXED
    with pytest.raises(TallyError, match=message):
        cooperative_shares(sharing, members, fixed)


def test_a_small_cooperative_weighs_its_share_whatever_its_turnout() -> None:
    """Per head the large cooperative decides; per cooperative both weigh half, and each
    cooperative's share goes to the side its voters chose (abstentions scaled alike)."""
    shares = cooperative_shares(Sharing.EQUAL, {"grande": 40, "petite": 8})
    papers = {
        "grande": {"no": 30, "yes": 6, "abstain": 4},
        "petite": {"yes": 6, "abstain": 2},
    }
    ballot = NetworkBallot("majority", ("yes", "no", "abstain"), secret=False)
    count = count_network(ballot, papers, shares)
    assert count.per_head.verdict is Verdict.REJECTED  # 12 for, 30 against
    assert count.per_cooperative.verdict is Verdict.ADOPTED  # 1/12 + 1/2 for, 5/12 against
    assert not count.counts_agree
    grande, petite = count.cooperatives
    assert (grande.name, grande.voters, petite.voters) == ("grande", 40, 8)
    assert grande.result is not None
    assert grande.result.verdict is Verdict.REJECTED
    assert petite.result is not None
    assert petite.result.verdict is Verdict.ADOPTED
    assert count.hidden == ()


def test_shares_by_members_with_everyone_voting_is_the_count_per_head() -> None:
    papers = {"a": {"x": 5, "y": 1}, "b": {"y": 3}}
    shares = cooperative_shares(Sharing.MEMBERS, {"a": 6, "b": 3})
    count = count_network(NetworkBallot("plurality", ("x", "y"), secret=False), papers, shares)
    assert count.per_head.rounds[0].totals == {"x": 5, "y": 4}
    assert count.per_cooperative.rounds[0].totals == {"x": Fraction(5, 9), "y": Fraction(4, 9)}
    assert count.counts_agree
    assert count.per_head.winners == count.per_cooperative.winners == ("x",)


def test_a_ranked_ballot_is_counted_the_same_three_ways() -> None:
    papers = {
        "lyon": {("a", "b"): 4, ("c", "b"): 3},
        "bruxelles": {("b", "a"): 2, ("c",): 1},
    }
    shares = cooperative_shares(Sharing.EQUAL, {"lyon": 7, "bruxelles": 3})
    count = count_network(NetworkBallot("irv", ("a", "b", "c"), secret=False), papers, shares)
    assert count.per_head.winners == ("a",)  # b is out first with 2, then a leads 6 to 4
    # each city half: a 2/7, b 1/3, c 3/14 + 1/6; a is out first and its papers go to b
    assert count.per_cooperative.winners == ("b",)
    assert not count.counts_agree
    assert [line.result.winners for line in count.cooperatives if line.result] == [("b",), ("a",)]


def test_in_a_secret_ballot_a_small_cooperative_hides_every_breakdown() -> None:
    """One cooperative with 2 voters: its own count would tell how they voted, and any other
    cooperative's count next to the total would too, so none is shown."""
    papers = {"grande": {"yes": 20, "no": 5}, "petite": {"no": 2}, "absente": {}}
    shares = cooperative_shares(Sharing.EQUAL, {"grande": 30, "petite": 3, "absente": 4})
    secret = NetworkBallot("majority", ("yes", "no"), secret=True)
    count = count_network(secret, papers, shares)
    assert count.hidden == ("petite",)
    assert [line.result for line in count.cooperatives] == [None, None, None]
    assert [line.voters for line in count.cooperatives] == [0, 25, 2]
    assert (
        count.per_cooperative.verdict is Verdict.REJECTED
    )  # 4/15 yes, 6/15 no: nobody carries the absent share
    shown = count_network(NetworkBallot("majority", ("yes", "no"), secret=False), papers, shares)
    assert shown.hidden == ()
    absente, grande, petite = shown.cooperatives
    assert absente.result is None  # nobody voted: nothing to show
    assert grande.result is not None
    assert petite.result is not None


def test_papers_from_a_cooperative_without_a_share_are_refused() -> None:
    shares = cooperative_shares(Sharing.EQUAL, {"a": 2})
    with pytest.raises(TallyError, match=r"no share: \['b'\]"):
        count_network(
            NetworkBallot("majority", ("yes", "no"), secret=False),
            {"a": {"yes": 1}, "b": {"no": 1}},
            shares,
        )


def test_papers_no_cooperative_registered_count_per_head_only() -> None:
    """An individual member of the network weighs one per head and nothing per cooperative;
    their own line is shown, or hidden like a small cooperative's in a secret ballot."""
    shares = cooperative_shares(Sharing.EQUAL, {"a": 10, "b": 10})
    papers = {"a": {"yes": 5}, "b": {"no": 5}}
    alone = {"no": 6}
    shown = NetworkBallot("majority", ("yes", "no"), secret=False)
    secret = NetworkBallot("majority", ("yes", "no"), secret=True)
    count = count_network(shown, papers, shares, unaffiliated=alone)
    assert count.per_head.verdict is Verdict.REJECTED  # 5 for, 11 against
    assert count.per_cooperative.verdict is Verdict.REJECTED  # 1/2 against 1/2: no majority
    assert count.unaffiliated is not None
    assert count.unaffiliated.voters == 6
    assert count.unaffiliated.share == 0
    assert count.unaffiliated.result is not None
    assert count.unaffiliated.result.verdict is Verdict.REJECTED
    few = count_network(secret, papers, shares, unaffiliated={"no": 2})
    assert few.hidden == (network.UNAFFILIATED,)
    assert few.unaffiliated is not None
    assert few.unaffiliated.result is None
    assert [line.result for line in few.cooperatives] == [None, None]
    hidden_elsewhere = count_network(secret, {"a": {"yes": 2}, "b": {}}, shares, unaffiliated=alone)
    assert hidden_elsewhere.hidden == ("a",)
    assert hidden_elsewhere.unaffiliated is not None
    assert hidden_elsewhere.unaffiliated.result is None
    none = count_network(secret, papers, shares, unaffiliated={})
    assert none.unaffiliated is None


def test_the_same_papers_counted_by_college_weigh_each_college_its_weight() -> None:
    """Two colleges weighing 70 % and 30 %: the small college's « pour » does not outweigh
    the large one's « contre », whatever the turnout; each college's own line is given."""
    weights = {"salariés": Fraction(7, 10), "usagers": Fraction(3, 10)}
    papers = {"salariés": {"no": 2, "yes": 1}, "usagers": {"yes": 9}}
    ballot = NetworkBallot("majority", ("yes", "no"), secret=False)
    count = network.count_by_college(ballot, papers, weights, outside=2)
    # 7/10 × 1/3 + 3/10 = 8/15 for, 7/15 against
    assert count.result.verdict is Verdict.ADOPTED
    assert count.result.rounds[0].totals["yes"] == Fraction(8, 15)
    assert count.hidden == ()
    assert count.outside == 2
    salaries, usagers = count.colleges
    assert (salaries.share, salaries.voters, usagers.voters) == (Fraction(7, 10), 3, 9)
    assert salaries.result is not None
    assert salaries.result.verdict is Verdict.REJECTED


def test_in_a_secret_ballot_a_small_college_hides_every_college_line() -> None:
    weights = {"a": Fraction(1, 2), "b": Fraction(1, 4), "c": Fraction(1, 4)}
    papers = {"a": {frozenset({"x"}): 6}, "b": {frozenset({"y"}): 2}}
    approval = NetworkBallot("approval", ("x", "y"), secret=True)
    count = network.count_by_college(approval, papers, weights)
    assert count.hidden == ("b",)
    assert [line.result for line in count.colleges] == [None, None, None]
    assert [line.voters for line in count.colleges] == [6, 2, 0]
    plurality = NetworkBallot("plurality", ("x", "y"), secret=True)
    shown = network.count_by_college(plurality, {"a": {"x": 6}}, weights)
    assert shown.hidden == ()
    assert shown.colleges[0].result is not None
    assert shown.colleges[1].result is None  # nobody voted in it: nothing to show
