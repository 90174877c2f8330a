"""The shared ballot data of real elections and Droop's reference counts of them (CI provides
it; elsewhere the tests that need it skip): where it is, which references it holds, and a BLT
election counted to compare with one of them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from votes.core.formats import RankedElection, parse_blt
from votes.core.results import TallyResult

DATA = Path(__file__).resolve().parents[2].parent / "shared/data/ballots"


def references(suffix: str = ".json") -> list[Path]:
    """Droop's reference counts whose file names end with ``suffix``, in a stable order."""
    return sorted(DATA.glob(f"*/reference/*{suffix}")) if DATA.is_dir() else []


def needs(found: list[Path]) -> pytest.MarkDecorator:
    """Skip, saying why, where the shared data is not there."""
    return pytest.mark.skipif(
        not found, reason=f"shared ballot data not found at {DATA} (CI provides it)"
    )


def counted(
    reference_path: Path, suffix: str, tally: Callable[..., TallyResult]
) -> tuple[RankedElection, TallyResult, dict[str, Any]]:
    """The BLT election a reference was computed from, counted by ``tally`` with its own
    tie order, and the reference itself."""
    name = reference_path.name.removesuffix(suffix)
    election = parse_blt((reference_path.parent.parent / f"{name}.blt").read_text())
    result = tally(
        election.candidates,
        election.ballots,
        seats=election.seats,
        withdrawn=election.withdrawn,
        tie_break=list(election.tie_order or election.candidates),
    )
    return election, result, json.loads(reference_path.read_text())
