"""General-assembly rules: each organisation's rule profile (a preset chosen by its legal form,
adjustable to its statutes), the copy each assembly is held under, and how a ballot is judged
under it (quorum, majority, blank proxies, colleges and category caps) at its close.

The legal computations are the tally core's (``votes.core.rules``, ``votes.core.weighting``,
``votes.core.majority``); this module reads and stores what they need.

Which ballots the profile judges: those of the assemblies the law governs (AGO, AGE, AGO réunie
extraordinairement). A plenary or another meeting follows each ballot's own settings. Within a
general assembly a facilitator may still give a majority ballot its own threshold (e.g. a
procedural vote); the console and the result then say so.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from votes.core import tally
from votes.core.results import TallyError, TallyResult, Verdict
from votes.core.rules import (
    PRESET_FOR_LEGAL_FORM,
    PRESETS,
    RuleProfile,
    check_profile,
    preset,
    profile_from_data,
    profile_to_data,
)
from votes.core.weighting import (
    SCIC_MAX_WEIGHT,
    SCIC_MIN_COLLEGES,
    SCIC_MIN_WEIGHT,
    cap_categories,
    check_college_weights,
    check_scic_colleges,
    weight_by_college,
    weighted_participation,
)
from votes.db import attendance_queries as aq
from votes.db.engine import write_transaction
from votes.db.tables import (
    Assembly,
    AssemblyRules,
    College,
    Organisation,
    RuleSettings,
)
from votes.services import audit
from votes.services.actors import Actor, may_administer, require
from votes.services.refusals import Refused

LEGAL_KINDS = frozenset({"ago", "age", "ago_extraordinary"})
# a college (or category) with fewer voters than this in a secret ballot keeps its own
# breakdown hidden: showing it would tell how its few members voted
SECRET_GROUP_MINIMUM = 5
MAJORITY_RESPONSES = ("yes", "no", "abstain")
BALLOT_ONLY_RULES = ("rule", "management_supports")  # read here, never passed to the core


def governed(assembly_kind: str) -> bool:
    """Whether the general-assembly rules govern this kind of assembly (check-in to vote,
    quorum, legal majorities)."""
    return assembly_kind in LEGAL_KINDS


# ---------------------------------------------------------------------------------------------
# the organisation's profile


async def _legal_form(organisation_id: int) -> str:
    row = (
        await Organisation.select(Organisation.legal_form)
        .where(Organisation.id == organisation_id)
        .first()
    )
    return str(row["legal_form"]) if row else "other"


async def organisation_profile(organisation_id: int) -> RuleProfile:
    """The profile the organisation stored, or the preset of its legal form."""
    row = (
        await RuleSettings.select(RuleSettings.profile)
        .where(RuleSettings.settings_key == str(organisation_id))
        .first()
    )
    if row is not None:
        return profile_from_data(json.loads(row["profile"]))
    return preset(PRESET_FOR_LEGAL_FORM.get(await _legal_form(organisation_id), "custom"))


async def save_profile(actor: Actor, profile: RuleProfile) -> None:
    """Store the organisation's profile after checking it (and its colleges, when the profile
    uses them). Assemblies already under way keep the rules they were frozen with."""
    require(may_administer, actor)
    organisation_id, membership_id = actor.organisation_id, actor.membership_id
    actor_id = actor.audited_as
    try:
        check_profile(profile)
    except TallyError as error:
        raise Refused("profile_invalid") from error
    if profile.key not in PRESETS:
        raise Refused("profile_invalid")
    setup = await college_setup(organisation_id, profile)
    if setup.problem:
        raise Refused(setup.problem, **setup.detail)
    data = json.dumps(profile_to_data(profile), sort_keys=True, ensure_ascii=False)
    async with write_transaction(RuleSettings._meta.db):
        await RuleSettings.delete().where(RuleSettings.settings_key == str(organisation_id))
        await RuleSettings.insert(
            RuleSettings(
                organisation=organisation_id,
                settings_key=str(organisation_id),
                profile=data,
                updated_at=datetime.now(UTC),
                updated_by=membership_id,
            )
        )
        await audit.record(
            organisation_id,
            "rules.changed",
            actor_id=actor_id,
            subject=f"organisation:{organisation_id}",
            details={"preset": profile.key, "adjusted": profile.adjusted},
        )


async def assembly_profile(organisation_id: int, assembly_id: int) -> RuleProfile:
    """The profile an assembly is held under: its frozen copy, else the organisation's."""
    row = (
        await AssemblyRules.select(AssemblyRules.profile)
        .where(
            (AssemblyRules.assembly_key == str(assembly_id))
            & (AssemblyRules.organisation == organisation_id)
        )
        .first()
    )
    if row is not None:
        return profile_from_data(json.loads(row["profile"]))
    return await organisation_profile(organisation_id)


