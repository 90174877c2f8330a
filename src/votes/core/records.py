"""Frozen records read back from stored mappings (a rule profile's JSON, a database row).

A record's fields are its one list of names: each plain field (``bool``, ``int`` or ``str``)
is read under its own name and cast to its declared type, so a new field needs no second list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any, TypeVar

R = TypeVar("R")

_CASTS: dict[str, Callable[[Any], Any]] = {"bool": bool, "int": int, "str": str}


def read_record(record: type[R], data: Mapping[str, Any], **built: Any) -> R:
    """The dataclass ``record`` from ``data``: every field not in ``built`` is cast to its type.

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Seat:
    ...     number: int
    ...     free: bool
    ...     label: str = ""
    >>> read_record(Seat, {"number": "4", "free": 1}, label="A")
    Seat(number=4, free=True, label='A')
    """
    values = {
        f.name: _CASTS[f.type if isinstance(f.type, str) else f.type.__name__](data[f.name])
        for f in fields(record)  # type: ignore[arg-type]
        if f.name not in built
    }
    return record(**values, **built)
