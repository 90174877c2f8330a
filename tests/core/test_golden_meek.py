"""Meek STV against Droop's PRF reference rule outputs, round by round, to 10^-9."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from tests.support.golden import counted, needs, references

from votes.core.meek import tally_meek_stv

SUFFIX = "-meek-prf-o6-fixed-p9-d9.json"
REFERENCES = references(SUFFIX)

pytestmark = needs(REFERENCES)


def _decisions(reference: dict[str, Any]) -> list[dict[str, Any]]:
    """Per round, the first election or defeat: its state holds the converged votes."""
    first: dict[int, dict[str, Any]] = {}
    for action in reference["actions"]:
        if action["tag"] in ("elect", "defeat") and action["round"] >= 1:
            first.setdefault(action["round"], action)
    return [first[n] for n in sorted(first)]


@pytest.mark.parametrize("reference_path", REFERENCES, ids=lambda p: p.name.removesuffix(SUFFIX))
def test_every_round_matches_the_reference(reference_path: Path) -> None:
    election, result, reference = counted(reference_path, SUFFIX, tally_meek_stv)
    name_of = {cid: election.candidates[int(cid) - 1] for cid in reference["cdict"]}
    decisions = _decisions(reference)

    assert len(result.rounds) == len(decisions)
    for number, (expected, got) in enumerate(zip(decisions, result.rounds, strict=True), 1):
        for cid, state in expected["cstate"].items():
            if state["state"] in ("hopeful", "elected") or name_of[cid] in got.excluded:
                want = Fraction(state["vote"])
                assert got.totals[name_of[cid]] == want, (number, name_of[cid])
        assert got.exhausted == Fraction(expected["residual"]), number
        assert result.details["quotas"][number - 1] == Fraction(expected["quota"]), number
        assert sum(got.totals.values(), Fraction(0)) + got.exhausted == reference["nballots"]

    final = [a for a in reference["actions"] if "cstate" in a][-1]["cstate"]
    elected = {name_of[cid] for cid, state in final.items() if state["state"] == "elected"}
    assert set(result.winners) == elected
    ties = [a["msg"].rsplit("-> ", 1)[1] for a in reference["actions"] if a["tag"] == "tie"]
    assert [event.chosen[0] for event in result.tie_events] == ties
