"""Gatherings on the web (#20): the organisation's gatherings and the form that announces one;
a gathering's programme on a phone — « Maintenant », « Ensuite », « Mes sessions » and every
day's sessions, each linking to its assembly's page (agenda, speakers' list, mood checks,
ballots, projector); the form that adds a session; registering, choosing one's sessions; and
the welcome desk where stewards check registered participants in for the day.
"""

from __future__ import annotations

import re
from datetime import date, time
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from votes import i18n
from votes.db import gathering_queries as gq
from votes.db.gathering_queries import GatheringView, SessionView
from votes.i18n import gettext as _
from votes.services import gatherings as service
from votes.services.actors import may_administer, may_run_assemblies, may_steward
from votes.services.gatherings import SessionType
from votes.services.refusals import Refused
from votes.web.assembly_forms import typed
from votes.web.forms import FormErrors, Redisplay, name_search, whole_number
from votes.web.guards import requires
from votes.web.pages import Page, found
from votes.web.refusals import area, errors_on, form_errors, raise_if_not_found, row_form_errors

REFUSALS = area("gatherings")

GATHERING_FIELDS = ("title", "place", "first_day", "last_day", "description")
SESSION_FIELDS = ("title", "type", "day", "start", "end", "room", "description")
SHOWN_MAX = 200  # participants listed at the desk at once: the search finds the others


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # what a date input sends
_TIME = re.compile(r"[0-9]{2}:[0-9]{2}")  # what a time input sends: no seconds, no zone


