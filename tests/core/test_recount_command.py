"""Acceptance of issue #21: ``python -m votes.core count METHOD FILE`` reproduces every golden
election in ``../shared/data/ballots`` from the file alone.

Each count runs the real command in its own process, from an empty working folder, with no
``VOTES_*`` setting and no ``PICCOLO_CONF``: what an outsider holding the file and the code
would run. The STV counts are compared with Droop's reference decisions one by one (who is
elected, who is excluded and with how many votes, in which order), not only the winners; the
two mayoral elections with their published results. A ballot file added to the folder without a
reference to compare with makes the inventory test fail.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.support.cli import outside_environment
from tests.support.golden import DATA, needs, references

SCOTTISH = "-scotland-fixed-p5-d5.json"
MEEK = "-meek-prf-o6-fixed-p9-d9.json"
REFERENCES = references()
# the two elections whose reference is their official result (the data README's numbers)
OFFICIAL = {
    "minneapolis-2013-mayor/mn_2013_cast_vote_record.csv": [("irv", "BETSY HODGES")],
    "burlington-2009-mayor/00005-00000002.toi": [
        ("irv", "Bob Kiss"),
        ("schulze", "Andy Montroll"),
        ("ranked_pairs", "Andy Montroll"),
        ("plurality", "Kurt Wright"),
    ],
}
_EXCLUDED = re.compile(r"(?:: |; )([^:;]+?) is excluded \(([\d.,]+) votes?")
_ELECTED_ALONE = re.compile(r"(?:: |; )([^:;]+?) is elected \(")
_ELECTED_REMAINING = re.compile(r"(?:: |; )([^:;]+?) (?:is|are) elected, as continuing")

pytestmark = needs(REFERENCES)


def _command(method: str, ballots: Path, workdir: Path) -> list[str]:
    """The command's output lines, run as an outsider would (exit status 0 asserted)."""
    done = subprocess.run(
        [sys.executable, "-m", "votes.core", "count", method, str(ballots), "--language", "en"],
        cwd=workdir,
        env=outside_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not any(workdir.iterdir()), "a recount must write nothing"
    return done.stdout.splitlines()


def _folded(name: str) -> str:
    return " ".join(name.split())  # Droop's reference folds the files' runs of spaces


def _decisions(lines: list[str]) -> list[tuple[str, str]]:
    """("elect" | "defeat", name) in the order the command's rounds say them."""
    decisions: list[tuple[str, str]] = []
    for line in lines:
        if not line.startswith("Round "):
            continue
        said: list[tuple[int, str, str]] = []
        said.extend((m.start(), "defeat", m.group(1)) for m in _EXCLUDED.finditer(line))
        said.extend((m.start(), "elect", m.group(1)) for m in _ELECTED_ALONE.finditer(line))
        for match in _ELECTED_REMAINING.finditer(line):
            names = re.split(r", | and ", match.group(1))
            said.extend((match.start(), "elect", name) for name in names)
        decisions.extend((kind, _folded(name)) for _, kind, name in sorted(said))
    return decisions


def _reference_decisions(reference: dict[str, Any]) -> list[tuple[str, str]]:
    names = {cid: _folded(c["name"]) for cid, c in reference["cdict"].items()}
    decisions: list[tuple[str, str]] = []
    for action in reference["actions"]:
        if action["tag"] not in ("elect", "defeat") or _after_last_seat(action):
            continue
        state = "elected" if action["tag"] == "elect" else "defeated"
        # one action may elect several ("Elect remaining candidates: A, B")
        newly = [
            cid
            for cid, now in action["cstate"].items()
            if now["state"] == state and (action["tag"], names[cid]) not in decisions
        ]
        decisions.extend((action["tag"], names[cid]) for cid in newly)
    return decisions


def _after_last_seat(action: dict[str, Any]) -> bool:
    """Droop "defeats" whoever is left once the seats are filled; the command says they are
    not elected, which is no exclusion."""
    return bool(action["msg"].startswith("Defeat remaining"))


def _stages(decisions: list[tuple[str, str]]) -> list[tuple[frozenset[str], str | None]]:
    """Each exclusion with the candidates elected since the one before (candidates elected in
    one round may be named in either order), then those elected after the last."""
    stages: list[tuple[frozenset[str], str | None]] = []
    elected: set[str] = set()
    for kind, name in decisions:
        if kind == "elect":
            elected.add(name)
        else:
            stages.append((frozenset(elected), name))
            elected = set()
    return [*stages, (frozenset(elected), None)]


def _ballot_file(reference: Path) -> tuple[Path, str]:
    if reference.name.endswith(SCOTTISH):
        return reference.parent.parent / f"{reference.name.removesuffix(SCOTTISH)}.blt", "stv"
    assert reference.name.endswith(MEEK), f"unknown reference rule: {reference.name}"
    return reference.parent.parent / f"{reference.name.removesuffix(MEEK)}.blt", "meek_stv"


def test_every_ballot_file_in_the_folder_has_a_reference_this_suite_compares_with() -> None:
    ballot_files = {
        str(path.relative_to(DATA))
        for path in DATA.rglob("*")
        if path.suffix in (".blt", ".csv", ".toi")
    }
    compared = {str(_ballot_file(r)[0].relative_to(DATA)) for r in REFERENCES} | set(OFFICIAL)
    assert ballot_files == compared
    assert len(ballot_files) == 34  # 23 Glasgow wards, 9 STV corners, two mayoral elections


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda p: p.stem)
def test_the_command_makes_every_decision_of_the_reference_stv_count(
    reference: Path, tmp_path: Path
) -> None:
    ballots, method = _ballot_file(reference)
    data = json.loads(reference.read_text())
    lines = _command(method, ballots, tmp_path)
    expected = _reference_decisions(data)
    assert _stages(_decisions(lines)) == _stages(expected)
    assert lines[-1].startswith("Elected: ")
    elected = {_folded(name) for name in lines[-1].removeprefix("Elected: ").split(", ")}
    assert elected == {name for kind, name in expected if kind == "elect"}


@pytest.mark.parametrize(
    "reference", [r for r in REFERENCES if r.name.endswith(SCOTTISH)], ids=lambda p: p.stem
)
def test_a_scottish_count_excludes_each_candidate_with_the_reference_vote(
    reference: Path, tmp_path: Path
) -> None:
    ballots, method = _ballot_file(reference)
    data = json.loads(reference.read_text())
    names = {cid: _folded(c["name"]) for cid, c in data["cdict"].items()}
    expected = [
        (names[cid], _number(now["vote"]))
        for action in data["actions"]
        if action["tag"] == "defeat" and not _after_last_seat(action)
        for cid, now in action["cstate"].items()
        if now["state"] == "defeated" and _folded(action["msg"]).endswith(names[cid])
    ]
    said = [
        (_folded(m.group(1)), _number(m.group(2)))
        for line in _command(method, ballots, tmp_path)
        for m in _EXCLUDED.finditer(line)
    ]
    assert said == expected


def _number(text: str) -> str:
    """ "1,300.50000" and "1300.5" both read "1300.5"."""
    digits = text.replace(",", "")
    return digits.rstrip("0").rstrip(".") if "." in digits else digits


@pytest.mark.parametrize(
    ("ballots", "method", "winner"),
    [(name, method, winner) for name, counts in OFFICIAL.items() for method, winner in counts],
)
def test_the_mayoral_elections_recount_to_their_published_winner(
    ballots: str, method: str, winner: str, tmp_path: Path
) -> None:
    assert _command(method, DATA / ballots, tmp_path)[-1] == f"Elected: {winner}"
