"""A network's ballot (#20): voted once, counted per head and per cooperative.

At the open the network's rule is frozen into the ballot's rule snapshot (key ``network``):
how the network shares a decision (equal, by members, fixed), the cooperatives taking part
with their names, the members each had registered and the shares that follow, and which of
the two counts decides (a setting of the ballot, ``network_decides`` in its rules: per
cooperative unless the facilitator chose per head). Changing the network's rules or its
members afterwards changes nothing for that ballot.

Each paper carries ``cooperative:<id>`` of the cooperative that registered its voter
(``cooperative:`` for an individual member of the network: such papers count per head only,
on a line of their own). At the close ``votes.core.network.count_network`` counts the papers
both ways; the deciding count is the ballot's result, and both counts with each cooperative's
own line are stored in the snapshot (key ``network_count``), so a recount from the stored
papers and the frozen snapshot gives the same figures.

When the network itself has voting colleges with their weights set (the condition under which
an ordinary cooperative's ballots are weighted by college: ``rules.college_setup``), the
colleges (names and weights) are frozen too (key ``colleges`` of the frozen rule), the ballot's
``weight_groups`` is ``cooperative+college``, and each paper carries both tags, comma-separated:
``cooperative:<id>,college:<id>`` (an empty id for none). A paper never carries its voter: the
tags name groups, and a secret ballot's paper is sealed with them until the close. The close
then also counts the papers by college (``votes.core.network.count_by_college``), stored under
``by_college`` in the count; a paper with no college (or one created after the open) is left
out of that count only, and said.

The general assembly's profile (quorum, legal majorities, postal votes) does not judge a
network's ballot: the ballot's own majority and the network's sharing rule do.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from fractions import Fraction
from functools import partial
from typing import Any

import anyio.to_thread

from votes.core.choices import decode_choice
from votes.core.network import (
    UNAFFILIATED,
    CollegeCount,
    CooperativeCount,
    NetworkBallot,
    NetworkCount,
    Sharing,
    cooperative_shares,
    count_by_college,
    count_network,
)
from votes.core.results import TallyError, TallyResult
from votes.core.room_counts import RoomCount, merge_room_count
from votes.db.tables import Membership, NetworkMembership, NetworkStatus, Organisation
from votes.db.voting_rules import voters_of
from votes.services import rules as profile_rules
from votes.services.refusals import Refused

NETWORK_KEY = "network"  # in the rule snapshot: the rule frozen at the open
COUNT_KEY = "network_count"  # in the rule snapshot: both counts, stored by the close
WEIGHT_GROUPS = "cooperative"  # Ballot.weight_groups of a network's ballot
WITH_COLLEGES = "cooperative+college"  # ... of one also counted by the network's colleges
NETWORK_GROUPS = (WEIGHT_GROUPS, WITH_COLLEGES)
GROUP_PREFIX = "cooperative:"
COLLEGE_PREFIX = "college:"

# which count decides a network's ballot (a ballot setting, fixed at the open)
DECIDES_KEY = "network_decides"
PER_COOPERATIVE = "cooperative"
PER_HEAD = "head"
DECIDING_COUNTS = (PER_COOPERATIVE, PER_HEAD)

# the methods whose own counts (option → papers) a cooperative's line shows
_SHOWN_COUNTS = ("majority", "plurality", "consent", "consensus", "approval")


def deciding_count(rules: Mapping[str, Any]) -> str:
    """Which count decides, from the ballot's own rules (per cooperative by default)."""
    chosen = rules.get(DECIDES_KEY)
    return chosen if chosen in DECIDING_COUNTS else PER_COOPERATIVE


