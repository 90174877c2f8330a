"""Preparing ballots: the list, the creation form, duplicating, and a draft's settings."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from babel.numbers import format_decimal
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from votes.core import METHODS
from votes.db import agenda_queries, network_queries
from votes.db import ballot_queries as bq
from votes.db.ballot_queries import BallotView
from votes.db.tables import BallotStatus
from votes.i18n import babel_locale
from votes.i18n import gettext as _
from votes.services.actors import Actor, may_run_assemblies, may_run_ballots
from votes.services.ballots import drafts, network_counts
from votes.services.refusals import Refused
from votes.web import voting
from votes.web.controllers.ballots.common import console_again
from votes.web.forms import FormErrors, whole_number
from votes.web.guards import requires
from votes.web.pages import Page, found
from votes.web.refusals import explain
from votes.web.voting import ballot_or_404


def _new_page(
    page: Page,
    heading: bq.AssemblyHeading,
    values: dict[str, str],
    errors: FormErrors,
    status_code: int = HTTP_200_OK,
    editing: BallotView | None = None,
    agenda_items: tuple[tuple[int, str], ...] | list[tuple[int, str]] = (),
    network: bool = False,
) -> Template:
    """The ballot form: a new ballot, or (``editing``) a draft's settings to correct; in a
    network (``network``), with the count that decides (#20)."""
    return page.render(
        "pages/ballots/new.html.jinja",
        status_code=status_code,
        assembly=heading,
        values=values,
        errors=errors,
        methods=METHODS,
        editing=editing,
        agenda_items=agenda_items,
        # what the form shows for each method (static/js/ballot-form.js)
        option_defaults={
            method: "\n".join(label for _key, label in drafts.default_options(method))
            for method in METHODS
        },
        multi_seat=sorted(drafts.MULTI_SEAT_METHODS),
        network=network,
    )


async def _heading(actor: Actor, assembly_id: int) -> bq.AssemblyHeading:
    """The assembly a ballot is prepared in, or 404."""
    return found(await bq.assembly_heading(actor.organisation.id, assembly_id))


async def _draft(page: Page, ballot_id: int) -> tuple[BallotView, bq.AssemblyHeading] | Template:
    """The draft to edit and its assembly, or the console saying it can no longer be
    edited (409)."""
    ballot = await ballot_or_404(page.actor, ballot_id)
    heading = await _heading(page.actor, ballot.assembly_id)
    if ballot.status != BallotStatus.DRAFT:
        return await _not_editable(page, ballot)
    return ballot, heading


async def _not_editable(page: Page, ballot: BallotView) -> Template:
    return await console_again(page, ballot.id, Refused("not_editable", field="edit"))


def _copy_of(ballot: BallotView) -> drafts.BallotSettings:
    """A new draft's settings, the same as ``ballot``'s: filed in the same place, with the
    same question, method, options and rules."""
    return drafts.BallotSettings(
        question=ballot.question,
        method=ballot.method,
        options=[(option.key, option.label) for option in ballot.options],
        agenda_item_id=ballot.agenda_item_id,
        proposal_id=ballot.proposal_id,
        seats=ballot.seats,
        secret=ballot.secret,
        is_test=ballot.is_test,
        allow_change=ballot.allow_change,
        duration_seconds=ballot.duration_seconds,
        facilitated=ballot.phase != "none",  # a facilitated round never comes back to none
        rules=dict(ballot.rules),
    )


def _typed(form: Any) -> dict[str, str]:
    """The ballot form's fields as typed (each cut to a length no field needs)."""
    return {name: str(form.get(name, ""))[:5000] for name in _NEW_FIELDS}


_NEW_FIELDS = (
    "question",
    "method",
    "options",
    "seats",
    "secret",
    "is_test",
    "allow_change",
    "days",
    "hours",
    "minutes",
    "facilitated",
    "threshold",
    "base",
    "max_selections",
    "scale_max",
    "rule",  # general assemblies: "profile" (the default) or "ballot"
    "management",
    "decides",  # a network's ballot (#20): "cooperative" (the default) or "head"
)


# the rules the ballot form sets (an edit keeps the others: a lot's seed, a minimum of approvals)
_FORM_RULES = frozenset(
    {
        "threshold",
        "base",
        "rule",
        "management_supports",
        "max_selections",
        "scale",
        network_counts.DECIDES_KEY,
    }
)


def _form_values(ballot: BallotView) -> dict[str, str]:
    """A draft's settings as the ballot form's fields (what ``_read_settings`` reads back)."""
    rules = ballot.rules
    duration = ballot.duration_seconds

    def checked(on: bool) -> str:
        return "1" if on else ""

    return {
        "question": ballot.question,
        "method": ballot.method,
        "options": "\n".join(option.label for option in ballot.options),
        "seats": str(ballot.seats),
        "secret": checked(ballot.secret),
        "is_test": checked(ballot.is_test),
        "allow_change": checked(ballot.allow_change),
        **_duration_fields(duration),
        "facilitated": checked(ballot.phase == "questions"),
        "threshold": str(rules.get("threshold", "1/2")),
        "base": str(rules.get("base", "")),
        "max_selections": str(rules.get("max_selections", "")),
        "scale_max": str(rules["scale"][1]) if rules.get("scale") else "",
        "rule": "ballot" if rules.get("rule") == "ballot" else "profile",
        "management": checked(bool(rules.get("management_supports"))),
        "decides": network_counts.deciding_count(rules),
    }


def _read_settings(
    values: dict[str, str], errors: FormErrors, *, network: bool = False
) -> drafts.BallotSettings | None:
    """The creation form's fields, read; problems become errors on their field (``network``:
    the organisation is a network, whose ballots say which count decides)."""
    method = values["method"] if values["method"] in METHODS else ""
    if not method:
        errors.add("method", explain("unknown_method", voting.REFUSALS).message)
    labels = [line.strip() for line in values["options"].splitlines() if line.strip()]
    if method not in drafts.RESPONSE_METHODS and labels in _response_answers():
        # "Pour / Contre / Abstention" left from the majority form are not candidates
        errors.add("options", explain("too_few_options", voting.REFUSALS).message)
    fixed = dict(drafts.default_options(method))
    keys = list(fixed) if method in drafts.RESPONSE_METHODS - {"plurality"} else []
    if keys and len(labels) != len(keys):
        labels = list(fixed.values())  # the method's own responses
    options = (
        list(zip(keys, labels, strict=True))
        if keys
        else [(f"o{n}", label) for n, label in enumerate(labels, start=1)]
    )
    if len(values["question"].strip()) > drafts.QUESTION_MAX:  # said, not cut
        errors.add("question", explain("question_required", voting.REFUSALS).message)
    if labels and drafts.same_labels(labels):
        errors.add("options", explain("same_label", voting.REFUSALS).message)
    seats = _small_int(values["seats"] or "1", "seats", errors, high=drafts.SEATS_MAX)
    duration = _read_duration(values, errors)
    rules: dict[str, Any] = {}
    if method == "majority":
        rules["threshold"] = values["threshold"].strip() or "1/2"
        if drafts.threshold_share(rules["threshold"]) is None:
            errors.add("threshold", explain("bad_threshold", voting.REFUSALS).message)
        if values["base"] in ("cast", "cast_and_abstentions", "members"):
            rules["base"] = values["base"]
        if values["rule"] == "ballot":
            rules["rule"] = "ballot"  # else the assembly's rules judge it, if they govern it
        if values["management"]:
            rules["management_supports"] = True
    if network:
        rules[network_counts.DECIDES_KEY] = network_counts.deciding_count(
            {network_counts.DECIDES_KEY: values["decides"]}
        )
        if rules.get("base") == "members":
            errors.add("base", explain("network_base_members", voting.REFUSALS).message)
    if method == "approval" and values["max_selections"]:
        rules["max_selections"] = _small_int(
            values["max_selections"], "max_selections", errors, high=drafts.OPTIONS_MAX
        )
    if method == "score" and values["scale_max"]:
        rules["scale"] = [0, _small_int(values["scale_max"], "scale_max", errors, high=SCALE_MAX)]
    if errors:
        return None
    return drafts.BallotSettings(
        question=values["question"],
        method=method,
        options=options,
        seats=seats,
        secret=bool(values["secret"]),
        is_test=bool(values["is_test"]),
        allow_change=bool(values["allow_change"]),
        duration_seconds=duration or None,
        facilitated=bool(values["facilitated"]),
        rules=rules,
    )


# each part of the countdown: its form field, its length in seconds, the most it takes alone
_DURATION_PARTS = (
    ("days", 86400, drafts.DURATION_DAYS_MAX),
    ("hours", 3600, drafts.DURATION_MAX // 3600),
    ("minutes", 60, drafts.DURATION_MAX // 60),
)


def _duration_fields(duration: int | None) -> dict[str, str]:
    """A countdown as the form writes it: days, hours and minutes (a partial minute counts
    as one), each empty when nothing."""
    left = -(-duration // 60) * 60 if duration else 0
    fields: dict[str, str] = {}
    for name, seconds, _high in _DURATION_PARTS:
        fields[name] = str(left // seconds) if left >= seconds else ""
        left %= seconds
    return fields


def _read_duration(values: dict[str, str], errors: FormErrors) -> int:
    """The countdown typed as days, hours and minutes, in seconds (0: none). People think of a
    decision between assemblies in days, of a vote in the room in minutes."""
    total = 0
    for name, seconds, high in _DURATION_PARTS:
        typed = values[name].strip()
        if not typed:
            continue
        number = whole_number(typed, low=0, high=high)
        if number is None:
            bounds = {"low": 0, "high": format_decimal(high, locale=babel_locale())}
            errors.add(name, _("Write a whole number from %(low)s to %(high)s.") % bounds)
            continue
        total += number * seconds
    if total > drafts.DURATION_MAX and not errors.of("days"):
        errors.add("days", explain("bad_duration", voting.REFUSALS).message)
    return total


def _response_answers() -> list[list[str]]:
    """Each response method's own answers in the current language, as a form lists them."""
    answers = (drafts.default_options(method) for method in METHODS)
    return [[label for _key, label in options] for options in answers if options]


SCALE_MAX = 100  # the highest score a score ballot's scale may offer


def _small_int(value: str, name: str, errors: FormErrors, *, high: int) -> int:
    """A whole number from 1 to ``high``; else the field says the range it takes."""
    number = whole_number(value, low=1, high=high)
    if number is None:
        bounds = {"low": 1, "high": format_decimal(high, locale=babel_locale())}
        errors.add(name, _("Write a whole number from %(low)s to %(high)s.") % bounds)
        return 0
    return number


async def _chosen_item(
    actor: Actor, assembly_id: int, chosen: Any, errors: FormErrors
) -> int | None:
    """The agenda item the facilitator filed the new ballot under (one of this assembly's,
    or none); a form without the field (an older page) files it under the current item. An
    item that is not this assembly's (another assembly's, a stale page) is said, not ignored."""
    if chosen is None:
        return await _current_item(actor, assembly_id)
    if not str(chosen).strip():
        return None
    items = await agenda_queries.agenda_titles(actor.organisation.id, assembly_id)
    item_id = next((item for item, _title in items if str(item) == str(chosen).strip()), None)
    if item_id is None:
        errors.add("agenda_item", _("This agenda item is not one of this assembly's."))
    return item_id


async def _current_item(actor: Actor, assembly_id: int) -> int | None:
    return await bq.current_item_id(actor.organisation.id, assembly_id)


class BallotDraftsController(Controller):
    path = "/"

    @get("/ballots", guards=[requires(may_run_ballots)])
    async def ballot_list(self, page: NamedDependency[Page]) -> Template:
        """A facilitator's list of every ballot, whatever made it and wherever it is filed."""
        return page.render(
            "pages/ballots/list.html.jinja",
            lines=await agenda_queries.organisation_ballots(page.organisation.id),
        )

    @get("/assemblies/{assembly_id:int}/ballots/new", guards=[requires(may_run_assemblies)])
    async def new_ballot(
        self,
        page: NamedDependency[Page],
        assembly_id: FromPath[int],
        method: FromQuery[str] = "majority",
    ) -> Template:
        heading = await _heading(page.actor, assembly_id)
        method = method if method in METHODS else "majority"
        defaults = drafts.default_options(method)
        values = {
            "method": method,
            "options": "\n".join(label for _key, label in defaults),
            "seats": "1",
            "threshold": "1/2",
            "agenda_item": str(await _current_item(page.actor, assembly_id) or ""),
        }
        items = await agenda_queries.agenda_titles(page.organisation.id, assembly_id)
        network = await network_queries.is_network(page.organisation.id)
        return _new_page(page, heading, values, FormErrors(), agenda_items=items, network=network)

    @post(
        "/assemblies/{assembly_id:int}/ballots",
        guards=[requires(may_run_assemblies)],
    )
    async def create(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template | Redirect:
        actor = page.actor
        heading = await _heading(actor, assembly_id)
        form = await page.form()
        values = _typed(form)
        values["agenda_item"] = str(form.get("agenda_item", ""))[:20]
        errors = FormErrors()
        network = await network_queries.is_network(actor.organisation.id)
        settings = _read_settings(values, errors, network=network)
        item_id = await _chosen_item(actor, assembly_id, form.get("agenda_item"), errors)
        if settings is not None and not errors:
            try:
                ballot_id = await drafts.create_draft(
                    actor, assembly_id, replace(settings, agenda_item_id=item_id)
                )
            except Refused as error:
                errors.add(error.field, explain(error, voting.REFUSALS).message)
            else:
                return page.see_other("ballots", ballot_id, "console")
        items = await agenda_queries.agenda_titles(actor.organisation.id, assembly_id)
        return _new_page(page, heading, values, errors, 422, agenda_items=items, network=network)

    @get("/assemblies/{assembly_id:int}/ballots", guards=[requires(may_run_assemblies)])
    async def assembly_ballots(
        self, page: NamedDependency[Page], assembly_id: FromPath[int]
    ) -> Template:
        """The facilitator's list of every ballot of the assembly, with its console and a copy."""
        return page.render(
            "pages/ballots/assembly_list.html.jinja",
            assembly=await _heading(page.actor, assembly_id),
            ballots=await bq.ballots_of_assembly(page.organisation.id, assembly_id),
        )

    @post("/ballots/{ballot_id:int}/duplicate", guards=[requires(may_run_assemblies)])
    async def duplicate(self, page: NamedDependency[Page], ballot_id: FromPath[int]) -> Redirect:
        """A new draft with the same question, method, options and rules (e.g. a second round,
        or the same vote on the next resolution), opened on its settings to adjust."""
        ballot = await ballot_or_404(page.actor, ballot_id)
        copy_id = await drafts.create_draft(page.actor, ballot.assembly_id, _copy_of(ballot))
        return page.see_other("ballots", copy_id, "settings")

    @get("/ballots/{ballot_id:int}/settings", guards=[requires(may_run_assemblies)])
    async def edit_draft_form(
        self, page: NamedDependency[Page], ballot_id: FromPath[int]
    ) -> Template:
        """The creation form again, filled with a draft's settings, to correct them."""
        draft = await _draft(page, ballot_id)
        if isinstance(draft, Template):
            return draft
        ballot, heading = draft
        network = await network_queries.is_network(page.organisation.id)
        return _new_page(
            page, heading, _form_values(ballot), FormErrors(), editing=ballot, network=network
        )

    @post("/ballots/{ballot_id:int}/settings", guards=[requires(may_run_assemblies)])
    async def edit_draft(
        self, page: NamedDependency[Page], ballot_id: FromPath[int]
    ) -> Template | Redirect:
        draft = await _draft(page, ballot_id)
        if isinstance(draft, Template):
            return draft
        ballot, heading = draft
        values = _typed(await page.form())
        errors = FormErrors()
        network = await network_queries.is_network(page.organisation.id)
        settings = _read_settings(values, errors, network=network)
        if settings is not None:
            if settings.method == ballot.method:  # rules the form does not show are kept
                kept = {k: v for k, v in ballot.rules.items() if k not in _FORM_RULES}
                settings = replace(settings, rules={**kept, **(settings.rules or {})})
            try:
                await drafts.edit_draft(page.actor, ballot.id, settings)
            except Refused as error:
                if error.code == "not_editable":  # opened meanwhile
                    return await _not_editable(page, ballot)
                errors.add(error.field, explain(error, voting.REFUSALS).message)
            else:
                return page.see_other("ballots", ballot.id, "console")
        return _new_page(page, heading, values, errors, 422, editing=ballot, network=network)
