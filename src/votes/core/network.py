"""A network's decision counted several ways from one ballot (#20).

When several cooperatives decide together (a network such as a yearly gathering of Bigre !),
each participant votes once and the same papers are counted:

* **per head**: every paper weighs one, whichever cooperative it comes from;
* **per cooperative**: each cooperative's papers are scaled to the cooperative's share, so a
  large cooperative's turnout does not outweigh a small one (the shares are fixed before the
  vote: equal, in proportion to members, or set in the network's rules);
* **within each cooperative**: its own count, shown next to the network's, except in a secret
  ballot where one cooperative had too few voters (then no cooperative's breakdown is shown:
  one shown next to the total would reveal the hidden one), the rule colleges follow.

Papers of participants no cooperative registered (individual members of the network) count per
head only: they belong to no cooperative's share. Their own line follows the same secrecy rule.

When the network itself has voting colleges, the same papers are also counted **by college**
(:func:`count_by_college`): each college's papers scaled to the college's weight, as an
ordinary cooperative's ballot is, with each college's own line under the same secrecy rule.
Papers of participants in no college are left out of that count (and only that one).

Pure and exact (``Fraction``): a recount needs only the papers by cooperative and the shares.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from votes.core import tally
from votes.core.judging import SECRET_GROUP_MINIMUM
from votes.core.results import Candidate, TallyError, TallyResult
from votes.core.weighting import check_college_weights, weight_by_college

# the responses a majority motion's shares are split by: abstentions are scaled alike, so
# that a cooperative's share goes to the side its members chose (as for colleges)
CAST_RESPONSES = ("yes", "no")

# the name of the line of papers that belong to no cooperative (counted per head only)
UNAFFILIATED = ""


class Sharing(StrEnum):
    """How the network's rules share a decision between its member cooperatives."""

    EQUAL = "equal"  # each cooperative the same share
    MEMBERS = "members"  # in proportion to the members it registered
    FIXED = "fixed"  # the shares written in the network's rules


def cooperative_shares(
    sharing: Sharing, members: Mapping[str, int], fixed: Mapping[str, object] | None = None
) -> dict[str, Fraction]:
    """Each cooperative's share of the decision, adding up to 1.

    ``members``: the cooperatives taking part and how many members each registered (a
    cooperative with none has no share). ``fixed``: the shares of the network's rules, for
    :attr:`Sharing.FIXED`, one per cooperative taking part.

    >>> cooperative_shares(Sharing.MEMBERS, {"oxalis": 30, "coopaname": 90})
    {'coopaname': Fraction(3, 4), 'oxalis': Fraction(1, 4)}
    """
    if any(count < 0 for count in members.values()):
        raise TallyError(f"a cooperative cannot have fewer than no members: {dict(members)}")
    taking_part = sorted(name for name, count in members.items() if count)
    if not taking_part:
        raise TallyError("no cooperative with members takes part in this decision")
    if sharing is Sharing.EQUAL:
        return {name: Fraction(1, len(taking_part)) for name in taking_part}
    if sharing is Sharing.MEMBERS:
        total = sum(members[name] for name in taking_part)
        return {name: Fraction(members[name], total) for name in taking_part}
    shares = check_college_weights(fixed or {})
    if sorted(shares) != taking_part:
        raise TallyError(
            f"the network's shares name {sorted(shares)}, the cooperatives taking part are"
            f" {taking_part}"
        )
    return dict(sorted(shares.items()))


@dataclass(frozen=True, slots=True)
class CooperativeCount:
    """One cooperative's line next to the network's result."""

    name: str
    share: Fraction
    voters: int
    result: TallyResult | None  # None: nobody voted, or hidden to keep a secret ballot secret


@dataclass(frozen=True, slots=True)
class NetworkCount:
    per_head: TallyResult
    per_cooperative: TallyResult
    cooperatives: tuple[CooperativeCount, ...]
    hidden: tuple[str, ...]  # cooperatives too small for their breakdown to be shown
    # the papers no cooperative registered (share 0; None when there were none); named
    # UNAFFILIATED in ``hidden`` when too few for their line to be shown
    unaffiliated: CooperativeCount | None = None

    @property
    def counts_agree(self) -> bool:
        """Whether both counts elect (or decide) the same: the minutes say so when they differ.

        Two majority motions agree when their verdicts do; other methods when their winners do.
        """
        if self.per_head.verdict is not None or self.per_cooperative.verdict is not None:
            return self.per_head.verdict == self.per_cooperative.verdict
        return self.per_head.winners == self.per_cooperative.winners


