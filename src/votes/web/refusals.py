"""What a person is told when a use case refuses: one sentence and one HTTP status per code.

Services raise :class:`votes.services.refusals.Refused`; each area of the web layer declares its
sentences with :func:`area` (next to the pages that show them; the sentences themselves are in
``refusal_sentences/<area>.toml``, where a translator finds them), and :func:`explain` turns a
refusal into the translated sentence and its status: 422 for what was typed, 409 for a state
that forbids the action now (closed, past the deadline, already settled), 403 for a role that
never allows it, 404 for what does not exist in this organisation. A refusal that no page
catches reaches :func:`refused_page`, which answers with the same sentence and status: never a
500. A test checks that every code a service raises has its sentence, in French too.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO, Any, NamedTuple

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
    in it as ``%(num)d``: an entry's ``plural`` forms and its ``count``."""

    forms: tuple[str, str]
    count: str


Sentence = str | Plural
Messages = Mapping[str, tuple[int, Sentence]]


class Explanation(NamedTuple):
    status: int
    message: str


_AREAS: dict[str, Messages] = {}

SENTENCES = resources.files("votes.web") / "refusal_sentences"
STATUSES = frozenset({403, 404, 409, 422, 429})
_KEYS = frozenset({"status", "sentence", "plural", "count"})


class SentenceFileError(ValueError):
    """An area's sentence file that cannot be read: raised at import, naming file and entry."""


def _sentence_of(source: str, code: str, entry: object) -> tuple[int, Sentence]:
    """One entry of a sentence file, checked: a status of :data:`STATUSES`, and either a
    ``sentence`` or a ``plural`` (singular and plural forms) with the ``count`` it agrees with."""
    where = f"{source} [{code}]"
    if not isinstance(entry, dict):
        raise SentenceFileError(f"{where}: not a table")
    unknown = sorted(entry.keys() - _KEYS)
    if unknown:
        raise SentenceFileError(f"{where}: unknown keys {unknown}")
    status = entry.get("status")
    if type(status) is not int or status not in STATUSES:
        raise SentenceFileError(f"{where}: status {status!r} is not one of {sorted(STATUSES)}")
    sentence, forms, count = entry.get("sentence"), entry.get("plural"), entry.get("count")
    if isinstance(sentence, str) and forms is None and count is None:
        return status, sentence
    if (
        sentence is None
        and isinstance(forms, list)
        and len(forms) == 2
        and all(isinstance(form, str) for form in forms)
        and isinstance(count, str)
    ):
        return status, Plural((forms[0], forms[1]), count)
    raise SentenceFileError(
        f"{where}: give a sentence, or a plural (two forms) and the count it agrees with"
    )


def load_sentences(path: Traversable) -> Messages:
    """The sentences of one file of :data:`SENTENCES` (``<area>.toml``), in its order."""
    return _parse(path.read_text(encoding="utf-8"), path.name)


def _parse(text: str, source: str) -> Messages:
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SentenceFileError(f"{source}: {error}") from error
    return {code: _sentence_of(source, code, entry) for code, entry in table.items()}


# codes any area may raise: the rules of votes.services.actors, and what is not there
GENERIC: Messages = load_sentences(SENTENCES / "generic.toml")
_FALLBACK: tuple[int, Sentence] = (409, N_("This action is not possible now."))


def area(name: str) -> Messages:
    """Declare an area's sentences, read from ``refusal_sentences/<name>.toml`` (a module
    constant: ``REFUSALS = area("ballots")``)."""
    messages = _AREAS[name] = load_sentences(SENTENCES / f"{name}.toml")
    return messages


def extract_sentences(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: object
) -> Iterator[tuple[int, str, str | tuple[str, str], list[str]]]:
    """A Babel extractor for the sentence files (``votes.web.refusals:extract_sentences``): each
    sentence as if marked ``N_``, each plural as if marked ``Nn_``, at the line of its entry."""
    text = fileobj.read().decode("utf-8")
    name = Path(getattr(fileobj, "name", "refusal sentences")).name
    lines = {
        line.strip()[1:-1]: number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.startswith("[")
    }
    for code, (_status, sentence) in _parse(text, name).items():
        if isinstance(sentence, Plural):
            yield lines.get(code, 0), "Nn_", sentence.forms, []
        else:
            yield lines.get(code, 0), "N_", sentence, []


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
