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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from votes.core.judging import Figures
from votes.core.results import TallyError
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
    check_college_weights,
    check_scic_colleges,
)
from votes.db import attendance_queries as aq
from votes.db.engine import write_transaction
from votes.db.queries import keyed_row, own_row
from votes.db.tables import (
    GENERAL_ASSEMBLY_KINDS,
    Assembly,
    AssemblyRules,
    College,
    Organisation,
    RuleSettings,
)
from votes.services import audit
from votes.services.actors import Actor, may_administer, require
from votes.services.refusals import Refused

BALLOT_ONLY_RULES = (
    "rule",
    "management_supports",
    "network_decides",
)  # read here, never passed to the core


def governed(assembly_kind: str) -> bool:
    """Whether the general-assembly rules govern this kind of assembly (check-in to vote,
    quorum, legal majorities)."""
    return assembly_kind in GENERAL_ASSEMBLY_KINDS


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
        await audit.record_act(
            actor,
            "rules.changed",
            f"organisation:{organisation_id}",
            {"preset": profile.key, "adjusted": profile.adjusted},
        )


async def assembly_profile(organisation_id: int, assembly_id: int) -> RuleProfile:
    """The profile an assembly is held under: its frozen copy, else the organisation's."""
    row = await keyed_row(
        AssemblyRules.assembly_key, assembly_id, organisation_id, AssemblyRules.profile
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
    assembly = await own_row(
        Assembly, organisation_id, assembly_id, Assembly.kind, Assembly.convocation
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


def paper_group(
    weight_groups: str, college_id: int | None, category: str, cooperative_id: int | None = None
) -> str:
    """The tag a paper carries so that the count can weigh it (nothing when not weighted).

    In a network (#20): the cooperative that registered the voter, ``cooperative:`` for an
    individual member of the network, followed by ``,college:<id>`` (``,college:`` for none)
    when the network has colleges (see ``votes.services.ballots.network_counts``)."""
    if weight_groups.startswith("cooperative"):
        tag = f"cooperative:{cooperative_id if cooperative_id is not None else ''}"
        if weight_groups == "cooperative+college":
            tag += f",college:{college_id if college_id is not None else ''}"
        return tag
    if weight_groups == "college":
        return f"college:{college_id}" if college_id is not None else ""
    if weight_groups == "category":
        return f"category:{category}"
    return ""


async def close_figures(
    organisation_id: int, assembly_id: int, snapshot: Mapping[str, Any], weight_groups: str
) -> Figures:
    """The figures a ballot is judged with, read from the register at its close (and only
    there: the close freezes them into the snapshot, every later count reads those)."""
    lines = await aq.attendance_register(organisation_id, assembly_id)
    counted = set(snapshot["quorum_counts"])
    blank_counted = snapshot["blank_proxies"] == "with_management"

    def takes_part(line: aq.RegisterLine) -> bool:
        if line.status == aq.RegisterStatus.REPRESENTED:
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
