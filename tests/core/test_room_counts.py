"""Room counts: the numbers add up, and join the electronic papers in the count."""

from collections import Counter
from typing import Any

import pytest

from votes.core.room_counts import (
    RoomCount,
    RoomCountError,
    check_not_negative,
    check_room_count,
    merge_room_count,
    room_approval_papers,
)


@pytest.mark.parametrize(
    ("method", "rules", "count", "code"),
    [
        ("majority", {}, RoomCount({"yes": 2, "no": 1}, blank=1, cast=3), "count_mismatch"),
        ("approval", {}, RoomCount({}, blank=2, invalid=2, cast=3), "papers_mismatch"),
        ("approval", {}, RoomCount({"a": 4}, cast=3), "approvals_over_papers"),
        ("approval", {}, RoomCount({"a": 1, "b": 1}, blank=1, cast=4), "approvals_too_few"),
        ("approval", {"min_selections": 2}, RoomCount({"a": 3}, cast=3), "approvals_too_few"),
        (
            "approval",
            {"max_selections": 1},
            RoomCount({"a": 2, "b": 1}, cast=2),
            "approvals_over_limit",
        ),
    ],
)
def test_figures_that_do_not_add_up_are_refused(
    method: str, rules: dict[str, Any], count: RoomCount, code: str
) -> None:
    with pytest.raises(RoomCountError) as refused:
        check_room_count(method, rules, count)
    assert refused.value.code == code


def test_figures_that_add_up_pass() -> None:
    check_room_count("plurality", {}, RoomCount({"a": 2, "b": 1}, blank=1, invalid=1, cast=5))
    check_room_count("approval", {"max_selections": 2}, RoomCount({"a": 2, "b": 1}, cast=2))
    check_not_negative(RoomCount({"a": 0}))
    with pytest.raises(RoomCountError, match="negative_count"):
        check_not_negative(RoomCount({"a": 1}, blank=-1, cast=0))


def test_a_majority_counts_blank_and_invalid_papers_as_their_own_options() -> None:
    grouped: Counter[Any] = Counter({"yes": 1})
    room = RoomCount({"yes": 2, "no": 1}, blank=1, invalid=2, cast=6)
    assert merge_room_count("majority", ["yes", "no", "blank"], grouped, room, {}) == [
        "yes",
        "no",
        "blank",
        "invalid",
    ]
    assert grouped == Counter({"yes": 3, "no": 1, "blank": 1, "invalid": 2})
    nothing: Counter[Any] = Counter()
    assert merge_room_count("majority", ["yes"], nothing, RoomCount({"yes": 1}, cast=1), {}) == [
        "yes"
    ]


def test_a_plurality_counts_blank_papers_as_blank_votes() -> None:
    grouped: Counter[Any] = Counter()
    room = RoomCount({"a": 2}, blank=1, invalid=1, cast=4)
    assert merge_room_count("plurality", ["a", "b"], grouped, room, {}) == ["a", "b"]
    assert grouped == Counter({"a": 2, (): 1})


@pytest.mark.parametrize(("least", "blank_papers"), [(0, 1), (1, 0)])
def test_approval_papers_are_rebuilt_and_blank_ones_kept_unless_a_minimum_forbids(
    least: int, blank_papers: int
) -> None:
    grouped: Counter[Any] = Counter()
    room = RoomCount({"a": 2, "b": 1}, blank=1, cast=3)
    rules = {"min_selections": least}
    assert merge_room_count("approval", ["a", "b"], grouped, room, rules) == ["a", "b"]
    assert grouped[frozenset()] == blank_papers
    assert grouped == room_approval_papers(["a", "b"], room) + Counter({frozenset(): blank_papers})
    no_blank: Counter[Any] = Counter()
    merge_room_count("approval", ["a"], no_blank, RoomCount({"a": 1}, cast=1), {})
    assert no_blank == Counter({frozenset({"a"}): 1})
