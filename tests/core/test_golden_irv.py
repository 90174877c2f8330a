"""Instant-runoff on real elections: the official results listed in the data README."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from tests.support.golden import DATA

from votes.core import tally
from votes.core.formats import parse_cvr_csv, parse_preflib_toi

MINNEAPOLIS = DATA / "minneapolis-2013-mayor/mn_2013_cast_vote_record.csv"
BURLINGTON = DATA / "burlington-2009-mayor/00005-00000002.toi"


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"shared ballot data not found at {path} (CI provides it)")
    return path


def test_minneapolis_2013_elects_hodges_with_the_official_final_round() -> None:
    election = parse_cvr_csv(_need(MINNEAPOLIS).read_text())
    result = tally("irv", election.candidates, election.ballots)

    assert result.winners == ("BETSY HODGES",)
    assert result.rounds[-1].totals == {
        "BETSY HODGES": Fraction(38870),
        "MARK ANDREW": Fraction(24972),
    }
    assert "UWI" in election.candidates  # undeclared write-ins count as a candidate
    assert sum(election.ballots.values()) < 80101  # all-undervote ballots are not counted


def test_minneapolis_with_overvotes_exhausting_loses_the_overvoted_ballots() -> None:
    election = parse_cvr_csv(_need(MINNEAPOLIS).read_text(), overvote="exhaust")
    result = tally("irv", election.candidates, election.ballots)

    assert result.winners == ("BETSY HODGES",)
    assert result.rounds[-1].totals == {
        "BETSY HODGES": Fraction(38857),
        "MARK ANDREW": Fraction(24962),
    }


def test_burlington_2009_elects_kiss_over_wright() -> None:
    election = parse_preflib_toi(_need(BURLINGTON).read_text())
    result = tally("irv", election.candidates, election.ballots)

    first, final = result.rounds[0].totals, result.rounds[-1].totals
    # The README's labels for Simpson/Smith are swapped; the file and the official record
    # agree: Dan Smith 1306, James Simpson 35, write-ins 36.
    assert first == {
        "Kurt Wright": 2951,
        "Bob Kiss": 2585,
        "Andy Montroll": 2063,
        "Dan Smith": 1306,
        "Write-In": 36,
        "James Simpson": 35,
    }
    assert result.winners == ("Bob Kiss",)
    assert final == {"Bob Kiss": 4313, "Kurt Wright": 4060}
    # the four ballots whose first rank is a tie are overvotes: never counted
    assert result.details["valid"] == 8976
