"""Pure-Python tallies: standard library only, no I/O, no framework.

>>> from votes.core import tally
>>> result = tally("plurality", ["a", "b"], {("a",): 3, ("b",): 2})
>>> result.winners
('a',)
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from votes.core.ballots import InvalidBallotError, group_ranked_ballots
from votes.core.explain import explain, render
from votes.core.results import (
    Candidate,
    Message,
    Round,
    TallyError,
    TallyResult,
    TieEvent,
    TieResolution,
    Verdict,
    Weight,
)

__all__ = [
    "METHODS",
    "Candidate",
    "InvalidBallotError",
    "Message",
    "Round",
    "TallyError",
    "TallyResult",
    "TieEvent",
    "TieResolution",
    "Verdict",
    "Weight",
    "explain",
    "group_ranked_ballots",
    "render",
    "tally",
]

# method name -> (module, function); imported on first use so that a method whose module is
# still being written does not stop the others from working.
METHODS: Mapping[str, tuple[str, str]] = {
    # in the order the ballot form offers them
    "majority": ("votes.core.majority", "tally_majority"),
    "plurality": ("votes.core.plurality", "tally_plurality"),
    "approval": ("votes.core.approval", "tally_approval"),
    "score": ("votes.core.score", "tally_score"),
    "irv": ("votes.core.irv", "tally_instant_runoff"),
    "stv": ("votes.core.stv", "tally_scottish_stv"),
    "meek_stv": ("votes.core.meek", "tally_meek_stv"),
    "schulze": ("votes.core.condorcet", "tally_schulze"),
    "ranked_pairs": ("votes.core.condorcet", "tally_ranked_pairs"),
    "borda": ("votes.core.borda", "tally_borda"),
    "consent": ("votes.core.consent", "tally_consent"),
    "consensus": ("votes.core.consent", "tally_consensus"),
}


def tally(
    method: str,
    candidates: Sequence[Candidate],
    ballots: Mapping[Any, Weight] | Iterable[Any],
    *,
    seats: int = 1,
    **options: Any,
) -> TallyResult:
    """Count ``ballots`` by ``method`` and return the result with its rounds and ties.

    Args:
        method: one of :data:`METHODS`.
        candidates: candidate (or option) ids, in display order.
        ballots: a mapping ballot → weight (``int`` or ``Fraction`` ≥ 0), or an iterable of
            ballots each of weight 1. The ballot shape depends on the method (see its module).
        seats: number of seats to fill (1 for decisions).
        **options: the method's own options (``tie_break``, ``seed``, ``threshold``…).

    Raises:
        TallyError: unknown method or option, or invalid input.

    >>> tally("borda", ["a", "b", "c"], [("b", "a", "c")], tie_break="lot", seed="x").winners
    ('b',)
    """
    function = _method_function(method)
    parameters = inspect.signature(function).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    if not takes_any:
        unknown = sorted(set(options) - set(parameters))
        if unknown:
            allowed = sorted(name for name in parameters if name not in {"candidates", "ballots"})
            raise TallyError(f"unknown option(s) {unknown} for {method!r}; allowed: {allowed}")
    result: TallyResult = function(candidates, ballots, seats=seats, **options)
    return result


def _method_function(method: str) -> Callable[..., TallyResult]:
    if method not in METHODS:
        raise TallyError(f"unknown method {method!r}; known: {sorted(METHODS)}")
    module_name, function_name = METHODS[method]
    function: Callable[..., TallyResult] = getattr(
        importlib.import_module(module_name), function_name
    )
    return function
