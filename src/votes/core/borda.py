"""Borda count on ranked (possibly truncated) ballots, with the convention stated.

Ballot shape: a tuple of candidate ids, best first, truncated allowed (as for IRV). With ``m``
candidates and a ballot ranking ``k`` of them, the candidate ranked ``r`` (1-based) gets:

* ``"averaged"`` (default): ``m - r``; the ``m - k`` unranked candidates share the remaining
  points ``(m-k-1) + … + 0`` equally, i.e. ``(m - k - 1) / 2`` each. A complete ballot scores as
  the standard Borda count, and a truncated ballot says nothing among the unranked.
* ``"pessimistic"``: ``m - r``; unranked get 0.
* ``"modified"`` (Modified Borda Count): ``k - r + 1``; unranked get 0, which rewards ranking more.
* ``"dowdall"`` (Nauru): ``1 / r``; unranked get 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction

from votes.core.ballots import RankedBallot, RankedBallots, group_ranked_ballots
from votes.core.onepass import one_pass_result, start_one_pass
from votes.core.results import Candidate, Message, TallyError, TallyResult, Weight

CONVENTIONS = ("averaged", "pessimistic", "modified", "dowdall")

MESSAGES = {  # each sentence in French, English and Dutch (votes.core.explain.LANGUAGES)
    "points": (
        ("{candidate} obtient {count} point", "{candidate} obtient {count} points"),
        ("{candidate} gets {count} point", "{candidate} gets {count} points"),
        ("{candidate} krijgt {count} punt", "{candidate} krijgt {count} punten"),
    ),
}


def tally_borda(
    candidates: Sequence[Candidate],
    ballots: RankedBallots,
    *,
    seats: int = 1,
    convention: str = "averaged",
    tie_break: object = "unresolved",
    seed: str | None = None,
) -> TallyResult:
    """Give each ranked candidate points by position; the ``seats`` highest totals win.

    Args:
        convention: how positions and unranked candidates score (see the module docstring).
        candidates, ballots, seats, tie_break, seed: as for every one-pass count
            (:mod:`votes.core.onepass`).

    >>> r = tally_borda(["a", "b", "c"], [("a",), ("b", "c")])
    >>> r.rounds[0].totals == {"a": 2, "b": Fraction(5, 2), "c": Fraction(3, 2)}
    True
    """
    candidates, seats, policy = start_one_pass(candidates, seats, tie_break, seed)
    if convention not in CONVENTIONS:
        raise TallyError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    grouped = group_ranked_ballots(candidates, ballots)
    scores = _borda_scores(candidates, grouped, convention)
    return one_pass_result(
        "borda",
        candidates,
        seats,
        scores,
        policy,
        describe=lambda c: Message("borda.points", {"candidate": c, "count": scores[c]}),
        details={"ballots": sum(grouped.values(), Fraction(0))},
        options={"convention": convention},
    )


def _borda_scores(
    candidates: Sequence[Candidate],
    grouped: Mapping[RankedBallot, Weight],
    convention: str,
) -> dict[Candidate, Fraction]:
    m = len(candidates)
    # Points are kept as integers scaled by ``scale`` (halves for the averaged share, 1/r for
    # Dowdall) and divided once at the end: exact, and far faster than Fractions per ballot.
    scale = {"averaged": 2, "dowdall": math.lcm(*range(1, m + 1))}.get(convention, 1)
    scores: dict[Candidate, Weight] = dict.fromkeys(candidates, 0)
    # The averaged share of the unranked goes to everyone through one pot and is taken back
    # from the ranked, so each ballot costs O(k) rather than O(m).
    shared: Weight = 0
    for ballot, weight in grouped.items():
        k = len(ballot)
        unranked = m - k - 1 if convention == "averaged" and k < m else 0
        shared += weight * unranked
        for r, candidate in enumerate(ballot, start=1):
            scores[candidate] += weight * (_points(convention, m, k, r, scale) - unranked)
    return {c: Fraction(s + shared) / scale for c, s in scores.items()}


def _points(convention: str, m: int, k: int, r: int, scale: int) -> int:
    if convention == "modified":
        return k - r + 1
    if convention == "dowdall":
        return scale // r
    return (m - r) * scale
