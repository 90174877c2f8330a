"""Form parsing helpers. A form's problems are values (``FormErrors``), not exceptions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, NamedTuple, TypeAlias
from urllib.parse import urlsplit

from litestar.params import QueryParameter

# ids are database keys (32-bit serial columns): a larger number names nothing, and the
# database driver would overflow on it (a 500) instead of the answer it deserves
MAX_ID = 2**31 - 1

# the last moment a datetime holds (9999-12-31T23:59:59.999Z), in ms since the epoch
MAX_MOMENT_MS = 253_402_300_799_999

# whole-number query parameters, bounded: anything else gets Litestar's 400 (a page), where
# an unbounded int reached the database's OFFSET (beyond 64 bits: a 500) or a datetime
QueryCount: TypeAlias = Annotated[int, QueryParameter(ge=0, le=MAX_ID)]
QueryMoment: TypeAlias = Annotated[int, QueryParameter(ge=0, le=MAX_MOMENT_MS)]  # ms, UTC

# a search for a person's name (a register's, a member picker's): longer than any name
NAME_SEARCH_MAX = 100

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")  # ASCII digits only: [0-9], never \d


def whole_number(value: object, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """``value`` (a form field, a query parameter, a header) as a whole number written in
    ASCII digits, within ``low``..``high``; ``None`` for anything else.

    The one way the web layer reads a number someone typed or crafted. ``str.isdigit`` is no
    test: it accepts "²", which ``int`` refuses (a 500), and "٣", which ``int`` reads as 3;
    ``int`` refuses more than 4,300 digits, and a number beyond the database's integers
    overflows its driver.

    >>> whole_number("42"), whole_number(" 7 "), whole_number("-3", low=-5)
    (42, 7, -3)
    >>> whole_number("²"), whole_number("٣"), whole_number("9" * 5000), whole_number("-1")
    (None, None, None, None)
    >>> whole_number(str(2**31)), whole_number("1e3"), whole_number(None)
    (None, None, None)
    """
    text = value.strip() if isinstance(value, str) else ""
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def name_search(value: object) -> str:
    """A search for a person's name as typed (a query parameter, a form field), cut to
    ``NAME_SEARCH_MAX`` characters: the bound the attendance register, the welcome desk and
    the member pickers share."""
    return str(value)[:NAME_SEARCH_MAX]


@dataclass(slots=True)
class FormErrors:
    """Messages (already translated) by field name; ``""`` holds errors about the whole form."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def of(self, name: str) -> list[str]:
        return self.by_field.get(name, [])


class Redisplay(NamedTuple):
    """A page shown again after a refused POST: the refusal's status and the form's errors
    (``None`` in a renderer's signature: the page shown the first time, 200 and no errors)."""

    status_code: int
    errors: FormErrors


def safe_next_path(value: str | None) -> str:
    """Only a path on this site may follow a sign-in: never another host (open redirect).

    >>> safe_next_path("/o/demo"), safe_next_path("//evil.example/x"), safe_next_path("https://x/")
    ('/o/demo', '/', '/')
    """
    if not value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value:
        return "/"
    return value
