"""The audit trail of an organisation, for its administrators: every act that matters, with
who and when, filtered and a page at a time; and whether the hash chain still verifies (a
broken chain is said plainly, with the first entry that no longer matches: nothing is
repaired)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from votes.db import audit_queries
from votes.db.audit_queries import AuditFilter
from votes.services import audit
from votes.services.actors import may_administer
from votes.web import audit_labels
from votes.web.forms import whole_number
from votes.web.guards import requires
from votes.web.pages import Page

MAX_PAGE = 1_000_000  # a page number beyond is no page (and its offset would overflow)


def _day(text: str, time_zone: str, *, end: bool = False) -> datetime | None:
    """The start of a typed day (YYYY-MM-DD) in the organisation's time zone; the start of the
    next day for an end date, so "until the 12th" includes the 12th. Bad input: no filter."""
    try:
        day = date.fromisoformat(text.strip())
        if end:
            day += timedelta(days=1)
    except (ValueError, OverflowError):  # OverflowError: "until 9999-12-31"
        return None
    return datetime.combine(day, time(), tzinfo=ZoneInfo(time_zone))


class AuditController(Controller):
    path = "/"

    @get("/audit", guards=[requires(may_administer)])
    async def log(
        self,
        page: NamedDependency[Page],
        action: FromQuery[str] = "",
        who: Annotated[str, QueryParameter(name="actor")] = "",
        subject: FromQuery[str] = "",
        about: FromQuery[str] = "",
        ident: Annotated[str, QueryParameter(name="number")] = "",
        since: FromQuery[str] = "",
        until: FromQuery[str] = "",
        page_number: FromQuery[str] = "1",
    ) -> Template:
        organisation = page.organisation
        # the subject as a kind in words and its number; a link's ``subject=ballot:12`` too
        about, ident = audit_labels.chosen_subject(about, ident, subject)
        chosen = AuditFilter(
            action=action[:60],
            actor_id=whole_number(who),
            subject=f"{about}:{ident}" if about or ident else "",
            since=_day(since, organisation.time_zone),
            until=_day(until, organisation.time_zone, end=True),
        )
        number = whole_number(page_number, low=1, high=MAX_PAGE) or 1
        found = await audit_queries.audit_page(organisation.id, chosen, number)
        subjects = [line.subject for line in found.lines]
        named = audit_labels.named_ids((line.subject, line.details) for line in found.lines)
        names = {
            "membership": await audit_queries.member_names(organisation.id, named["membership"]),
            "person": await audit_queries.person_names(organisation.id, named["person"]),
            **await audit_queries.subject_titles(
                organisation.id,
                {kind: audit_labels.subject_ids(subjects, kind) for kind in audit_labels.TITLED},
            ),
        }
        options = await audit_queries.option_labels(
            organisation.id, audit_labels.subject_ids(subjects, "ballot")
        )
        query = {"action": action, "actor": who, "about": about, "number": ident}
        query |= {"since": since, "until": until}
        kept = {key: value for key, value in query.items() if value}
        return page.render(
            "pages/audit/log.html.jinja",
            fragment="partials/audit/_entries.html.jinja",
            found=found,
            chain_break=await audit.verify_chain(organisation.id),
            actions=[
                (code, audit_labels.action_label(code))
                for code in await audit_queries.audit_actions(organisation.id)
            ],
            action_label=audit_labels.action_label,
            kinds=audit_labels.filter_kinds(about),
            subject_label=lambda subject: audit_labels.subject_label(subject, names),
            subject_link=lambda subject: "?" + urlencode({"subject": subject}),
            detail_items=lambda line: audit_labels.detail_items(
                line.details,
                line.action,
                options.get(audit_labels.ballot_of(line.subject) or 0),
                names,
            ),
            actors=await audit_queries.audit_actors(organisation.id),
            values=query,
            page_link=lambda n: "?" + urlencode({**kept, "page_number": n}),
        )
