"""Documents of record (the procès-verbal, the attendance register): their view models, their
HTML in a chosen language, and their PDF.

A document is written in its own language (the minutes' language), whatever the reader's
interface language is, so it is rendered with a dedicated Jinja environment while the gettext
language is switched for the duration. PDFs are made by WeasyPrint from the same HTML and the
print stylesheet, in a worker thread so the event loop keeps serving the room.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import anyio.to_thread
from jinja2 import Environment

from votes import i18n
from votes.core.results import TallyError, TallyResult, Verdict
from votes.core.rules import RuleProfile
from votes.db.minutes_queries import AssemblyRecord, MinutesRow, Resolution
from votes.paths import STATIC_DIR
from votes.web import voting
from votes.web.templating import make_environment

DOCUMENT_TEMPLATE = "partials/minutes/_document.html.jinja"
ATTENDANCE_TEMPLATE = "partials/minutes/_attendance_sheet.html.jinja"
PRINT_STYLESHEET = STATIC_DIR / "css" / "minutes.css"
MAJORITY_COUNTS = ("yes", "no", "abstain", "blank", "invalid")


@cache
def _environment() -> Environment:
    return make_environment()


@contextmanager
def written_in(language: str) -> Iterator[None]:
    """Speak ``language`` (gettext, labels, dates) for the duration of the block."""
    token = i18n.current_language.set(language)
    try:
        yield
    finally:
        i18n.current_language.reset(token)


@dataclass(frozen=True, slots=True)
class QuorumView:
    members: int  # members with voting rights
    required: int | None  # None: the rules ask for no quorum
    participants: int | None  # None: attendance is not recorded in the platform
    rule_reference: str

    @property
    def reached(self) -> bool | None:
        if self.participants is None:
            return None
        return self.required is None or self.participants >= self.required


@dataclass(frozen=True, slots=True)
class ResolutionView:
    resolution: Resolution
    result: TallyResult | None
    explanation: list[str]
    counts: list[tuple[str, Any]]  # (option key, exact total) in display order
    winners: list[str]  # labels of the elected options
    verdict: str | None  # adopted, rejected, no_quorum, blocked

    @property
    def adopted(self) -> bool:
        return self.verdict == Verdict.ADOPTED.value


def resolution_view(resolution: Resolution, language: str) -> ResolutionView:
    if resolution.result_json is None:
        return ResolutionView(resolution, None, [], [], [], None)
    result = TallyResult.from_json(resolution.result_json)
    labels = resolution.labels
    if result.method == "majority":
        counts = [(key, result.details.get(key, 0)) for key in MAJORITY_COUNTS]
        counts = [(k, v) for k, v in counts if v or k in ("yes", "no", "abstain")]
    else:
        first = result.rounds[0].totals if result.rounds else {}
        counts = [(key, first[key]) for key, _label in resolution.options if key in first]
    return ResolutionView(
        resolution=resolution,
        result=result,
        explanation=voting.explanation(result, labels, language),
        counts=counts,
        winners=[labels.get(key, key) for key in result.winners],
        verdict=result.verdict.value if result.verdict else None,
    )


def quorum_view(record: AssemblyRecord, profile: RuleProfile) -> QuorumView:
    """The quorum the assembly's rules ask for (``profile``: the rules it is held under, as
    the organisation adjusted them), and who took part when it is known."""
    assembly = record.assembly
    members = record.attendance.members
    try:
        rule = profile.rule_for(assembly.kind, assembly.convocation)
    except TallyError:
        return QuorumView(members, None, None, "")
    required = rule.quorum.required(members) or None
    participants = None
    if record.attendance.recorded:
        # the banner's rule: the ways the statutes count, correspondence included
        participants = record.attendance.counts.taking_part(
            profile.quorum_counts(assembly.kind, assembly.convocation),
            blank_counted=profile.proxies.blank_counted,
        )
    return QuorumView(members, required, participants, rule.source.reference)


def document_context(
    record: AssemblyRecord, minutes: MinutesRow | None, language: str, profile: RuleProfile
) -> dict[str, Any]:
    return {
        "record": record,
        "minutes": minutes,
        "quorum": quorum_view(record, profile),
        "items": [
            (item, [resolution_view(r, language) for r in item.resolutions])
            for item in record.items
        ],
        "scrutineer_names": _names(minutes.scrutineers if minutes else "") or record.scrutineers,
        "chair_name": (minutes.chair if minutes else "")
        or (record.facilitators[0] if record.facilitators else ""),
        "secretary_name": minutes.secretary if minutes else "",
        "language": language,
        "choice_words": _choice_words,
    }


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _choice_words(resolution: Resolution, content: str) -> str:
    """A roll-call voter's choice in words (see :func:`votes.web.voting.choice_text`)."""
    return voting.choice_text(resolution.method, resolution.labels, content)


def render_document(
    record: AssemblyRecord, minutes: MinutesRow | None, language: str, profile: RuleProfile
) -> str:
    """The procès-verbal as an HTML fragment, written in ``language``."""
    with written_in(language):
        template = _environment().get_template(DOCUMENT_TEMPLATE)
        return template.render(**document_context(record, minutes, language, profile))


def render_attendance(record: AssemblyRecord, language: str, profile: RuleProfile) -> str:
    """The attendance register (feuille de présence) as an HTML fragment."""
    with written_in(language):
        template = _environment().get_template(ATTENDANCE_TEMPLATE)
        quorum = quorum_view(record, profile)
        return template.render(record=record, quorum=quorum, language=language)


def standalone_html(title: str, body: str, language: str, *, for_pdf: bool = True) -> str:
    """A whole HTML page around a document, for printing (with the print stylesheet's link)
    and for the PDF (WeasyPrint is given the stylesheet itself)."""
    with written_in(language):
        template = _environment().get_template("pages/minutes/standalone.html.jinja")
        return template.render(title=title, body=body, language=language, for_pdf=for_pdf)


def _pdf(html: str) -> bytes:
    import weasyprint  # heavy: loaded on first use, in the worker thread

    stylesheet = weasyprint.CSS(filename=str(PRINT_STYLESHEET))
    pdf: bytes = weasyprint.HTML(string=html).write_pdf(stylesheets=[stylesheet])
    return pdf


async def pdf_of(html: str) -> bytes:
    """A PDF of a standalone HTML page, rendered off the event loop."""
    return await anyio.to_thread.run_sync(_pdf, html)


def share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None
