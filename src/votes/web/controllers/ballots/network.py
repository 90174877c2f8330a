"""A network's ballot shown (#20): both counts and each cooperative's line, as the close stored
them in the ballot's rule snapshot (``votes.services.ballots.network_counts``). Cooperatives
are named, never numbered; a line hidden to keep a secret ballot secret is said, not shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from votes.core.results import TallyResult
from votes.services.ballots.network_counts import COUNT_KEY, PER_HEAD


@dataclass(frozen=True, slots=True)
class OptionLine:
    label: str
    per_head: Fraction  # papers
    per_cooperative: Fraction  # share of the network's decision (1 = the whole)


@dataclass(frozen=True, slots=True)
class CooperativeLine:
    name: str
    share: Fraction
    voters: int
    counts: list[tuple[str, Fraction]] | None  # None: hidden (or nobody voted)


@dataclass(frozen=True, slots=True)
class NetworkResult:
    decides: str  # "cooperative" or "head"
    sharing: str  # "equal", "members" or "fixed"
    agree: bool
    per_head: TallyResult
    per_cooperative: TallyResult
    options: list[OptionLine]
    cooperatives: list[CooperativeLine]
    individuals: CooperativeLine | None
    hidden: list[str]  # cooperatives too small in a secret ballot: no line is shown
    individuals_hidden: bool

    @property
    def by_head_decides(self) -> bool:
        return self.decides == PER_HEAD

    @property
    def any_hidden(self) -> bool:
        return bool(self.hidden) or self.individuals_hidden


def _totals(result: TallyResult) -> Mapping[str, Any]:
    return result.rounds[-1].totals if result.rounds else {}


def _line(data: Mapping[str, Any], labels: Mapping[str, str]) -> CooperativeLine:
    counts = data.get("counts")
    ordered = None
    if counts is not None:  # in the ballot's order of options, as the papers show them
        keys = [key for key in labels if key in counts] + sorted(set(counts) - set(labels))
        ordered = [(labels.get(key, key), Fraction(counts[key])) for key in keys]
    return CooperativeLine(
        name=str(data["name"]),
        share=Fraction(data["share"]),
        voters=int(data["voters"]),
        counts=ordered,
    )


def network_result(
    snapshot: Mapping[str, Any] | None, labels: Mapping[str, str]
) -> NetworkResult | None:
    """Both counts of a network's ballot as its close stored them (None for another ballot)."""
    data = (snapshot or {}).get(COUNT_KEY)
    if not isinstance(data, Mapping):
        return None
    per_head = TallyResult.from_json(data["per_head"])
    per_cooperative = TallyResult.from_json(data["per_cooperative"])
    heads, shares = _totals(per_head), _totals(per_cooperative)
    keys = list(per_head.candidates) or list(labels)
    options = [
        OptionLine(labels.get(key, key), Fraction(heads.get(key, 0)), Fraction(shares.get(key, 0)))
        for key in keys
    ]
    individuals = data.get("individuals")
    return NetworkResult(
        decides=str(data["decides"]),
        sharing=str(data["sharing"]),
        agree=bool(data["agree"]),
        per_head=per_head,
        per_cooperative=per_cooperative,
        options=options,
        cooperatives=[_line(line, labels) for line in data["cooperatives"]],
        individuals=_line(individuals, labels) if individuals else None,
        hidden=[str(name) for name in data["hidden"]],
        individuals_hidden=bool(data.get("individuals_hidden")),
    )
