"""The Jinja environment: i18n, safe Markdown, dates and numbers in the reader's language."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, get_datetime_format
from babel.numbers import format_decimal
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from votes import i18n
from votes.core.explain import format_percent
from votes.db.tables import GENERAL_ASSEMBLY_KINDS
from votes.paths import TEMPLATES_DIR
from votes.services.events import now_ms
from votes.web.labels import label
from votes.web.markdown import render_markdown
from votes.web.static_assets import static_url


def make_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        # templates ship with the code and change with it: no file check on every render
        # (checking each template's and each include's mtime cost a few % of a busy server)
        auto_reload=False,
        autoescape=select_autoescape(["jinja", "html"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
    )
    environment.filters.update(
        markdown=render_markdown,
        datetime=format_when,
        number=format_number,
        percent=format_share,
        option_label=lambda key, labels: labels.get(key, key),
    )
    environment.tests["general_assembly"] = lambda kind: kind in GENERAL_ASSEMBLY_KINDS
    environment.globals.update(
        label=label,
        org_path=org_path,
        punct=punctuation,
        static=static_url,
        current_language=i18n.current_language.get,
        live_since=now_ms,  # a page's render time: its live stream catches up from there
        LANGUAGES=i18n.LANGUAGES,
        LANGUAGE_NAMES=i18n.LANGUAGE_NAMES,
    )
    return environment


def format_when(
    value: datetime | None, time_zone: str = "Europe/Paris", style: str = "medium"
) -> str:
    """A date and time in the organisation's time zone, written the reader's way.

    Every page writes one style, the date in words and the time in minutes (« 6 décembre 2026,
    03:04 »), whichever of ``"medium"`` and ``"short"`` it asks; ``"exact"`` keeps the seconds,
    for a receipt whose exact time matters; ``"time"`` is the hour and minutes only;
    ``"words"`` writes it as a record does: « samedi 5 décembre 2026 à 8 h », "Saturday 5
    December 2026 at 8:00"."""
    if value is None:
        return ""
    zone, locale = ZoneInfo(time_zone), i18n.babel_locale()
    if style == "time":  # people read minutes: « 14:05 »
        return format_time(value, format="short", tzinfo=zone, locale=locale)
    if style == "exact":
        return format_datetime(value, format="medium", tzinfo=zone, locale=locale)
    if style == "words":
        language = i18n.current_language.get()
        local = value.astimezone(zone)
        day = format_date(local, format="full", locale=language)
        if language == "fr":
            hour = f"{local.hour} h" + (f" {local.minute:02d}" if local.minute else "")
            return f"{day} à {hour}"
        return f"{day} at {local.hour}:{local.minute:02d}"
    local = value.astimezone(zone)
    pattern = str(get_datetime_format("long", locale=locale)).replace("'", "")
    day = format_date(local, format="long", locale=locale)
    return pattern.replace("{0}", format_time(local, format="short", locale=locale)).replace(
        "{1}", day
    )


@pass_context
def org_path(context: Context, *parts: object, of: Any = None) -> str:
    """The path of a page of an organisation: the one addresses of templates are written with.

    Every page under ``/o/{short_name}`` has ``organisation`` in its context, which the helper
    reads, so a template names only what follows: ``org_path("assemblies", 4, "attendance")``
    is ``/o/coop/assemblies/4/attendance``. Queries and fragments stay the template's:
    ``{{ org_path("ballots", ballot.id) }}?change=1``.

    Args:
        context: the template's context (Jinja passes it).
        *parts: the segments after the short name, each after one ``/``. A literal part may
            hold several (``"members/codes"``); a last part ending in ``/`` keeps its slash
            (``org_path("members/")``), and ``org_path("")`` is the home page, ``/o/coop/``.
            Short names are slugs and ids numbers: nothing to encode in them; a part made from
            other data is percent-encoded, ``/`` excepted, so that a ``?`` or a ``#`` in it
            stays inside the path.
        of: another organisation (anything with a ``short_name``). Jinja hands the helper
            the template's context, which a loop's variables do not reliably reach (neither
            ``{% for organisation in … %}`` nor a ``{% set %}`` in an outer loop): a page
            listing several organisations names each one with ``of``.

    Returns:
        The absolute path, e.g. ``/o/coop/ballots/12``.
    """
    organisation = context["organisation"] if of is None else of
    short_name = context.environment.getattr(organisation, "short_name")
    return f"/o/{short_name}" + "".join("/" + quote(str(part), safe="/") for part in parts)


def punctuation(mark: str) -> str:
    """A ``;``, ``:``, ``?`` or ``!`` written between two pieces of a template, the reader's
    way: French puts a non-breaking space before it, English and Dutch nothing."""
    return ("\u00a0" + mark) if i18n.current_language.get() == "fr" else mark


def format_number(value: Any) -> str:
    """Exact numbers for people: ``Fraction`` shown with up to 5 decimals, never rounded up."""
    if isinstance(value, Fraction) and value.denominator != 1:
        truncated = Fraction(int(value * 100000), 100000)
        return format_decimal(float(truncated), format="#,##0.#####", locale=i18n.babel_locale())
    return format_decimal(int(value), locale=i18n.babel_locale())


def format_share(value: Fraction | float) -> str:
    """A share (0 to 1) as the count's explanation writes it: rounded half up to a tenth,
    « 58,3 % » in French (a no-break space before the sign), "58.3%" in English."""
    return format_percent(Fraction(value).limit_denominator(10**9), i18n.current_language.get())
