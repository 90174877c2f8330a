"""Ballot file formats: BLT, cast-vote-record CSV, PrefLib .toi."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.support.golden import DATA

from votes.core.formats import parse_blt, parse_cvr_csv, parse_preflib_toi, write_blt
from votes.core.results import TallyError
from votes.core.stv import tally_scottish_stv

BLT = """\
4 2
-4
[tie 2 1 3 4]
3 1 2 0
2 3 0
# a comment line
1 4 3 0
0
"Ann Smith"
"Bob"
Cy
"Dee"
"Ward 7" "2026"
"""


def test_blt_reads_seats_withdrawn_tie_order_names_and_title() -> None:
    election = parse_blt(BLT)

    assert election.candidates == ("Ann Smith", "Bob", "Cy", "Dee")
    assert election.seats == 2
    assert election.withdrawn == ("Dee",)
    assert election.tie_order == ("Bob", "Ann Smith", "Cy", "Dee")
    assert election.title == "Ward 7 2026"
    assert dict(election.ballots) == {
        ("Ann Smith", "Bob"): 3,
        ("Cy",): 2,
        ("Dee", "Cy"): 1,
    }


def test_an_exported_blt_recounts_to_the_same_result() -> None:
    election = parse_blt(BLT)
    text = write_blt(
        election.candidates,
        election.ballots,
        seats=election.seats,
        title=election.title,
        withdrawn=election.withdrawn,
        tie_order=election.tie_order,
    )
    again = parse_blt(text)

    assert again == election
    original = tally_scottish_stv(
        election.candidates, election.ballots, seats=2, withdrawn=election.withdrawn
    )
    recount = tally_scottish_stv(
        again.candidates, again.ballots, seats=again.seats, withdrawn=again.withdrawn
    )
    assert recount == original


def test_a_real_ward_survives_export_and_reimport() -> None:
    path = DATA / "scotland-glasgow-2007/Govan-2007.blt"
    if not path.is_file():
        pytest.skip(f"shared ballot data not found at {path}")
    election = parse_blt(path.read_text())
    again = parse_blt(write_blt(election.candidates, election.ballots, seats=election.seats))

    first = tally_scottish_stv(election.candidates, election.ballots, seats=election.seats)
    second = tally_scottish_stv(again.candidates, again.ballots, seats=again.seats)
    assert first == second


# BLT files the parser refuses, and what its message says
BAD_BLT = [
    ("", "first line"),
    ("x 2\n", "number of candidates"),
    ("2 1\n1 1 0\n", "end with a line holding 0"),
    ("2 1\n1 1", "must end with 0"),
    ("2 1\n1 3 0\n0\n", "not between 1 and 2"),
    ('2 1\n0\n"a"\n', "2 candidate names"),
    ('2 1\n-3\n0\n"a"\n"b"\n', "not between 1 and 2"),
    ('2 1\n[tie 1]\n0\n"a"\n"b"\n', "every candidate number once"),
    ('2 1\n[nick a b]\n0\n"a"\n"b"\n', "unknown option"),
    ("2 1\n[tie 1 2\n", "unclosed"),
    ('2 1\n[]\n0\n"a"\n"b"\n', "unknown option"),
    ('2 1\n0\n"a\n', "unterminated"),
    ('2 1\n1 1 1 0\n0\n"a"\n"b"\n', "ranked twice"),
]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"candidates": ['say "hi"', "b"], "ballots": {}}, "quote"),
        ({"candidates": ["a", "b"], "ballots": {("a",): 0.5}}, "Fraction"),
    ],
)
def test_write_blt_refuses_what_blt_cannot_hold(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(TallyError, match=message):
        write_blt(**kwargs)  # type: ignore[arg-type]


def test_write_blt_refuses_fractional_weights() -> None:
    from fractions import Fraction

    with pytest.raises(TallyError, match="whole numbers"):
        write_blt(["a", "b"], {("a",): Fraction(1, 2)})


CVR = """\
rank1,rank2,rank3
A,A,B
B,overvote,A
undervote,C,UWI
overvote,overvote,overvote
undervote,undervote,undervote
"D, JR.",,A
"""


def test_cvr_skips_undervotes_duplicates_and_by_default_overvoted_ranks() -> None:
    election = parse_cvr_csv(CVR, title="Mayor")

    assert election.candidates == ("A", "B", "C", "D, JR.", "UWI")
    assert election.title == "Mayor"
    assert dict(election.ballots) == {
        ("A", "B"): 1,
        ("B", "A"): 1,
        ("C", "UWI"): 1,
        ("D, JR.", "A"): 1,
    }


def test_cvr_can_exhaust_at_an_overvote_instead() -> None:
    election = parse_cvr_csv(CVR, overvote="exhaust")

    assert election.ballots[("B",)] == 1
    assert ("B", "A") not in election.ballots


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("", {}, "empty"),
        ("rank1\nundervote\n", {}, "no candidate"),
        ("rank1\nA\n", {"overvote": "split"}, "skip' or 'exhaust"),
    ],
)
def test_bad_cvr_is_refused(text: str, kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(TallyError, match=message):
        parse_cvr_csv(text, **kwargs)  # type: ignore[arg-type]


TOI = """\
# TITLE: Test
# ALTERNATIVE NAME 1: Ann
# ALTERNATIVE NAME 2: Bob
# ALTERNATIVE NAME 3: Cy
# NUMBER VOTERS: 9

4: 1,2
2: 2,{3},1
1: {1,3},2
2: 3,{1,2}
"""


def test_toi_reads_names_and_stops_at_equal_ranks() -> None:
    election = parse_preflib_toi(TOI)

    assert election.candidates == ("Ann", "Bob", "Cy")
    assert election.title == "Test"
    assert dict(election.ballots) == {("Ann", "Bob"): 4, ("Bob", "Cy", "Ann"): 2, ("Cy",): 2}


# PrefLib TOI files the parser refuses, and what its message says
BAD_TOI = [
    ("1: 1\n", "ALTERNATIVE NAME"),
    ("# ALTERNATIVE NAME 1: A\nx: 1\n", "expected a number"),
    ("# ALTERNATIVE NAME 1: A\n1: {1\n", "unclosed brace"),
    ("# ALTERNATIVE NAME 1: A\n1: 2\n", "out of range"),
]


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [(parse_blt, *bad) for bad in BAD_BLT] + [(parse_preflib_toi, *bad) for bad in BAD_TOI],
)
def test_a_bad_file_is_refused_with_a_reason(
    parse: Callable[[str], object], text: str, message: str
) -> None:
    with pytest.raises(TallyError, match=message):
        parse(text)
