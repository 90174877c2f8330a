"""A ballot of a general assembly judged under its rule snapshot: papers by weighting group,
blank proxies added as the statutes say, colleges scaled to their weight or categories held to
their cap, and the quorum and majority of the profile applied to the figures frozen at the close.

Pure: the service reads the papers and the frozen figures, a recount can do the same from files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction
from typing import Any

from votes.core import postal, tally
from votes.core.results import TallyError, TallyResult, Verdict
from votes.core.weighting import cap_categories, weight_by_college, weighted_participation

# a college (or category) with fewer voters than this in a secret ballot keeps its own
# breakdown hidden: showing it would tell how its few members voted
SECRET_GROUP_MINIMUM = 5


@dataclass(frozen=True, slots=True)
class Figures:
    """Attendance as frozen at the close, by weighting group."""

    members: int
    participants: int  # who count for the quorum: present (+ remote) + represented (+ blank)
    blank_for: int = 0  # blank proxies counted as votes for (management's resolution)
    blank_against: int = 0
    members_by_group: dict[str, int] = field(default_factory=dict)
    participants_by_group: dict[str, int] = field(default_factory=dict)
    blank_by_group: dict[str, int] = field(default_factory=dict)


FROZEN_KEY = "frozen"  # where the close stores the figures in the ballot's rule snapshot


def figures_to_data(figures: Figures) -> dict[str, Any]:
    """The figures as JSON data, frozen into the ballot's snapshot by its close: every field
    under its own name (numbers, and copies of the maps by group)."""
    return asdict(figures)


def frozen_figures(snapshot: Mapping[str, Any]) -> Figures | None:
    """The figures the ballot's close froze, or None for a ballot closed before they were
    frozen (its count cannot be repeated from frozen inputs alone)."""
    data = snapshot.get(FROZEN_KEY)
    if not isinstance(data, Mapping):
        return None
    return Figures(
        members=int(data["members"]),
        participants=int(data["participants"]),
        blank_for=int(data["blank_for"]),
        blank_against=int(data["blank_against"]),
        members_by_group={str(k): int(v) for k, v in data["members_by_group"].items()},
        participants_by_group={str(k): int(v) for k, v in data["participants_by_group"].items()},
        blank_by_group={str(k): int(v) for k, v in data["blank_by_group"].items()},
    )


@dataclass(frozen=True, slots=True)
class Judgement:
    result: TallyResult
    notes: dict[str, Any]  # stored in the snapshot: figures, breakdown, what was hidden


def judge(
    method: str,
    candidates: list[str],
    papers: Mapping[str, Counter[Any]],
    *,
    seats: int,
    options: Mapping[str, Any],
    snapshot: Mapping[str, Any],
    figures: Figures,
    secret: bool,
) -> Judgement:
    """Count a ballot under its snapshot: papers grouped by weighting group ("" when not
    weighted), blank proxies added as the statutes say, each college scaled to its weight
    or each capped category held to its cap, and the profile's quorum and majority applied.
    Runs off the event loop (pure: it only calls the core)."""
    papers = {group: Counter(found) for group, found in papers.items()}
    channel = postal.channel_from_data(snapshot.get(postal.POSTAL_KEY))
    if channel is not None:  # the answers by correspondence, frozen at the close (#18)
        postal.add_channel(papers, channel)
    if snapshot["applies"]:
        supports = bool(snapshot.get("management_supports"))
        for group, number in figures.blank_by_group.items():
            papers.setdefault(group, Counter())["yes" if supports else "no"] += number
    merged: Counter[Any] = Counter()
    for found in papers.values():
        merged.update(found)
    notes: dict[str, Any] = {
        "members": figures.members,
        "participants": figures.participants,
        "blank_for": figures.blank_for,
        "blank_against": figures.blank_against,
        "papers": sum(merged.values()),
    }
    if channel is not None:
        notes["postal"] = channel.totals()
        notes["postal_voters"] = channel.voters
    colleges = snapshot.get("colleges")
    if colleges:
        notes.update(_breakdown(method, papers, snapshot, secret))
    rule = snapshot["rule"]
    if not snapshot["applies"]:
        ballots = _weighted(method, papers, snapshot, notes, base="cast", figures=figures)
        result = tally(method, candidates, ballots, seats=seats, **options)
        if snapshot.get("quorum_gate") and not _quorate(rule["quorum"], figures, snapshot, notes):
            # counted as cast, for the minutes, but nobody is elected and nothing chosen
            result = replace(result, winners=(), ranking=(), verdict=Verdict.NO_QUORUM)
        return Judgement(result, notes)
    majority = {
        "threshold": Fraction(rule["threshold"]),
        "comparison": rule["comparison"],
        "base": rule["base"],
        "invalid_in_base": rule["invalid_in_base"],
    }
    members = figures.members
    present = max(figures.participants, notes["papers"])  # whoever voted was there to vote
    share = rule["quorum"]
    required = _required(share, members)
    notes.update(quorum_required=required, quorum_share=share)
    if snapshot.get("quorum_by_college") and colleges and share is not None:
        taking = _college_turnout(figures, colleges, notes)
        if taking < Fraction(share):
            # in percent of the colleges' votes: the figures the sentence quotes
            weighted = _weighted(method, papers, snapshot, notes, base="cast", figures=figures)
            scaled = {choice: weight * 100 for choice, weight in weighted.items()}
            result = tally(
                "majority",
                candidates,
                scaled,
                members=100,
                present=max(taking * 100, sum(scaled.values(), Fraction(0))),
                quorum=Fraction(share) * 100,
                **majority,
            )
            return Judgement(result, notes)
    elif required and figures.participants < required:
        result = tally(
            "majority",
            candidates,
            merged,
            members=members,
            present=present,
            quorum=required,
            **majority,
        )
        return Judgement(result, notes)
    if colleges:
        ballots = _weighted(method, papers, snapshot, notes, base=rule["base"], figures=figures)
        scaled_present, scaled_members = _college_base(papers, snapshot, figures, rule["base"])
        result = tally(
            "majority",
            candidates,
            ballots,
            members=scaled_members,
            present=scaled_present,
            **majority,
        )
        return Judgement(result, notes)
    ballots = _weighted(method, papers, snapshot, notes, base=rule["base"], figures=figures)
    result = tally("majority", candidates, ballots, members=members, present=present, **majority)
    return Judgement(result, notes)


def _college_turnout(
    figures: Figures, colleges: Mapping[str, Any], notes: dict[str, Any]
) -> Fraction:
    """The participation weighted by college (noted for the minutes)."""
    taking = weighted_participation(
        figures.participants_by_group,
        figures.members_by_group,
        {f"college:{k}": v for k, v in colleges.items()},
    )
    notes["weighted_participation"] = str(taking)
    return taking


def _quorate(
    share: str | None, figures: Figures, snapshot: Mapping[str, Any], notes: dict[str, Any]
) -> bool:
    """Whether the assembly reached the rule's quorum at the close (by college when the
    profile weighs the quorum by college), the figures noted for the minutes."""
    required = _required(share, figures.members)
    notes.update(quorum_required=required, quorum_share=share)
    colleges = snapshot.get("colleges")
    if snapshot.get("quorum_by_college") and colleges and share is not None:
        return _college_turnout(figures, colleges, notes) >= Fraction(share)
    return not required or figures.participants >= required


def _required(share: str | None, members: int) -> int:
    if share is None:
        return 0
    needed = Fraction(share) * members
    return -(-needed.numerator // needed.denominator)


def _weighted(
    method: str,
    papers: Mapping[str, Counter[Any]],
    snapshot: Mapping[str, Any],
    notes: dict[str, Any],
    *,
    base: str,
    figures: Figures,
) -> Mapping[Any, Any]:
    """The papers as one weighted mapping: by college, by capped category, or as they are."""
    colleges = snapshot.get("colleges")
    if colleges:
        weights = {f"college:{k}": v for k, v in colleges.items()}
        groups = {g: found for g, found in papers.items() if g in weights}
        if method != "majority":
            return weight_by_college(groups, weights)
        if base in ("cast", "cast_and_abstentions"):
            counted = ("yes", "no") if base == "cast" else ("yes", "no", "abstain")
            return weight_by_college(groups, weights, scale_over=lambda r: r in counted)
        totals = _college_totals(papers, figures, base)
        return weight_by_college(groups, weights, totals=totals)
    caps = snapshot.get("category_caps") or {}
    merged: Counter[Any] = Counter()
    for found in papers.values():
        merged.update(found)
    if not caps:
        return merged
    by_category = {g.removeprefix("category:"): found for g, found in papers.items()}
    try:
        return cap_categories(by_category, {k: Fraction(v) for k, v in caps.items()})
    except TallyError:
        notes["cap_not_applied"] = True  # e.g. only the capped category voted
        return merged


def _college_totals(
    papers: Mapping[str, Counter[Any]], figures: Figures, base: str
) -> dict[str, int]:
    """Each college's own base: its members present and represented, or all its members
    (never below the papers it handed in)."""
    source = figures.participants_by_group if base == "present" else figures.members_by_group
    return {
        group: max(source.get(group, 0), sum(papers.get(group, Counter()).values()))
        for group in set(source) | set(papers)
        if group
    }


def _college_base(
    papers: Mapping[str, Counter[Any]],
    snapshot: Mapping[str, Any],
    figures: Figures,
    base: str,
) -> tuple[Fraction, Fraction]:
    """(present, members) in the college-weighted scale, where all members weigh 1."""
    colleges = snapshot["colleges"]
    totals = _college_totals(papers, figures, "present")
    members = _college_totals(papers, figures, "members")
    present = Fraction(0)
    for college, weight in colleges.items():
        group = f"college:{college}"
        if base == "members" and members.get(group):
            present += Fraction(weight) * Fraction(totals.get(group, 0), members[group])
        elif totals.get(group):
            present += Fraction(weight)
    return present, Fraction(1)


def _breakdown(
    method: str, papers: Mapping[str, Counter[Any]], snapshot: Mapping[str, Any], secret: bool
) -> dict[str, Any]:
    """Each college's own count; hidden for every college when one has too few voters for a
    secret ballot (one shown college next to the total would reveal the hidden one)."""
    names = snapshot["college_names"]
    rows = []
    small = []
    for college, weight in snapshot["colleges"].items():
        found = papers.get(f"college:{college}", Counter())
        voters = sum(found.values())
        if secret and 0 < voters < SECRET_GROUP_MINIMUM:
            small.append(names.get(college, college))
        counts = (
            {str(k): v for k, v in sorted(found.items(), key=str) if isinstance(k, str)}
            if method in ("majority", "plurality", "consent", "consensus")
            else {}
        )
        rows.append(
            {
                "name": names.get(college, college),
                "weight": weight,
                "voters": voters,
                "counts": counts,
            }
        )
    if small:
        rows = [{**row, "counts": None} for row in rows]
    return {"colleges": rows, "hidden_colleges": small}
