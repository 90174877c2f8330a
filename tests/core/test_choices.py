"""A voter's choice checked against the ballot's options, method by method."""

from typing import Any

import pytest

from votes.core.choices import REASON_MAX, ChoiceError, check_choice, decode_choice, score_scale

KEYS = ["a", "b", "c"]
CONSENT = ["consent", "objection", "block", "stand_aside"]


@pytest.mark.parametrize(
    ("method", "keys", "rules", "choice", "stored"),
    [
        ("majority", ["yes", "no"], {}, "yes", "yes"),
        ("irv", KEYS, {}, ("b", "a"), ["b", "a"]),
        ("approval", KEYS, {"max_selections": 2, "min_selections": 1}, {"c", "a"}, ["a", "c"]),
        ("approval", KEYS, {}, [], []),
        ("score", KEYS, {"scale": [0, 10]}, {"a": 10, "b": 0}, {"a": 10, "b": 0}),
        ("consent", CONSENT, {}, "consent", "consent"),
        ("consent", CONSENT, {}, ["consent", "  fine  "], ["consent", "fine"]),
        ("consent", CONSENT, {}, ("objection", " Too dear "), ["objection", "Too dear"]),
    ],
)
def test_a_good_choice_is_kept_in_its_stored_shape(
    method: str, keys: list[str], rules: dict[str, Any], choice: Any, stored: Any
) -> None:
    assert check_choice(method, keys, rules, choice) == stored


@pytest.mark.parametrize(
    ("method", "rules", "choice", "code"),
    [
        ("majority", {}, "forged", "unknown_option"),
        ("majority", {}, ["a"], "unknown_option"),
        ("irv", {}, "a", "unknown_option"),
        ("irv", {}, ["a", 1], "unknown_option"),
        ("irv", {}, [], "empty_ranking"),
        ("irv", {}, ["a", "a"], "duplicate_option"),
        ("irv", {}, ["a", "z"], "unknown_option"),
        ("approval", {}, "a", "unknown_option"),
        ("approval", {}, ["a", 2], "unknown_option"),
        ("approval", {}, ["z"], "unknown_option"),
        ("approval", {}, ["a", "a"], "duplicate_option"),
        ("approval", {"max_selections": 1}, ["a", "b"], "too_many_approvals"),
        ("approval", {"min_selections": 2}, ["a"], "too_few_approvals"),
        ("score", {}, ["a"], "unknown_option"),
        ("score", {}, {"z": 1}, "unknown_option"),
        ("score", {}, {"a": True}, "score_out_of_range"),
        ("score", {}, {"a": "3"}, "score_out_of_range"),
        ("score", {}, {"a": 6}, "score_out_of_range"),
        ("score", {}, {}, "empty_scores"),
        ("consent", {}, ["consent"], "unknown_option"),
        ("consent", {}, 3, "unknown_option"),
        ("consent", {}, ["forged", ""], "unknown_option"),
        ("consent", {}, [1, ""], "unknown_option"),
        ("consent", {}, ["consent", 1], "unknown_option"),
        ("consent", {}, ["objection", "   "], "reason_required"),
        ("consensus", {}, "block", "reason_required"),
    ],
)
def test_a_bad_choice_is_refused_with_its_fault(
    method: str, rules: dict[str, Any], choice: Any, code: str
) -> None:
    keys = CONSENT if method in {"consent", "consensus"} else KEYS
    with pytest.raises(ChoiceError) as refused:
        check_choice(method, keys, rules, choice)
    assert refused.value.code == code


def test_a_long_reason_is_refused_not_cut() -> None:
    with pytest.raises(ChoiceError) as refused:
        check_choice("consent", CONSENT, {}, ["objection", "x" * (REASON_MAX + 1)])
    assert refused.value.code == "reason_too_long"
    stored = check_choice("consent", CONSENT, {}, ["stand_aside", f"  {'x' * REASON_MAX}  "])
    assert stored == ["stand_aside", "x" * REASON_MAX]


def test_a_stored_choice_reads_back_as_the_tally_takes_it() -> None:
    assert decode_choice("approval", '["a", "b"]') == frozenset({"a", "b"})
    assert score_scale({"scale": ["1", "3"]}) == (1, 3)
