"""The floor on the web (#19): the member's phone (ask for the floor, withdraw, point of order,
direct reply, their place, the countdown of their turn, the mood check), the facilitator's
console (the queue, give the floor, end, reorder, close or reopen the list, add a member
without a phone, the rules, mood checks with their live distribution), the projector (current
speaker, next three, timer, mood distribution) and the speaking statistics.

A mood check is never a vote: every surface says "Sondage indicatif — ce n'est pas un vote".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from votes.core import floor as core
from votes.db import attendance_queries as aq
from votes.db import floor_queries as fq
from votes.db.tables import ListStatus, MoodKind, Ordering, RequestKind
from votes.i18n import gettext as _
from votes.services import floor as service
from votes.services import mood as mood_service
from votes.services.actors import (
    Actor,
    may_read,
    may_run_assemblies,
    may_steward,
    may_take_part,
)
from votes.services.refusals import Refused
from votes.web.forms import whole_number
from votes.web.guards import requires
from votes.web.labels import N_
from votes.web.pages import Page, found
from votes.web.refusals import area, explain
from votes.web.rendering import see_other

REFUSALS = area(
    "floor",
    {
        "already_asked": (409, N_("You have already asked for the floor: wait for your turn.")),
        "not_your_request": (409, N_("Only the member who asked can withdraw this request.")),
        "request_not_waiting": (409, N_("This request is no longer waiting.")),
        "list_closed": (
            409,
            N_("The speakers' list is closed: only a point of order can still be raised."),
        ),
        "nobody_speaking": (409, N_("Nobody has the floor: there is nothing to reply to.")),
        "speaker_not_member": (
            422,
            N_("Choose an active member of this cooperative to add to the list."),
        ),
        "assembly_not_running": (
            409,
            N_("The floor is open while the assembly is convened or in session."),
        ),
        "category_too_long": (422, N_("The category is too long (60 characters at most).")),
        "bad_budget": (422, N_("Speaking time is a number of minutes, up to 600.")),
        "no_current_item": (409, N_("No agenda item is under discussion.")),
        "mood_already_open": (
            409,
            N_("A mood check is already open: close it before launching another."),
        ),
        "mood_closed": (409, N_("This mood check is closed.")),
        "unknown_choice": (422, N_("Choose one of the answers offered.")),
        "bad_mood_options": (
            422,
            N_("Give 2 to 8 different answers, one a line, of 40 characters at most."),
        ),
        "question_too_long": (422, N_("The question is too long (300 characters at most).")),
        "invalid_choice": (422, N_("Choose one of the options offered.")),
        "bad_subject": (
            422,
            N_(
                "Choose the agenda item, one of its proposals or one of their open amendments:"
                " this one cannot be discussed here."
            ),
        ),
    },
)

Option = TypeVar("Option", bound=StrEnum)

COLOURS = {"green": N_("Green"), "orange": N_("Orange"), "red": N_("Red")}
THUMBS = {"up": N_("Thumbs up"), "sideways": N_("Thumbs sideways"), "down": N_("Thumbs down")}


def _base(actor: Actor, assembly_id: int) -> str:
    return f"/o/{actor.organisation.short_name}/assemblies/{assembly_id}/floor"


async def _heading(actor: Actor, assembly_id: int) -> fq.FloorHeading:
    return found(await fq.floor_heading(actor.organisation.id, assembly_id))


async def _state(actor: Actor, assembly_id: int, *, counts: bool = True) -> dict[str, Any]:
    """What every floor surface shows: the assembly, the queue of the item under discussion
    and the latest mood check."""
    organisation_id = actor.organisation.id
    heading = await _heading(actor, assembly_id)
    queue = None
    subject = await fq.current_subject(organisation_id, assembly_id)
    if subject is not None:
        queue = await fq.queue_view(organisation_id, assembly_id, subject.item_id, subject=subject)
    mood_id = await fq.latest_mood(organisation_id, assembly_id)
    mood = (
        await fq.mood_view(organisation_id, mood_id, actor.membership_id, counts=counts)
        if mood_id
        else None
    )
    return {
        "assembly": heading,
        "queue": queue,
        "mood": mood,
        "base": _base(actor, assembly_id),
        "mood_base": _base(actor, assembly_id).removesuffix("/floor") + "/mood",
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


def _refusal(error: Refused) -> tuple[int, str]:
    status, message = explain(error, REFUSALS)
    return status, message


def _offered(options: type[Option], value: object, default: Option) -> Option | None:
    """The option the form's field names (``default`` when it is left empty), or None for a
    value no form offers: a crafted request is refused, never read as another choice."""
    try:
        return options(str(value or default.value))
    except ValueError:
        return None


class FloorController(Controller):
    path = "/"

    # -- the member's phone -----------------------------------------------------------------

    @get("/assemblies/{assembly_id:int}/floor", guards=[requires(may_read)])
    async def phone(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        return await self._phone(page, assembly_id)

    async def _phone(
        self,
        page: Page,
        assembly_id: int,
        error: str = "",
        status_code: int = HTTP_200_OK,
    ) -> Template:
        state = await _state(page.actor, assembly_id, counts=False)  # a phone shows no bars
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

    async def _refused(
        self, page: Page, assembly_id: int, error: Refused | str, *, console: bool = False
    ) -> Template:
        """The phone (or the console) again, with the sentence of ``error``."""
        status, message = _refusal(Refused(error) if isinstance(error, str) else error)
        if console:
            return await self._console(page, assembly_id, message, status)
        return await self._phone(page, assembly_id, message, status)

    async def _act(
        self,
        page: Page,
        assembly_id: int,
        call: Any,
        *,
        console: bool = False,
    ) -> Template | Redirect:
        """Run one service call; on a refusal, the page again with its sentence."""
        try:
            await call
        except Refused as error:
            if error.code == "not_found":
                raise NotFoundException() from error
            return await self._refused(page, assembly_id, error, console=console)
        return see_other(_base(page.actor, assembly_id) + ("/console" if console else ""))

    @post("/assemblies/{assembly_id:int}/floor/request", guards=[requires(may_take_part)])
    async def ask(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """One tap: ask for the floor (``kind``: speak, point_of_order, direct_reply)."""
        form = await page.form()
        heading = await _heading(page.actor, assembly_id)
        kind = _offered(RequestKind, form.get("kind"), RequestKind.SPEAK)
        if kind is None:
            return await self._refused(page, assembly_id, "invalid_choice")
        subject = await fq.current_subject(page.organisation.id, heading.id)
        if subject is None:
            return await self._refused(page, assembly_id, "no_current_item")
        call = service.request_floor(
            page.actor, assembly_id, subject.item_id, kind, subject=subject
        )
        return await self._act(page, assembly_id, call)

    @post("/assemblies/{assembly_id:int}/floor/withdraw", guards=[requires(may_read)])
    async def withdraw(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """Withdraw a request (``request``): one's own, or anyone's for a steward."""
        form = await page.form()
        await _heading(page.actor, assembly_id)
        request_id = whole_number(form.get("request"))
        console = form.get("from") == "console" and may_steward(page.actor)
        if request_id is None:
            return await self._refused(page, assembly_id, "request_not_waiting")
        call = service.withdraw(page.actor, request_id)
        return await self._act(page, assembly_id, call, console=console)

    @post("/assemblies/{assembly_id:int}/floor/category", guards=[requires(may_take_part)])
    async def category(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """The member declares their category for the balanced ordering."""
        form = await page.form()
        call = service.declare_category(
            page.actor,
            assembly_id,
            str(form.get("category", ""))[:200],
            may_be_shown=form.get("may_be_shown") == "1",
        )
        return await self._act(page, assembly_id, call)

    @post("/assemblies/{assembly_id:int}/mood/answer", guards=[requires(may_take_part)])
    async def answer(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        form = await page.form()
        await _heading(page.actor, assembly_id)
        mood_id = whole_number(form.get("mood"))
        if mood_id is None:
            return await self._refused(page, assembly_id, "unknown_choice")
        call = mood_service.answer(page.actor, mood_id, str(form.get("choice", ""))[:60])
        return await self._act(page, assembly_id, call)

    # -- the facilitator's console ------------------------------------------------------------

    @get("/assemblies/{assembly_id:int}/floor/console", guards=[requires(may_run_assemblies)])
    async def console(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        return await self._console(page, assembly_id)

    async def _console(
        self,
        page: Page,
        assembly_id: int,
        error: str = "",
        status_code: int = HTTP_200_OK,
    ) -> Template:
        state = await _state(page.actor, assembly_id)
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

    async def _item(self, actor: Actor, assembly_id: int) -> fq.Subject | None:
        """What is under discussion on the current item (None: no current item)."""
        await _heading(actor, assembly_id)
        return await fq.current_subject(actor.organisation.id, assembly_id)

    @post("/assemblies/{assembly_id:int}/floor/subject", guards=[requires(may_run_assemblies)])
    async def subject(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """Choose what is under discussion: the item (``subject`` "item"), one of its proposals
        ("p<id>") or one of their open amendments ("a<id>"); each has its own list."""
        form = await page.form()
        await _heading(page.actor, assembly_id)
        call = service.choose_subject(
            page.actor, assembly_id, str(form.get("subject", "item"))[:30]
        )
        return await self._act(page, assembly_id, call, console=True)

    @post("/assemblies/{assembly_id:int}/floor/give", guards=[requires(may_run_assemblies)])
    async def give(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """Give the floor to the next in order (or to ``request``), ending the current turn."""
        form = await page.form()
        subject = await self._item(page.actor, assembly_id)
        if subject is None:
            return await self._refused(page, assembly_id, "no_current_item", console=True)
        call = service.give_floor(
            page.actor,
            assembly_id,
            subject.item_id,
            whole_number(form.get("request")),
            subject=subject,
        )
        return await self._act(page, assembly_id, call, console=True)

    @post("/assemblies/{assembly_id:int}/floor/end", guards=[requires(may_run_assemblies)])
    async def end(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        subject = await self._item(page.actor, assembly_id)
        if subject is None:
            return await self._refused(page, assembly_id, "no_current_item", console=True)
        call = service.end_turn(page.actor, assembly_id, subject.item_id, subject=subject)
        return await self._act(page, assembly_id, call, console=True)

    @post("/assemblies/{assembly_id:int}/floor/move", guards=[requires(may_run_assemblies)])
    async def move(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """Move a waiting request one place up (``offset`` -1) or down (1)."""
        form = await page.form()
        await _heading(page.actor, assembly_id)
        request_id = whole_number(form.get("request"))
        offset = whole_number(form.get("offset"), low=-100, high=100)
        if request_id is None or offset is None:
            return await self._refused(page, assembly_id, "request_not_waiting", console=True)
        call = service.reorder(page.actor, request_id, offset)
        return await self._act(page, assembly_id, call, console=True)

    @post("/assemblies/{assembly_id:int}/floor/list", guards=[requires(may_run_assemblies)])
    async def list_status(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """Close the list to new requests (``status`` closed) or reopen it."""
        form = await page.form()
        subject = await self._item(page.actor, assembly_id)
        if subject is None:
            return await self._refused(page, assembly_id, "no_current_item", console=True)
        status = ListStatus.CLOSED if form.get("status") == "closed" else ListStatus.OPEN
        call = service.set_list_status(
            page.actor, assembly_id, subject.item_id, status, subject=subject
        )
        return await self._act(page, assembly_id, call, console=True)

    @post("/assemblies/{assembly_id:int}/floor/add", guards=[requires(may_steward)])
    async def add(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """A steward adds a member without a phone to the list."""
        form = await page.form()
        subject = await self._item(page.actor, assembly_id)
        member = whole_number(form.get("member"))
        console = may_run_assemblies(page.actor)
        if member is None or subject is None:
            code = "speaker_not_member" if subject is not None else "no_current_item"
            return await self._refused(page, assembly_id, code, console=console)
        kind = _offered(RequestKind, form.get("kind"), RequestKind.SPEAK)
        if kind is None:
            return await self._refused(page, assembly_id, "invalid_choice", console=console)
        call = service.request_floor(
            page.actor, assembly_id, subject.item_id, kind, for_member=member, subject=subject
        )
        return await self._act(page, assembly_id, call, console=console)

    @post("/assemblies/{assembly_id:int}/floor/rules", guards=[requires(may_run_assemblies)])
    async def rules(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        form = await page.form()
        ordering = _offered(Ordering, form.get("ordering"), Ordering.ARRIVAL)
        if ordering is None:
            return await self._refused(page, assembly_id, "invalid_choice", console=True)
        speaker = whole_number(form.get("speaker_minutes"), high=600)
        item = whole_number(form.get("item_minutes"), high=600)
        if speaker is None or item is None:
            return await self._refused(page, assembly_id, "bad_budget", console=True)
        call = service.set_rules(
            page.actor,
            assembly_id,
            ordering,
            category_label=str(form.get("category_label", ""))[:200],
            speaker_seconds=speaker * 60,
            item_seconds=item * 60,
        )
        return await self._act(page, assembly_id, call, console=True)

    @post("/assemblies/{assembly_id:int}/mood", guards=[requires(may_run_assemblies)])
    async def launch(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """Launch a mood check (never a vote)."""
        form = await page.form()
        kind = _offered(MoodKind, form.get("kind"), MoodKind.FIST_TO_FIVE)
        if kind is None:
            return await self._refused(page, assembly_id, "invalid_choice", console=True)
        options = str(form.get("options", "")).splitlines()
        call = mood_service.launch(
            page.actor, assembly_id, kind, str(form.get("question", "")), options
        )
        return await self._act(page, assembly_id, call, console=True)

    @post("/assemblies/{assembly_id:int}/mood/close", guards=[requires(may_run_assemblies)])
    async def close_mood(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        form = await page.form()
        await _heading(page.actor, assembly_id)
        mood_id = whole_number(form.get("mood"))
        if mood_id is None:
            return await self._refused(page, assembly_id, "mood_closed", console=True)
        call = mood_service.close(page.actor, mood_id)
        return await self._act(page, assembly_id, call, console=True)

    # -- the projector and the statistics ---------------------------------------------------

    @get("/assemblies/{assembly_id:int}/floor/projector", guards=[requires(may_read)])
    async def projector(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        state = await _state(page.actor, assembly_id)
        return page.render(
            "pages/floor/projector.html.jinja",
            fragment="partials/floor/_projector.html.jinja",
            **state,
        )

    @get("/assemblies/{assembly_id:int}/floor/stats", guards=[requires(may_run_assemblies)])
    async def stats(self, page: NamedDependency[Page], assembly_id: FromPath[int]) -> Template:
        """Speaking time per item, per speaker and per declared category."""
        heading = await _heading(page.actor, assembly_id)
        items = await fq.speaking_statistics(page.organisation.id, assembly_id)
        moods = await fq.moods_of(page.organisation.id, assembly_id)
        return page.render(
            "pages/floor/stats.html.jinja",
            assembly=heading,
            items=items,
            moods=moods,
            subject_label=subject_label,
            clock=core.clock,
            choice_label=choice_label,
            base=_base(page.actor, assembly_id),
        )
