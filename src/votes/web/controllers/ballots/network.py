"""A network's ballot shown (#20): both counts and each cooperative's line, as the close stored
them in the ballot's rule snapshot (``votes.services.ballots.network_counts``). Cooperatives
are named, never numbered; a line hidden to keep a secret ballot secret is said, not shown.
A network with voting colleges has a third count, by college, shown the same way."""

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
    by_college: Fraction | None = None  # share of the vote weighted by college (None: no colleges)


@dataclass(frozen=True, slots=True)
class CooperativeLine:
    name: str
    share: Fraction
    voters: int
    counts: list[tuple[str, Fraction]] | None  # None: hidden (or nobody voted)


@dataclass(frozen=True, slots=True)
class CollegeResult:
    """The count by the network's colleges, when it has them."""

    result: TallyResult
    shares: dict[str, Fraction]  # option key -> share of the vote
    colleges: list[CooperativeLine]  # each college's line (share: its weight)
    hidden: list[str]  # colleges too small in a secret ballot: no line is shown
    outside: int  # papers of participants in no college, left out of this count


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
    by_college: CollegeResult | None = None

    @property
    def by_head_decides(self) -> bool:
        return self.decides == PER_HEAD

    @property
    def college_differs(self) -> bool:
        """Whether the count by college gives another outcome than the deciding count."""
        if self.by_college is None:
            return False
        deciding = self.per_head if self.by_head_decides else self.per_cooperative
        other = self.by_college.result
        if deciding.verdict is not None or other.verdict is not None:
            return deciding.verdict != other.verdict
        return deciding.winners != other.winners

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


def _by_college(data: Mapping[str, Any] | None, labels: Mapping[str, str]) -> CollegeResult | None:
    if not isinstance(data, Mapping):
        return None
    result = TallyResult.from_json(data["result"])
    return CollegeResult(
        result=result,
        shares={str(key): Fraction(value) for key, value in _totals(result).items()},
        colleges=[_line(line, labels) for line in data["colleges"]],
        hidden=[str(name) for name in data["hidden"]],
        outside=int(data["outside"]),
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
    by_college = _by_college(data.get("by_college"), labels)
    keys = list(per_head.candidates) or list(labels)
    options = [
        OptionLine(
            labels.get(key, key),
            Fraction(heads.get(key, 0)),
            Fraction(shares.get(key, 0)),
            by_college.shares.get(key, Fraction(0)) if by_college is not None else None,
        )
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
        by_college=by_college,
    )