def _day(value: str) -> date | None:
    """A date as a date input sends it, in the years a gathering may fall in; None else."""
    if not _DAY.fullmatch(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2999 else None


def _time(value: str) -> time | None:
    """A time of day as a time input sends it (« 14:05 »); None else."""
    if not _TIME.fullmatch(value):
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


def day_in_words(day: date) -> str:
    """« mardi 9 juin », "Tuesday 9 June", « dinsdag 9 juni »."""
    return format_date(day, format="EEEE d MMMM", locale=i18n.babel_locale())


def full_day(day: date) -> str:
    """« mardi 9 juin 2026 »."""
    return format_date(day, format="full", locale=i18n.babel_locale())


def session_day(session: SessionView, time_zone: str) -> str:
    """The day a session takes place on, in words and in the organisation's time zone."""
    return day_in_words(session.starts_at.astimezone(ZoneInfo(time_zone)).date())


def gathering_dates(gathering: GatheringView) -> str:
    """« du mardi 9 juin 2026 au samedi 13 juin 2026 », or the one day in words."""
    if gathering.first_day == gathering.last_day:
        return full_day(gathering.first_day)
    return _("from %(first)s to %(last)s") % {
        "first": full_day(gathering.first_day),
        "last": full_day(gathering.last_day),
    }


class GatheringsController(Controller):
    path = "/"

    # -- the organisation's gatherings -----------------------------------------------------------

    @get("/gatherings")
    async def gatherings(self, page: NamedDependency[Page]) -> Template:
        return await self._list(page, dict.fromkeys(GATHERING_FIELDS, ""))

    async def _list(
        self, page: Page, values: dict[str, str], again: Redisplay | None = None
    ) -> Template:
        listed = await gq.gatherings_of(page.organisation.id)
        return page.render_form(
            "pages/gatherings/list.html.jinja",
            again,
            gatherings=[(g, gathering_dates(g)) for g in listed],
            plans=may_run_assemblies(page.actor),
            values=values,
        )

    @post("/gatherings", guards=[requires(may_run_assemblies)])
    async def create(self, page: NamedDependency[Page]) -> Template | Redirect:
        values = typed(await page.form(), GATHERING_FIELDS)
        errors = FormErrors()
        first, last = _day(values["first_day"]), _day(values["last_day"])
        if first is None:
            errors.add("first_day", _("Give a date."))
        if last is None:
            errors.add("last_day", _("Give a date."))
        if first is not None and last is not None:
            try:
                gathering_id = await service.create_gathering(
                    page.actor,
                    values["title"],
                    first,
                    last,
                    place=values["place"],
                    description=values["description"],
                )
            except Refused as error:
                return await self._list(page, values, form_errors(error, REFUSALS))
            return page.see_other("gatherings", gathering_id)
        return await self._list(page, values, Redisplay(HTTP_422_UNPROCESSABLE_ENTITY, errors))

    # -- the programme ---------------------------------------------------------------------------

    @get("/gatherings/{gathering_id:int}")
    async def programme(self, page: NamedDependency[Page], gathering_id: FromPath[int]) -> Template:
        return await self._programme(page, gathering_id)

    async def _programme(
        self, page: Page, gathering_id: int, again: Redisplay | None = None
    ) -> Template:
        organisation_id = page.organisation.id
        gathering = found(await gq.gathering_view(organisation_id, gathering_id))
        zone = page.organisation.time_zone
        at = service.now()
        today = service.local_day(at, zone)
        member = page.actor.membership_id
        registered = member is not None and await gq.is_registered(gathering_id, member)
        chosen = (
            await gq.chosen_sessions(organisation_id, gathering_id, member)
            if registered and member is not None
            else set()
        )
        sessions = await gq.sessions_of(organisation_id, gathering_id)
        plan = service.programme(gathering, sessions, chosen, at, zone)
        arrived = (
            await gq.checked_in_at(gathering_id, member, today)
            if registered and member is not None
            else None
        )
        return page.render_form(
            "pages/gatherings/programme.html.jinja",
            again,
            gathering=gathering,
            dates=gathering_dates(gathering),
            plan=plan,
            days=[(day_in_words(day), day == today, shown) for day, shown in plan.by_day],
            session_days={
                s.assembly_id: day_in_words(service.local_day(s.starts_at, zone)) for s in sessions
            },
            chosen=chosen,
            registered=registered,
            arrived=arrived,
            today_on=gathering.holds(today),
            # « Ensuite » lists another day's sessions when today holds no more: with their day
            next_elsewhere=any(service.local_day(s.starts_at, zone) != today for s in plan.next_up),
            plans=may_run_assemblies(page.actor),
            steward=may_steward(page.actor),
        )

    @post("/gatherings/{gathering_id:int}/register")
    async def register(
        self, page: NamedDependency[Page], gathering_id: FromPath[int]
    ) -> Template | Redirect:
        """A member registers themself."""
        found(await gq.gathering_view(page.organisation.id, gathering_id))
        try:
            await service.register(page.actor, gathering_id)
        except Refused as error:
            return await self._programme(page, gathering_id, form_errors(error, REFUSALS))
        return page.see_other("gatherings", gathering_id)

    @post("/gatherings/{gathering_id:int}/sessions/{assembly_id:int}/choose")
    async def choose(
        self, page: NamedDependency[Page], gathering_id: FromPath[int], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        """Add a session to « mes sessions » (``chosen=1``) or take it off (``chosen=0``)."""
        found(await gq.gathering_view(page.organisation.id, gathering_id))
        if await gq.session_gathering(page.organisation.id, assembly_id) != gathering_id:
            raise NotFoundException()
        form = await page.form()
        try:
            await service.choose_session(
                page.actor, assembly_id, chosen=str(form.get("chosen", "1")) != "0"
            )
        except Refused as error:
            return await self._programme(page, gathering_id, form_errors(error, REFUSALS))
        return page.see_other("gatherings", gathering_id)

    # -- adding a session ------------------------------------------------------------------------

    @get("/gatherings/{gathering_id:int}/sessions/new", guards=[requires(may_run_assemblies)])
    async def new_session(
        self, page: NamedDependency[Page], gathering_id: FromPath[int]
    ) -> Template:
        values = dict.fromkeys(SESSION_FIELDS, "") | {"type": SessionType.WORKSHOP.value}
        return await self._session_form(page, gathering_id, values)

    async def _session_form(
        self, page: Page, gathering_id: int, values: dict[str, str], again: Redisplay | None = None
    ) -> Template:
        gathering = found(await gq.gathering_view(page.organisation.id, gathering_id))
        return page.render_form(
            "pages/gatherings/session_form.html.jinja",
            again,
            gathering=gathering,
            dates=gathering_dates(gathering),
            days=[(day.isoformat(), day_in_words(day)) for day in gathering.days],
            types=list(SessionType),
            values=values,
        )

    @post("/gatherings/{gathering_id:int}/sessions", guards=[requires(may_run_assemblies)])
    async def add_session(
        self, page: NamedDependency[Page], gathering_id: FromPath[int]
    ) -> Template | Redirect:
        values = typed(await page.form(), SESSION_FIELDS)
        errors = FormErrors()
        day, start, end = _day(values["day"]), _time(values["start"]), _time(values["end"])
        if day is None:
            errors.add("day", _("Choose one of the days of the gathering."))
        if start is None:
            errors.add("start", _("Give a time."))
        if end is None:
            errors.add("end", _("Give a time."))
        try:
            session_type = SessionType(values["type"])
        except ValueError:
            errors.add("type", _("Choose one of the options offered."))
        if errors or day is None or start is None or end is None:
            return await self._session_form(
                page, gathering_id, values, Redisplay(HTTP_422_UNPROCESSABLE_ENTITY, errors)
            )
        try:
            await service.add_session(
                page.actor,
                gathering_id,
                values["title"],
                session_type,
                day,
                start,
                end,
                room=values["room"],
                description=values["description"],
            )
        except Refused as error:
            return await self._session_form(
                page, gathering_id, values, row_form_errors(error, REFUSALS)
            )
        return page.see_other("gatherings", gathering_id)

    # -- the welcome desk ------------------------------------------------------------------------

    @get("/gatherings/{gathering_id:int}/check-in", guards=[requires(may_steward)])
    async def desk(
        self, page: NamedDependency[Page], gathering_id: FromPath[int], q: FromQuery[str] = ""
    ) -> Template:
        return await self._desk(page, gathering_id, name_search(q))

    async def _desk(
        self,
        page: Page,
        gathering_id: int,
        search: str,
        again: Redisplay | None = None,
        welcomed: str = "",
    ) -> Template:
        organisation_id = page.organisation.id
        gathering = found(await gq.gathering_view(organisation_id, gathering_id))
        today = service.local_day(service.now(), page.organisation.time_zone)
        listed = await gq.participants(organisation_id, gathering_id, today, search)
        arrived, registered = await gq.arrival_counts(organisation_id, gathering_id, today)
        admin = may_administer(page.actor)
        return page.render_form(
            "pages/gatherings/desk.html.jinja",
            again,
            fragment="partials/gatherings/_desk.html.jinja",
            gathering=gathering,
            today=day_in_words(today),
            today_on=gathering.holds(today),
            participants=listed[:SHOWN_MAX],
            more=max(len(listed) - SHOWN_MAX, 0),
            arrived=arrived,
            registered=registered,
            search=search,
            admin=admin,
            newcomers=(
                await gq.unregistered_members(organisation_id, gathering_id, search)
                if admin
                else []
            )[:SHOWN_MAX],
            welcomed=welcomed,
        )

    @post(
        "/gatherings/{gathering_id:int}/check-in/{membership_id:int}",
        guards=[requires(may_steward)],
    )
    async def check_in(
        self,
        page: NamedDependency[Page],
        gathering_id: FromPath[int],
        membership_id: FromPath[int],
    ) -> Template | Redirect:
        search = name_search((await page.form()).get("q", ""))
        today = service.local_day(service.now(), page.organisation.time_zone)
        try:
            await service.check_in(page.actor, gathering_id, membership_id, today)
        except Refused as error:
            return await self._desk(page, gathering_id, search, row_form_errors(error, REFUSALS))
        if page.htmx:
            everyone = await gq.participants(page.organisation.id, gathering_id, today)
            names = [p.name for p in everyone if p.membership_id == membership_id]
            return await self._desk(page, gathering_id, search, welcomed=names[0] if names else "")
        return self._back_to_desk(page, gathering_id, search)

    @post("/gatherings/{gathering_id:int}/participants", guards=[requires(may_administer)])
    async def register_member(
        self, page: NamedDependency[Page], gathering_id: FromPath[int]
    ) -> Template | Redirect:
        """An administrator registers a member of the organisation (``member``)."""
        form = await page.form()
        search = name_search(form.get("q", ""))
        member = whole_number(form.get("member", ""))
        try:
            if member is None:
                raise Refused("participant_not_member", "member")
            await service.register(page.actor, gathering_id, member)
        except Refused as error:
            raise_if_not_found(error)
            return await self._desk(page, gathering_id, search, errors_on("", error, REFUSALS))
        return self._back_to_desk(page, gathering_id, search)

    @staticmethod
    def _back_to_desk(page: Page, gathering_id: int, search: str) -> Redirect:
        query = f"?{urlencode({'q': search})}" if search else ""
        return page.see_other("gatherings", gathering_id, f"check-in{query}")
