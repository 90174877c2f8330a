"""Renders a result's messages in French or English.

Each method module keeps its own sentences in a module-level ``MESSAGES`` mapping
(``{"fr": {name: template}, "en": {...}}``); a message key ``"stv.elected"`` is looked up as
``votes.core.stv.MESSAGES[lang]["elected"]``. Templates use ``str.format`` fields; Fractions
are written with :func:`format_number` before substitution.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from votes.core.results import Message, TallyResult

LANGUAGES = ("fr", "en")


def render(message: Message, lang: str = "fr") -> str:
    """Render one message in ``lang`` (``"fr"`` or ``"en"``)."""
    namespace, _, name = message.key.partition(".")
    module = importlib.import_module(f"votes.core.{namespace}")
    catalogs: Mapping[str, Mapping[str, str]] = module.MESSAGES
    template = catalogs[lang if lang in catalogs else "fr"][name]
    params = {k: _format_param(v, lang) for k, v in message.params.items()}
    return template.format(**params)


def explain(result: TallyResult, lang: str = "fr") -> list[str]:
    """One line per round, in order, each prefixed with its round number."""
    label = {"fr": "Tour", "en": "Round"}.get(lang, "Tour")
    lines = []
    for round_ in result.rounds:
        separator, colon = (" ; ", " :") if lang == "fr" else ("; ", ":")
        body = separator.join(render(m, lang) for m in round_.messages)
        lines.append(f"{label} {round_.number}{colon} {body}")
    return lines


def format_number(value: Fraction | int, lang: str = "fr", places: int = 5) -> str:
    """Write an exact number for people: integers plainly, others truncated to ``places``.

    >>> format_number(Fraction(1234567, 100), "fr")
    '12 345,67'
    >>> format_number(Fraction(1, 3), "en")
    '0.33333'
    """
    value = Fraction(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole = int(value)
    scaled = int((value - whole) * 10**places)
    decimals = f"{scaled:0{places}d}".rstrip("0")
    group = "\u202f" if lang == "fr" else ","
    point = "," if lang == "fr" else "."
    text = f"{whole:,}".replace(",", group)
    if lang == "fr":
        text = text.replace("\u202f", " ")
    return sign + text + (point + decimals if decimals else "")


def _format_param(value: Any, lang: str) -> Any:
    if isinstance(value, Fraction | int) and not isinstance(value, bool):
        return format_number(value, lang)
    if isinstance(value, tuple | list):
        return ", ".join(str(_format_param(v, lang)) for v in value)
    return value