async def freeze_assembly_profile(organisation_id: int, assembly_id: int) -> RuleProfile:
    """Freeze the assembly's profile (once); call inside the act's write transaction."""
    if await AssemblyRules.exists().where(AssemblyRules.assembly_key == str(assembly_id)):
        return await assembly_profile(organisation_id, assembly_id)
    profile = await organisation_profile(organisation_id)
    await AssemblyRules.insert(
        AssemblyRules(
            organisation=organisation_id,
            assembly=assembly_id,
            assembly_key=str(assembly_id),
            profile=json.dumps(profile_to_data(profile), sort_keys=True, ensure_ascii=False),
        )
    )
    await Assembly.update({Assembly.rule_profile: profile.key}).where(
        (Assembly.id == assembly_id) & (Assembly.organisation == organisation_id)
    )
    return profile


async def profile_key(organisation_id: int) -> str:
    """The key of the organisation's profile (stored on each new assembly)."""
    return (await organisation_profile(organisation_id)).key


# ---------------------------------------------------------------------------------------------
# colleges


@dataclass(frozen=True, slots=True)
class CollegeSetup:
    """The organisation's colleges as the profile sees them."""

    used: bool  # ballots are weighted by college
    weights: dict[int, Fraction]  # college id -> share of the vote
    names: dict[int, str]
    problem: str = ""  # a refusal code when the weights break the rules
    detail: dict[str, Any] = field(default_factory=dict)
    without_college: list[str] = field(default_factory=list)  # members to place in a college


async def college_setup(organisation_id: int, profile: RuleProfile) -> CollegeSetup:
    rows = await College.select(College.id, College.name, College.weight_basis_points).where(
        College.organisation == organisation_id
    )
    weights = {row["id"]: Fraction(row["weight_basis_points"], 10_000) for row in rows}
    names = {row["id"]: row["name"] for row in rows}
    used = profile.colleges == "required" or (
        profile.colleges == "allowed" and any(weights.values())
    )
    if not used:
        return CollegeSetup(False, weights, names)
    problem, detail = college_problem(profile, {names[i]: w for i, w in weights.items()})
    members = await aq.voting_members(organisation_id)
    without = [m["person.name"] for m in members if m["college.id"] is None]
    return CollegeSetup(True, weights, names, problem, detail, without)


def college_problem(
    profile: RuleProfile, weights: Mapping[str, Fraction]
) -> tuple[str, dict[str, Any]]:
    """The first thing the law (SCIC) or arithmetic forbids in these weights, as a code."""
    scic = profile.key.startswith("scic")
    if scic and len(weights) < SCIC_MIN_COLLEGES:
        return "colleges_too_few", {"count": len(weights), "minimum": SCIC_MIN_COLLEGES}
    if not weights:
        return "colleges_missing", {}
    for name, weight in sorted(weights.items()):
        if weight <= 0:
            return "college_weight_missing", {"college": name}
        if scic and not SCIC_MIN_WEIGHT <= weight <= SCIC_MAX_WEIGHT:
            return "college_weight_out_of_range", {"college": name, "weight": weight}
    if sum(weights.values()) != 1:
        return "college_weights_sum", {"total": sum(weights.values(), Fraction(0))}
    try:  # the core's own check, the one the count relies on
        (check_scic_colleges if scic else check_college_weights)(dict(weights))
    except TallyError:  # pragma: no cover - every case is named above
        return "college_weights_sum", {"total": sum(weights.values(), Fraction(0))}
    return "", {}


# ---------------------------------------------------------------------------------------------
# a ballot under the profile: what is frozen at open, and how it is judged at close


def applies_to(method: str, rules: Mapping[str, Any], assembly_kind: str, is_test: bool) -> bool:
    """Whether the profile's quorum and majority judge this ballot."""
    return (
        governed(assembly_kind)
        and not is_test
        and method == "majority"
        and rules.get("rule", "profile") == "profile"
    )


