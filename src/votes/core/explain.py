"""Renders a result's messages in French, English or Dutch.

Each method module keeps its own sentences in a module-level ``MESSAGES`` mapping, each
sentence in every language side by side (``{name: (french, english, dutch)}``, the order of
:data:`LANGUAGES`); a message key ``"stv.elected"`` is looked up as
``votes.core.stv.MESSAGES["elected"]``. Templates use ``str.format`` fields; Fractions are
written with :func:`format_number` before substitution.

Besides plain strings, a catalogue entry may be a pair ``(singular, plural)``: the message's
``count`` parameter picks one (French: 0 and 1 are singular; English and Dutch: only 1). A
parameter may also be a nested phrase built by :func:`phrase`, rendered in the same language,
and number fields accept the format spec ``%`` (a share written as a percentage, one decimal)
while list fields accept ``and`` ("A, B et C", "A, B en C").

French typography: a non-breaking space before « : » and « % », and as thousands separator.
Dutch (Belgian) numbers: a dot between thousands, a decimal comma, "71,4%".
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

from votes.core.results import JSONValue, Message, TallyResult

LANGUAGES = ("fr", "en", "nl")
NBSP = "\u00a0"


def render(message: Message, lang: str = "fr") -> str:
    """Render one message in ``lang`` (``"fr"``, ``"en"`` or ``"nl"``).

    >>> render(Message("ties.unresolved", {"tied": ("a", "b"), "count": 1}), "en")
    'tie between a and b for 1 remaining place: not resolved'
    >>> render(Message("ties.unresolved", {"tied": ("a", "b"), "count": 2}), "nl")
    'gelijkstand tussen a en b voor 2 resterende plaatsen: niet beslecht'
    """
    namespace, _, name = message.key.partition(".")
    module = importlib.import_module(f"votes.core.{namespace}")
    lang = lang if lang in LANGUAGES else "fr"
    template: str | tuple[str, str] = module.MESSAGES[name][LANGUAGES.index(lang)]
    if not isinstance(template, str):
        template = (
            template[0] if _is_singular(message.params.get("count", 0), lang) else template[1]
        )
    params = {k: _format_param(v, lang) for k, v in message.params.items()}
    return template.format(**params)


def phrase(key: str, **params: JSONValue) -> dict[str, JSONValue]:
    """A message to nest as another message's parameter; plain data, so it survives JSON.

    >>> phrase("ties.lot_seed", seed="2026")
    {'key': 'ties.lot_seed', 'params': {'seed': '2026'}}
    """
    return {"key": key, "params": params}


def explain(result: TallyResult, lang: str = "fr") -> list[str]:
    """One line per round, in order, each prefixed with its round number.

    Decisions (majority motions, consent) have a single pass whose message is a verdict
    sentence; their lines carry no round prefix.

    >>> from votes.core import tally
    >>> explain(tally("plurality", ["A", "B"], ["A"]), "en")
    ['Round 1: A gets 1 vote; B gets 0 votes; A is elected']
    """
    label = {"fr": "Tour", "en": "Round", "nl": "Ronde"}.get(lang, "Tour")
    separator, colon = (NBSP + "; ", NBSP + ":") if lang == "fr" else ("; ", ":")
    lines = []
    for round_ in result.rounds:
        body = separator.join(render(m, lang) for m in round_.messages)
        if result.verdict is not None:
            lines.append(body)
        else:
            lines.append(f"{label} {round_.number}{colon} {body}")
    return lines


def relabel(result: TallyResult, labels: Mapping[str, str]) -> TallyResult:
    """The result with option keys replaced by their labels in every explanation sentence, so
    the verdict reads « Léa Dubois est élue », not « lea » (a consent reason, the voter's own
    words, is never swapped).

    >>> from votes.core import tally
    >>> explain(relabel(tally("plurality", ["o1"], ["o1"]), {"o1": "Léa"}), "en")
    ['Round 1: Léa gets 1 vote; Léa is elected']
    >>> ranked = tally("schulze", ["o1", "o2"], [("o2", "o1")])
    >>> "Hugo > Léa" in explain(relabel(ranked, {"o1": "Léa", "o2": "Hugo"}), "en")[0]
    True
    """

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return labels.get(value, value)
        if isinstance(value, list | tuple):
            return type(value)(swap(v) for v in value)
        if isinstance(value, Mapping) and set(value) == {"key", "params"}:
            return {"key": value["key"], "params": swap_params(value["params"])}
        return value

    def swap_ranking(text: str) -> str:  # a Condorcet ranking, one sentence of keys
        return " > ".join(
            " = ".join(labels.get(key, key) for key in group.split(" = "))
            for group in text.split(" > ")
        )

    def swap_params(params: Mapping[str, Any]) -> dict[str, Any]:
        return {
            k: v if k == "reason" else swap_ranking(v) if k == "ranking" else swap(v)
            for k, v in params.items()
        }

    rounds = tuple(
        replace(r, messages=tuple(Message(m.key, swap_params(m.params)) for m in r.messages))
        for r in result.rounds
    )
    return replace(result, rounds=rounds)


def format_number(value: Fraction | int, lang: str = "fr", places: int = 5) -> str:
    r"""Write an exact number for people: integers plainly, others truncated to ``places``.

    >>> [format_number(Fraction(1234567, 100), lang) for lang in LANGUAGES]
    ['12\xa0345,67', '12,345.67', '12.345,67']
    >>> format_number(Fraction(1, 3), "en")
    '0.33333'
    """
    value = Fraction(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole = int(value)
    scaled = int((value - whole) * 10**places)
    decimals = f"{scaled:0{places}d}".rstrip("0")
    group = {"fr": NBSP, "nl": "."}.get(lang, ",")
    point = "," if lang in ("fr", "nl") else "."
    text = f"{whole:,}".replace(",", group)
    return sign + text + (point + decimals if decimals else "")


def format_percent(share: Fraction | int, lang: str = "fr") -> str:
    """Write a share (0 to 1) as a percentage rounded half up to one decimal.

    >>> format_percent(Fraction(5, 7), "fr") == "71,4\u00a0%"
    True
    >>> format_percent(Fraction(1, 2), "en")
    '50%'
    >>> format_percent(Fraction(5, 7), "nl")
    '71,4%'
    """
    tenths = Fraction(share) * 1000
    rounded = Fraction(int(tenths + Fraction(1, 2)), 10)
    text = format_number(rounded, lang, places=1)
    return text + (NBSP + "%" if lang == "fr" else "%")


def join_names(items: Sequence[str], lang: str = "fr") -> str:
    """Join with commas and a final « et » / "and" / "en".

    >>> join_names(["A", "B", "C"], "fr")
    'A, B et C'
    """
    if len(items) < 2:
        return "".join(items)
    last = {"fr": " et ", "nl": " en "}.get(lang, " and ")
    return ", ".join(items[:-1]) + last + items[-1]


def _is_singular(count: Any, lang: str) -> bool:
    if isinstance(count, int | Fraction) and not isinstance(count, bool):
        return count < 2 if lang == "fr" else count == 1
    return False


class _Number:
    """A number that formats as plain text, or as a percentage with the ``%`` spec."""

    __slots__ = ("lang", "value")

    def __init__(self, value: Fraction | int, lang: str) -> None:
        self.value = value
        self.lang = lang

    def __format__(self, spec: str) -> str:
        if spec == "%":
            return format_percent(self.value, self.lang)
        return format(format_number(self.value, self.lang), spec)


class _List:
    """A list that formats with commas, or with a final « et » / "and" / "en" (``and`` spec)."""

    __slots__ = ("items", "lang")

    def __init__(self, items: list[str], lang: str) -> None:
        self.items = items
        self.lang = lang

    def __format__(self, spec: str) -> str:
        if spec == "and":
            return join_names(self.items, self.lang)
        return format(", ".join(self.items), spec)


def _format_param(value: Any, lang: str) -> Any:
    if isinstance(value, Fraction | int) and not isinstance(value, bool):
        return _Number(value, lang)
    if isinstance(value, tuple | list):
        return _List([format(_format_param(v, lang)) for v in value], lang)
    if isinstance(value, Mapping) and set(value) == {"key", "params"}:
        return render(Message(value["key"], value["params"]), lang)
    return value
