"""Ballot input: both accepted shapes, grouping, and clear errors naming the ballot."""

from fractions import Fraction

import pytest

from votes.core.ballots import (
    InvalidBallotError,
    check_amount,
    check_candidates,
    check_seats,
    exact_fraction,
    group_ballots,
    group_ranked_ballots,
)
from votes.core.results import TallyError

CANDIDATES = ("a", "b", "c")


def test_an_iterable_of_ballots_counts_each_once_and_groups_identical_ones():
    grouped = group_ranked_ballots(CANDIDATES, [("a", "b"), ["a", "b"], ("c",)])
    assert grouped == {("a", "b"): 2, ("c",): 1}


def test_a_mapping_keeps_exact_weights_and_sums_them():
    grouped = group_ranked_ballots(CANDIDATES, {("a",): Fraction(1, 3), ("b", "a"): 2})
    assert grouped == {("a",): Fraction(1, 3), ("b", "a"): 2}


def test_empty_and_weightless_ballots_carry_no_preference_and_are_dropped():
    assert group_ranked_ballots(CANDIDATES, {(): 5, ("a",): 0, ("b",): 1}) == {("b",): 1}


@pytest.mark.parametrize(
    ("ballots", "fragment"),
    [
        ({("a", "x"): 1}, "unknown candidate 'x'"),
        ({("a", "b", "a"): 1}, "ranked twice"),
        ({("a",): -1}, "negative"),
        ({("a",): 0.5}, "int or a Fraction"),
        ({("a",): True}, "int or a Fraction"),
        (["abc"], "tuple of candidate ids"),
        ([42], "tuple of candidate ids"),
        ([("a", 3)], "unknown candidate 3"),
    ],
)
def test_invalid_ballots_are_rejected_with_the_ballot_named(ballots, fragment):
    with pytest.raises(InvalidBallotError, match=fragment) as caught:
        group_ranked_ballots(CANDIDATES, ballots)
    assert "invalid ballot" in str(caught.value)
    assert isinstance(caught.value, TallyError)


@pytest.mark.parametrize(
    ("candidates", "fragment"),
    [
        ("abc", "not the string"),
        (["a", ""], "non-empty"),
        (["a", 1], "non-empty"),
        (["a", "a"], "listed twice"),
        ([], "at least one"),
    ],
)
def test_candidate_lists_must_be_distinct_ids(candidates, fragment):
    with pytest.raises(TallyError, match=fragment):
        check_candidates(candidates)


@pytest.mark.parametrize("seats", [0, -1, 1.0, True, "2"])
def test_seats_must_be_a_positive_integer(seats):
    with pytest.raises(TallyError, match="seats"):
        check_seats(seats)


def test_group_ballots_uses_the_methods_own_normalisation():
    assert group_ballots({"x": 2, "X": 1}, str.lower) == {"x": 3}


def test_an_option_share_must_be_a_real_fraction():
    with pytest.raises(TallyError, match="'two thirds' is not a fraction"):
        exact_fraction("threshold", "two thirds")


def test_an_option_amount_must_be_exact():
    with pytest.raises(TallyError, match="quorum must be an int or a Fraction"):
        check_amount("quorum", 2.5)


def test_an_unhashable_mark_is_named_rather_than_crashing():
    with pytest.raises(InvalidBallotError, match=r"unknown candidate \['a'\]"):
        group_ranked_ballots(CANDIDATES, [(["a"],)])


@pytest.mark.parametrize("share", ["1/0", "0/0", " 3 / 0 "])
def test_an_option_share_over_zero_is_refused_not_crashed(share):
    with pytest.raises(TallyError, match="divides by zero"):
        exact_fraction("threshold", share)


@pytest.mark.parametrize(
    "share", ["１/２", "²", "1/1000000000000000000000000000000", "1e3", "1/2/3", "", "--1/2"]
)
def test_an_option_share_is_written_in_a_few_ascii_digits(share):
    with pytest.raises(TallyError, match="is not a fraction"):
        exact_fraction("threshold", share)


def test_an_option_share_may_be_a_decimal_or_spaced_fraction():
    assert exact_fraction("threshold", " 2 / 3 ") == Fraction(2, 3)
    assert exact_fraction("threshold", "0.75") == Fraction(3, 4)
