"""Convening the members to a general assembly: the administrator prepares the letter, sends it
to every member with voting rights (one mail each, with their personal access link), prints
it for those without an address, and keeps the proof the law asks for.

Each mail is queued in the outbox in the same transaction as the member's
:class:`~votes.db.tables.ConvocationRecord`, under an idempotency key naming the assembly and
the member: sending again never mails anyone twice, and convenes only the members not convened
yet (those added since). Members are convened in batches of :data:`BATCH`, one short write
transaction each, so that votes cast meanwhile never wait long behind a big send.

The notice period comes from the assembly's rule profile (``notice_days``): sending later is
allowed once the administrator confirms it, and the days missing are kept in each record and
in the audit trail.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from votes.core import postal
from votes.core.rules import RuleProfile
from votes.db import convocation_queries as queries
from votes.db.convocation_queries import Voter
from votes.db.engine import write_transaction
from votes.db.tables import (
    Assembly,
    AssemblyStatus,
    ConvocationChannel,
    ConvocationLetter,
    ConvocationRecord,
    Mail,
)
from votes.i18n import babel_locale
from votes.i18n import gettext as _
from votes.services import access_codes, audit, mail, mailings, minutes, rules
from votes.services.access_codes import IssuedCode
from votes.services.actors import Actor, may_administer, require
from votes.services.refusals import Refused, owned_row

MAIL_KIND = "convocation"
LETTER_MAX = 50_000  # characters: a long agenda with its resolutions fits many times
INSTRUCTIONS_MAX = 10_000
BATCH = 100  # members convened per write transaction
# a breath between batches: a writer waiting on SQLite's lock (another process's busy
# handler sleeps and retries) gets it before the next batch takes it again
BATCH_PAUSE_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class LetterDraft:
    body: str
    instructions: str


@dataclass(frozen=True, slots=True)
class Notice:
    """How long before the assembly the members are convened, against the rules' period."""

    today: date  # in the cooperative's time zone
    assembly_day: date
    required_days: int

    @property
    def days_before(self) -> int:
        return (self.assembly_day - self.today).days

    @property
    def missing_days(self) -> int:
        """Days missing from the notice period (0: in time).

        >>> Notice(date(2026, 6, 1), date(2026, 6, 10), 15).missing_days
        6
        >>> Notice(date(2026, 6, 1), date(2026, 6, 16), 15).missing_days
        0
        """
        return max(self.required_days - self.days_before, 0)

    @property
    def latest_day(self) -> date:
        """The last day to convene in time."""
        return self.assembly_day - timedelta(days=self.required_days)


@dataclass(frozen=True, slots=True)
class SendResult:
    queued: int  # mails put in the outbox now
    already: int  # members convened before (by mail or by letter)
    without_address: int  # members with voting rights and no address, not convened yet
    missing_days: int


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Paris")


def when_in_words(moment: datetime, time_zone: str) -> str:
    """A date and time in words in the current language, in the cooperative's time zone:
    « dimanche 20 décembre 2026 à 14:00 »."""
    local = moment.astimezone(zone(time_zone))
    locale = babel_locale()
    return _("%(date)s at %(time)s") % {
        "date": format_date(local.date(), "full", locale=locale),
        "time": format_time(local.time(), "short", locale=locale),
    }


def day_in_words(day: date) -> str:
    return format_date(day, "full", locale=babel_locale())


async def _assembly(actor: Actor, assembly_id: int) -> dict[str, object]:
    return await owned_row(
        Assembly,
        actor.organisation_id,
        assembly_id,
        Assembly.id,
        Assembly.title,
        Assembly.status,
        Assembly.starts_at,
        Assembly.kind,
    )


def _refuse_if_closed(row: dict[str, object]) -> None:
    if row["status"] == AssemblyStatus.CLOSED.value:
        raise Refused("assembly_closed")


async def notice_for(actor: Actor, assembly_id: int, *, now: datetime | None = None) -> Notice:
    """The notice the assembly's rules ask for, against its date, counted from today."""
    row = await _assembly(actor, assembly_id)
    profile = await rules.assembly_profile(actor.organisation_id, assembly_id)
    return _notice(row, profile.notice_days, actor.organisation.time_zone, now)


def _notice(row: dict[str, object], required: int, time_zone: str, now: datetime | None) -> Notice:
    starts_at = row["starts_at"]
    assert isinstance(starts_at, datetime)
    local = zone(time_zone)
    today = (now or datetime.now(UTC)).astimezone(local).date()
    return Notice(today, starts_at.astimezone(local).date(), required)


def check_letter(draft: LetterDraft) -> None:
    """``Refused`` with the field when the letter cannot be sent as written."""
    if not draft.body.strip():
        raise Refused("letter_empty", field="body")
    if len(draft.body) > LETTER_MAX:
        raise Refused("letter_too_long", field="body", num=LETTER_MAX)
    if len(draft.instructions) > INSTRUCTIONS_MAX:
        raise Refused("letter_too_long", field="instructions", num=INSTRUCTIONS_MAX)


