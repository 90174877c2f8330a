"""Scottish STV: hand-made cases for each rule (SSI 2007/42 rules 45–52)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from votes.core import irv, tally
from votes.core.explain import explain
from votes.core.results import TallyError, TallyResult, TieResolution
from votes.core.stv import tally_scottish_stv


def _balanced(result: TallyResult) -> bool:
    valid = result.details["valid"]
    return all(
        sum(r.totals.values()) + r.exhausted + r.loss_by_fraction == valid for r in result.rounds
    )


def test_the_issue_example_elects_a_then_c_when_d_is_excluded() -> None:
    ballots = {("a", "b"): 120, ("c",): 80, ("d", "c"): 41}
    result = tally("stv", ["a", "b", "c", "d"], ballots, seats=2)

    assert result.winners == ("a", "c")
    assert result.details["quota"] == 81
    stages = result.rounds
    assert stages[1].totals == {"a": 81, "b": 39, "c": 80, "d": 41}
    # a candidate reaching the quota during an exclusion is elected at that stage
    assert stages[-1].excluded == ("d",)
    assert stages[-1].elected == ("c",)
    assert stages[-1].totals["c"] == 121
    assert _balanced(result)


def test_co_elected_candidates_never_receive_each_others_surplus() -> None:
    ballots = {("A", "B", "C"): 41, ("B", "A", "D"): 40, ("C",): 10, ("D",): 9}
    result = tally_scottish_stv(["A", "B", "C", "D"], ballots, seats=3)

    first, second, third = result.rounds[:3]
    assert first.elected == ("A", "B")
    # the largest surplus (A, 15) goes first, skipping B, who is already elected
    assert second.totals["B"] == 40
    assert second.totals["C"] == Fraction("24.99985")  # 41 papers at 0.36585
    assert second.loss_by_fraction == Fraction("0.00015")
    assert third.totals["D"] == 23  # B's 40 papers at 0.35, skipping A
    assert result.winners == ("A", "B", "C")
    assert _balanced(result)


def test_surplus_stage_explains_the_transfer_and_the_rounding_loss() -> None:
    ballots = {("A", "B", "C"): 41, ("B", "A", "D"): 40, ("C",): 10, ("D",): 9}
    result = tally_scottish_stv(["A", "B", "C", "D"], ballots, seats=3)

    fr, en = explain(result, "fr"), explain(result, "en")
    assert fr[0] == (
        "Tour 1\u00a0: premières préférences, quota 26"
        " (bulletins valides\u00a0: 100, 3 sièges)\u00a0; "
        "A est élu·e (41 voix pour un quota de 26)\u00a0; B est élu·e (40 voix pour un quota de 26)"
    )
    assert fr[1] == (
        "Tour 2\u00a0: A transfère son excédent (15 voix)\u00a0; 14,99985 voix vont à C\u00a0; "
        "0,00015 voix perdues par arrondi"
    )
    assert en[3] == (
        "Round 4: D is excluded (23 votes, the fewest); 23 votes are exhausted; "
        "C is elected, as continuing candidates equal the seats left"
    )


def test_equal_surpluses_go_by_earlier_stages_then_the_tie_break() -> None:
    ballots = {("A", "C"): 30, ("B", "D"): 30, ("C",): 20, ("D",): 19}
    with pytest.raises(TallyError, match="lot"):
        tally_scottish_stv(["A", "B", "C", "D"], ballots, seats=3)
    result = tally_scottish_stv(["A", "B", "C", "D"], ballots, seats=3, tie_break="lot", seed="s")

    event = result.tie_events[0]
    assert event.purpose == "surplus_order"
    assert event.resolution is TieResolution.LOT
    assert event.seed == "s"
    assert result == tally_scottish_stv(["A", "B", "C", "D"], ballots, seats=3, seed="s")


def test_exclusion_ties_look_back_to_the_most_recent_differing_stage() -> None:
    # stage 2: A's surplus brings B level with C; at stage 1 B had fewer, so B goes
    ballots = {("A", "B"): 12, ("B",): 2, ("C",): 5, ("D",): 6}
    result = tally_scottish_stv(["A", "B", "C", "D"], ballots, seats=2)

    assert result.details["quota"] == 9
    assert result.rounds[1].totals["B"] == result.rounds[1].totals["C"] == 5
    event = result.tie_events[0]
    assert event.resolution is TieResolution.HISTORY_BACKWARD
    assert event.chosen == ("B",)
    assert result.rounds[2].excluded == ("B",)


def test_exhausted_papers_leave_the_last_vacancies_to_the_continuing() -> None:
    ballots = {("a",): 30, ("b",): 8, ("c",): 7, ("d",): 5}
    result = tally_scottish_stv(["a", "b", "c", "d"], ballots, seats=3)

    assert result.details["quota"] == 13
    assert result.winners == ("a", "b", "c")
    last = result.rounds[-1]
    assert last.excluded == ("d",)
    assert last.elected == ("b", "c")  # rule 52, below the quota
    # d's papers, and a's whole surplus: 30 papers at 0.56666 (17/30 truncated)
    assert last.exhausted == 5 + Fraction("16.9998")
    assert last.loss_by_fraction == Fraction("0.0002")
    assert _balanced(result)


@pytest.mark.parametrize("seats", [3, 5])
def test_seats_at_least_candidates_elect_everyone_at_once(seats: int) -> None:
    result = tally_scottish_stv(["a", "b", "c"], {("a",): 5, ("b",): 1}, seats=seats)

    assert result.winners == ("a", "b", "c")
    assert len(result.rounds) == 1
    assert result.seats == seats


def test_count_stops_when_all_seats_are_filled_and_says_who_is_out() -> None:
    result = tally_scottish_stv(["a", "b", "c"], {("a",): 6, ("b",): 5, ("c",): 1}, seats=2)

    assert result.winners == ("a", "b")
    assert len(result.rounds) == 1
    assert explain(result, "en")[0].endswith("all seats are filled, c is not elected")


def test_one_seat_gives_the_irv_winner() -> None:
    ballots = {("a", "b"): 4, ("b",): 3, ("c", "b"): 2}
    assert tally_scottish_stv(["a", "b", "c"], ballots).winners == ("b",)
    assert tally("irv", ["a", "b", "c"], ballots).winners == ("b",)


def test_withdrawn_candidates_are_skipped_and_not_counted() -> None:
    ballots = {("w", "a"): 10, ("b",): 6, ("c",): 5}
    result = tally_scottish_stv(["a", "b", "c", "w"], ballots, seats=2, withdrawn=["w"])

    assert "w" not in result.rounds[0].totals
    assert result.rounds[0].totals["a"] == 10
    assert result.winners == ("a", "b")


def test_fractional_weights_are_counted_in_exact_units() -> None:
    ballots = {("a", "b"): Fraction(3, 2), ("b",): Fraction(1, 2), ("c",): 1}
    result = tally_scottish_stv(["a", "b", "c"], ballots, seats=2)

    assert result.details["quota"] == 2
    assert result.winners[0] in ("a", "b", "c")
    assert _balanced(result)


def test_results_survive_a_json_round_trip() -> None:
    ballots = {("A", "B", "C"): 41, ("B", "A", "D"): 40, ("C",): 10, ("D",): 9}
    result = tally_scottish_stv(["A", "B", "C", "D"], ballots, seats=3)
    assert TallyResult.from_json(result.to_json()) == result


def test_an_exclusion_tie_that_cannot_change_who_is_elected_needs_no_lot() -> None:
    ballots = {("a",): 10, ("b",): 6, ("c",): 1, ("d",): 1}  # c or d out: a and b elected
    result = tally_scottish_stv(["a", "b", "c", "d"], ballots, seats=2)
    assert set(result.winners) == {"a", "b"}
    (event,) = result.tie_events
    assert event.resolution is TieResolution.NO_EFFECT
    assert event.tied == ("c", "d")
    assert "les élu·es sont les mêmes (a et b)" in " ".join(explain(result, "fr"))
    assert "the same candidates are elected (a and b)" in " ".join(explain(result, "en"))


def test_an_exclusion_tie_that_decides_a_seat_still_needs_the_tie_rule() -> None:
    ballots = {("a",): 10, ("b",): 1, ("c",): 1}
    with pytest.raises(TallyError, match="seed"):
        tally_scottish_stv(["a", "b", "c"], ballots, seats=2)


def test_stv_ties_nested_too_deep_are_left_to_the_tie_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(irv, "TIE_DEPTH_MAX", 0)  # the limit all ranked counts share
    with pytest.raises(TallyError, match="seed"):
        tally_scottish_stv(
            ["a", "b", "c", "d"], {("a",): 10, ("b",): 6, ("c",): 1, ("d",): 1}, seats=2
        )
