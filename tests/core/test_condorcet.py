"""Pairwise matrix, Schulze and Ranked Pairs on hand-made profiles."""

from fractions import Fraction

import pytest

from votes.core import TallyError, TieResolution, condorcet, explain, tally
from votes.core.ballots import group_ranked_ballots
from votes.core.condorcet import condorcet_winner, pairwise_matrix

# Schulze's own example (Wikipedia "Schulze method", 45 voters, 5 candidates).
SCHULZE_EXAMPLE = {
    ("a", "c", "b", "e", "d"): 5,
    ("a", "d", "e", "c", "b"): 5,
    ("b", "e", "d", "a", "c"): 8,
    ("c", "a", "b", "e", "d"): 3,
    ("c", "a", "e", "b", "d"): 7,
    ("c", "b", "a", "d", "e"): 2,
    ("d", "c", "e", "b", "a"): 7,
    ("e", "b", "a", "d", "c"): 8,
}
FIVE = ("a", "b", "c", "d", "e")
CYCLE = {("a", "b", "c"): 3, ("b", "c", "a"): 3, ("c", "a", "b"): 3}


def test_ranked_beats_unranked_and_unranked_pairs_count_for_nobody():
    matrix = pairwise_matrix(["a", "b", "c"], group_ranked_ballots(["a", "b", "c"], {("a",): 4}))
    assert matrix["a"] == {"b": 4, "c": 4}
    assert matrix["b"] == {"a": 0, "c": 0}


def test_schulze_reproduces_the_published_example():
    result = tally("schulze", FIVE, SCHULZE_EXAMPLE)
    assert result.winners == ("e",)
    assert result.ranking == (("e",), ("a",), ("c",), ("b",), ("d",))
    assert result.details["pairwise"]["a"]["b"] == 20
    assert result.details["strongest_paths"]["e"]["a"] == 5  # margins: d[e][a]-d[a][e] = 25-20
    assert result.details["condorcet_winner"] is None


def test_schulze_winning_votes_on_the_published_example():
    result = tally("schulze", FIVE, SCHULZE_EXAMPLE, strength="winning_votes")
    assert result.winners == ("e",)
    assert result.options["strength"] == "winning_votes"


def test_a_condorcet_winner_is_named_in_the_explanation():
    result = tally("schulze", ["a", "b", "c"], {("a", "b", "c"): 2, ("b", "a"): 1})
    assert condorcet_winner(result.candidates, result.details["pairwise"]) == "a"
    line = explain(result, "fr")[0]
    assert "a bat chacun des autres en duel (vainqueur de Condorcet)" in line
    assert "classement\u00a0: a > b > c" in line


def test_schulze_reports_a_perfect_cycle_as_one_tie_group():
    result = tally("schulze", ["a", "b", "c"], CYCLE)
    assert result.ranking == (("a", "b", "c"),)
    assert result.winners == ()
    assert result.tie_events[0].resolution is TieResolution.UNRESOLVED


def test_schulze_fills_several_seats_from_its_ranking():
    assert tally("schulze", FIVE, SCHULZE_EXAMPLE, seats=2).winners == ("e", "a")


def test_ranked_pairs_locks_strongest_first_and_skips_the_contradiction():
    ballots = {("a", "b", "c"): 7, ("b", "c", "a"): 5, ("c", "a", "b"): 4}
    result = tally("ranked_pairs", ["a", "b", "c"], ballots)
    # margins: b>c 8, a>b 6, c>a 2 -> lock b>c, a>b; c>a would close a cycle
    assert result.details["locked"] == (("b", "c"), ("a", "b"))
    assert result.details["skipped"] == (("c", "a"),)
    assert result.winners == ("a",)
    assert result.ranking == (("a",), ("b",), ("c",))
    assert "the contest c > a (strength 2) is not locked" in explain(result, "en")[0]


def test_ranked_pairs_winning_votes_measures_a_contest_by_its_supporters():
    ballots = {("a", "b", "c"): 7, ("b", "c", "a"): 5, ("c", "a", "b"): 4}
    result = tally("ranked_pairs", ["a", "b", "c"], ballots, strength="winning_votes")
    assert result.details["locked"] == (("b", "c"), ("a", "b"))
    assert "(strength 9)" in explain(result, "en")[0]


def test_ranked_pairs_conflict_of_equal_strength_is_reported_when_unresolved():
    result = tally("ranked_pairs", ["a", "b", "c"], CYCLE)
    assert result.winners == ()
    assert result.ranking == ()
    assert result.tie_events[0].purpose == "pair_order"
    assert "se contredisent" in explain(result, "fr")[0]


def test_ranked_pairs_conflict_settled_by_a_published_order():
    result = tally("ranked_pairs", ["a", "b", "c"], CYCLE, tie_break=["b", "a", "c"])
    # order b first: lock b>c, then a>b (winner a before c), then c>a closes a cycle
    assert result.details["locked"] == (("b", "c"), ("a", "b"))
    assert result.winners == ("a",)
    assert result.tie_events[0].resolution is TieResolution.FIXED_ORDER


