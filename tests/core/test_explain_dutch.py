"""Explanations in Dutch for Flemish members: every sentence of every method, Belgian numbers."""

import importlib
from fractions import Fraction
from pathlib import Path
from string import Formatter

import pytest

from votes.core import Message, explain, render, tally
from votes.core.explain import format_number, format_percent, join_names

CORE = Path(importlib.import_module("votes.core").__file__ or "").parent
METHODS = sorted(
    path.stem for path in CORE.glob("*.py") if "\nMESSAGES" in path.read_text(encoding="utf-8")
)


def _fields(template: str | tuple[str, str]) -> set[str]:
    texts = (template,) if isinstance(template, str) else template
    return {field for text in texts for _, field, _, _ in Formatter().parse(text) if field}


@pytest.mark.parametrize("namespace", METHODS)
def test_every_english_sentence_has_its_dutch_with_the_same_fields(namespace: str) -> None:
    messages = importlib.import_module(f"votes.core.{namespace}").MESSAGES
    for name, (_, english, dutch) in messages.items():
        assert type(dutch) is type(english), name  # a pair stays a pair
        assert _fields(dutch) <= _fields(english), name


def test_belgian_numbers_use_a_decimal_comma_and_a_thousands_dot() -> None:
    assert format_number(Fraction(1234567, 100), "nl") == "12.345,67"
    assert format_percent(Fraction(2, 3), "nl") == "66,7%"
    assert join_names(["A", "B", "C"], "nl") == "A, B en C"


def test_rounds_and_plurals_read_in_dutch() -> None:
    result = tally("plurality", ["A", "B"], ["A", "A", "B"])
    assert explain(result, "nl") == ["Ronde 1: A krijgt 2 stemmen; B krijgt 1 stem; A is verkozen"]
    zero = Message("plurality.votes", {"candidate": "A", "count": 0})
    assert render(zero, "nl") == "A krijgt 0 stemmen"


def test_a_majority_verdict_quotes_its_rule_in_dutch() -> None:
    result = tally("majority", ("yes", "no"), {"yes": 3, "no": 1})
    assert explain(result, "nl")[0].startswith(
        "Aangenomen — vereiste meerderheid: meer dan de helft van de uitgebrachte stemmen; 75% voor"
    )
