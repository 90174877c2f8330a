"""The organisation's general-assembly rules: every member reads them (quorum and majority per
kind of assembly and convocation, proxies, colleges) with their sources; administrators see how
sure each source is and adjust the rules to their statutes, or go back to a preset."""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from votes.core.majority import BASES, COMPARISONS
from votes.core.rules import (
    CONVOCATIONS,
    MAX_NOTICE_DAYS,
    POSTAL_ON_ARRIVAL,
    POSTAL_ROOM_MOTIONS,
    PRESETS,
    Confidence,
    DecisionRule,
    MajorityRule,
    PostalRule,
    ProxyRule,
    QuorumRule,
    RuleProfile,
    Source,
    preset,
)
from votes.db import attendance_queries as aq
from votes.db.tables import GENERAL_ASSEMBLY_KINDS
from votes.i18n import gettext as _
from votes.services import rules as service
from votes.services.actors import Actor, may_administer
from votes.services.refusals import Refused
from votes.web.forms import FormErrors, Redisplay, whole_number
from votes.web.guards import requires
from votes.web.labels import N_
from votes.web.pages import Page
from votes.web.refusals import area, explain
from votes.web.rendering import see_other

KINDS = GENERAL_ASSEMBLY_KINDS
STATUTES = Source(Confidence.STATUTES, "Statuts de l'organisation (règle adaptée)")

PROBLEMS = {
    "share_invalid": N_("Write a share as a fraction (1/4) or a percentage (25 %), above 0."),
    "threshold_invalid": N_(
        "Write the majority as a fraction (2/3) or a percentage (66,67 %), between 0 and 100 %."
    ),
    "cap_invalid": N_("Write each cap as « category = 49 % », one per line, below 100 %."),
    "number_invalid": N_("Write a whole number."),
    "choice_invalid": N_("Choose one of the options offered."),
    "days_invalid": N_("Write a number of days between 0 and 60."),
    "time_invalid": N_("Write a time of day, for example 15:00."),
    "notice_invalid": N_("Write the notice period as a whole number of days, from 0 to %(num)d."),
}

REFUSALS = area("rules")


def parse_share(text: str, *, allow_one: bool) -> Fraction | None:
    """``"1/4"``, ``"25 %"``, ``"25"`` or ``"33,33 %"`` as an exact share; None if unreadable.

    >>> parse_share("1/4", allow_one=False), parse_share("33,33 %", allow_one=False)
    (Fraction(1, 4), Fraction(3333, 10000))
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        # ASCII digits, a few of them: \d takes "٣", and int() refuses 5,000 digits
        if re.fullmatch(r"[0-9]{1,9}/[0-9]{1,9}", cleaned):
            value = Fraction(cleaned)
        elif re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,9})?%?", cleaned):
            value = Fraction(cleaned.rstrip("%")) / 100
        else:
            return None
    except ZeroDivisionError:
        return None
    if value <= 0 or value > 1 or (value == 1 and not allow_one):
        return None
    return value


def share_text(share: Fraction | None) -> str:
    return "" if share is None else f"{share.numerator}/{share.denominator}"


def form_values(profile: RuleProfile) -> dict[str, str]:
    """The editing form's fields, filled from a profile."""
    values: dict[str, str] = {}
    for kind in KINDS:
        for convocation in CONVOCATIONS:
            rule = profile.rule_for(kind, convocation)
            name = f"{kind}-{convocation}"
            values[f"{name}-quorum"] = share_text(rule.quorum.share)
            values[f"{name}-threshold"] = share_text(rule.majority.threshold)
            values[f"{name}-comparison"] = rule.majority.comparison
            values[f"{name}-base"] = rule.majority.base
    values["proxy_kind"] = profile.proxies.kind
    values["proxy_fixed"] = "" if profile.proxies.fixed is None else str(profile.proxies.fixed)
    values["blank_proxies"] = profile.proxies.blank_proxies
    values["colleges"] = profile.colleges
    values["remote"] = "1" if profile.remote_counts_as_present else ""
    values["quorum_by_college"] = "1" if profile.quorum_by_college else ""
    values["secret_elections"] = "1" if profile.secret_ballot_for_elections else ""
    values["dual_control"] = "1" if profile.dual_control else ""
    values["postal_allowed"] = "1" if profile.postal.allowed else ""
    values["postal_days"] = str(profile.postal.days_before)
    values["postal_time"] = f"{profile.postal.hour:02d}:{profile.postal.minute:02d}"
    values["postal_room_motions"] = profile.postal.room_motions
    values["postal_on_arrival"] = profile.postal.on_arrival
    values["notice_days"] = str(profile.notice_days)
    values["caps"] = "\n".join(
        f"{name} = {share_text(cap)}" for name, cap in sorted(profile.category_caps.items())
    )
    return values