@dataclass(frozen=True, slots=True)
class NetworkBallot:
    """What every count of one network ballot shares: the method and its options, the
    candidates and seats, and whether it is secret (then a group with too few voters hides
    every group's own line: one shown next to the total would reveal the hidden one)."""

    method: str
    candidates: Sequence[Candidate]
    secret: bool
    seats: int = 1
    options: Mapping[str, Any] = field(default_factory=dict)

    def count(self, papers: Mapping[Hashable, Any]) -> TallyResult:
        """``papers`` (ballot → number or weight) counted by the ballot's method."""
        return tally(self.method, self.candidates, papers, seats=self.seats, **self.options)

    def count_weighted(
        self, papers: Mapping[str, Mapping[Hashable, int]], weights: Mapping[str, Fraction]
    ) -> TallyResult:
        """Each group's papers scaled to the group's weight, counted together."""
        scale_over = (lambda paper: paper in CAST_RESPONSES) if self.method == "majority" else None
        return self.count(weight_by_college(papers, weights, scale_over=scale_over))

    def hidden(self, voters: Mapping[str, int]) -> tuple[str, ...]:
        """The groups too small for their own line to be shown (none unless secret)."""
        if not self.secret:
            return ()
        return tuple(name for name, count in voters.items() if 0 < count < SECRET_GROUP_MINIMUM)

    def lines(
        self,
        papers: Mapping[str, Mapping[Hashable, int]],
        weights: Mapping[str, Fraction],
        voters: Mapping[str, int],
        *,
        counted: bool,
    ) -> tuple[CooperativeCount, ...]:
        """Each group's own line: its weight, its voters and, when ``counted`` (no group is
        hidden), its count."""
        return tuple(
            CooperativeCount(
                name,
                Fraction(weights[name]),
                voters[name],
                self.count(papers[name]) if counted and voters[name] else None,
            )
            for name in weights
        )


def _voters(
    papers: Mapping[str, Mapping[Hashable, int]], weights: Mapping[str, Fraction]
) -> dict[str, int]:
    return {name: sum(papers.get(name, {}).values()) for name in weights}


def count_network(
    ballot: NetworkBallot,
    papers: Mapping[str, Mapping[Hashable, int]],
    shares: Mapping[str, Fraction],
    *,
    unaffiliated: Mapping[Hashable, int] | None = None,
) -> NetworkCount:
    """Count one network ballot per head, per cooperative and within each cooperative.

    ``papers``: each cooperative's papers (ballot → number) in the method's shape;
    ``shares``: from :func:`cooperative_shares`, fixed before the vote; ``unaffiliated``:
    papers no cooperative registered, counted per head only.

    >>> shares = cooperative_shares(Sharing.EQUAL, {"a": 4, "b": 2})
    >>> papers = {"a": {"no": 3, "yes": 1}, "b": {"yes": 2}}
    >>> ballot = NetworkBallot("majority", ("yes", "no"), secret=False)
    >>> count = count_network(ballot, papers, shares)
    >>> count.per_head.verdict.value, count.per_cooperative.verdict.value, count.counts_agree
    ('rejected', 'adopted', False)
    """
    strangers = sorted(set(papers) - set(shares))
    if strangers:
        raise TallyError(f"papers from cooperatives that have no share: {strangers}")
    everyone: Counter[Hashable] = Counter()
    for found in papers.values():
        everyone.update(found)
    alone = dict(unaffiliated or {})
    everyone.update(alone)
    per_head = ballot.count(everyone)
    per_cooperative = ballot.count_weighted(papers, shares)
    alone_voters = sum(alone.values())
    voters = {**_voters(papers, shares), UNAFFILIATED: alone_voters}
    hidden = ballot.hidden(voters)
    lines = ballot.lines(papers, shares, voters, counted=not hidden)
    outside = None
    if alone_voters:
        counted = None if hidden else ballot.count(alone)
        outside = CooperativeCount(UNAFFILIATED, Fraction(0), alone_voters, counted)
    return NetworkCount(per_head, per_cooperative, lines, hidden, outside)


@dataclass(frozen=True, slots=True)
class CollegeCount:
    """The same papers counted by the network's colleges, next to the two other counts."""

    result: TallyResult  # each college's papers scaled to its weight
    colleges: tuple[CooperativeCount, ...]  # each college's line (its share: its weight)
    hidden: tuple[str, ...]  # colleges too small for their breakdown to be shown
    outside: int  # papers of participants in no college: not in this count


def count_by_college(
    ballot: NetworkBallot,
    papers: Mapping[str, Mapping[Hashable, int]],
    weights: Mapping[str, Fraction],
    *,
    outside: int = 0,
) -> CollegeCount:
    """Count one network ballot by college: ``papers`` by college (ballot → number),
    ``weights`` the colleges' weights fixed before the vote (adding up to 1); ``outside``: how
    many papers had no college (told, not counted). A secret ballot with a college of fewer
    than :data:`SECRET_GROUP_MINIMUM` voters shows no college's own line.

    >>> count = count_by_college(NetworkBallot("majority", ("yes", "no"), secret=False),
    ...     {"a": {"no": 3, "yes": 1}, "b": {"yes": 2}}, {"a": Fraction(1, 2), "b": Fraction(1, 2)})
    >>> count.result.verdict.value, [line.voters for line in count.colleges]
    ('adopted', [4, 2])
    """
    result = ballot.count_weighted(papers, weights)
    voters = _voters(papers, weights)
    hidden = ballot.hidden(voters)
    lines = ballot.lines(papers, weights, voters, counted=not hidden)
    return CollegeCount(result, lines, hidden, outside)