async def ballot_snapshot(
    organisation_id: int,
    assembly_id: int,
    *,
    method: str,
    rules: Mapping[str, Any],
    is_test: bool,
) -> tuple[dict[str, Any] | None, str]:
    """What a ballot opening under the rules freezes: (snapshot, weight groups of papers).

    ``None`` when the ballot's assembly is not governed by the rules (or it is a test)."""
    assembly = (
        await Assembly.select(Assembly.kind, Assembly.convocation)
        .where((Assembly.id == assembly_id) & (Assembly.organisation == organisation_id))
        .first()
    )
    if assembly is None or not governed(assembly["kind"]) or is_test:
        return None, ""
    profile = await freeze_assembly_profile(organisation_id, assembly_id)
    kind, convocation = assembly["kind"], assembly["convocation"]
    rule = profile.rule_for(kind, convocation)
    setup = await college_setup(organisation_id, profile)
    if setup.problem:
        raise Refused(setup.problem, **setup.detail)
    data = profile_to_data(profile)
    snapshot: dict[str, Any] = {
        "profile": profile.key,
        "adjusted": profile.adjusted,
        "assembly_kind": kind,
        "convocation": convocation,
        "applies": applies_to(method, rules, kind, is_test),
        # the quorum is about the assembly deciding at all: it judges every ballot of the
        # assembly, whatever its method (a majority motion with its own majority excepted:
        # a procedural vote); snapshots frozen before this key keep their count
        "quorum_gate": method != "majority",
        "rule": next(
            r
            for r in data["rules"]
            if (r["kind"], r["convocation"]) in _rule_keys(profile, kind, convocation)
        ),
        "quorum_counts": sorted(c.value for c in profile.quorum_counts(kind, convocation)),
        "blank_proxies": profile.proxies.blank_proxies,
        "management_supports": bool(rules.get("management_supports")),
        "colleges": {str(i): str(w) for i, w in setup.weights.items()} if setup.used else None,
        "college_names": {str(i): n for i, n in setup.names.items()} if setup.used else {},
        "category_caps": {}
        if setup.used
        else {k: str(v) for k, v in profile.category_caps.items()},
        "quorum_by_college": profile.quorum_by_college and setup.used,
    }
    assert rule is not None
    groups = "college" if setup.used else ("category" if profile.category_caps else "")
    return snapshot, groups


def _rule_keys(profile: RuleProfile, kind: str, convocation: str) -> set[tuple[str, str]]:
    """The (kind, convocation) under which the profile stores the rule it applies here."""
    chosen = profile.rule_for(kind, convocation)
    return {key for key, rule in profile.rules.items() if rule is chosen}


def paper_group(weight_groups: str, college_id: int | None, category: str) -> str:
    """The tag a paper carries so that the count can weigh it (nothing when not weighted)."""
    if weight_groups == "college":
        return f"college:{college_id}" if college_id is not None else ""
    if weight_groups == "category":
        return f"category:{category}"
    return ""


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
    """The figures as JSON data, frozen into the ballot's snapshot by its close."""
    return {
        "members": figures.members,
        "participants": figures.participants,
        "blank_for": figures.blank_for,
        "blank_against": figures.blank_against,
        "members_by_group": dict(figures.members_by_group),
        "participants_by_group": dict(figures.participants_by_group),
        "blank_by_group": dict(figures.blank_by_group),
    }


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


async def close_figures(
    organisation_id: int, assembly_id: int, snapshot: Mapping[str, Any], weight_groups: str
) -> Figures:
    """The figures a ballot is judged with, read from the register at its close (and only
    there: the close freezes them into the snapshot, every later count reads those)."""
    lines = await aq.attendance_register(organisation_id, assembly_id)
    counted = set(snapshot["quorum_counts"])
    blank_counted = snapshot["blank_proxies"] == "with_management"

    def takes_part(line: aq.RegisterLine) -> bool:
        if line.status == "represented":
            return "represented" in counted and (blank_counted or not line.blank_proxy)
        return line.status in counted

    members_by: Counter[str] = Counter()
    participants_by: Counter[str] = Counter()
    blank_by: Counter[str] = Counter()
    for line in lines:
        group = paper_group(weight_groups, line.college_id, line.category)
        members_by[group] += 1
        if takes_part(line):
            participants_by[group] += 1
        if line.blank_proxy and blank_counted:
            blank_by[group] += 1
    blank = sum(blank_by.values())
    supports = bool(snapshot.get("management_supports"))
    return Figures(
        members=len(lines),
        participants=sum(participants_by.values()),
        blank_for=blank if snapshot["applies"] and supports else 0,
        blank_against=blank if snapshot["applies"] and not supports else 0,
        members_by_group=dict(members_by),
        participants_by_group=dict(participants_by),
        blank_by_group=dict(blank_by) if snapshot["applies"] else {},
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
        taking = weighted_participation(
            figures.participants_by_group,
            figures.members_by_group,
            {f"college:{k}": v for k, v in colleges.items()},
        )
        notes["weighted_participation"] = str(taking)
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


def _quorate(
    share: str | None, figures: Figures, snapshot: Mapping[str, Any], notes: dict[str, Any]
) -> bool:
    """Whether the assembly reached the rule's quorum at the close (by college when the
    profile weighs the quorum by college), the figures noted for the minutes."""
    required = _required(share, figures.members)
    notes.update(quorum_required=required, quorum_share=share)
    colleges = snapshot.get("colleges")
    if snapshot.get("quorum_by_college") and colleges and share is not None:
        taking = weighted_participation(
            figures.participants_by_group,
            figures.members_by_group,
            {f"college:{k}": v for k, v in colleges.items()},
        )
        notes["weighted_participation"] = str(taking)
        return taking >= Fraction(share)
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
