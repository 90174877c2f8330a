"""Plurality, approval, score and Borda: hand-counted cases and their edge cases."""

from fractions import Fraction

import pytest

from votes.core import TallyError, TieResolution, explain, tally

# plurality ---------------------------------------------------------------------------------


def test_plurality_counts_first_choices_and_blank_votes_apart():
    result = tally("plurality", ["a", "b", "c"], {"a": 5, ("b", "a"): 3, ("c",): 4, (): 2})
    assert result.winners == ("a",)
    assert result.rounds[0].totals == {"a": 5, "b": 3, "c": 4}
    assert result.details["blank"] == 2
    assert result.ranking == (("a",), ("c",), ("b",))
    assert "2 votes blancs" in explain(result, "fr")[0]


def test_plurality_fills_several_seats_from_the_top():
    result = tally("plurality", ["a", "b", "c"], {"a": 5, "b": 3, "c": 4}, seats=2)
    assert result.winners == ("a", "c")


def test_plurality_reports_a_tie_for_first_place_instead_of_picking():
    result = tally("plurality", ["a", "b"], ["a", "b"])
    assert result.winners == ()
    assert result.tie_events[0].resolution is TieResolution.UNRESOLVED
    assert explain(result, "en")[0].endswith("not resolved; no seat filled")


def test_plurality_tie_by_lot_is_recorded_with_its_seed_and_repeats():
    first = tally("plurality", ["a", "b"], ["a", "b"], tie_break="lot", seed="assembly-2026")
    again = tally("plurality", ["b", "a"], ["b", "a"], tie_break="lot", seed="assembly-2026")
    assert first.winners == again.winners
    assert first.tie_events[0].seed == "assembly-2026"
    assert first.options["seed"] == "assembly-2026"


def test_plurality_rejects_an_unknown_candidate():
    with pytest.raises(TallyError, match="unknown candidate 'z'"):
        tally("plurality", ["a"], ["z"])


# approval ----------------------------------------------------------------------------------


def test_approval_counts_every_approved_option():
    ballots = {frozenset({"a", "b"}): 3, frozenset({"b"}): 2, frozenset(): 1}
    result = tally("approval", ["a", "b", "c"], ballots, seats=2)
    assert result.rounds[0].totals == {"a": 3, "b": 5, "c": 0}
    assert result.winners == ("b", "a")
    assert result.details["voters"] == 6


@pytest.mark.parametrize(
    ("ballot", "fragment"),
    [
        ({"a", "b", "c"}, "3 selections, between 1 and 2"),
        (set(), "0 selections"),
        (["a", "a"], "selected twice"),
        ({"z"}, "unknown"),
        ("ab", "set of candidate"),
        (7, "set of candidate"),
    ],
)
def test_approval_enforces_the_selection_bounds(ballot, fragment):
    with pytest.raises(TallyError, match=fragment):
        tally("approval", ["a", "b", "c"], [ballot], min_selections=1, max_selections=2)


@pytest.mark.parametrize(("low", "high"), [(-1, None), (2, 1), (True, None), (0, "3")])
def test_approval_bounds_must_make_sense(low, high):
    with pytest.raises(TallyError, match="selections"):
        tally("approval", ["a", "b"], [], min_selections=low, max_selections=high)


# score -------------------------------------------------------------------------------------


def test_score_sum_treats_a_blank_as_not_scored():
    ballots = [{"a": 5, "b": 3}, {"a": 1}, {"b": 4}]
    result = tally("score", ["a", "b"], ballots)
    assert result.rounds[0].totals == {"a": 6, "b": 7}
    assert result.details["raters"] == {"a": 2, "b": 2}
    assert result.winners == ("b",)
    assert "b totalise 7 points (2 évaluations)" in explain(result, "fr")[0]


def test_score_mean_needs_enough_raters_so_one_top_score_does_not_win():
    ballots = {frozenset({("a", 5)}): 1, frozenset({("b", 4)}): 10}
    result = tally("score", ["a", "b"], ballots, aggregate="mean", min_raters=2)
    assert result.winners == ("b",)
    assert result.ranking == (("b",), ("a",))
    assert "a cannot win: 1 rating, 2 required" in explain(result, "en")[0]


def test_score_mean_is_exact():
    result = tally(
        "score", ["a", "b"], [{"a": 1}, {"a": 2}, {"a": 2}], aggregate="mean", scale=(1, 3)
    )
    assert result.rounds[0].totals == {"a": Fraction(5, 3), "b": 0}
    assert result.winners == ("a",)
    assert result.options["scale"] == (1, 3)


def test_score_accepts_pairs_as_a_hashable_ballot():
    result = tally("score", ["a", "b"], {(("a", 2), ("b", 1)): 3})
    assert result.rounds[0].totals == {"a": 6, "b": 3}


@pytest.mark.parametrize(
    ("ballot", "fragment"),
    [
        ({"a": 6}, "not on the scale"),
        ({"a": 1.5}, "not on the scale"),
        ({"z": 1}, "unknown"),
        ((("a", 1), ("a", 2)), "scored twice"),
        ((("a",),), "pair"),
        ("a", "maps candidate"),
    ],
)
def test_score_rejects_bad_ballots(ballot, fragment):
    with pytest.raises(TallyError, match=fragment):
        tally("score", ["a", "b"], [ballot])


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"scale": (5, 0)}, "scale"),
        ({"scale": (0, 1, 2)}, "scale"),
        ({"scale": "0-5"}, "scale"),
        ({"aggregate": "median"}, "aggregate"),
        ({"min_raters": 0}, "min_raters"),
    ],
)
def test_score_options_are_checked(options, fragment):
    with pytest.raises(TallyError, match=fragment):
        tally("score", ["a"], [], **options)


# Borda -------------------------------------------------------------------------------------


def test_borda_complete_ballots_score_m_minus_rank():
    result = tally("borda", ["a", "b", "c"], {("a", "b", "c"): 2, ("b", "c", "a"): 1})
    assert result.rounds[0].totals == {"a": 4, "b": 4, "c": 1}
    assert result.winners == ()  # a and b tie: reported, not picked


def test_borda_default_shares_the_remaining_points_among_unranked():
    result = tally("borda", ["a", "b", "c", "d"], [("a",)])
    assert result.rounds[0].totals == {"a": 3, "b": 1, "c": 1, "d": 1}
    assert result.options["convention"] == "averaged"


@pytest.mark.parametrize(
    ("convention", "totals"),
    [
        ("pessimistic", {"a": 3, "b": 2, "c": 0, "d": 0}),
        ("modified", {"a": 2, "b": 1, "c": 0, "d": 0}),
        ("dowdall", {"a": 1, "b": Fraction(1, 2), "c": 0, "d": 0}),
    ],
)
def test_borda_conventions_for_truncated_ballots(convention, totals):
    result = tally("borda", ["a", "b", "c", "d"], [("a", "b")], convention=convention)
    assert result.rounds[0].totals == totals
    assert result.winners == ("a",)


def test_borda_rejects_an_unknown_convention():
    with pytest.raises(TallyError, match="convention"):
        tally("borda", ["a"], [], convention="nauru")
