"""The mails of a ballot open over hours or days: when it opens, a reminder before it
closes to those who have not voted, and its result when published.

Only a ballot whose countdown lasts at least :data:`LONG_SECONDS` (an hour) mails anyone: a
vote in the room lasts minutes, and a plenary of twenty motions must not send two hundred
members twenty mails each. A test ballot (a rehearsal) mails nobody.

Each mail is queued in the outbox in the transaction of the act that causes it (the opening,
the publication, the reminder's own record) with an idempotency key per ballot, round, kind and
member, so a repeated act queues nothing more. Each member's preferences
(:mod:`votes.services.notifications`) decide the optional mails; a ballot a member may vote on
opening is always mailed to them (they must act on it).

Who has not voted is read from the participation register, which records who took part (and
nothing of what they chose) for secret ballots as for roll-call ones: the reminder learns no
more than the turnout the console already shows.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from babel.dates import format_date

from votes.core.results import TallyResult, Verdict
from votes.db.engine import write_transaction
from votes.db.queries import OrganisationView, organisation_view
from votes.db.tables import (
    Ballot,
    BallotNotice,
    BallotOption,
    BallotStatus,
    Mail,
    MailKind,
    MailStatus,
    Membership,
    MembershipStatus,
    NotificationPreference,
    Participation,
)
from votes.db.voting_rules import has_voting_rights
from votes.i18n import babel_locale, current_language
from votes.i18n import gettext as _
from votes.services import mail
from votes.services.mailings import _zone, language

logger = logging.getLogger("votes.ballot_mails")

LONG_SECONDS = 3600  # from an hour, a ballot is taken away from the room: it is mailed
REMIND_BEFORE = timedelta(hours=24)  # a ballot open two days or more: reminded a day before
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

_base_url = ""


def remember_base_url(url: str) -> None:
    """The address people reach the app at, as the request that opens a ballot shows it: the
    links of its mails point there (kept with the ballot for the mails the sweep sends)."""
    global _base_url
    _base_url = url.rstrip("/")


def mailed(row: Mapping[str, Any]) -> bool:
    """Whether this ballot sends mails: a countdown of an hour or more, and not a rehearsal."""
    duration = row["duration_seconds"] or 0
    return duration >= LONG_SECONDS and not row["is_test"]


def reminder_at(closes_at: datetime, duration_seconds: int) -> datetime:
    """When a ballot's reminder goes: a day before the close for a ballot open two days or
    more, at half time for a shorter one.

    >>> close = datetime(2026, 12, 20, 18, 0, tzinfo=UTC)
    >>> str(reminder_at(close, 7 * 86400))
    '2026-12-19 18:00:00+00:00'
    >>> str(reminder_at(close, 4 * 3600))
    '2026-12-20 16:00:00+00:00'
    """
    duration = timedelta(seconds=duration_seconds)
    return closes_at - (REMIND_BEFORE if duration >= 2 * REMIND_BEFORE else duration / 2)


@dataclass(frozen=True, slots=True)
class Reader:
    membership_id: int
    person_id: int
    name: str
    email: str
    language: str  # the one they chose, else their cooperative's
    votes: bool  # has voting rights now
    reminders: bool
    results: bool
    other_ballots: bool


async def _readers(organisation: OrganisationView) -> list[Reader]:
    """The organisation's active members and observers who have an address, with their
    language and preferences (the defaults when they chose none), in two reads whatever the
    number of members: the open, reminder and publication transactions stay short."""
    organisation_id = organisation.id
    rows = await Membership.select(
        Membership.id,
        Membership.person,
        Membership.kind,
        Membership.status,
        Membership.person.name,
        Membership.person.email,
        Membership.person.preferred_language,
    ).where(
        (Membership.organisation == organisation_id)
        & (Membership.status == MembershipStatus.ACTIVE.value)
        & Membership.person.email.is_not_null()
    )
    chosen = {
        row["membership"]: row
        for row in await NotificationPreference.select().where(
            NotificationPreference.membership.is_in([row["id"] for row in rows] or [0])
        )
    }
    readers = []
    for row in rows:
        if not row["person.email"]:
            continue
        preference = chosen.get(row["id"], {})
        readers.append(
            Reader(
                membership_id=row["id"],
                person_id=row["person"],
                name=row["person.name"],
                email=row["person.email"],
                language=row["person.preferred_language"] or organisation.default_language,
                votes=has_voting_rights(row["kind"], row["status"]),
                reminders=preference.get("reminders", True),
                results=preference.get("results", True),
                other_ballots=preference.get("other_ballots", False),
            )
        )
    return readers


async def _organisation(organisation_id: int) -> OrganisationView:
    organisation = await organisation_view(organisation_id)
    assert organisation is not None
    return organisation


def _link(base_url: str, organisation: OrganisationView, ballot_id: int) -> str:
    return f"{base_url or DEFAULT_BASE_URL}/o/{organisation.short_name}/ballots/{ballot_id}"


def in_words(moment: datetime, time_zone: str) -> str:
    """A closing time as people say it, in the organisation's time zone and the reader's
    language: « mercredi 9 décembre 2026 à 18 h 30 », "Wednesday 9 December 2026 at 18:30"
    (the pages' ``datetime(…, "words")``).

    >>> from votes.i18n import current_language
    >>> token = current_language.set("fr")
    >>> in_words(datetime(2026, 12, 9, 17, 30, 59, tzinfo=UTC), "Europe/Paris")
    'mercredi 9 décembre 2026 à 18 h 30'
    >>> current_language.reset(token)
    """
    local = moment.astimezone(_zone(time_zone))
    chosen = current_language.get()
    day = format_date(local, format="full", locale=babel_locale())
    if chosen == "fr":
        return f"{day} à {local.hour} h" + (f" {local.minute:02d}" if local.minute else "")
    return f"{day} at {local.hour}:{local.minute:02d}"


@functools.lru_cache(maxsize=64)
def _in_words_for(moment: datetime, time_zone: str, chosen: str) -> str:
    """:func:`in_words` once per language of a mailing (babel's formatting is the slow part)."""
    return in_words(moment, time_zone)


def _closing(row: Mapping[str, Any], organisation: OrganisationView) -> str:
    return _in_words_for(row["closes_at"], organisation.time_zone, current_language.get())


def _opened_mail(
    reader: Reader, row: Mapping[str, Any], organisation: OrganisationView, link: str
) -> tuple[str, str]:
    subject = _("A vote is open at %(cooperative)s: %(question)s") % {
        "cooperative": organisation.name,
        "question": row["question"],
    }
    lines = [_("Hello %(name)s,") % {"name": reader.name}, ""]
    if reader.votes:
        lines.append(
            _("%(cooperative)s asks you to vote on this question:")
            % {"cooperative": organisation.name}
        )
    else:
        lines.append(
            _("%(cooperative)s opened a vote on this question (you follow it; you do not vote):")
            % {"cooperative": organisation.name}
        )
    lines += [
        "",
        "    " + row["question"],
        "",
        _("The vote closes on %(date)s.") % {"date": _closing(row, organisation)},
        "",
        link,
    ]
    return subject, "\n".join(lines) + "\n"


def _greeting(reader: Reader, row: Mapping[str, Any], intro: str) -> list[str]:
    """A ballot mail's first lines: the reader's name, why they are told, the question."""
    hello = _("Hello %(name)s,") % {"name": reader.name}
    return [hello, "", intro, "", "    " + row["question"], ""]


def _reminder_mail(
    reader: Reader, row: Mapping[str, Any], organisation: OrganisationView, link: str
) -> tuple[str, str]:
    subject = _("Reminder: the vote closes soon at %(cooperative)s") % {
        "cooperative": organisation.name
    }
    lines = [
        *_greeting(reader, row, _("You have not voted yet on this question:")),
        _("The vote closes on %(date)s.") % {"date": _closing(row, organisation)},
        "",
        link,
        "",
        _("You may stop these reminders on the page “My notifications”."),
    ]
    return subject, "\n".join(lines) + "\n"


def _outcome(result: TallyResult | None, labels: Mapping[str, str]) -> str:
    """The result in one line, in the reader's language: the verdict of a decision, else the
    options elected or chosen."""
    if result is None:
        return ""
    verdicts = {
        Verdict.ADOPTED: _("Adopted"),
        Verdict.REJECTED: _("Rejected"),
        Verdict.NO_QUORUM: _("No quorum: no decision"),
        Verdict.BLOCKED: _("Not adopted: an objection remains"),
    }
    if result.verdict is not None:
        return verdicts.get(result.verdict, "")
    chosen = [labels.get(str(winner), str(winner)) for winner in result.winners]
    return (_("Chosen: %(names)s") % {"names": ", ".join(chosen)}) if chosen else ""


def _result_mail(
    reader: Reader,
    row: Mapping[str, Any],
    organisation: OrganisationView,
    link: str,
    outcome: str,
) -> tuple[str, str]:
    subject = _("Result of the vote at %(cooperative)s: %(question)s") % {
        "cooperative": organisation.name,
        "question": row["question"],
    }
    lines = _greeting(reader, row, _("The result of this vote is published:"))
    if outcome:
        lines += ["    " + outcome, ""]
    lines += [
        _("The figures and how they were counted:"),
        link,
        "",
        _("You may stop result mails on the page “My notifications”."),
    ]
    return subject, "\n".join(lines) + "\n"


class _Outbox:
    """A mailing's mails, written to the outbox in a few multi-row inserts rather than one
    statement per member: the transaction that queues them holds SQLite's one writer, and a
    vote elsewhere waits for it. The same rows and keys as :func:`votes.services.mail.queue`
    writes (a key already there is skipped)."""

    CHUNK = 500

    def __init__(self, kind: MailKind, row: Mapping[str, Any], suffix: str = "") -> None:
        self.kind, self.row, self.suffix = kind, row, suffix
        self.mails: list[Mail] = []
        self.status = (MailStatus.WAITING if mail.smtp_configured() else MailStatus.HELD).value
        self.now = datetime.now(UTC)

    def add(self, reader: Reader, subject: str, body: str, chosen: str) -> None:
        key = f"{self.kind.value}:{self.row['id']}:{self.row['round']}:{reader.membership_id}"
        key += self.suffix
        self.mails.append(
            Mail(
                organisation=self.row["organisation"],
                kind=self.kind.value,
                recipient=reader.email.strip(),
                subject=subject[:300],
                body_text=body,
                body_html=None,
                language=chosen,
                status=self.status,
                attempts=0,
                next_attempt_at=self.now,
                idempotency_key=key[:200],
            )
        )

    async def send(
        self,
        readers: Iterable[Reader],
        wanted: Callable[[Reader], bool],
        compose: Callable[[Reader], tuple[str, str]],
    ) -> int:
        """Compose the mail of each reader wanted, in the reader's language, and write them all;
        return how many were new."""
        for reader in readers:
            if wanted(reader):
                with language(reader.language) as chosen:
                    subject, body = compose(reader)
                self.add(reader, subject, body, chosen)
        return await self.write()

    async def write(self) -> int:
        """Insert the mails; return how many were new."""
        written = 0
        for start in range(0, len(self.mails), self.CHUNK):
            rows = (
                await Mail.insert(*self.mails[start : start + self.CHUNK])
                .on_conflict(target=Mail.idempotency_key, action="DO NOTHING")
                .returning(Mail.id)
            )
            written += len(rows)
        return written


def _notice_key(row: Mapping[str, Any], what: str) -> str:
    return f"{row['id']}:{row['round']}:{what}"


async def _note_recipients(row: Mapping[str, Any], what: str, queued: int) -> int:
    """Keep on the mail run's record how many mails it queued; return that number."""
    await BallotNotice.update({BallotNotice.recipients: queued}).where(
        BallotNotice.notice_key == _notice_key(row, what)
    )
    return queued


async def _first_time(row: Mapping[str, Any], what: str, base_url: str = "") -> bool:
    """Record that this mail run of the ballot happens; False when it happened already."""
    inserted = (
        await BallotNotice.insert(
            BallotNotice(ballot=row["id"], notice_key=_notice_key(row, what), base_url=base_url)
        )
        .on_conflict(target=BallotNotice.notice_key, action="DO NOTHING")
        .returning(BallotNotice.id)
    )
    return bool(inserted)


async def queue_opened(row: Mapping[str, Any]) -> int:
    """Mail a ballot's opening to its voters (always) and to the other members who asked for
    news of ballots they do not vote on; inside the opening's transaction, with the ballot as
    it opens (``closes_at`` set). Returns the mails queued."""
    if not mailed(row) or row["closes_at"] is None:
        return 0
    base_url = _base_url[:300]  # the column's length
    if not await _first_time(row, "opened", base_url):  # opened already (a retry): queued
        return 0
    organisation = await _organisation(row["organisation"])
    link = _link(base_url, organisation, row["id"])
    queued = await _Outbox(MailKind.BALLOT_OPENED, row).send(
        await _readers(organisation),
        lambda reader: reader.votes or reader.other_ballots,
        lambda reader: _opened_mail(reader, row, organisation, link),
    )
    return await _note_recipients(row, "opened", queued)


async def queue_reopened(row: Mapping[str, Any], closed_at: datetime, reason: str) -> int:
    """Mail those who may vote that a ballot of an hour or more is open again (with the
    reason the facilitator gave), inside the reopening's transaction, with the ballot as it
    reopens. Each reopening mails once: it is told apart by the close it undoes, so a retry
    queues nothing and a second reopening is mailed too. Members who do not vote are not
    mailed: nothing changed for them since the opening. Returns the mails queued."""
    if not mailed(row) or row["closes_at"] is None:
        return 0
    what = f"reopened-{closed_at.timestamp():.6f}"
    if not await _first_time(row, what):
        return 0
    organisation = await _organisation(row["organisation"])
    link = _link(await _base_url_of(row), organisation, row["id"])
    return await _Outbox(MailKind.BALLOT_OPENED, row, suffix=f":{what}").send(
        await _readers(organisation),
        lambda reader: reader.votes,
        lambda reader: _reopened_mail(reader, row, organisation, link, reason),
    )


def _reopened_mail(
    reader: Reader, row: Mapping[str, Any], organisation: OrganisationView, link: str, reason: str
) -> tuple[str, str]:
    subject = _("A vote is reopened at %(cooperative)s: %(question)s") % {
        "cooperative": organisation.name,
        "question": row["question"],
    }
    lines = [
        *_greeting(reader, row, _("The vote is open again on this question:")),
        _("Why: %(reason)s") % {"reason": reason},
        "",
        _("The vote closes on %(date)s.") % {"date": _closing(row, organisation)},
        "",
        link,
    ]
    return subject, "\n".join(lines) + "\n"


async def _base_url_of(row: Mapping[str, Any]) -> str:
    found = (
        await BallotNotice.select(BallotNotice.base_url)
        .where(BallotNotice.notice_key == _notice_key(row, "opened"))
        .first()
    )
    return str(found["base_url"]) if found and found["base_url"] else _base_url


async def queue_result(row: Mapping[str, Any]) -> int:
    """Mail a published ballot's result to the members (voters or not) who want results;
    inside the publication's transaction, with the ballot's row (its stored result)."""
    if not mailed(row):
        return 0
    organisation = await _organisation(row["organisation"])
    link = _link(await _base_url_of(row), organisation, row["id"])
    options = await BallotOption.select(BallotOption.key, BallotOption.label).where(
        BallotOption.ballot == row["id"]
    )
    labels = {option["key"]: option["label"] for option in options}
    result = TallyResult.from_json(row["result"]) if row["result"] else None
    return await _Outbox(MailKind.BALLOT_RESULT, row).send(
        await _readers(organisation),
        lambda reader: reader.results,
        lambda reader: _result_mail(reader, row, organisation, link, _outcome(result, labels)),
    )


async def send_reminder(ballot_id: int) -> int:
    """Queue the reminder of one open ballot to its voters who have not voted in this round and
    did not turn reminders off, once: the reminder's record (:class:`BallotNotice`) is written in
    the same transaction, and a ballot reminded already queues nothing. Returns the mails
    queued."""
    async with write_transaction(Ballot._meta.db):
        row = await Ballot.select().where(Ballot.id == ballot_id).first()
        if row is None or row["status"] != BallotStatus.OPEN.value or not mailed(row):
            return 0
        if not await _first_time(row, "reminder"):
            return 0
        voted = {
            found["membership"]
            for found in await Participation.select(Participation.membership).where(
                (Participation.ballot == ballot_id) & (Participation.round == row["round"])
            )
        }
        organisation = await _organisation(row["organisation"])
        link = _link(await _base_url_of(row), organisation, ballot_id)
        queued = await _Outbox(MailKind.BALLOT_REMINDER, row).send(
            await _readers(organisation),
            lambda reader: reader.votes and reader.reminders and reader.membership_id not in voted,
            lambda reader: _reminder_mail(reader, row, organisation, link),
        )
        return await _note_recipients(row, "reminder", queued)


async def remind_due(now: datetime | None = None) -> list[int]:
    """Send the reminders that are due (see :func:`reminder_at`); return the ballots reminded.

    Run by the deadline sweep every second beside the closes: it looks at the open ballots of
    an hour or more closing within a day whose reminder was not recorded yet, few at any
    time. A restart, or a second worker, finds the reminder recorded and sends nothing more."""
    now = now or datetime.now(UTC)
    candidates = await Ballot.select(
        Ballot.id, Ballot.round, Ballot.closes_at, Ballot.duration_seconds, Ballot.is_test
    ).where(
        (Ballot.status == BallotStatus.OPEN.value)
        & (Ballot.closes_at > now)
        & (Ballot.closes_at <= now + REMIND_BEFORE)
        & (Ballot.duration_seconds >= LONG_SECONDS)
        & (Ballot.is_test == False)  # noqa: E712 - a Piccolo condition
    )
    reminded = []
    for row in candidates:
        if reminder_at(row["closes_at"], row["duration_seconds"]) > now:
            continue
        if await BallotNotice.exists().where(
            BallotNotice.notice_key == _notice_key(row, "reminder")
        ):
            continue
        try:
            await send_reminder(row["id"])
        except Exception:  # the next sweep tries again
            logger.exception("could not send the reminder of ballot %s", row["id"])
            continue
        reminded.append(row["id"])
    return reminded
