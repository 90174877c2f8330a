"""Explanations in Dutch for Flemish members: every sentence of every method, Belgian numbers."""

import importlib
from fractions import Fraction
from pathlib import Path
from string import Formatter

import pytest

from votes.core import Message, explain, render, tally
from votes.core.dutch import DUTCH
from votes.core.explain import format_number, format_percent, join_names

METHODS = sorted(DUTCH)


def _fields(template: str | tuple[str, str]) -> set[str]:
    texts = (template,) if isinstance(template, str) else template
    return {field for text in texts for _, field, _, _ in Formatter().parse(text) if field}


@pytest.mark.parametrize("namespace", METHODS)
def test_every_english_sentence_has_its_dutch_with_the_same_fields(namespace: str) -> None:
    english = importlib.import_module(f"votes.core.{namespace}").MESSAGES["en"]
    dutch = DUTCH[namespace]
    assert set(dutch) == set(english)
    for name, template in english.items():
        assert type(dutch[name]) is type(template), name  # a pair stays a pair
        assert _fields(dutch[name]) <= _fields(template), name


def test_every_method_with_sentences_has_dutch() -> None:
    core = Path(importlib.import_module("votes.core").__file__ or "").parent
    with_messages = {
        path.stem for path in core.glob("*.py") if "\nMESSAGES" in path.read_text(encoding="utf-8")
    }
    assert with_messages == set(DUTCH)


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


def test_a_sentence_without_its_dutch_yet_reads_in_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importlib.import_module("votes.core.explain"), "DUTCH", {})
    assert render(Message("onepass.no_winner"), "nl") == "no seat filled"
