"""What a person is told when a use case refuses: one sentence and one HTTP status per code.

Services raise :class:`votes.services.refusals.Refused`; each area of the web layer declares its
sentences with :func:`area` (next to the pages that show them), and :func:`explain` turns a
refusal into the translated sentence and its status: 422 for what was typed, 409 for a state
that forbids the action now (closed, past the deadline, already settled), 403 for a role that
never allows it, 404 for what does not exist in this organisation. A refusal that no page
catches reaches :func:`refused_page`, which answers with the same sentence and status: never a
500. A test checks that every code a service raises has its sentence, in French too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from litestar import Request, Response
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.response import Template

from votes.i18n import gettext as _
from votes.i18n import ngettext
from votes.services.refusals import Refused
from votes.web.forms import FormErrors, Redisplay
from votes.web.labels import N_
from votes.web.rendering import VARY, is_htmx


@dataclass(frozen=True, slots=True)
class Plural:
    """A sentence that agrees with a number of the refusal's ``detail`` (``count``), quoted
    in it as ``%(num)d``; ``forms`` are marked with ``Nn_``."""

    forms: tuple[str, str]
    count: str


Sentence = str | Plural
Messages = Mapping[str, tuple[int, Sentence]]


class Explanation(NamedTuple):
    status: int
    message: str


_AREAS: dict[str, Messages] = {}

# codes any area may raise: the rules of votes.services.actors, and what is not there
GENERIC: Messages = {
    "not_found": (404, N_("This page does not exist, or you do not have access to it.")),
    "not_allowed": (403, N_("Your role does not allow this.")),
    "read_only": (403, N_("Observers and suspended members can read but not take part.")),
    "admins_only": (403, N_("Only the cooperative's administrators can do this.")),
    "not_facilitator": (403, N_("Only facilitators can do this.")),
    "facilitators_only_ballots": (403, N_("Only facilitators run ballots.")),
    "scrutineers_only": (403, N_("Only scrutineers and facilitators can do this.")),
    "cosigners_only": (403, N_("Only a scrutineer can confirm a result.")),
    "stewards_only": (
        403,
        N_("Only the people who keep the attendance register can do this."),
    ),
    # every write on an assembly or its children once its minutes are final (minutes.py)
    "record_final": (
        409,
        N_(
            "The minutes of this assembly are final: nothing about it can change any more."
            " Nothing was saved."
        ),
    ),
}
_FALLBACK: tuple[int, Sentence] = (409, N_("This action is not possible now."))


def area(name: str, messages: Messages) -> Messages:
    """Declare an area's sentences (a module constant: ``REFUSALS = area("ballots", {…})``)."""
    _AREAS[name] = messages
    return messages


def registered() -> dict[str, Messages]:
    """Every area's sentences, the generic ones included (for the catalogue's test)."""
    return {"generic": GENERIC, **_AREAS}


def _entry(code: str, messages: Messages | None) -> tuple[int, Sentence]:
    if messages is not None and code in messages:
        return messages[code]
    if code in GENERIC:
        return GENERIC[code]
    # a refusal no page expected: the first area that knows the code
    for known in _AREAS.values():
        if code in known:
            return known[code]
    return _FALLBACK


def explain(error: Refused | str, messages: Messages | None = None) -> Explanation:
    """The status and the translated sentence for a refusal (or a bare code), looked up in
    ``messages`` first, then in the generic sentences."""
    refusal = error if isinstance(error, Refused) else Refused(error)
    status, sentence = _entry(refusal.code, messages)
    detail: dict[str, Any] = refusal.detail
    if isinstance(sentence, Plural):
        count = int(detail.get(sentence.count, 0))
        text = ngettext(*sentence.forms, count)
        return Explanation(status, text % {**detail, "num": count})
    text = _(sentence)
    return Explanation(status, text % detail if detail and "%(" in text else text)


def errors_on(field: str, error: Refused, messages: Messages | None = None) -> Redisplay:
    """The status and the form's errors for a refusal, its sentence on ``field`` (empty: the
    whole form) whatever field the refusal names: for a form that says why in one place."""
    status, message = explain(error, messages)
    return Redisplay(status, FormErrors({field: [message]}))


def form_errors(error: Refused, messages: Messages | None = None, field: str = "") -> Redisplay:
    """The status and the form's errors for a refusal: its sentence on the field it names
    (else ``field``; empty: the whole form)."""
    return errors_on(error.field or field, error, messages)


def raise_if_not_found(error: Refused) -> None:
    """A refused ``not_found`` (no such row, or another organisation's) is the 404 page, as if
    the row did not exist, not a sentence on a form."""
    if error.code == "not_found":
        raise NotFoundException() from error


def row_form_errors(error: Refused, messages: Messages | None = None) -> Redisplay:
    """``form_errors`` on a page about one row (see :func:`raise_if_not_found`)."""
    raise_if_not_found(error)
    return form_errors(error, messages)


def refused_page(request: Request[Any, Any, State], error: Refused) -> Response[Any]:
    """A refusal no page caught: the error page, with its sentence and status."""
    status, message = explain(error)
    template = "errors/_error.html.jinja" if is_htmx(request) else "errors/error.html.jinja"
    context = request.state.get("votes")
    return Template(
        template_name=template,
        context={"status": status, "message": message, "csrf_failure": False, "viewer": None}
        | ({"context": context} if context is not None else {}),
        status_code=status,
        headers={"Vary": VARY, "Cache-Control": "no-store"},
    )