async def prepare(actor: Actor, assembly_id: int, draft: LetterDraft) -> None:
    """Save the convocation's text (checked) for the assembly; the audit trail says so."""
    require(may_administer, actor)
    check_letter(draft)
    body, instructions = draft.body.strip(), draft.instructions.strip()
    async with write_transaction(ConvocationLetter._meta.db):
        row = await _assembly(actor, assembly_id)
        _refuse_if_closed(row)
        await minutes.refuse_if_final(assembly_id)
        values: dict[Any, Any] = {
            ConvocationLetter.body: body,
            ConvocationLetter.instructions: instructions,
            ConvocationLetter.prepared_by: actor.audited_as,
            ConvocationLetter.prepared_at: datetime.now(UTC),
        }
        updated = (
            await ConvocationLetter.update(values)
            .where(ConvocationLetter.letter_key == str(assembly_id))
            .returning(ConvocationLetter.id)
        )
        if not updated:
            await ConvocationLetter.insert(
                ConvocationLetter(
                    organisation=actor.organisation_id,
                    assembly=assembly_id,
                    letter_key=str(assembly_id),
                    body=body,
                    instructions=instructions,
                    prepared_by=actor.audited_as,
                )
            )
        await audit.record_act(
            actor,
            "convocation.prepared",
            f"assembly:{assembly_id}",
            {"characters": len(body) + len(instructions)},
        )


def assembly_link(base_url: str, short_name: str, assembly_id: int) -> str:
    return f"{base_url.rstrip('/')}/o/{short_name}/assemblies/{assembly_id}"


def advance_vote_until(
    row: dict[str, object], profile: RuleProfile, time_zone: str
) -> datetime | None:
    """The postal form's deadline when the rules let members vote by correspondence before this
    (general) assembly, else None."""
    starts_at = row["starts_at"]
    if not profile.postal.allowed or not rules.governed(str(row["kind"])):
        return None
    assert isinstance(starts_at, datetime)
    return postal.postal_deadline(starts_at, profile.postal, zone(time_zone))


def personal_link(base_url: str, code: IssuedCode) -> str:
    return f"{base_url.rstrip('/')}{access_codes.LINK_PATH}{code.link_token}"


def compose_mail(
    *,
    name: str,
    cooperative: str,
    title: str,
    starts_at: datetime,
    time_zone: str,
    letter: LetterDraft,
    link: str,
    code: str,
    code_page: str,
    page: str,
    advance_vote: tuple[str, datetime] | None = None,
) -> tuple[str, str]:
    """A member's convocation (subject, text) in the current language: the letter as the
    administrator wrote it, framed by their name, their personal link and the assembly's
    page."""
    subject = _("Convocation: %(title)s, %(cooperative)s") % {
        "title": title,
        "cooperative": cooperative,
    }
    lines = [
        _("Hello %(name)s,") % {"name": name},
        "",
        _("%(cooperative)s convenes you to “%(title)s”, on %(when)s.")
        % {"cooperative": cooperative, "title": title, "when": when_in_words(starts_at, time_zone)},
        "",
        letter.body.strip(),
        "",
    ]
    if letter.instructions.strip():
        lines += [letter.instructions.strip(), ""]
    lines += [
        _("Your personal link, to sign in and vote on your phone in one step:"),
        link,
        "",
        _("Or go to %(page)s and type your personal code:") % {"page": code_page},
        "    " + code,
        "",
        _("Keep them to yourself: they let you vote in your name."),
        "",
    ]
    if advance_vote is not None:
        advance_link, deadline = advance_vote
        lines += [
            _("Cannot come? Vote by correspondence, until %(deadline)s:")
            % {"deadline": when_in_words(deadline, time_zone)},
            advance_link,
            "",
        ]
    lines += [
        _("The assembly's page:"),
        page,
    ]
    return subject, "\n".join(lines) + "\n"


def _code_days(starts_at: datetime, now: datetime) -> int:
    """Days a new access code must last to be usable at the assembly (and the day after)."""
    days = math.ceil((starts_at - now) / timedelta(days=1)) + 1
    return min(max(days, access_codes.DEFAULT_DAYS), access_codes.MAX_DAYS)


def code_valid_until(starts_at: datetime, now: datetime) -> datetime:
    """Until when a member's code must stay valid to be sent with the convocation: the day
    after the assembly, or as long as a code may last when the assembly is further away."""
    longest = now + timedelta(days=access_codes.MAX_DAYS) - timedelta(hours=1)
    return min(starts_at + timedelta(days=1), longest)