def read_profile(base: RuleProfile, form: FormMultiDict, errors: FormErrors) -> RuleProfile:
    """The adjusted profile the form describes; each unreadable field adds an error."""
    original = preset(base.key)
    rules: dict[tuple[str, str], DecisionRule] = {}
    for kind in KINDS:
        for convocation in CONVOCATIONS:
            rules[(kind, convocation)] = _read_rule(original, kind, convocation, form, errors)
    proxy_kind = _choice(form, "proxy_kind", ("scop", "fixed"), errors)
    fixed_text = str(form.get("proxy_fixed", "")).strip()
    fixed: int | None = None
    if fixed_text:
        fixed = whole_number(fixed_text, high=9999)
        if fixed is None:
            errors.add("proxy_fixed", _(PROBLEMS["number_invalid"]))
    proxies = ProxyRule(
        kind=proxy_kind,
        fixed=fixed,
        blank_proxies=_choice(form, "blank_proxies", ("with_management", "not_counted"), errors),
        source=original.proxies.source,
    )
    if (proxies.kind, proxies.fixed, proxies.blank_proxies) != (
        original.proxies.kind,
        original.proxies.fixed,
        original.proxies.blank_proxies,
    ):
        proxies = replace(proxies, source=STATUTES)
    adjusted = replace(
        base,
        rules=rules,
        proxies=proxies,
        colleges=_choice(form, "colleges", ("none", "allowed", "required"), errors),
        remote_counts_as_present=bool(form.get("remote")),
        quorum_by_college=bool(form.get("quorum_by_college")),
        secret_ballot_for_elections=bool(form.get("secret_elections")),
        dual_control=bool(form.get("dual_control")),
        category_caps=_read_caps(str(form.get("caps", ""))[:2000], errors),
        postal=_read_postal(base.postal, original.postal, form, errors),
        **_read_notice(original, form, errors),
    )
    return replace(adjusted, adjusted=adjusted != replace(original, adjusted=False))


_TIME = re.compile(r"^([01]?\d|2[0-3])[:h.]([0-5]\d)$")


def _read_postal(
    current: PostalRule, original: PostalRule, form: FormMultiDict, errors: FormErrors
) -> PostalRule:
    """The vote by correspondence: allowed, its deadline (days before the assembly,
    at a time of day), how it counts on motions raised in the room and when its voter comes.
    A form without these fields (an older page) keeps the profile's rule as it is."""
    if "postal_days" not in form:
        return current
    days = whole_number(str(form.get("postal_days", "")).strip()[:3], high=60)
    if days is None:
        errors.add("postal_days", _(PROBLEMS["days_invalid"]))
        days = current.days_before
    found = _TIME.match(str(form.get("postal_time", "")).strip()[:5])
    if found is None:
        errors.add("postal_time", _(PROBLEMS["time_invalid"]))
        hour, minute = current.hour, current.minute
    else:
        hour, minute = int(found.group(1)), int(found.group(2))
    rule = PostalRule(
        allowed=bool(form.get("postal_allowed")),
        days_before=days,
        hour=hour,
        minute=minute,
        room_motions=_choice(form, "postal_room_motions", POSTAL_ROOM_MOTIONS, errors),
        on_arrival=_choice(form, "postal_on_arrival", POSTAL_ON_ARRIVAL, errors),
        source=original.source,
    )
    before = original
    if replace(rule, source=before.source) != before:
        rule = replace(rule, source=STATUTES)
    return rule


def _choice(form: FormMultiDict, name: str, allowed: tuple[str, ...], errors: FormErrors) -> str:
    value = str(form.get(name, ""))
    if value not in allowed:
        errors.add(name, _(PROBLEMS["choice_invalid"]))
        return allowed[0]
    return value


