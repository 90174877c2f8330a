"""Meek STV (PRF reference rule): hand-made cases."""

from __future__ import annotations

from fractions import Fraction

import pytest

from votes.core import irv, tally
from votes.core.explain import explain
from votes.core.meek import tally_meek_stv
from votes.core.results import TallyError, TallyResult, TieResolution


def test_keep_factor_passes_the_surplus_on_in_nine_decimals() -> None:
    result = tally(
        "meek_stv", ["Castor", "Pollux", "Helen"], {("Castor", "Pollux"): 4, ("Helen",): 2}, seats=2
    )

    assert result.winners == ("Castor", "Helen")
    second = result.rounds[1]
    # kf(Castor) = 0.500000001, rounded up, so Pollux falls just short of Helen
    assert result.details["keep_factors"]["Castor"] == Fraction("0.500000001")
    assert second.totals == {
        "Castor": Fraction("2.000000004"),
        "Pollux": Fraction("1.999999996"),
        "Helen": 2,
    }
    assert second.excluded == ("Pollux",)
    assert sum(second.totals.values()) + second.exhausted == 6


def test_rounds_are_explained() -> None:
    result = tally_meek_stv(["a", "b", "c"], {("a", "b"): 4, ("c",): 2}, seats=2)

    assert explain(result, "en")[0] == (
        "Round 1: 1 iteration, quota 2, total surplus 1.99999; a is elected (4 votes for a "
        "quota of 2)"
    )
    assert explain(result, "fr")[1].endswith(
        "b est éliminé·e (1,99999 voix, le moins)\u00a0; c est élu·e, car il reste autant de "
        "candidatures que de sièges"
    )


def test_candidates_within_the_surplus_of_the_lowest_are_tied() -> None:
    ballots = {("a",): 4, ("b", "c"): 3, ("c", "b"): 3}  # whoever of b, c goes elects the other
    with pytest.raises(TallyError, match="lot"):
        tally_meek_stv(["a", "b", "c"], ballots)
    result = tally_meek_stv(["a", "b", "c"], ballots, tie_break=["c", "b", "a"])

    event = result.tie_events[0]
    assert event.resolution is TieResolution.FIXED_ORDER
    assert event.chosen == ("c",)
    assert result.winners == ("b",)


def test_a_tie_that_cannot_change_who_is_elected_needs_no_lot() -> None:
    ballots = {("a",): 4, ("b",): 3, ("c",): 3}  # b or c out: a is elected either way
    result = tally_meek_stv(["a", "b", "c"], ballots)
    assert result.winners == ("a",)
    (event,) = result.tie_events
    assert event.resolution is TieResolution.NO_EFFECT
    assert "the same candidates are elected (a)" in " ".join(explain(result, "en"))


def test_meek_ties_nested_too_deep_are_left_to_the_tie_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(irv, "TIE_DEPTH_MAX", 0)  # the limit all ranked counts share
    with pytest.raises(TallyError, match="lot"):
        tally_meek_stv(["a", "b", "c"], {("a",): 4, ("b",): 3, ("c",): 3})


def test_seats_at_least_candidates_elect_everyone_in_one_round() -> None:
    result = tally_meek_stv(["a", "b"], {("a",): 3}, seats=2)

    assert result.winners == ("a", "b")
    assert len(result.rounds) == 1
    assert result.rounds[0].totals == {"a": 3, "b": 0}


def test_filled_seats_leave_the_rest_not_elected() -> None:
    result = tally_meek_stv(["a", "b", "c"], {("a",): 6, ("b",): 5, ("c",): 1}, seats=2)

    assert result.winners == ("a", "b")
    assert explain(result, "en")[-1].endswith("all seats are filled, c is not elected")


def test_withdrawn_candidates_get_nothing() -> None:
    ballots = {("w", "a"): 5, ("b",): 4, ("c",): 1}
    result = tally_meek_stv(["a", "b", "c", "w"], ballots, seats=2, withdrawn=("w",))

    assert result.winners == ("a", "b")
    assert "w" not in result.rounds[0].totals


def test_exhausted_ballots_lower_the_quota() -> None:
    ballots = {("a", "b"): 60, ("a",): 40, ("b",): 10, ("c", "b"): 25, ("d",): 24}
    result = tally_meek_stv(["a", "b", "c", "d"], ballots, seats=2)

    quotas = result.details["quotas"]
    assert quotas[-1] < quotas[0]
    assert all(
        sum(r.totals.values()) + r.exhausted == result.details["valid"] for r in result.rounds
    )


def test_results_survive_a_json_round_trip() -> None:
    result = tally_meek_stv(["a", "b", "c"], {("a", "b"): 4, ("c",): 2}, seats=2)
    assert TallyResult.from_json(result.to_json()) == result
