"""Form helpers shared by the assembly, proposal and thread pages: reading fields, dates in the
organisation's time zone, and the page that explains a refused action."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar.response import Template

from votes.db.thread_queries import ThreadPage
from votes.services.actors import may_run_assemblies, may_take_part
from votes.services.deliberation import EDIT_WINDOW
from votes.services.refusals import Refused
from votes.web.forms import Redisplay, safe_next_path, whole_number
from votes.web.pages import Page
from votes.web.refusals import area, explain, form_errors, raise_if_not_found

# what a member is told when an assembly, proposal or thread action is refused
REFUSALS = area("assemblies")

# a form field longer than this is cut before validation (the services then say "too long")
FIELD_LIMIT = 25_000


def text(form: Any, name: str) -> str:
    """A text field, with Windows line ends made plain and at most FIELD_LIMIT characters."""
    value = form.get(name, "")
    return str(value)[: FIELD_LIMIT + 1].replace("\r\n", "\n")


def typed(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    """The fields ``names`` as typed, trimmed (shown again as they were when refused)."""
    return {name: text(form, name).strip() for name in names}


def optional_int(form: Any, name: str) -> int | None:
    return whole_number(form.get(name, ""))


def local_datetime(value: str, time_zone: str) -> datetime | None:
    """A ``datetime-local`` field read in the organisation's time zone, as UTC."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def local_input(value: datetime | None, time_zone: str) -> str:
    """The value a ``datetime-local`` field shows for a stored time."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%dT%H:%M")


def errors_from(error: Refused, default_field: str = "") -> Redisplay:
    return form_errors(error, REFUSALS, default_field)


def refusal(page: Page, error: Refused, back: str) -> Template:
    """The page (or, for htmx, the alert) that says why an action was refused."""
    raise_if_not_found(error)
    status, message = explain(error, REFUSALS)
    return page.render(
        "pages/assemblies/refused.html.jinja",
        fragment="partials/assemblies/_refused.html.jinja",
        status_code=status,
        message=message,
        back=back,
    )


async def try_action(page: Page, action: Awaitable[object], back: str) -> Template | None:
    """Run ``action`` (a service call); if it is refused, the :func:`refusal` page leading
    back to ``back``; ``None`` once done. The one way these pages run an action that has no
    form to show again: ``return await try_action(page, action, back) or see_other(back)``."""
    try:
        await action
    except Refused as error:
        return refusal(page, error, back)
    return None


def thread_here(page: Page, next: str | None = None) -> str:
    """``here`` in the thread partials: the page a thread is shown on, where its forms come
    back to without JavaScript and where its links lead.

    A page that shows a thread (a proposal, an agenda item, the "now" page, a long thread's
    own page) passes no ``next``: it is the page itself. An action on a thread shown elsewhere
    (posting, replying, editing, reacting, hiding, closing, "show more") passes the ``next``
    its form or link carried: a path on this site only, else the site's home."""
    if next is None:
        return page.request.url.path
    return safe_next_path(next)


def thread_context(
    page: Page, thread: ThreadPage | None, here: str | None = None
) -> dict[str, Any]:
    """What the thread partials need besides the organisation: the slice shown, ``here`` (by
    default the page itself, see :func:`thread_here`), the viewer's rights and the edit
    window."""
    actor = page.actor
    return {
        "thread": thread,
        "here": thread_here(page) if here is None else here,
        "manager": may_run_assemblies(actor),
        "may_take_part": may_take_part(actor),
        "editable_since": datetime.now(UTC) - EDIT_WINDOW,
    }
