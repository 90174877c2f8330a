"""Approval voting: each voter approves any number of options; the most approved win.

Ballot shape: a ``frozenset`` of candidate ids (any set, list or tuple is accepted when ballots
are given as an iterable; a candidate listed twice is an error). The empty set is a valid
"approve none" ballot when ``min_selections`` is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from votes.core.ballots import InvalidBallotError, group_ballots
from votes.core.onepass import one_pass_result, start_one_pass
from votes.core.results import Candidate, Message, TallyError, TallyResult, Weight

MESSAGES = {  # each sentence in French, English and Dutch (votes.core.explain.LANGUAGES)
    "approvals": (
        (
            "{candidate} obtient {count} approbation",
            "{candidate} obtient {count} approbations",
        ),
        (
            "{candidate} gets {count} approval",
            "{candidate} gets {count} approvals",
        ),
        (
            "{candidate} krijgt {count} goedkeuring",
            "{candidate} krijgt {count} goedkeuringen",
        ),
    ),
}


def tally_approval(
    candidates: Sequence[Candidate],
    ballots: Mapping[frozenset[Candidate], Weight] | Iterable[Iterable[Candidate]],
    *,
    seats: int = 1,
    min_selections: int = 0,
    max_selections: int | None = None,
    tie_break: object = "unresolved",
    seed: str | None = None,
) -> TallyResult:
    """Count approvals per candidate; the ``seats`` most approved win (top-k).

    Args:
        min_selections: fewest candidates a ballot must approve (``TallyError`` otherwise).
        max_selections: most candidates a ballot may approve (default: all).
        candidates, ballots, seats, tie_break, seed: as for every one-pass count
            (:mod:`votes.core.onepass`).

    >>> tally_approval(["a", "b", "c"], [{"a", "b"}, {"b"}], max_selections=2).winners
    ('b',)
    """
    candidates, seats, policy = start_one_pass(candidates, seats, tie_break, seed)
    low, high = _check_bounds(min_selections, max_selections, len(candidates))
    known = frozenset(candidates)

    def selection(raw: object) -> frozenset[Candidate]:
        if isinstance(raw, str) or not isinstance(raw, Iterable):
            raise InvalidBallotError(raw, "an approval ballot is a set of candidate ids")
        items = list(raw)
        chosen = frozenset(items)
        if not chosen <= known:
            unknown = sorted(str(c) for c in chosen - known)
            raise InvalidBallotError(raw, f"unknown candidate(s) {unknown}")
        if len(chosen) != len(items):
            raise InvalidBallotError(raw, "a candidate is selected twice")
        if not low <= len(chosen) <= high:
            raise InvalidBallotError(
                raw, f"{len(chosen)} selections, between {low} and {high} allowed"
            )
        return chosen

    grouped = group_ballots(ballots, selection)
    counts: dict[Candidate, Weight] = dict.fromkeys(candidates, 0)
    for chosen, weight in grouped.items():
        for candidate in chosen:
            counts[candidate] += weight
    scores = {c: Fraction(n) for c, n in counts.items()}
    voters = sum(grouped.values(), Fraction(0))
    return one_pass_result(
        "approval",
        candidates,
        seats,
        scores,
        policy,
        describe=lambda c: Message("approval.approvals", {"candidate": c, "count": scores[c]}),
        details={"voters": voters},
        options={"min_selections": low, "max_selections": high},
    )


def _check_bounds(low: object, high: object, count: int) -> tuple[int, int]:
    high = count if high is None else high
    for name, value in (("min_selections", low), ("max_selections", high)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise TallyError(f"{name} must be an integer ≥ 0, got {value!r}")
    assert isinstance(low, int)
    assert isinstance(high, int)
    if low > high:
        raise TallyError(f"min_selections {low} exceeds max_selections {high}")
    return low, high