async def send(
    actor: Actor,
    assembly_id: int,
    *,
    base_url: str,
    secret_key: str,
    confirm_short_notice: bool = False,
) -> SendResult:
    """Convene every member with voting rights and an address who is not convened yet: one
    mail each, in their language, with their personal access link. The first send moves a
    draft assembly to ``convened``. A short notice is refused unless confirmed
    (``notice_too_short``); confirmed, it is recorded."""
    require(may_administer, actor)
    organisation = actor.organisation
    row = await _assembly(actor, assembly_id)
    _refuse_if_closed(row)
    letter_row = await queries.letter_of(organisation.id, assembly_id)
    if letter_row is None:
        raise Refused("convocation_not_prepared")
    letter = LetterDraft(letter_row.body, letter_row.instructions)
    check_letter(letter)
    profile = await rules.assembly_profile(organisation.id, assembly_id)
    now = datetime.now(UTC)
    notice = _notice(row, profile.notice_days, organisation.time_zone, now)
    if notice.missing_days and not confirm_short_notice:
        raise Refused("notice_too_short", count=notice.missing_days)
    voters = await queries.voters(organisation.id)
    already = await queries.convened_ids(organisation.id, assembly_id)
    to_mail = [v for v in voters if v.email and v.membership_id not in already]
    without = sum(1 for v in voters if not v.email and v.membership_id not in already)
    starts_at = row["starts_at"]
    assert isinstance(starts_at, datetime)
    default_language = organisation.default_language or "fr"
    queued = 0
    first = True
    for start in range(0, max(len(to_mail), 1), BATCH):
        batch = to_mail[start : start + BATCH]
        if start:
            await asyncio.sleep(BATCH_PAUSE_SECONDS)
        async with write_transaction(ConvocationRecord._meta.db):
            if first:  # the state of the assembly moves with the first batch
                current = await _assembly(actor, assembly_id)
                _refuse_if_closed(current)
                await minutes.refuse_if_final(assembly_id)
                await _mark_convened(actor, assembly_id, str(current["status"]), now)
                first = False
            if batch:
                queued += await _convene_batch(
                    actor,
                    assembly_id,
                    batch,
                    title=str(row["title"]),
                    starts_at=starts_at,
                    letter=letter,
                    base_url=base_url,
                    secret_key=secret_key,
                    days=_code_days(starts_at, now),
                    missing_days=notice.missing_days,
                    default_language=default_language,
                    advance_until=advance_vote_until(row, profile, organisation.time_zone),
                )
    async with write_transaction(ConvocationRecord._meta.db):
        await audit.record_act(
            actor,
            "convocation.sent",
            f"assembly:{assembly_id}",
            {
                "mails": queued,
                "without_address": without,
                "notice_days": notice.required_days,
                "missing_days": notice.missing_days,
            },
        )
    return SendResult(queued, len(already), without, notice.missing_days)


async def _mark_convened(actor: Actor, assembly_id: int, status: str, now: datetime) -> None:
    await ConvocationLetter.update({ConvocationLetter.first_sent_at: now}).where(
        (ConvocationLetter.letter_key == str(assembly_id))
        & ConvocationLetter.first_sent_at.is_null()
    )
    if status == AssemblyStatus.DRAFT.value:
        await Assembly.update({Assembly.status: AssemblyStatus.CONVENED.value}).where(
            Assembly.id == assembly_id
        )
        await audit.record_act(
            actor,
            "assembly.status_changed",
            f"assembly:{assembly_id}",
            {"from": status, "to": AssemblyStatus.CONVENED.value},
        )