def test_ranked_pairs_lot_is_drawn_once_and_repeats_with_the_same_seed():
    ballots = {**CYCLE, ("d",): 0}
    first = tally("ranked_pairs", ["a", "b", "c", "d"], ballots, tie_break="lot", seed="s")
    again = tally("ranked_pairs", ["a", "b", "c", "d"], ballots, tie_break="lot", seed="s")
    assert first == again
    assert first.tie_events[0].resolution is TieResolution.LOT
    assert len(first.winners) == 1


def test_ranked_pairs_ties_with_no_conflict_need_no_tie_rule():
    # a>c and b>c with equal margins; locking both in any order gives the same graph
    result = tally("ranked_pairs", ["a", "b", "c"], {("a", "b", "c"): 1, ("b", "a", "c"): 1})
    assert result.ranking == (("a", "b"), ("c",))
    assert result.winners == ()
    assert result.tie_events[0].purpose == "winner"


def test_unknown_strength_is_rejected():
    with pytest.raises(TallyError, match="strength"):
        tally("schulze", ["a", "b"], [("a",)], strength="ratio")


def test_weights_may_be_fractions():
    result = tally("schulze", ["a", "b"], {("a",): Fraction(1, 3), ("b",): Fraction(1, 4)})
    assert result.winners == ("a",)
    assert result.details["pairwise"]["a"]["b"] == Fraction(1, 3)


def test_ranked_pairs_lot_is_drawn_once_for_several_conflicts():
    # two cycles of different strengths (a-b-c by 2, d-e-f by 1), a b c above d e f by 3
    ballots = {
        ("a", "b", "c"): 2,
        ("b", "c", "a"): 2,
        ("c", "a", "b"): 2,
        ("d", "e", "f"): 1,
        ("e", "f", "d"): 1,
        ("f", "d", "e"): 1,
    }
    result = tally("ranked_pairs", list("abcdef"), ballots, tie_break="lot", seed="x")
    assert [e.resolution for e in result.tie_events] == [TieResolution.LOT]
    assert len(result.details["locked"]) == 13  # 15 contests, one skipped in each cycle


# a beats everyone by 3; b > c, c > d, d > b by 1 each: a cycle of equal strength below a
BELOW_A_CYCLE = {("a", "b", "c", "d"): 1, ("a", "c", "d", "b"): 1, ("a", "d", "b", "c"): 1}


def test_ranked_pairs_conflict_that_cannot_change_the_winner_does_not_block_it():
    result = tally("ranked_pairs", ["a", "b", "c", "d"], BELOW_A_CYCLE)
    assert result.winners == ("a",)
    assert result.ranking[0] == ("a",)
    (event,) = result.tie_events
    assert event.resolution is TieResolution.NO_EFFECT
    assert event.tied == ("b", "c", "d")
    assert "le résultat est le même" in explain(result, "fr")[0]
    assert "the result is the same" in explain(result, "en")[0]
    # no lot is drawn, no published order consulted: the tie did not matter
    assert (
        tally(
            "ranked_pairs", ["a", "b", "c", "d"], BELOW_A_CYCLE, tie_break="lot", seed="s"
        ).tie_events
        == result.tie_events
    )


def test_ranked_pairs_conflict_that_decides_a_second_seat_still_needs_the_tie_rule():
    result = tally("ranked_pairs", ["a", "b", "c", "d"], BELOW_A_CYCLE, seats=2)
    assert result.winners == ()  # the second seat depends on the locking order
    assert result.tie_events[0].resolution is TieResolution.UNRESOLVED
    settled = tally(
        "ranked_pairs", ["a", "b", "c", "d"], BELOW_A_CYCLE, seats=2, tie_break="lot", seed="s"
    )
    assert len(settled.winners) == 2


def test_ranked_pairs_every_locking_order_is_tried_even_after_skips():
    # two conflicting groups: a 3-cycle a-b-c by 2 under nobody, then d below everyone by 1,
    # with d's own contests tied in strength: the first cycle decides, so it stays a tie
    ballots = {**CYCLE, ("a", "b", "c", "d"): 0}
    assert tally("ranked_pairs", ["a", "b", "c", "d"], ballots).winners == ()


def test_ranked_pairs_gives_up_trying_orders_beyond_its_budget(monkeypatch):
    monkeypatch.setattr(condorcet, "LOCKING_STATES_MAX", 2)
    result = tally("ranked_pairs", ["a", "b", "c", "d"], BELOW_A_CYCLE)
    assert result.winners == ()  # left to the tie rule, as before: unresolved


def test_schulze_ties_below_the_winner_do_not_block_it():
    # Schulze has no locking order: its only ties are those of its beatpath ranking, and a
    # tie below the seats is left alone (the cycle b-c-d under a)
    result = tally("schulze", ["a", "b", "c", "d"], BELOW_A_CYCLE)
    assert result.winners == ("a",)
    assert result.ranking == (("a",), ("b", "c", "d"))
    assert result.tie_events == ()
