"""The floor's pure core: speaking order, speaking time, mood-check distributions."""

from __future__ import annotations

import doctest
from datetime import datetime, timedelta
from fractions import Fraction

import pytest

from votes.core import floor
from votes.core.floor import (
    Kind,
    MoodKind,
    MoodOptionsError,
    Request,
    Rule,
    Turn,
    Warning,
    clock,
    elapsed_seconds,
    mood_choices,
    mood_distribution,
    move,
    remaining_seconds,
    speaker_budget,
    speaking_order,
    speaking_statistics,
    warning,
)


def ids(order: tuple[Request, ...]) -> list[int]:
    return [r.id for r in order]


def test_doctests() -> None:
    assert doctest.testmod(floor).failed == 0


def test_arrival_order_whatever_the_input_order() -> None:
    a, b, c = Request(1, 10, arrival=3), Request(2, 11, arrival=1), Request(3, 12, arrival=2)
    assert ids(speaking_order([a, b, c])) == [2, 3, 1]


def test_first_time_speakers_come_before_those_who_spoke() -> None:
    queue = [Request(i, 10 + i, arrival=i) for i in range(1, 5)]
    assert ids(speaking_order(queue, Rule.FIRST_TIME, spoken={11, 12})) == [3, 4, 1, 2]


def test_points_of_order_jump_the_queue_then_direct_replies() -> None:
    queue = [
        Request(1, 10, arrival=1),
        Request(2, 11, Kind.DIRECT_REPLY, arrival=2),
        Request(3, 12, Kind.POINT_OF_ORDER, arrival=3),
        Request(4, 13, arrival=4),
    ]
    assert ids(speaking_order(queue, Rule.FIRST_TIME)) == [3, 2, 1, 4]


def _asking(*categories: str) -> list[Request]:
    """Requests in the order they came, request n by member 9 + n, of these categories."""
    return [
        Request(n, 9 + n, arrival=n, category=category)
        for n, category in enumerate(categories, start=1)
    ]


def test_alternation_by_category() -> None:
    queue = _asking("h", "h", "f", "f", "h")
    assert ids(speaking_order(queue, Rule.ALTERNATE)) == [1, 3, 2, 4, 5]
    # the last speaker was "h": an "f" speaks first
    assert ids(speaking_order(queue, Rule.ALTERNATE, last_category="h")) == [3, 1, 4, 2, 5]


def test_alternation_puts_first_time_speakers_first_and_carries_on() -> None:
    queue = _asking("h", "f", "h", "f")
    # 10 and 11 already spoke; the first-timers 12 (h) and 13 (f), then 11 (f) after h? no:
    # after 13 (f) comes the earliest "h" among those who spoke
    order = speaking_order(queue, Rule.ALTERNATE, spoken={10, 11})
    assert ids(order) == [3, 4, 1, 2]


def test_alternation_with_one_category_keeps_arrival() -> None:
    queue = [Request(i, 10 + i, arrival=i, category="x") for i in range(1, 4)]
    assert ids(speaking_order(queue, Rule.ALTERNATE, spoken={11, 12, 13})) == [1, 2, 3]


def test_manual_places_come_first_and_alternation_follows_them() -> None:
    queue = [
        Request(1, 10, arrival=1, category="h"),
        Request(2, 11, arrival=2, category="f", position=1),
        Request(3, 12, arrival=3, category="f"),
        Request(4, 13, arrival=4, category="h"),
    ]
    assert ids(speaking_order(queue, Rule.ALTERNATE)) == [2, 1, 3, 4]
    assert ids(speaking_order(queue, Rule.ARRIVAL)) == [2, 1, 3, 4]


def test_move_clamps_and_ignores_priority_requests() -> None:
    order = (
        Request(9, 19, Kind.POINT_OF_ORDER),
        Request(1, 10),
        Request(2, 11),
        Request(3, 12),
    )
    assert move(order, 1, 1) == (2, 1, 3)
    assert move(order, 1, -5) == (1, 2, 3)
    assert move(order, 2, 9) == (1, 3, 2)
    assert move(order, 9, 1) == (1, 2, 3)  # a point of order is not reordered


def test_time_arithmetic() -> None:
    start = datetime(2026, 12, 6, 10, 0, 0)
    assert elapsed_seconds(start, start - timedelta(seconds=3)) == 0
    assert elapsed_seconds(start, start + timedelta(seconds=90)) == 90
    assert remaining_seconds(60, 20) == 40
    assert remaining_seconds(0, 20) is None
    assert warning(0, 1000) is Warning.NONE
    assert warning(60, 47) is Warning.NONE  # a short budget warns in its last fifth (12 s)
    assert warning(60, 48) is Warning.SOON
    assert warning(60, 61) is Warning.OVER
    assert speaker_budget(0, 0, 0) == 0
    assert speaker_budget(-1, 0, 0) == 0
    assert speaker_budget(180, 600, 600) == 1  # the item's time is spent: the timer shows over
    assert speaker_budget(180, 600, 0) == 180
    assert clock(0) == "0:00"
    assert clock(600) == "10:00"


def test_speaking_statistics_of_nothing() -> None:
    stats = speaking_statistics([])
    assert stats.by_member == ()
    assert stats.by_category == ()
    assert (stats.turns, stats.seconds) == (0, 0)


def test_speaking_statistics_ties_by_key() -> None:
    stats = speaking_statistics([Turn(2, 30, "b"), Turn(1, 30, "a"), Turn(3, 5)])
    assert stats.by_member == ((1, 1, 30), (2, 1, 30), (3, 1, 5))
    assert stats.by_category == (("a", 1, 30), ("b", 1, 30), ("", 1, 5))
    assert stats.turns == 3


def test_mood_choices() -> None:
    assert mood_choices(MoodKind.FIST_TO_FIVE) == ("0", "1", "2", "3", "4", "5")
    assert mood_choices(MoodKind.COLOURS) == ("green", "orange", "red")
    assert mood_choices(MoodKind.OPTIONS, ["Oui", "Oui ", "Non"]) == ("Oui", "Non")
    # the same words in another case or spacing are one answer, spelled as first written
    assert mood_choices(MoodKind.OPTIONS, ["A", "a", "Plus  tard", "plus tard"]) == (
        "A",
        "Plus tard",
    )


@pytest.mark.parametrize("options", [[], ["seul"], [str(i) for i in range(9)], ["ok", "x" * 41]])
def test_bad_free_options(options: list[str]) -> None:
    with pytest.raises(MoodOptionsError):
        mood_choices(MoodKind.OPTIONS, options)


def test_distribution_sums_to_100_and_ignores_unknown_answers() -> None:
    d = mood_distribution(("a", "b", "c"), ["a", "b", "c", "zzz"])
    assert [p for _, _, p in d.rows] == [34, 33, 33]
    assert d.total == 3
    assert d.mean is None


def test_distribution_without_answers() -> None:
    d = mood_distribution(floor.FIST_TO_FIVE, [], numeric=True)
    assert d.total == 0
    assert d.mean is None
    assert all(p == 0 for _, _, p in d.rows)


def test_fist_to_five_mean_is_exact() -> None:
    d = mood_distribution(floor.FIST_TO_FIVE, ["5", "4", "0"], numeric=True)
    assert d.mean == Fraction(3)
    d = mood_distribution(floor.FIST_TO_FIVE, ["5", "4"], numeric=True)
    assert d.mean == Fraction(9, 2)
