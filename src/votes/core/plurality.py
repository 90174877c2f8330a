"""Plurality (first past the post; top-k for several seats).

Ballot shape: a candidate id (``"a"``), or a ranked ballot (``("a", "b")``) whose first choice
counts; an empty tuple ``()`` is a blank vote, counted apart and never in a candidate's total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from votes.core.ballots import (
    InvalidBallotError,
    group_ballots,
    ranked_normaliser,
)
from votes.core.onepass import one_pass_result, start_one_pass
from votes.core.results import Candidate, Message, TallyResult, Weight

MESSAGES = {  # each sentence in French, English and Dutch (votes.core.explain.LANGUAGES)
    "votes": (
        "{candidate} obtient {count} voix",
        ("{candidate} gets {count} vote", "{candidate} gets {count} votes"),
        ("{candidate} krijgt {count} stem", "{candidate} krijgt {count} stemmen"),
    ),
    "blank": (
        ("{count} vote blanc", "{count} votes blancs"),
        ("{count} blank vote", "{count} blank votes"),
        ("{count} blanco stem", "{count} blanco stemmen"),
    ),
}


def tally_plurality(
    candidates: Sequence[Candidate],
    ballots: Mapping[object, Weight] | Iterable[object],
    *,
    seats: int = 1,
    tie_break: object = "unresolved",
    seed: str | None = None,
) -> TallyResult:
    """Count each ballot for its only (or first) choice; the ``seats`` best totals win.

    Its parameters are those common to every one-pass count (:mod:`votes.core.onepass`).

    >>> tally_plurality(["a", "b"], ["a", "b", "a", ()]).winners
    ('a',)
    """
    candidates, seats, policy = start_one_pass(candidates, seats, tie_break, seed)
    ranked = ranked_normaliser(candidates)

    def first_choice(raw: object) -> Candidate | None:
        if isinstance(raw, str):
            if raw not in candidates:
                raise InvalidBallotError(raw, f"unknown candidate {raw!r}")
            return raw
        ballot = ranked(raw)
        return ballot[0] if ballot else None

    grouped = group_ballots(ballots, first_choice)
    scores = {c: Fraction(grouped.get(c, 0)) for c in candidates}
    blank = Fraction(grouped.get(None, 0))
    return one_pass_result(
        "plurality",
        candidates,
        seats,
        scores,
        policy,
        describe=lambda c: Message("plurality.votes", {"candidate": c, "count": scores[c]}),
        notes=[Message("plurality.blank", {"count": blank})] if blank else [],
        details={"blank": blank, "valid": sum(scores.values(), Fraction(0))},
        options={},
    )
