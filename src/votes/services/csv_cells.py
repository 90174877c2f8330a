"""CSV files that a spreadsheet opens as data, never as formulas.

Every CSV the app writes holds text that others typed: members' names, proxy instructions,
questions, option labels, categories. A spreadsheet runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` (a tab or a carriage return too) as a formula: ``=HYPERLINK(…)`` in a name
becomes a link that sends the sheet's data away when the secretary clicks it. Such text
cells get a leading apostrophe, as OWASP advises ("CSV injection"): the spreadsheet shows the
text as typed, and the apostrophe says it was neutralised. Numbers the app writes itself
(ints, Fractions: a negative score total) are not text and stay numbers.

Every CSV writer of the app comes from :func:`writer` (a test checks that no other module
calls ``csv.writer``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

# what makes a spreadsheet read a cell as a formula (full-width forms too: some spreadsheets
# fold them to their ASCII twins)
_FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_BLANKS = " \n\u00a0"


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def cell(value: object) -> object:
    """The value as a CSV cell: text that a spreadsheet would run as a formula is prefixed
    with an apostrophe; anything else (numbers included) is returned as it is.

    >>> print(cell('=HYPERLINK("http://evil.example")'))
    '=HYPERLINK("http://evil.example")
    >>> cell(" -1"), cell(-1), cell("Dupont")
    ("' -1", -1, 'Dupont')
    """
    # spreadsheets skip blanks before looking for the formula's sign
    if isinstance(value, str) and value.lstrip(_BLANKS)[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def uncell(text: str) -> str:
    """A cell read back from one of our CSV files: the apostrophe :func:`cell` put before a
    formula's sign is removed (an apostrophe before anything else is the person's own).

    >>> uncell("'=cmd|calc Formule"), uncell("'Anne"), uncell("O'Brien")
    ('=cmd|calc Formule', "'Anne", "O'Brien")
    """
    if text.startswith("'") and text[1:].lstrip(_BLANKS)[:1] in _FORMULA_STARTS:
        return text[1:]
    return text


def row(values: Iterable[object]) -> list[object]:
    """A row of neutralised cells."""
    return [cell(value) for value in values]


class SafeWriter:
    """``csv.writer``'s interface, neutralising every cell it writes."""

    def __init__(self, out: _Writable, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, values: Iterable[object]) -> Any:
        return self._writer.writerow(row(values))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for values in rows:
            self.writerow(values)


def writer(out: _Writable, **options: Any) -> SafeWriter:
    """A CSV writer on ``out`` (``csv.writer``'s options) whose cells cannot run as formulas."""
    return SafeWriter(out, **options)


def number_cell(value: Any) -> Any:
    """An exact total for a spreadsheet: whole numbers as they are, a fraction (transferred
    STV votes, college weights) as a decimal with six places, never « 666666667/250000000 ».
    Stays a number, so the CSV writer never mistakes it for typed text."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return value.numerator
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal("0.000001")).normalize()
    return value
