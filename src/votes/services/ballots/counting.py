"""The count: a ballot's papers, its room count and the figures frozen at its close, tallied by
the core (under the general assembly's rules when they apply), and stored."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from functools import partial
from typing import Any

import anyio.to_thread

from votes.core import judging, tally
from votes.core.choices import decode_choice
from votes.core.results import TallyResult
from votes.core.room_counts import (
    RoomCount,
    merge_room_count,
)
from votes.db.tables import (
    Ballot,
    BallotPaper,
    BallotStatus,
    PaperCount,
)
from votes.services import rules
from votes.services.ballots import network_counts
from votes.services.ballots.rows import options_of
from votes.services.refusals import Refused


async def room_count_of(ballot_id: int, round_: int) -> RoomCount | None:
    row = await PaperCount.select().where(PaperCount.count_key == f"{ballot_id}:{round_}").first()
    if row is None:
        return None
    return RoomCount(
        counts=json.loads(row["counts"]),
        blank=row["blank"],
        invalid=row["invalid"],
        cast=row["cast"],
    )


async def store_count(ballot: Mapping[str, Any]) -> TallyResult:
    """Count the ballot (its row as it now stands) and store the result and the count's
    figures; call inside the act's write transaction."""
    result, snapshot = await count_round(ballot)
    values: dict[Any, Any] = {Ballot.result: result.to_json()}
    if snapshot is not None:
        values[Ballot.rule_snapshot] = snapshot
    await Ballot.update(values).where(Ballot.id == ballot["id"])
    return result


async def count_ballot(ballot_id: int) -> TallyResult:
    """Recount a ballot's current round from its stored papers, its room count and the inputs
    its close froze (the same count the close stores; ``votes audit verify`` uses it).

    Read-only: it writes nothing, and reads no live register. A ballot under the rules closed
    before its figures were frozen is refused (``not_frozen``)."""
    ballot = await Ballot.select().where(Ballot.id == ballot_id).first()
    if ballot is None:
        raise Refused("not_found")
    return (await count_round(ballot))[0]


async def count_round(ballot: Mapping[str, Any]) -> tuple[TallyResult, str | None]:
    """(result, the rule snapshot with the count's figures, or None when the ballot is not
    under the rules), from the ballot's row, its papers and its room count; writes nothing."""
    ballot_id = ballot["id"]
    method, round_ = ballot["method"], ballot["round"]
    candidates = await options_of(ballot_id)
    papers = await BallotPaper.select(BallotPaper.content, BallotPaper.weight_group).where(
        (BallotPaper.ballot == ballot_id) & (BallotPaper.round == round_)
    )
    room = await room_count_of(ballot_id, round_)
    if ballot["rule_snapshot"] and network_counts.NETWORK_KEY in json.loads(
        ballot["rule_snapshot"]
    ):  # a network's ballot (#20): per head and per cooperative, with its own majority
        own = json.loads(ballot["rules"])
        options = {k: v for k, v in own.items() if k not in rules.BALLOT_ONLY_RULES}
        return await network_counts.count_network_round(ballot, candidates, papers, room, options)
    if ballot["rule_snapshot"]:
        return await _count_under_rules(ballot, candidates, papers, room)
    grouped: Counter[Any] = Counter(decode_choice(method, p["content"]) for p in papers)
    own_rules = json.loads(ballot["rules"])
    if room is not None:
        candidates = merge_room_count(method, candidates, grouped, room, own_rules)
    options = {k: v for k, v in own_rules.items() if k not in rules.BALLOT_ONLY_RULES}
    if method == "majority" and (options.get("base") == "members" or "quorum_share" in options):
        options["members"] = ballot["eligible_at_close"] or ballot["eligible_at_open"]
    count = partial(tally, method, candidates, dict(grouped), seats=ballot["seats"], **options)
    return await anyio.to_thread.run_sync(count), None


async def _count_under_rules(
    ballot: Mapping[str, Any],
    candidates: list[str],
    papers: list[dict[str, Any]],
    room: RoomCount | None,
) -> tuple[TallyResult, str]:
    """Count a ballot of a general assembly under the rule snapshot frozen at its open
    and the figures frozen at its close (#16): papers by weighting group, the room's count,
    blank proxies, quorum and majority; return the result and the snapshot with the count's
    figures and each college's breakdown (stored by the caller, never here)."""
    method = ballot["method"]
    by_group: dict[str, Counter[Any]] = {}
    for paper in papers:
        found = by_group.setdefault(paper["weight_group"], Counter())
        found[decode_choice(method, paper["content"])] += 1
    if room is not None:
        candidates = merge_room_count(
            method,
            candidates,
            by_group.setdefault("", Counter()),
            room,
            json.loads(ballot["rules"]),
        )
    snapshot = json.loads(ballot["rule_snapshot"])
    figures = judging.frozen_figures(snapshot)
    if figures is None and ballot["status"] in (BallotStatus.OPEN.value, BallotStatus.DRAFT.value):
        # a ballot still open is counted as the register stands now (nothing is frozen yet)
        figures = await rules.close_figures(
            ballot["organisation"], ballot["assembly"], snapshot, ballot["weight_groups"]
        )
    if figures is None:
        raise Refused("not_frozen")
    options = {
        k: v for k, v in json.loads(ballot["rules"]).items() if k not in rules.BALLOT_ONLY_RULES
    }
    if method == "majority" and (options.get("base") == "members" or "quorum_share" in options):
        options["members"] = ballot["eligible_at_close"] or ballot["eligible_at_open"]
    judge = partial(
        judging.judge,
        method,
        candidates,
        by_group,
        seats=ballot["seats"],
        options=options,
        snapshot=snapshot,
        figures=figures,
        secret=ballot["secret"],
    )
    judgement = await anyio.to_thread.run_sync(judge)
    snapshot["count"] = json.loads(json.dumps(judgement.notes, default=str))
    return judgement.result, json.dumps(snapshot, sort_keys=True)
