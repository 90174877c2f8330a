"""College weighting and category caps: exact shares that any method then counts."""

from fractions import Fraction

import pytest

from votes.core import TallyError, Verdict, tally
from votes.core.weighting import (
    cap_categories,
    check_college_weights,
    check_scic_colleges,
    weight_by_college,
)

SCIC = {"salariés": "40/100", "usagers": "25/100", "bénévoles": "25/100", "collectivités": "1/10"}


def test_a_scic_college_keeps_its_statutory_weight_whatever_its_turnout():
    ballots = {
        "salariés": {"yes": 3, "no": 1},  # 4 voters share 40 %
        "usagers": {"no": 100},  # 100 voters share 25 %
        "bénévoles": {"yes": 10, "no": 10, "abstain": 5},
        "collectivités": {"yes": 1},
    }
    weighted = weight_by_college(ballots, SCIC, scale_over=lambda r: r in ("yes", "no"))
    assert weighted["yes"] == Fraction(30, 100) + Fraction(125, 1000) + Fraction(1, 10)
    assert weighted["no"] == Fraction(10, 100) + Fraction(25, 100) + Fraction(125, 1000)
    assert weighted["abstain"] == Fraction(25, 400)
    result = tally("majority", ("yes", "no", "abstain"), weighted)
    assert result.verdict is Verdict.ADOPTED  # 52.5 % yes although most voters said no


def test_college_weighting_works_for_ranked_ballots_too():
    ballots = {"a": [("x", "y")], "b": [("y", "x"), ("y", "x"), ("y",)]}
    weighted = weight_by_college(ballots, {"a": "3/5", "b": "2/5"})
    assert weighted == {
        ("x", "y"): Fraction(3, 5),
        ("y", "x"): Fraction(4, 15),
        ("y",): Fraction(2, 15),
    }
    assert tally("plurality", ["x", "y"], weighted).winners == ("x",)  # one voter, 60 %


def test_a_college_with_nobody_voting_contributes_nothing():
    weighted = weight_by_college({"a": ["x"], "b": []}, {"a": "1/2", "b": "1/2"})
    assert weighted == {"x": Fraction(1, 2)}


@pytest.mark.parametrize(
    ("weights", "fragment"),
    [
        ({"a": "1/2", "b": "1/2"}, "at least 3"),
        ({"a": "6/10", "b": "2/10", "c": "2/10"}, "10 % to 50 %"),
        ({"a": "1/2", "b": "1/2", "c": "1/20", "d": "-1/20"}, "positive"),
        ({"a": "1/2", "b": "1/4", "c": "1/5"}, "add up to 100"),
        ({"a": 0.5, "b": 0.5}, "exact"),
        ({"a": "x"}, "not a fraction"),
    ],
)
def test_scic_college_weights_follow_the_law(weights, fragment):
    with pytest.raises(TallyError, match=fragment):
        check_scic_colleges(weights)


def test_valid_scic_weights_come_back_exact():
    assert check_scic_colleges(SCIC)["collectivités"] == Fraction(1, 10)
    assert check_college_weights({"a": 1}) == {"a": 1}


def test_ballots_from_a_college_without_weight_are_refused():
    with pytest.raises(TallyError, match="without a weight"):
        weight_by_college({"z": ["x"]}, {"a": 1})


def test_a_category_above_its_cap_is_scaled_to_exactly_the_cap():
    weighted = cap_categories({"coop": {"yes": 40}, "others": {"no": 60}}, {"others": "49/100"})
    assert weighted["no"] / (weighted["yes"] + weighted["no"]) == Fraction(49, 100)
    assert weighted["yes"] == 40


def test_a_category_under_its_cap_is_left_alone():
    weighted = cap_categories({"coop": ["yes"] * 3, "others": ["no"]}, {"others": "49/100"})
    assert weighted == {"yes": 3, "no": 1}


def test_capping_one_category_can_push_another_over_its_cap():
    ballots = {"a": {"x": 50}, "b": {"y": 30}, "c": {"z": 20}}
    weighted = cap_categories(ballots, {"a": "1/5", "b": "3/10"})
    total = sum(weighted.values())
    assert weighted["x"] / total == Fraction(1, 5)
    assert weighted["y"] / total == Fraction(3, 10)
    assert weighted["z"] == 20


@pytest.mark.parametrize(
    ("ballots", "caps", "fragment"),
    [
        ({"a": ["x"]}, {"a": "1/2"}, "cannot all hold"),
        ({"a": ["x"], "b": ["y"]}, {"a": "1/3", "b": "1/3"}, "cannot all hold"),
        ({"a": ["x"]}, {"a": 1}, "strictly between"),
    ],
)
def test_impossible_caps_are_refused(ballots, caps, fragment):
    with pytest.raises(TallyError, match=fragment):
        cap_categories(ballots, caps)
