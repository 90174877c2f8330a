"""Properties of the ranked counts (IRV, Scottish STV, Meek STV), checked with Hypothesis."""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from votes.core.irv import tally_instant_runoff
from votes.core.meek import tally_meek_stv
from votes.core.results import TallyResult
from votes.core.stv import tally_scottish_stv

NAMES = ["ann", "bob", "cy", "dee", "eve", "fox"]
Ballots = dict[tuple[str, ...], Any]

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def profiles(
    draw: st.DrawFn, weights: st.SearchStrategy[Any] | None = None
) -> tuple[list[str], Ballots]:
    size = draw(st.integers(min_value=1, max_value=5))
    candidates = NAMES[:size]
    ranking = st.permutations(candidates).flatmap(
        lambda order: st.integers(min_value=1, max_value=len(order)).map(lambda k: tuple(order[:k]))
    )
    weight = weights if weights is not None else st.integers(min_value=1, max_value=6)
    ballots = draw(st.dictionaries(ranking, weight, min_size=1, max_size=8))
    return candidates, ballots


fractional = st.fractions(min_value=Fraction(1, 4), max_value=5, max_denominator=4)
seats_drawn = st.integers(min_value=1, max_value=4)
seeds = st.integers(min_value=0, max_value=10**6)

COUNTS: dict[str, Callable[..., TallyResult]] = {
    "irv": tally_instant_runoff,
    "stv": tally_scottish_stv,
    "meek": tally_meek_stv,
}


methods = st.sampled_from(sorted(COUNTS))


def _count(method: str, candidates: list[str], ballots: Any, seats: int) -> TallyResult:
    seats = 1 if method == "irv" else seats
    return COUNTS[method](candidates, ballots, seats=seats, tie_break=list(candidates))


Problem = tuple[list[str], Ballots, str, int]


@st.composite
def problems(draw: st.DrawFn, weights: st.SearchStrategy[Any] | None = None) -> Problem:
    """A profile with a drawn method and number of seats: candidates, ballots, method, seats."""
    candidates, ballots = draw(profiles(weights=weights))
    return candidates, ballots, draw(methods), draw(seats_drawn)


@st.composite
def counts(draw: st.DrawFn, lightest: int) -> tuple[list[str], TallyResult]:
    """A problem whose weights are whole (from ``lightest`` to 9) or fractional, counted: the
    candidates and the result."""
    weights = st.one_of(st.integers(min_value=lightest, max_value=9), fractional)
    candidates, ballots, method, seats = draw(problems(weights=weights))
    return candidates, _count(method, candidates, ballots, seats)


@SETTINGS
@given(profile=profiles())
def test_one_seat_stv_elects_the_irv_winner_after_the_same_exclusions(
    profile: tuple[list[str], Ballots],
) -> None:
    candidates, ballots = profile
    irv = _count("irv", candidates, ballots, 1)
    stv = _count("stv", candidates, ballots, 1)

    assert stv.winners == irv.winners
    irv_out = [c for r in irv.rounds for c in r.excluded]
    stv_out = [c for r in stv.rounds for c in r.excluded]
    # IRV may stop at a majority before STV runs out of candidates to exclude
    assert stv_out[: len(irv_out)] == irv_out


@SETTINGS
@given(problem=problems(), order_seed=seeds)
def test_permuting_or_splitting_ballots_changes_nothing(problem: Problem, order_seed: int) -> None:
    candidates, ballots, method, seats = problem
    expected = _count(method, candidates, ballots, seats)

    shuffled = list(ballots.items())
    random.Random(order_seed).shuffle(shuffled)
    assert _count(method, candidates, dict(shuffled), seats) == expected

    one_by_one = [ballot for ballot, weight in shuffled for _ in range(weight)]
    assert _count(method, candidates, one_by_one, seats) == expected


@SETTINGS
@given(counted=counts(lightest=0))
def test_every_round_balances_exactly(counted: tuple[list[str], TallyResult]) -> None:
    candidates, result = counted

    valid = result.details["valid"]
    for round_ in result.rounds:
        held = sum(round_.totals.values(), Fraction(0))
        assert held + round_.exhausted + round_.loss_by_fraction == valid
        assert round_.loss_by_fraction >= 0
        assert round_.exhausted >= 0
    assert len(result.winners) == min(result.seats, len(candidates))
    assert len(set(result.winners)) == len(result.winners)


@SETTINGS
@given(problem=problems(), relabel_seed=seeds)
def test_relabelling_candidates_relabels_the_result(problem: Problem, relabel_seed: int) -> None:
    candidates, ballots, method, seats = problem
    fresh = [f"x{i}" for i in range(len(candidates))]
    random.Random(relabel_seed).shuffle(fresh)
    rename = dict(zip(candidates, fresh, strict=True))
    renamed_ballots = {tuple(rename[c] for c in b): w for b, w in ballots.items()}

    original = _count(method, candidates, ballots, seats)
    renamed = _count(method, [rename[c] for c in candidates], renamed_ballots, seats)

    assert renamed.winners == tuple(rename[c] for c in original.winners)
    for before, after in zip(original.rounds, renamed.rounds, strict=True):
        assert after.totals == {rename[c]: v for c, v in before.totals.items()}
        assert after.excluded == tuple(rename[c] for c in before.excluded)
        assert after.exhausted == before.exhausted


@SETTINGS
@given(counted=counts(lightest=1))
def test_results_round_trip_through_json(counted: tuple[list[str], TallyResult]) -> None:
    _candidates, result = counted
    assert TallyResult.from_json(result.to_json()) == result


@SETTINGS
@given(profile=profiles(), seed=st.text(min_size=1, max_size=8), seats=seats_drawn)
def test_a_seeded_recount_gives_the_same_result(
    profile: tuple[list[str], Ballots], seed: str, seats: int
) -> None:
    candidates, ballots = profile
    first = tally_scottish_stv(candidates, ballots, seats=seats, seed=seed)
    again = tally_scottish_stv(candidates, dict(reversed(ballots.items())), seats=seats, seed=seed)
    assert first == again
