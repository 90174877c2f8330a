"""Form helpers shared by the assembly, proposal and thread pages: reading fields, dates in the
organisation's time zone, and the page that explains a refused action."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.response import Template

from votes.db.assembly_queries import ThreadPage
from votes.db.queries import MembershipView
from votes.services.assemblies import ActionError, can_manage, can_take_part
from votes.services.deliberation import EDIT_WINDOW
from votes.web.context import RequestContext
from votes.web.forms import FormErrors, whole_number
from votes.web.refusals import refusal
from votes.web.rendering import page

# a form field longer than this is cut before validation (the services then say "too long")
FIELD_LIMIT = 25_000


def text(form: Any, name: str) -> str:
    """A text field, with Windows line ends made plain and at most FIELD_LIMIT characters."""
    value = form.get(name, "")
    return str(value)[: FIELD_LIMIT + 1].replace("\r\n", "\n")


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


def errors_from(error: ActionError, default_field: str = "") -> tuple[int, FormErrors]:
    status, message = refusal(error.code)
    errors = FormErrors()
    errors.add(error.field or default_field, message)
    return status, errors


def refused(
    request: Request[Any, Any, State],
    context: RequestContext,
    membership: MembershipView,
    error: ActionError,
    back: str,
) -> Template:
    """The page (or, for htmx, the alert) that says why an action was refused."""
    if error.code == "not_found":
        raise NotFoundException()
    status, message = refusal(error.code)
    return page(
        request,
        "pages/assemblies/refused.html.jinja",
        fragment="partials/assemblies/_refused.html.jinja",
        status_code=status,
        context=context,
        membership=membership,
        organisation=membership.organisation,
        message=message,
        back=back,
    )


def thread_context(
    membership: MembershipView, thread: ThreadPage | None, here: str
) -> dict[str, Any]:
    """What the thread partials need besides the organisation: the slice shown, where to come
    back after a post without JavaScript, the viewer's rights and the edit window."""
    return {
        "thread": thread,
        "here": here,
        "manager": can_manage(membership),
        "may_take_part": can_take_part(membership),
        "editable_since": datetime.now(UTC) - EDIT_WINDOW,
    }
