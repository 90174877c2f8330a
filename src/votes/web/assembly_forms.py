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
from votes.web.labels import N_
from votes.web.pages import Page
from votes.web.refusals import area, explain, form_errors, raise_if_not_found

# what a member is told when an assembly, proposal or thread action is refused
REFUSALS = area(
    "assemblies",
    {
        # what was typed (422)
        "title_required": (422, N_("Give a title.")),
        "title_too_long": (422, N_("The title is too long.")),
        "body_required": (422, N_("Write a text.")),
        "text_too_long": (422, N_("This text is too long.")),
        "amended_too_long": (
            422,
            N_("With this amendment, the text would be longer than 20,000 characters."),
        ),
        "place_too_long": (422, N_("The place is too long.")),
        "remote_url_invalid": (422, N_("Give a web address starting with https://.")),
        "minutes_invalid": (422, N_("Give a duration in minutes, between 0 and 1440.")),
        "note_too_long": (422, N_("The note is too long (300 characters at most).")),
        "unchanged": (422, N_("Nothing was changed.")),
        "passage_required": (422, N_("Copy the passage of the text that the amendment changes.")),
        "passage_not_found": (
            409,
            N_("This passage is not in the current text of the proposal; copy it exactly."),
        ),
        "passage_ambiguous": (
            422,
            N_("This passage appears several times in the text: copy a longer passage."),
        ),
        "text_required": (422, N_("Write the new text.")),
        "reason_required": (422, N_("Give the reason, it will be shown in its place.")),
        "reason_too_long": (422, N_("The reason is too long (%(num)d characters at most).")),
        "item_unknown": (422, N_("Choose an item of this assembly's agenda.")),
        "coauthor_unknown": (422, N_("Co-authors must be members of the cooperative.")),
        "invalid_choice": (422, N_("Choose one of the options offered.")),
        "date_invalid": (422, N_("Give a date and a time.")),
        # the state forbids it now (409)
        "assembly_closed": (409, N_("This assembly is closed: nothing can be changed any more.")),
        "deadline_passed": (409, N_("The deadline for submitting proposals has passed.")),
        "facilitators_only": (
            409,
            N_("In this assembly, only facilitators put proposals on the agenda."),
        ),
        "status_step_not_allowed": (409, N_("This change of status is not possible now.")),
        "ballots_still_open": (
            409,
            N_("Close the open ballots first and publish their results: %(value)s."),
        ),
        "proposal_locked": (
            409,
            N_("This proposal can no longer be edited: it has been put to the vote or decided."),
        ),
        "proposal_withdrawn": (409, N_("This proposal has been withdrawn.")),
        "proposal_decided": (409, N_("This proposal has already been decided.")),
        "amendments_closed": (
            409,
            N_("Amendments are only possible while the proposal is submitted or under debate."),
        ),
        "amendments_pending": (
            409,
            N_("Amendments to this proposal are still pending: settle them first."),
        ),
        "amendment_settled": (409, N_("This amendment has already been settled.")),
        "vote_not_published": (
            409,
            N_(
                "This text was put to the vote: its outcome is the published result. To record "
                "it before the result is published, give the reason."
            ),
        ),
        "vote_says_otherwise": (
            409,
            N_(
                "The published vote gave another outcome. To record this one anyway, give the "
                "reason: it is kept in the audit trail."
            ),
        ),
        "support_closed": (409, N_("This proposal cannot be supported at this stage.")),
        "own_proposal": (409, N_("You are an author of this proposal.")),
        "thread_closed": (409, N_("This discussion is closed.")),
        "edit_window_over": (
            409,
            N_("A contribution can only be edited during the first 15 minutes."),
        ),
        "contribution_hidden": (409, N_("This contribution has been hidden by the facilitator.")),
        "agenda_changed": (409, N_("The agenda changed in the meantime: reload the page.")),
        "item_in_use": (
            409,
            N_("This item already has proposals, ballots or contributions: it cannot be removed."),
        ),
        "parent_unknown": (409, N_("The contribution you replied to is no longer in this thread.")),
        # the role never allows it (403)
        "not_author": (403, N_("Only the authors can do this.")),
    },
)

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