async def freeze_at_open(
    organisation_id: int, method: str, rules: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The network's rule as the ballot opens (None outside a network): refused
    (``network_shares_invalid``) when no share can be fixed, e.g. no cooperative has
    registered anyone yet, or the fixed shares do not add up to 100 %; refused
    (``network_base_members``) for a majority counted against all members, which has no
    meaning once each cooperative's papers are scaled to its share."""
    network = (
        await Organisation.select(Organisation.is_network, Organisation.network_sharing)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if network is None or not network["is_network"]:
        return None
    if method == "majority" and (rules.get("base") == "members" or "quorum_share" in rules):
        raise Refused("network_base_members")
    rows = await NetworkMembership.select(
        NetworkMembership.cooperative,
        NetworkMembership.cooperative.name,
        NetworkMembership.share_basis_points,
    ).where(
        (NetworkMembership.network == organisation_id)
        & (NetworkMembership.status == NetworkStatus.MEMBER.value)
    )
    registered = await Membership.select(Membership.delegated_by).where(
        voters_of(organisation_id) & Membership.delegated_by.is_not_null()
    )
    counts = Counter(str(row["delegated_by"]) for row in registered)
    members = {str(row["cooperative"]): counts.get(str(row["cooperative"]), 0) for row in rows}
    fixed = {
        str(row["cooperative"]): Fraction(row["share_basis_points"], 10_000)
        for row in rows
        if members[str(row["cooperative"])]
    }
    known = {sharing.value for sharing in Sharing}
    stored = network["network_sharing"]
    sharing = Sharing(stored) if stored in known else Sharing.EQUAL
    try:
        shares = cooperative_shares(sharing, members, fixed)
    except TallyError as error:
        raise Refused("network_shares_invalid") from error
    names = {str(row["cooperative"]): str(row["cooperative.name"]) for row in rows}
    frozen: dict[str, Any] = {
        "sharing": sharing.value,
        "decides": deciding_count(rules),
        "cooperatives": {
            key: {"name": names[key], "members": members[key], "share": str(shares[key])}
            for key in sorted(shares, key=int)
        },
    }
    colleges = await _colleges_at_open(organisation_id)
    if colleges:
        frozen["colleges"] = colleges
    return frozen


async def _colleges_at_open(organisation_id: int) -> dict[str, Any] | None:
    """The network's colleges with their weights, when its ballots are weighted by college
    (refused like an ordinary cooperative's ballot when the weights break the rules)."""
    profile = await profile_rules.organisation_profile(organisation_id)
    setup = await profile_rules.college_setup(organisation_id, profile)
    if not setup.used:
        return None
    if setup.problem:
        raise Refused(setup.problem, **setup.detail)
    return {
        str(key): {"name": setup.names[key], "weight": str(weight)}
        for key, weight in sorted(setup.weights.items())
    }


def weight_groups(frozen: Mapping[str, Any]) -> str:
    """The ``weight_groups`` of a network's ballot whose rule was frozen as ``frozen``."""
    return WITH_COLLEGES if frozen.get("colleges") else WEIGHT_GROUPS


def paper_tags(group: str) -> tuple[str, str]:
    """(cooperative id, college id) of a paper's weighting group, "" for none:
    ``cooperative:4,college:9``, or ``cooperative:4`` on a ballot without colleges."""
    cooperative, college = "", ""
    for part in str(group).split(","):
        if part.startswith(GROUP_PREFIX):
            cooperative = part.removeprefix(GROUP_PREFIX)
        elif part.startswith(COLLEGE_PREFIX):
            college = part.removeprefix(COLLEGE_PREFIX)
    return cooperative, college


def _counts(method: str, result: TallyResult | None) -> dict[str, Any] | None:
    """A line's own figures: its papers by option (hidden: None)."""
    if result is None:
        return None
    if method not in _SHOWN_COUNTS or not result.rounds:
        return {}
    return {str(k): str(v) for k, v in result.rounds[0].totals.items()}


def _line(method: str, line: CooperativeCount, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "share": str(line.share),
        "voters": line.voters,
        "result": line.result.to_json() if line.result is not None else None,
        "counts": _counts(method, line.result),
    }


def _by_name(lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lines as people look them up: by name (ids order them by joining, or as text)."""
    return sorted(lines, key=lambda line: str(line["name"]).casefold())


def college_notes(method: str, count: CollegeCount, colleges: Mapping[str, Any]) -> dict[str, Any]:
    """The count by college as stored in the snapshot: colleges by name, never id."""
    return {
        "result": count.result.to_json(),
        "colleges": _by_name(
            _line(method, line, colleges[line.name]["name"]) for line in count.colleges
        ),
        "hidden": [colleges[name]["name"] for name in count.hidden],
        "outside": count.outside,
    }


def count_notes(method: str, count: NetworkCount, frozen: Mapping[str, Any]) -> dict[str, Any]:
    """Both counts and each line as stored in the snapshot: cooperatives by name, never id."""
    cooperatives = frozen["cooperatives"]
    alone = count.unaffiliated
    hidden = [cooperatives[name]["name"] for name in count.hidden if name != UNAFFILIATED]
    return {
        "decides": frozen["decides"],
        "sharing": frozen["sharing"],
        "per_head": count.per_head.to_json(),
        "per_cooperative": count.per_cooperative.to_json(),
        "agree": count.counts_agree,
        "cooperatives": _by_name(
            _line(method, line, cooperatives[line.name]["name"]) for line in count.cooperatives
        ),
        "individuals": _line(method, alone, "") if alone is not None else None,
        "hidden": hidden,
        "individuals_hidden": UNAFFILIATED in count.hidden,
    }


async def count_network_round(
    ballot: Mapping[str, Any],
    candidates: list[str],
    papers: list[dict[str, Any]],
    room: RoomCount | None,
    options: Mapping[str, Any],
) -> tuple[TallyResult, str]:
    """(the deciding count's result, the snapshot with both counts) of a network's ballot,
    from its papers and the rule frozen at its open; writes nothing."""
    method = ballot["method"]
    snapshot = json.loads(ballot["rule_snapshot"])
    frozen = snapshot[NETWORK_KEY]
    shares = {key: Fraction(line["share"]) for key, line in frozen["cooperatives"].items()}
    by_cooperative: dict[str, Counter[Any]] = {key: Counter() for key in shares}
    alone: Counter[Any] = Counter()
    # in the order they were created (the snapshot's JSON sorts its keys as text)
    frozen_colleges: dict[str, Any] = frozen.get("colleges") or {}
    colleges = dict(sorted(frozen_colleges.items(), key=lambda item: int(item[0])))
    by_college: dict[str, Counter[Any]] = {key: Counter() for key in colleges}
    outside = 0
    for paper in papers:
        key, college = paper_tags(paper["weight_group"])
        choice = decode_choice(method, paper["content"])
        # a cooperative that joined after the open, or none: counted per head only
        by_cooperative.get(key, alone)[choice] += 1
        if college in by_college:
            by_college[college][choice] += 1
        else:  # no college, or one created after the open: not in the count by college
            outside += 1
    if room is not None:  # refused for a network's ballot; a room count tells no cooperative
        candidates = merge_room_count(method, candidates, alone, room, options)
    counting = NetworkBallot(
        method, candidates, secret=ballot["secret"], seats=ballot["seats"], options=options
    )
    counted = partial(count_network, counting, by_cooperative, shares, unaffiliated=alone)
    count = await anyio.to_thread.run_sync(counted)
    snapshot[COUNT_KEY] = count_notes(method, count, frozen)
    if colleges:
        weights = {key: Fraction(line["weight"]) for key, line in colleges.items()}
        by_weight = partial(
            count_by_college,
            counting,
            {key: dict(found) for key, found in by_college.items()},
            weights,
            outside=outside,
        )
        weighted = await anyio.to_thread.run_sync(by_weight)
        snapshot[COUNT_KEY]["by_college"] = college_notes(method, weighted, colleges)
    result = count.per_head if frozen["decides"] == PER_HEAD else count.per_cooperative
    return result, json.dumps(snapshot, sort_keys=True)
