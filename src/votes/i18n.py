"""French, English and Dutch, from the first string on.

Message ids are English; ``locale/<lang>/LC_MESSAGES/*.po`` hold the translations, one file per
area of the app (``messages.po`` for the shell, others beside it), merged at load. The catalogs
are compiled in memory at start (no build step, no ``.mo`` files to forget), and the language of
the current request lives in a ContextVar so that templates, forms and services all speak it
without passing it around.
"""

from __future__ import annotations

import gettext as gettext_module
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

# Dutch for the Flemish members of Belgian cooperatives (nl-BE wording: vennoot, volmacht…)
LANGUAGES = ("fr", "en", "nl")
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "nl": "Nederlands"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

current_language: ContextVar[str] = ContextVar("current_language", default="fr")

# dates and numbers are written the way the readers of each language write them: Dutch readers
# are Flemish members of Belgian cooperatives (5/12/2026, not the Netherlands' 05-12-2026)
_BABEL_LOCALES = {"nl": "nl_BE"}


def babel_locale(language: str | None = None) -> str:
    """The Babel locale that writes dates and numbers for ``language`` (default: the current one).

    >>> babel_locale("nl"), babel_locale("fr")
    ('nl_BE', 'fr')
    """
    language = language or current_language.get()
    return _BABEL_LOCALES.get(language, language)


def catalog_files(language: str) -> list[Path]:
    return sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po"))


@cache
def translations(language: str) -> gettext_module.NullTranslations:
    """The compiled catalogs of ``language`` (English falls back to the message ids)."""
    merged: gettext_module.NullTranslations = gettext_module.NullTranslations()
    for po_path in catalog_files(language):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        area = gettext_module.GNUTranslations(buffer)
        area.add_fallback(merged)
        merged = area
    return merged


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(current_language.get()).pgettext(context, message)


_ = gettext


def first_choice(accept_language: str | None) -> str | None:
    """The language an ``Accept-Language`` header ranks first, if it is one we speak: only
    then is it the reader's clear choice (a German phone listing English as a fallback has not
    chosen English over its cooperative's French).

    >>> first_choice("en-GB,en;q=0.9,fr;q=0.8")
    'en'
    >>> first_choice("nl-BE,nl;q=0.9,fr-BE;q=0.8")
    'nl'
    >>> first_choice("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7") is None
    True
    """
    ranked = _ranked(accept_language)
    return ranked[0] if ranked and ranked[0] in LANGUAGES else None


def best_language(accept_language: str | None) -> str | None:
    """The first supported language an ``Accept-Language`` header asks for, by quality.

    >>> best_language("en-GB,en;q=0.9,fr;q=0.8")
    'en'
    >>> best_language("de, fr-BE;q=0.5") is None or best_language("de, fr-BE;q=0.5")
    'fr'
    >>> best_language("de") is None
    True
    """
    return next((language for language in _ranked(accept_language) if language in LANGUAGES), None)


def _ranked(accept_language: str | None) -> list[str]:
    """The header's primary language tags, most wanted first (quality, then order)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary and primary != "*" and quality > 0:
            ranked.append((-quality, index, primary))
    return [language for _, _, language in sorted(ranked)]
