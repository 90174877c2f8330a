"""The shapes every tally returns: rounds, tie events, verdicts, explanations.

Everything here is exact (``Fraction`` totals), immutable, and round-trips through JSON without
loss, so a stored result can be recounted and compared years later.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any, TypeAlias

Candidate: TypeAlias = str
Weight: TypeAlias = int | Fraction
JSONValue: TypeAlias = Any  # a value json.dumps accepts once Fractions are written as "p/q"


class TallyError(ValueError):
    """Invalid input to a tally: unknown candidate, duplicate ranking, negative weight, bad option.

    The message is in English for developers and logs; the web layer shows its own wording.
    """


class TieResolution(StrEnum):
    """How a tie was settled; stored so a recount settles it the same way."""

    HISTORY_BACKWARD = "history_backward"  # most recent earlier round where the tied differed
    HISTORY_FORWARD = "history_forward"  # earliest round where the tied differed
    LOT = "lot"  # seeded draw; the seed is recorded
    CASTING_VOTE = "casting_vote"  # the chair's casting vote (majority motions)
    UNRESOLVED = "unresolved"  # reported as a tie, nobody picked (e.g. plurality without a lot)
    FIXED_ORDER = "fixed_order"  # a candidate order published before the count decides
    NO_EFFECT = "no_effect"  # every way of settling it gives the same result: nothing to settle


class Verdict(StrEnum):
    """Outcome of a decision (majority motion, consent)."""

    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"
    BLOCKED = "blocked"  # consent/consensus: an objection or block remains


@dataclass(frozen=True, slots=True)
class Message:
    """A sentence of an explanation, kept as a catalogue key plus parameters.

    Rendering happens in :mod:`votes.core.explain`, in French or English, so the stored result
    stays language-neutral.
    """

    key: str
    params: Mapping[str, JSONValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TieEvent:
    """A tie met during a count and how it was settled."""

    round: int  # 1-based round/stage number where the tie was met
    purpose: str  # "exclusion", "surplus_order", "winner", "ranking", "pair_order", ...
    tied: tuple[Candidate, ...]
    chosen: tuple[Candidate, ...]  # the candidate(s) picked for the purpose (excluded, elected…)
    resolution: TieResolution
    seed: str | None = None  # set when resolution is LOT


@dataclass(frozen=True, slots=True)
class Round:
    """One round (IRV), stage (STV) or the single pass of a one-shot method."""

    number: int  # 1-based
    totals: Mapping[Candidate, Fraction]  # every continuing (or scored) candidate's exact total
    elected: tuple[Candidate, ...] = ()
    excluded: tuple[Candidate, ...] = ()
    exhausted: Fraction = Fraction(0)  # cumulative non-transferable votes
    loss_by_fraction: Fraction = Fraction(0)  # cumulative truncation loss (fixed-point rules)
    messages: tuple[Message, ...] = ()


@dataclass(frozen=True, slots=True)
class TallyResult:
    """What any method returns.

    Attributes:
        method: the method name given to :func:`votes.core.tally`.
        candidates: the candidates or options, in the order given.
        seats: number of seats filled (1 for single-winner methods and decisions).
        winners: elected candidates in the order elected (for decisions: ``("adopted",)`` style
            option ids are not used; see ``verdict``).
        rounds: one entry per round or stage.
        tie_events: every tie met, in order.
        ranking: the full order as groups of equal candidates, best first, when the method
            defines one (Schulze, Ranked Pairs, Borda, score…), else empty.
        verdict: for majority motions and consent, the outcome.
        details: method-specific exact figures (quota, pairwise matrix, counts by response…).
        options: the rules the count was computed under (threshold, base, seed…), so a recount
            needs nothing else.
    """

    method: str
    candidates: tuple[Candidate, ...]
    seats: int
    winners: tuple[Candidate, ...]
    rounds: tuple[Round, ...]
    tie_events: tuple[TieEvent, ...] = ()
    ranking: tuple[tuple[Candidate, ...], ...] = ()
    verdict: Verdict | None = None
    details: Mapping[str, JSONValue] = field(default_factory=dict)
    options: Mapping[str, JSONValue] = field(default_factory=dict)

    def to_json(self) -> str:
        """Serialise to JSON; ``Fraction`` values are written as ``{"__fraction__": "p/q"}``."""
        return json.dumps(_encode(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TallyResult:
        """Rebuild a result written by :meth:`to_json`; ``from_json(r.to_json()) == r``."""
        data = _decode(json.loads(text))
        return cls(
            method=data["method"],
            candidates=tuple(data["candidates"]),
            seats=data["seats"],
            winners=tuple(data["winners"]),
            rounds=tuple(_round_from(r) for r in data["rounds"]),
            tie_events=tuple(_tie_from(t) for t in data["tie_events"]),
            ranking=tuple(tuple(group) for group in data["ranking"]),
            verdict=Verdict(data["verdict"]) if data["verdict"] is not None else None,
            details=_freeze(data["details"]),
            options=_freeze(data["options"]),
        )


def _round_from(data: dict[str, Any]) -> Round:
    return Round(
        number=data["number"],
        totals=dict(data["totals"]),
        elected=tuple(data["elected"]),
        excluded=tuple(data["excluded"]),
        exhausted=data["exhausted"],
        loss_by_fraction=data["loss_by_fraction"],
        messages=tuple(Message(m["key"], _freeze(m["params"])) for m in data["messages"]),
    )


def _tie_from(data: dict[str, Any]) -> TieEvent:
    return TieEvent(
        round=data["round"],
        purpose=data["purpose"],
        tied=tuple(data["tied"]),
        chosen=tuple(data["chosen"]),
        resolution=TieResolution(data["resolution"]),
        seed=data["seed"],
    )


_FRACTION = "__fraction__"


def _encode(value: Any) -> Any:
    """Turn dataclasses, enums, tuples and Fractions into plain JSON values."""
    if isinstance(value, Fraction):
        return {_FRACTION: f"{value.numerator}/{value.denominator}"}
    if isinstance(value, StrEnum):
        return value.value
    if hasattr(value, "__dataclass_fields__"):
        return {name: _encode(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        # a one-key dict holding a string: a candidate named like the marker maps to a
        # Fraction's own dict, never to a string, so it cannot be mistaken for one
        if set(value) == {_FRACTION} and isinstance(value[_FRACTION], str):
            return Fraction(value[_FRACTION])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _freeze(value: Any) -> Any:
    """Lists read back from JSON become tuples, so decoded results compare equal to originals."""
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value