async def _convene_batch(
    actor: Actor,
    assembly_id: int,
    batch: Sequence[Voter],
    *,
    title: str,
    starts_at: datetime,
    letter: LetterDraft,
    base_url: str,
    secret_key: str,
    days: int,
    missing_days: int,
    default_language: str,
    advance_until: datetime | None = None,
) -> int:
    organisation = actor.organisation
    # a member convened meanwhile (a second tab, a letter marked) is left alone
    already = await queries.convened_ids(organisation.id, assembly_id)
    batch = [v for v in batch if v.membership_id not in already]
    codes = await mailings.personal_codes(
        actor,
        [v.membership_id for v in batch],
        secret_key=secret_key,
        days=days,
        valid_until=code_valid_until(starts_at, datetime.now(UTC)),
    )
    page = assembly_link(base_url, organisation.short_name, assembly_id)
    code_page = f"{base_url.rstrip('/')}/code"
    advance_vote = None if advance_until is None else (f"{page}/advance-vote", advance_until)
    sender = mail.sender()
    queued = 0
    keys: dict[int, str] = {}
    for voter in batch:
        code = codes.get(voter.membership_id)
        if code is None:  # pragma: no cover - voters are active members: each gets a code
            continue
        with mailings.language(voter.language or default_language) as chosen:
            subject, body = compose_mail(
                name=voter.name,
                cooperative=organisation.name,
                title=title,
                starts_at=starts_at,
                time_zone=organisation.time_zone,
                letter=letter,
                link=personal_link(base_url, code),
                code=code.display_code,
                code_page=code_page,
                page=page,
                advance_vote=advance_vote,
            )
        key = f"{MAIL_KIND}:{assembly_id}:{voter.membership_id}"
        keys[voter.membership_id] = key
        if await mail.queue(
            organisation_id=organisation.id,
            kind=MAIL_KIND,
            recipient=voter.email,
            subject=subject,
            body_text=body,
            language=chosen,
            idempotency_key=key,
        ):
            queued += 1
    if not keys:
        return queued
    mail_ids = {
        row["idempotency_key"]: row["id"]
        for row in await Mail.select(Mail.id, Mail.idempotency_key).where(
            Mail.idempotency_key.is_in(list(keys.values()))
        )
    }
    await ConvocationRecord.insert(
        *(
            ConvocationRecord(
                organisation=organisation.id,
                assembly=assembly_id,
                membership=voter.membership_id,
                record_key=f"{assembly_id}:{voter.membership_id}",
                channel=ConvocationChannel.MAIL.value,
                recipient=voter.email,
                mail=mail_ids.get(keys[voter.membership_id]),
                message_id=mail.message_id(keys[voter.membership_id], sender),
                recorded_by=actor.audited_as,
                notice_short_days=missing_days,
            )
            for voter in batch
            if voter.membership_id in keys
        )
    ).on_conflict(target=ConvocationRecord.record_key, action="DO NOTHING")
    return queued


async def mark_letters(
    actor: Actor,
    assembly_id: int,
    membership_ids: Sequence[int],
    *,
    confirm_short_notice: bool = False,
) -> int:
    """Record that these members (with voting rights, not convened yet) were convened by a
    letter handed over or posted now; how many were recorded."""
    require(may_administer, actor)
    organisation = actor.organisation
    wanted = set(membership_ids)
    if not wanted:
        raise Refused("nobody_chosen", field="member")
    async with write_transaction(ConvocationRecord._meta.db):
        row = await _assembly(actor, assembly_id)
        _refuse_if_closed(row)
        await minutes.refuse_if_final(assembly_id)
        if await queries.letter_of(organisation.id, assembly_id) is None:
            raise Refused("convocation_not_prepared")  # no letter could have been printed
        profile = await rules.assembly_profile(organisation.id, assembly_id)
        notice = _notice(row, profile.notice_days, organisation.time_zone, None)
        if notice.missing_days and not confirm_short_notice:
            raise Refused("notice_too_short", count=notice.missing_days)
        already = await queries.convened_ids(organisation.id, assembly_id)
        chosen = [
            v.membership_id
            for v in await queries.voters(organisation.id)
            if v.membership_id in wanted and v.membership_id not in already
        ]
        if not chosen:
            raise Refused("nobody_chosen", field="member")
        await ConvocationRecord.insert(
            *(
                ConvocationRecord(
                    organisation=organisation.id,
                    assembly=assembly_id,
                    membership=membership_id,
                    record_key=f"{assembly_id}:{membership_id}",
                    channel=ConvocationChannel.LETTER.value,
                    recorded_by=actor.audited_as,
                    notice_short_days=notice.missing_days,
                )
                for membership_id in chosen
            )
        )
        await _mark_convened(actor, assembly_id, str(row["status"]), datetime.now(UTC))
        await audit.record_act(
            actor,
            "convocation.letters_marked",
            f"assembly:{assembly_id}",
            {"letters": len(chosen), "missing_days": notice.missing_days},
        )
    return len(chosen)


async def letter_codes(actor: Actor, assembly_id: int, *, secret_key: str) -> dict[int, IssuedCode]:
    """The personal codes of the members with voting rights and no address who are not
    convened yet, for their printed letters: the valid code they hold, or a new one lasting
    until after the assembly (issued now: call it from a POST)."""
    require(may_administer, actor)
    row = await _assembly(actor, assembly_id)
    _refuse_if_closed(row)
    starts_at = row["starts_at"]
    assert isinstance(starts_at, datetime)
    already = await queries.convened_ids(actor.organisation_id, assembly_id)
    wanted = [
        v.membership_id
        for v in await queries.voters(actor.organisation_id)
        if not v.email and v.membership_id not in already
    ]
    if not wanted:
        return {}
    async with write_transaction(ConvocationRecord._meta.db):
        return await mailings.personal_codes(
            actor,
            wanted,
            secret_key=secret_key,
            days=_code_days(starts_at, datetime.now(UTC)),
            valid_until=code_valid_until(starts_at, datetime.now(UTC)),
        )