def _read_rule(
    original: RuleProfile, kind: str, convocation: str, form: FormMultiDict, errors: FormErrors
) -> DecisionRule:
    name = f"{kind}-{convocation}"
    before = original.rule_for(kind, convocation)
    quorum_text = str(form.get(f"{name}-quorum", "")).strip()[:20]
    quorum = parse_share(quorum_text, allow_one=True) if quorum_text else None
    if quorum_text and quorum is None:
        errors.add(f"{name}-quorum", _(PROBLEMS["share_invalid"]))
    threshold = parse_share(str(form.get(f"{name}-threshold", ""))[:20], allow_one=False)
    if threshold is None:
        errors.add(f"{name}-threshold", _(PROBLEMS["threshold_invalid"]))
        threshold = before.majority.threshold
    rule = DecisionRule(
        quorum=QuorumRule(quorum, before.quorum.base, before.quorum.counts),
        majority=MajorityRule(
            threshold,
            _choice(form, f"{name}-comparison", COMPARISONS, errors),
            _choice(form, f"{name}-base", BASES, errors),
            before.majority.invalid_in_base,
        ),
        source=before.source,
    )
    if (rule.quorum, rule.majority) != (before.quorum, before.majority):
        rule = replace(rule, source=STATUTES)
    return rule


def _read_notice(original: RuleProfile, form: FormMultiDict, errors: FormErrors) -> dict[str, Any]:
    """The convocation's notice period (whole days); the statutes are its source once changed."""
    days = whole_number(str(form.get("notice_days", "")).strip()[:4], high=MAX_NOTICE_DAYS)
    if days is None:
        errors.add("notice_days", _(PROBLEMS["notice_invalid"]) % {"num": MAX_NOTICE_DAYS})
        return {}
    source = original.notice_source if days == original.notice_days else STATUTES
    return {"notice_days": days, "notice_source": source}


def _read_caps(text: str, errors: FormErrors) -> dict[str, Fraction]:
    caps: dict[str, Fraction] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _sep, share = line.rpartition("=")
        value = parse_share(share, allow_one=False)
        if not name.strip() or value is None:
            errors.add("caps", _(PROBLEMS["cap_invalid"]))
            continue
        caps[name.strip()[:80]] = value
    return caps


class RulesController(Controller):
    path = "/rules"

    @get("/")
    async def show(self, page: NamedDependency[Page]) -> Template:
        profile = await service.organisation_profile(page.organisation.id)
        return await self._page(page, profile, form_values(profile))

    async def _page(
        self,
        page: Page,
        profile: RuleProfile,
        values: dict[str, str],
        again: Redisplay | None = None,
    ) -> Template:
        organisation_id = page.organisation.id
        return page.render_form(
            "pages/rules/profile.html.jinja",
            again,
            profile=profile,
            rows=[
                (kind, convocation, profile.rule_for(kind, convocation))
                for kind in KINDS
                for convocation in CONVOCATIONS
            ],
            members=len(await aq.voting_members(organisation_id)),
            setup=await service.college_setup(organisation_id, profile),
            presets=list(PRESETS),
            values=values,
            kinds=KINDS,
            convocations=CONVOCATIONS,
            bases=BASES,
            comparisons=COMPARISONS,
        )

    @post("/", guards=[requires(may_administer)])
    async def save(self, page: NamedDependency[Page]) -> Template | Redirect:
        current = await service.organisation_profile(page.organisation.id)
        form = await page.form()
        errors = FormErrors()
        adjusted = read_profile(current, form, errors)
        if not errors and await _save(page.actor, adjusted, "", errors):
            return _saved(page)
        values = {name: str(form.get(name, ""))[:2000] for name in form_values(current)}
        return await self._page(page, current, values, Redisplay(422, errors))

    @post("/preset", guards=[requires(may_administer)])
    async def choose_preset(self, page: NamedDependency[Page]) -> Template | Redirect:
        key = str((await page.form()).get("preset", ""))
        current = await service.organisation_profile(page.organisation.id)
        errors = FormErrors()
        if key not in PRESETS:
            errors.add("preset", _(PROBLEMS["choice_invalid"]))
        elif await _save(page.actor, preset(key), "preset", errors):
            return _saved(page)
        return await self._page(page, current, form_values(current), Redisplay(422, errors))


async def _save(actor: Actor, profile: RuleProfile, field: str, errors: FormErrors) -> bool:
    """Save ``profile``; a refusal is said on ``field`` (empty: the whole form)."""
    try:
        await service.save_profile(actor, profile)
    except Refused as error:
        errors.add(field, explain(error, REFUSALS).message)
        return False
    return True


def _saved(page: Page) -> Redirect:
    return see_other(f"{page.path('rules')}?saved=1")
