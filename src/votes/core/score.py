"""Score (range) voting on a declared scale, by sum or by mean.

Ballot shape: a mapping candidate id → integer score on the scale, e.g. ``{"a": 5, "b": 2}``; a
candidate left out is *not scored* (a blank), which is not a zero. Because dicts are not
hashable, a mapping of ballots → weight uses ``frozenset`` of ``(candidate, score)`` pairs (or
tuples of pairs) as keys.

With ``aggregate="mean"`` a candidate's score is the mean over the voters who scored them; a
candidate scored by fewer than ``min_raters`` voters cannot win (otherwise one 5/5 would beat a
hundred 4s) and is ranked after those who can.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from votes.core.ballots import InvalidBallotError, group_ballots
from votes.core.onepass import one_pass_result, start_one_pass
from votes.core.results import Candidate, Message, TallyError, TallyResult, Weight

AGGREGATES = ("sum", "mean")

ScoreBallot = frozenset[tuple[Candidate, int]]

MESSAGES = {  # each sentence in French, English and Dutch (votes.core.explain.LANGUAGES)
    "sum": (
        (
            "{candidate} totalise {score} points ({count} évaluation)",
            "{candidate} totalise {score} points ({count} évaluations)",
        ),
        (
            "{candidate} totals {score} points ({count} rating)",
            "{candidate} totals {score} points ({count} ratings)",
        ),
        (
            "{candidate} haalt in totaal {score} punten ({count} beoordeling)",
            "{candidate} haalt in totaal {score} punten ({count} beoordelingen)",
        ),
    ),
    "mean": (
        (
            "{candidate} obtient une moyenne de {score} ({count} évaluation)",
            "{candidate} obtient une moyenne de {score} ({count} évaluations)",
        ),
        (
            "{candidate} averages {score} ({count} rating)",
            "{candidate} averages {score} ({count} ratings)",
        ),
        (
            "{candidate} haalt gemiddeld {score} ({count} beoordeling)",
            "{candidate} haalt gemiddeld {score} ({count} beoordelingen)",
        ),
    ),
    "too_few": (
        (
            "{candidate} ne peut pas l'emporter\u00a0: {count} évaluation, {minimum} requises",
            "{candidate} ne peut pas l'emporter\u00a0: {count} évaluations, {minimum} requises",
        ),
        (
            "{candidate} cannot win: {count} rating, {minimum} required",
            "{candidate} cannot win: {count} ratings, {minimum} required",
        ),
        (
            "{candidate} kan niet winnen: {count} beoordeling, {minimum} vereist",
            "{candidate} kan niet winnen: {count} beoordelingen, {minimum} vereist",
        ),
    ),
}


def tally_score(
    candidates: Sequence[Candidate],
    ballots: Mapping[ScoreBallot, Weight] | Iterable[Mapping[Candidate, int]],
    *,
    seats: int = 1,
    scale: tuple[int, int] = (0, 5),
    aggregate: str = "sum",
    min_raters: int = 1,
    tie_break: object = "unresolved",
    seed: str | None = None,
) -> TallyResult:
    """Add up (or average) each candidate's scores; the ``seats`` best win.

    Args:
        scale: the declared ``(lowest, highest)`` integer scores, inclusive.
        aggregate: ``"sum"`` (default) or ``"mean"`` over the voters who scored the candidate.
        min_raters: for ``"mean"``, fewest ratings a candidate needs to be able to win.
        candidates, ballots, seats, tie_break, seed: as for every one-pass count
            (:mod:`votes.core.onepass`).

    >>> tally_score(["a", "b"], [{"a": 5}, {"a": 1, "b": 4}], aggregate="mean").winners
    ('b',)
    """
    candidates, seats, policy = start_one_pass(candidates, seats, tie_break, seed)
    low, high = _check_scale(scale)
    if aggregate not in AGGREGATES:
        raise TallyError(f"aggregate must be one of {AGGREGATES}, got {aggregate!r}")
    if isinstance(min_raters, bool) or not isinstance(min_raters, int) or min_raters < 1:
        raise TallyError(f"min_raters must be an integer ≥ 1, got {min_raters!r}")
    known = frozenset(candidates)

    def scored(raw: object) -> ScoreBallot:
        if isinstance(raw, Mapping):
            pairs = list(raw.items())
        elif isinstance(raw, Iterable) and not isinstance(raw, str):
            pairs = list(raw)
        else:
            raise InvalidBallotError(raw, "a score ballot maps candidate ids to scores")
        seen: set[object] = set()
        for pair in pairs:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise InvalidBallotError(raw, f"{pair!r} is not a (candidate, score) pair")
            candidate, value = pair
            if candidate not in known:
                raise InvalidBallotError(raw, f"unknown candidate {candidate!r}")
            if candidate in seen:
                raise InvalidBallotError(raw, f"candidate {candidate!r} is scored twice")
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidBallotError(raw, f"score {value!r} is not on the scale {low}–{high}")
            seen.add(candidate)
        return frozenset(pairs)

    grouped = group_ballots(ballots, scored)
    # ints while the weights are ints (the usual case), exact either way
    raw_sums: dict[Candidate, Weight] = dict.fromkeys(candidates, 0)
    raw_raters: dict[Candidate, Weight] = dict.fromkeys(candidates, 0)
    for ballot, weight in grouped.items():
        for candidate, value in ballot:
            raw_sums[candidate] += weight * value
            raw_raters[candidate] += weight
    sums = {c: Fraction(n) for c, n in raw_sums.items()}
    raters = {c: Fraction(n) for c, n in raw_raters.items()}
    if aggregate == "sum":
        scores = sums
        eligible = known
    else:
        scores = {c: sums[c] / raters[c] if raters[c] else Fraction(0) for c in candidates}
        eligible = frozenset(c for c in candidates if raters[c] >= min_raters)

    def describe(candidate: Candidate) -> Message:
        params = {"candidate": candidate, "score": scores[candidate], "count": raters[candidate]}
        if candidate in eligible:
            return Message(f"score.{aggregate}", params)
        return Message("score.too_few", {**params, "minimum": min_raters})

    return one_pass_result(
        "score",
        candidates,
        seats,
        scores,
        policy,
        describe=describe,
        details={"sums": sums, "raters": raters, "voters": sum(grouped.values(), Fraction(0))},
        options={"scale": (low, high), "aggregate": aggregate, "min_raters": min_raters},
        eligible=eligible,
    )


def _check_scale(scale: object) -> tuple[int, int]:
    if (
        not isinstance(scale, tuple | list)
        or len(scale) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in scale)
        or scale[0] >= scale[1]
    ):
        raise TallyError(f"scale must be (lowest, highest) integers, lowest first, got {scale!r}")
    return scale[0], scale[1]
