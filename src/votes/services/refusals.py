"""How a use case says no.

Every service refuses by raising :class:`Refused` with a code. The code names the reason; the web
layer (``votes.web.refusals``) turns it into a translated sentence and an HTTP status, and a test
checks that every code a service can raise has its sentence in French and English. ``field``
names the form field at fault (empty: the whole form); ``detail`` carries the values the sentence
quotes (a line number, a name, a limit).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from votes.db.queries import own_row

_P = ParamSpec("_P")
_R = TypeVar("_R")


class Refused(Exception):  # noqa: N818 - a refusal is an answer, not an error of the program
    """A use case refused; nothing was changed."""

    def __init__(self, code: str, field: str = "", **detail: Any) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.detail = detail

    def __repr__(self) -> str:
        return f"Refused({self.code!r}, field={self.field!r}, **{self.detail!r})"


def given_reason(text: str, limit: int, *, required: str = "") -> str:
    """A reason as its author wrote it, stripped. One longer than ``limit`` is refused, never
    cut (its end may be its point, and it goes to the minutes); an empty one is refused with
    the code ``required`` when there is one."""
    reason = text.strip()
    if len(reason) > limit:
        raise Refused("reason_too_long", "reason", num=limit)
    if required and not reason:
        raise Refused(required, "reason")
    return reason


def check_title(title: str, limit: int) -> None:
    """A title (an assembly's, an item's, a proposal's): not blank, at most ``limit`` long."""
    if not title.strip():
        raise Refused("title_required", "title")
    if len(title) > limit:
        raise Refused("title_too_long", "title")


def check_body(body: str, limit: int) -> None:
    """A body of text (a proposal's, a contribution's): not blank, at most ``limit`` long."""
    if not body.strip():
        raise Refused("body_required", "body")
    if len(body) > limit:
        raise Refused("text_too_long", "body")


def found_only(read: Callable[_P, Awaitable[_R | None]]) -> Callable[_P, Awaitable[_R]]:
    """``read``, refused as ``not_found`` where it finds nothing: another cooperative's rows do
    not exist."""

    async def read_found(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        row = await read(*args, **kwargs)
        if row is None:
            raise Refused("not_found")
        return row

    return read_found


owned_row = found_only(own_row)
"""``db.queries.own_row``, refused as ``not_found`` when it is not the organisation's."""
