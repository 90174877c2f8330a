"""Input normalisation shared by every method: weights, grouping, ranked-ballot validation.

Ballots arrive either as a mapping ``ballot -> weight`` or as an iterable of ballots (each of
weight 1). Weights are exact: ``int`` or ``Fraction``, never negative, never ``float`` (a float
weight would make a recount drift). Identical ballots are grouped so that every later pass works
per distinct ballot, which is what makes the counts fast on real data.

A ranked ballot is a tuple of candidate ids, best first; it may be truncated (not every candidate
ranked) but may not rank a candidate twice nor name an unknown one. Empty ballots and weight-0
ballots carry no preference: the ranked grouping drops them, so no quota or majority counts them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TypeAlias, TypeVar

from votes.core.results import Candidate, TallyError, Weight

B = TypeVar("B", bound=Hashable)

RankedBallot = tuple[Candidate, ...]
#: Ranked ballots as every ranked method takes them: ``{ranking: weight}``, or an iterable of
#: rankings of weight 1 each.
RankedBallots: TypeAlias = Mapping[RankedBallot, Weight] | Iterable[Sequence[Candidate]]


class InvalidBallotError(TallyError):
    """A ballot that cannot be counted; ``ballot`` holds it as given, for the error page."""

    def __init__(self, ballot: object, reason: str) -> None:
        super().__init__(f"invalid ballot {ballot!r}: {reason}")
        self.ballot = ballot
        self.reason = reason


def check_candidates(candidates: Iterable[Candidate]) -> tuple[Candidate, ...]:
    """Return the candidates as a tuple after checking they are distinct non-empty strings.

    >>> check_candidates(["a", "b"])
    ('a', 'b')
    """
    if isinstance(candidates, str):
        raise TallyError(f"candidates must be a sequence of ids, not the string {candidates!r}")
    result = tuple(candidates)
    for candidate in result:
        if not isinstance(candidate, str) or not candidate:
            raise TallyError(f"candidate ids must be non-empty strings, got {candidate!r}")
    seen: set[Candidate] = set()
    for candidate in result:
        if candidate in seen:
            raise TallyError(f"candidate {candidate!r} is listed twice")
        seen.add(candidate)
    if not result:
        raise TallyError("at least one candidate is needed")
    return result


def check_seats(seats: object) -> int:
    """Return ``seats`` after checking it is an integer ≥ 1.

    Seats may exceed the number of candidates: methods then elect everyone who stands.

    >>> check_seats(2)
    2
    """
    if isinstance(seats, bool) or not isinstance(seats, int):
        raise TallyError(f"seats must be an integer, got {seats!r}")
    if seats < 1:
        raise TallyError(f"seats must be at least 1, got {seats}")
    return seats


def check_weight(ballot: object, weight: object) -> Weight:
    """Return ``weight`` after checking it is an exact number ≥ 0 (``int`` or ``Fraction``).

    >>> check_weight(("a",), Fraction(1, 2))
    Fraction(1, 2)
    """
    if isinstance(weight, bool) or not isinstance(weight, int | Fraction):
        raise InvalidBallotError(
            ballot, f"weight must be an int or a Fraction, got {type(weight).__name__} {weight!r}"
        )
    if weight < 0:
        raise InvalidBallotError(ballot, f"weight {weight} is negative")
    return weight


def check_amount(name: str, value: object) -> Fraction:
    """An exact number ≥ 0 given as an option (members present, quorum…), as a Fraction.

    >>> check_amount("quorum", 12)
    Fraction(12, 1)
    """
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise TallyError(f"{name} must be an int or a Fraction, got {value!r}")
    if value < 0:
        raise TallyError(f"{name} must not be negative, got {value}")
    return Fraction(value)


# a share written as text (its sign left to its caller): ASCII digits only ("１/２" or "²" are
# not read as numbers), a few of them ("1/1000…000" is no one's majority), a point or a slash
_SHARE = re.compile(r"\s*[-+]?[0-9]{1,9}(?:\.[0-9]{1,9}|\s*/\s*[0-9]{1,9})?\s*", re.ASCII)


def exact_fraction(name: str, value: object) -> Fraction:
    """A share given exactly: ``Fraction``, ``int`` or a ``"p/q"`` string — never a float.

    A string is written in ASCII digits, at most nine on each side of its slash or point.

    >>> exact_fraction("threshold", "2/3")
    Fraction(2, 3)
    """
    if isinstance(value, bool) or not isinstance(value, int | Fraction | str):
        raise TallyError(f"{name} must be exact (Fraction, int or 'p/q'), got {value!r}")
    if isinstance(value, str) and not _SHARE.fullmatch(value):
        raise TallyError(f"{name} {value!r} is not a fraction")
    try:
        return Fraction("".join(value.split()) if isinstance(value, str) else value)
    except ZeroDivisionError as error:
        raise TallyError(f"{name} {value!r} divides by zero") from error


def iter_weighted(ballots: Mapping[B, object] | Iterable[B]) -> Iterable[tuple[B, object]]:
    """Yield ``(ballot, weight)`` pairs from either accepted input shape, weights unchecked.

    >>> list(iter_weighted(["x", "y"])), list(iter_weighted({"x": 3}))
    ([('x', 1), ('y', 1)], [('x', 3)])
    """
    if isinstance(ballots, Mapping):
        return ballots.items()
    return ((ballot, 1) for ballot in ballots)


def group_ballots(
    ballots: Mapping[B, object] | Iterable[object],
    normalise: Callable[[object], B],
) -> dict[B, Weight]:
    """Group ballots of any shape: each is normalised, weights checked and summed.

    ``normalise`` turns one ballot as given into its canonical hashable form, or raises
    :class:`InvalidBallotError`. Ballots of total weight 0 are kept out of the result. The
    result's order is the order of first appearance; no outcome may depend on it.

    >>> group_ballots(["x", "y", "x"], str.upper)
    {'X': 2, 'Y': 1}
    """
    grouped: dict[B, Weight] = {}
    for raw, raw_weight in iter_weighted(ballots):
        weight = check_weight(raw, raw_weight)
        ballot = normalise(raw)
        grouped[ballot] = grouped.get(ballot, 0) + weight
    return {ballot: weight for ballot, weight in grouped.items() if weight}


def ranked_normaliser(candidates: Iterable[Candidate]) -> Callable[[object], RankedBallot]:
    """Return the function that validates one ranked ballot against ``candidates``.

    >>> ranked_normaliser(["a", "b"])(["b", "a"])
    ('b', 'a')
    """
    known = frozenset(candidates)

    def normalise(raw: object) -> RankedBallot:
        if isinstance(raw, str) or not isinstance(raw, Sequence):
            raise InvalidBallotError(raw, "a ranked ballot is a tuple of candidate ids, best first")
        ballot = tuple(raw)
        seen: set[object] = set()
        for candidate in ballot:
            if not isinstance(candidate, str) or candidate not in known:
                raise InvalidBallotError(raw, f"unknown candidate {candidate!r}")
            if candidate in seen:
                raise InvalidBallotError(raw, f"candidate {candidate!r} is ranked twice")
            seen.add(candidate)
        return ballot

    return normalise


def group_ranked_ballots(
    candidates: Iterable[Candidate],
    ballots: RankedBallots,
) -> dict[RankedBallot, Weight]:
    """Validate and group ranked ballots: ``{tuple of candidate ids, best first: total weight}``.

    Accepts a mapping ballot → weight (``int`` or ``Fraction`` ≥ 0) or an iterable of ballots
    (each of weight 1; lists are accepted and become tuples). Rejects unknown candidates, a
    candidate ranked twice and negative or inexact weights with an :class:`InvalidBallotError`
    (a :class:`TallyError`) naming the ballot. Empty ballots and weight-0 ballots are dropped.

    >>> group_ranked_ballots(["a", "b", "c"], [("a", "b"), ["a", "b"], ("c",), ()])
    {('a', 'b'): 2, ('c',): 1}
    >>> group_ranked_ballots(["a", "b"], {("a", "a"): 1})
    Traceback (most recent call last):
    ...
    votes.core.ballots.InvalidBallotError: invalid ballot ('a', 'a'): candidate 'a' is ranked twice
    """
    names = check_candidates(candidates)
    known = frozenset(names)
    normalise = ranked_normaliser(names)
    grouped: dict[RankedBallot, Weight] = {}
    # Validation dominates a 100,000-ballot count, so the common case (a plain tuple of known,
    # distinct ids with an int weight) costs one set; anything else goes through the full
    # validators, which also word the errors.
    for raw, raw_weight in iter_weighted(ballots):
        weight: Weight
        if type(raw_weight) is int and raw_weight >= 0:
            weight = raw_weight
        else:
            weight = check_weight(raw, raw_weight)
        ballot = raw if type(raw) is tuple and _plainly_valid(raw, known) else normalise(raw)
        if ballot and weight:
            grouped[ballot] = grouped.get(ballot, 0) + weight
    return grouped


def _plainly_valid(ballot: tuple[object, ...], known: frozenset[Candidate]) -> bool:
    try:
        marks = set(ballot)
    except TypeError:  # an unhashable mark: let the validator name it
        return False
    return len(marks) == len(ballot) and marks <= known
