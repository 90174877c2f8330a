"""Scottish STV against Droop's reference counts, stage by stage, to the last 0.00001.

Droop (the reference) counts a candidate who reaches exactly the quota as having a "surplus" of
0.00000 and spends a stage transferring it; rule 48 only transfers a surplus that *exceeds*
the quota, so those empty stages (no vote moves) are left out before comparing.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from tests.support.golden import counted, needs, references

from votes.core.results import TieResolution
from votes.core.stv import tally_scottish_stv

SUFFIX = "-scotland-fixed-p5-d5.json"
REFERENCES = references(SUFFIX)

pytestmark = needs(REFERENCES)


def _zero_surplus_rounds(reference: dict[str, Any]) -> set[int]:
    return {
        a["round"]
        for a in reference["actions"]
        if a["tag"] == "transfer"
        and a["msg"].startswith("Surplus transferred")
        and a["msg"].endswith("(0.00000)")
    }


def _stages(reference: dict[str, Any]) -> list[dict[str, Any]]:
    """Droop's state at the end of each round, zero-surplus rounds dropped."""
    last: dict[int, dict[str, Any]] = {}
    for action in reference["actions"]:
        if "cstate" in action:
            last[action["round"]] = action
    skip = _zero_surplus_rounds(reference)
    return [last[n] for n in sorted(last) if n not in skip]


def _count(reference_path: Path) -> tuple[Any, Any, dict[str, Any]]:
    return counted(reference_path, SUFFIX, tally_scottish_stv)


@pytest.mark.parametrize("reference_path", REFERENCES, ids=lambda p: p.name.removesuffix(SUFFIX))
def test_every_stage_matches_the_reference(reference_path: Path) -> None:
    election, result, reference = _count(reference_path)
    stages = _stages(reference)
    name_of = {cid: election.candidates[int(cid) - 1] for cid in reference["cdict"]}

    assert result.details["quota"] == Fraction(reference["quota"])
    assert len(result.rounds) == len(stages)
    for stage, (expected, got) in enumerate(zip(stages, result.rounds, strict=True), start=1):
        for cid, state in expected["cstate"].items():
            want = Fraction(state.get("vote", "0"))
            assert got.totals.get(name_of[cid], Fraction(0)) == want, (stage, name_of[cid])
        assert got.exhausted == Fraction(expected["nt_votes"]), stage
        held = sum(got.totals.values(), Fraction(0))
        assert held == Fraction(expected["votes"]), stage
        assert held + got.exhausted + got.loss_by_fraction == reference["nballots"]

    final = stages[-1]["cstate"]
    elected = {name_of[cid] for cid, state in final.items() if state["state"] == "elected"}
    assert set(result.winners) == elected
    assert len(result.winners) == reference["seats"]


@pytest.mark.parametrize("reference_path", REFERENCES, ids=lambda p: p.name.removesuffix(SUFFIX))
def test_ties_are_settled_like_the_reference(reference_path: Path) -> None:
    _, result, reference = _count(reference_path)
    skip = _zero_surplus_rounds(reference)
    expected = []
    for action in reference["actions"]:
        if action["tag"] == "tie" and action["round"] not in skip:
            how = (
                TieResolution.HISTORY_BACKWARD
                if "prior stage" in action["msg"]
                else TieResolution.FIXED_ORDER
            )
            expected.append((how, action["msg"].rsplit("-> ", 1)[1]))
    # a tie whose every resolution elects the same candidates is recorded as without effect
    # (#16); the count still goes on with the candidate the published order names
    got = [
        (
            TieResolution.FIXED_ORDER
            if event.resolution is TieResolution.NO_EFFECT
            else event.resolution,
            event.chosen[0],
        )
        for event in result.tie_events
    ]
    assert got == expected
