"""The floor on the web: the member's phone (ask for the floor, withdraw, point of order,
direct reply, their place, the countdown of their turn, the mood check), the facilitator's
console (the queue, give the floor, end, reorder, close or reopen the list, add a member
without a phone, the rules, mood checks with their live distribution), the projector (current
speaker, next three, timer, mood distribution) and the speaking statistics.

A mood check is never a vote: every surface says "Sondage indicatif — ce n'est pas un vote".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from enum import StrEnum
from typing import Any, TypeVar

from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from votes.core import floor as core
from votes.db import attendance_queries as aq
from votes.db import floor_queries as fq
from votes.db import mood_queries as mq
from votes.db.tables import ListStatus, MoodKind, Ordering, RequestKind
from votes.i18n import gettext as _
from votes.services import floor as service
from votes.services import mood as mood_service
from votes.services.actors import (
    Rule,
    may_read,
    may_run_assemblies,
    may_steward,
    may_take_part,
)
from votes.services.refusals import Refused
from votes.web.forms import whole_number
from votes.web.guards import requires
from votes.web.labels import N_
from votes.web.pages import Page
from votes.web.refusals import area, explain, raise_if_not_found

REFUSALS = area("floor")

Option = TypeVar("Option", bound=StrEnum)

COLOURS = {"green": N_("Green"), "orange": N_("Orange"), "red": N_("Red")}
THUMBS = {"up": N_("Thumbs up"), "sideways": N_("Thumbs sideways"), "down": N_("Thumbs down")}

Call = Coroutine[Any, Any, object]
# What a form asks of the floor: the service call to run, or the code of the refusal to show
# instead. It reads the form and the assembly (already found: another's is a 404 first).
Step = Callable[[Page, FormMultiDict, int], Awaitable[Call | str]]
# Whether the answer is the facilitator's console (else the member's phone).
Where = Callable[[Page, FormMultiDict], bool]


async def _state(page: Page, assembly_id: int, *, counts: bool = True) -> dict[str, Any]:
    """What every floor surface shows: the assembly, the queue of the item under discussion
    and the latest mood check."""
    organisation_id, actor = page.organisation.id, page.actor
    heading = await page.assembly(assembly_id)
    queue = None
    subject = await fq.current_subject(organisation_id, assembly_id)
    if subject is not None:
        queue = await fq.queue_view(organisation_id, assembly_id, subject.item_id, subject=subject)
    mood_id = await mq.latest_mood(organisation_id, assembly_id)
    mood = (
        await mq.mood_view(organisation_id, mood_id, actor.membership_id, counts=counts)
        if mood_id
        else None
    )
    return {
        "assembly": heading,
        "queue": queue,
        "mood": mood,
        "clock": core.clock,
        "choice_label": choice_label,
        "subject_label": subject_label,
        "errors": [],
    }


def subject_label(subject: fq.Subject | None, item_title: str = "") -> str:
    """The subject under discussion in words: « Amendement n° 2 à « Cantine bio » »."""
    if subject is None or subject.proposal_id is None:
        return item_title
    if subject.amendment_id is not None:
        return _("Amendment no. %(number)d to “%(title)s”") % {
            "number": subject.amendment_number,
            "title": subject.proposal_title,
        }
    return _("Proposal “%(title)s”") % {"title": subject.proposal_title}


def choice_label(kind: str, choice: str) -> str:
    if kind == MoodKind.COLOURS.value:
        return _(COLOURS.get(choice, choice))
    if kind == MoodKind.THUMBS.value:
        return _(THUMBS.get(choice, choice))
    return choice


def _offered(options: type[Option], value: object, default: Option) -> Option | None:
    """The option the form's field names (``default`` when it is left empty), or None for a
    value no form offers: a crafted request is refused, never read as another choice."""
    try:
        return options(str(value or default.value))
    except ValueError:
        return None


async def _phone(
    page: Page, assembly_id: int, error: str = "", status_code: int = HTTP_200_OK
) -> Template:
    state = await _state(page, assembly_id, counts=False)  # a phone shows no bars
    queue, me = state["queue"], page.actor.membership_id
    elsewhere = (
        await fq.waiting_elsewhere(
            page.organisation.id,
            assembly_id,
            me,
            None if queue is None else (queue.subject or fq.Subject(queue.item_id)).key,
        )
        if me is not None
        else []
    )
    category = (
        await fq.speaker_category(assembly_id, page.actor.id)
        if page.actor.membership
        else ("", False)
    )
    return page.render(
        "pages/floor/phone.html.jinja",
        fragment="partials/floor/_phone.html.jinja",
        status_code=status_code,
        **state,
        my_category=category,
        elsewhere=elsewhere,
        error=error,
    )


async def _console(
    page: Page, assembly_id: int, error: str = "", status_code: int = HTTP_200_OK
) -> Template:
    state = await _state(page, assembly_id)
    members = await aq.voting_members(page.organisation.id)
    queue = state["queue"]
    subjects = (
        await fq.subjects_of(page.organisation.id, queue.item_id) if queue is not None else []
    )
    return page.render(
        "pages/floor/console.html.jinja",
        fragment="partials/floor/_console.html.jinja",
        status_code=status_code,
        **state,
        members=[(m["id"], m["person.name"]) for m in members],
        orderings=list(Ordering),
        mood_kinds=list(MoodKind),
        subjects=subjects,
        error=error,
    )


async def _run(
    page: Page, assembly_id: int, call: Call | str, console: bool
) -> Template | Redirect:
    """Run the service call; on a refusal, the page again with its sentence (a service's
    "not_found" is a 404)."""
    try:
        if isinstance(call, str):
            raise Refused(call)
        await call
    except Refused as error:
        raise_if_not_found(error)
        status, message = explain(error, REFUSALS)
        again = _console if console else _phone
        return await again(page, assembly_id, message, status)
    return page.see_other("assemblies", assembly_id, "floor/console" if console else "floor")


def _always(console: bool) -> Where:
    return lambda _page, _form: console


def _action(path: str, rule: Rule, step: Step, *, where: Where | bool = False) -> Any:
    """The POST handler of one form of the floor: ``rule`` guards it, ``step`` reads the form
    into a service call (or a refusal), and the answer is a 303 back to the phone or the
    console (``where``), or that page again with the refusal's sentence."""
    on_console = where if callable(where) else _always(where)

    async def handler(
        self: Controller, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        form = await page.form()
        await page.assembly(assembly_id)
        call = await step(page, form, assembly_id)
        return await _run(page, assembly_id, call, on_console(page, form))

    handler.__name__ = handler.__qualname__ = step.__name__.lstrip("_")
    handler.__doc__ = step.__doc__
    return post(path, guards=[requires(rule)])(handler)


# -- what each form asks ----------------------------------------------------------------------


async def _subject_or_none(page: Page, assembly_id: int) -> fq.Subject | None:
    """What is under discussion on the current item (None: no current item)."""
    return await fq.current_subject(page.organisation.id, assembly_id)


async def _ask(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    """One tap: ask for the floor (``kind``: speak, point_of_order, direct_reply)."""
    kind = _offered(RequestKind, form.get("kind"), RequestKind.SPEAK)
    if kind is None:
        return "invalid_choice"
    subject = await _subject_or_none(page, assembly_id)
    if subject is None:
        return "no_current_item"
    return service.request_floor(page.actor, assembly_id, subject.item_id, kind, subject=subject)


async def _withdraw(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    """Withdraw a request (``request``): one's own, or anyone's for a steward."""
    request_id = whole_number(form.get("request"))
    if request_id is None:
        return "request_not_waiting"
    return service.withdraw(page.actor, request_id)


def _from_console(page: Page, form: FormMultiDict) -> bool:
    """A steward's removal from the console goes back to the console."""
    return form.get("from") == "console" and may_steward(page.actor)


async def _category(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    """The member declares their category for the balanced ordering."""
    return service.declare_category(
        page.actor,
        assembly_id,
        str(form.get("category", ""))[:200],
        may_be_shown=form.get("may_be_shown") == "1",
    )


async def _answer(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    mood_id = whole_number(form.get("mood"))
    if mood_id is None:
        return "unknown_choice"
    return mood_service.answer(page.actor, mood_id, str(form.get("choice", ""))[:60])


async def _subject(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    """Choose what is under discussion: the item (``subject`` "item"), one of its proposals
    ("p<id>") or one of their open amendments ("a<id>"); each has its own list."""
    return service.choose_subject(page.actor, assembly_id, str(form.get("subject", "item"))[:30])


async def _give(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    """Give the floor to the next in order (or to ``request``), ending the current turn."""
    subject = await _subject_or_none(page, assembly_id)
    if subject is None:
        return "no_current_item"
    request_id = whole_number(form.get("request"))
    return service.give_floor(page.actor, assembly_id, subject.item_id, request_id, subject=subject)


async def _end(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    subject = await _subject_or_none(page, assembly_id)
    if subject is None:
        return "no_current_item"
    return service.end_turn(page.actor, assembly_id, subject.item_id, subject=subject)


async def _move(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    """Move a waiting request one place up (``offset`` -1) or down (1)."""
    request_id = whole_number(form.get("request"))
    offset = whole_number(form.get("offset"), low=-100, high=100)
    if request_id is None or offset is None:
        return "request_not_waiting"
    return service.reorder(page.actor, request_id, offset)


async def _list_status(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    """Close the list to new requests (``status`` closed) or reopen it."""
    subject = await _subject_or_none(page, assembly_id)
    if subject is None:
        return "no_current_item"
    status = ListStatus.CLOSED if form.get("status") == "closed" else ListStatus.OPEN
    return service.set_list_status(
        page.actor, assembly_id, subject.item_id, status, subject=subject
    )


async def _add(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    """A steward adds a member without a phone to the list."""
    subject = await _subject_or_none(page, assembly_id)
    member = whole_number(form.get("member"))
    if subject is None:
        return "no_current_item"
    if member is None:
        return "speaker_not_member"
    kind = _offered(RequestKind, form.get("kind"), RequestKind.SPEAK)
    if kind is None:
        return "invalid_choice"
    return service.request_floor(
        page.actor, assembly_id, subject.item_id, kind, for_member=member, subject=subject
    )


def _runs_assemblies(page: Page, form: FormMultiDict) -> bool:
    """A steward who does not run the assembly has no console: back to the phone."""
    return may_run_assemblies(page.actor)


async def _rules(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    ordering = _offered(Ordering, form.get("ordering"), Ordering.ARRIVAL)
    if ordering is None:
        return "invalid_choice"
    speaker = whole_number(form.get("speaker_minutes"), high=600)
    item = whole_number(form.get("item_minutes"), high=600)
    if speaker is None or item is None:
        return "bad_budget"
    return service.set_rules(
        page.actor,
        assembly_id,
        ordering,
        category_label=str(form.get("category_label", ""))[:200],
        speaker_seconds=speaker * 60,
        item_seconds=item * 60,
    )


async def _launch(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    """Launch a mood check (never a vote)."""
    kind = _offered(MoodKind, form.get("kind"), MoodKind.FIST_TO_FIVE)
    if kind is None:
        return "invalid_choice"
    options = str(form.get("options", "")).splitlines()
    return mood_service.launch(
        page.actor, assembly_id, kind, str(form.get("question", "")), options
    )


async def _close_mood(page: Page, form: FormMultiDict, assembly_id: int) -> Call | str:
    mood_id = whole_number(form.get("mood"))
    if mood_id is None:
        return "mood_closed"
    return mood_service.close(page.actor, mood_id)


FLOOR = "/assemblies/{assembly_id:int}/floor"
MOOD = "/assemblies/{assembly_id:int}/mood"


class FloorController(Controller):
    path = "/"

    # -- the member's phone -----------------------------------------------------------------

    @get(FLOOR, guards=[requires(may_read)])
    async def phone(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        return await _phone(page, assembly_id)

    ask = _action(f"{FLOOR}/request", may_take_part, _ask)
    withdraw = _action(f"{FLOOR}/withdraw", may_read, _withdraw, where=_from_console)
    category = _action(f"{FLOOR}/category", may_take_part, _category)
    answer = _action(f"{MOOD}/answer", may_take_part, _answer)

    # -- the facilitator's console ------------------------------------------------------------

    @get(f"{FLOOR}/console", guards=[requires(may_run_assemblies)])
    async def console(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        return await _console(page, assembly_id)

    subject = _action(f"{FLOOR}/subject", may_run_assemblies, _subject, where=True)
    give = _action(f"{FLOOR}/give", may_run_assemblies, _give, where=True)
    end = _action(f"{FLOOR}/end", may_run_assemblies, _end, where=True)
    move = _action(f"{FLOOR}/move", may_run_assemblies, _move, where=True)
    list_status = _action(f"{FLOOR}/list", may_run_assemblies, _list_status, where=True)
    add = _action(f"{FLOOR}/add", may_steward, _add, where=_runs_assemblies)
    rules = _action(f"{FLOOR}/rules", may_run_assemblies, _rules, where=True)
    launch = _action(MOOD, may_run_assemblies, _launch, where=True)
    close_mood = _action(f"{MOOD}/close", may_run_assemblies, _close_mood, where=True)

    # -- the projector and the statistics ---------------------------------------------------

    @get(f"{FLOOR}/projector", guards=[requires(may_read)])
    async def projector(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        state = await _state(page, assembly_id)
        return page.render(
            "pages/floor/projector.html.jinja",
            fragment="partials/floor/_projector.html.jinja",
            **state,
        )

    @get(f"{FLOOR}/stats", guards=[requires(may_run_assemblies)])
    async def stats(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        """Speaking time per item, per speaker and per declared category."""
        heading = await page.assembly(assembly_id)
        items = await fq.speaking_statistics(page.organisation.id, assembly_id)
        moods = await mq.moods_of(page.organisation.id, assembly_id)
        return page.render(
            "pages/floor/stats.html.jinja",
            assembly=heading,
            items=items,
            moods=moods,
            subject_label=subject_label,
            clock=core.clock,
            choice_label=choice_label,
        )
