"""The mails the app sends, each written in its reader's language (French unless they chose
another) and queued in the outbox in the transaction of the act that causes it.

Plain text only, with nothing internal in it: a person's name, the cooperative's name, a link
or a code, and when it stops working.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from votes.db.engine import write_transaction
from votes.db.tables import Mail, MailKind, Membership, MembershipStatus, Organisation, Person
from votes.i18n import LANGUAGES, babel_locale, current_language
from votes.i18n import gettext as _
from votes.services import access_codes, accounts, audit, mail
from votes.services.access_codes import IssuedCode
from votes.services.actors import Actor, may_administer, require
from votes.services.refusals import Refused

RESET_PATH = "/c/reset/"


@contextlib.contextmanager
def language(code: str | None) -> Iterator[str]:
    """Write in ``code`` (French when unknown) for the duration of the block."""
    chosen = code if code in LANGUAGES else "fr"
    token = current_language.set(chosen)
    try:
        yield chosen
    finally:
        current_language.reset(token)


def _fingerprint(secret: str) -> str:
    """Names a mail after the secret it carries without putting the secret in the key."""
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


async def _queue(
    organisation_id: int | None,
    kind: MailKind,
    recipient: str,
    text: tuple[str, str],
    chosen: str,
    secret: str,
) -> bool:
    """Queue a mail (subject, body) written in ``chosen`` that carries ``secret``, named after
    it: the same act repeated queues it once."""
    subject, body = text
    return await mail.queue(
        organisation_id=organisation_id,
        kind=kind.value,
        recipient=recipient,
        subject=subject,
        body_text=body,
        language=chosen,
        idempotency_key=f"{kind.value}:{_fingerprint(secret)}",
    )


def _when(moment: datetime, time_zone: str) -> str:
    return format_datetime(moment, "long", tzinfo=_zone(time_zone), locale=babel_locale())


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Paris")


def _password_mail(name: str, link: str, *, cooperative: str | None) -> tuple[str, str]:
    subject = _("Choose your password")
    lines = [
        _("Hello %(name)s,") % {"name": name},
        "",
        (
            _("An administrator of %(cooperative)s sent you a link to choose your password:")
            % {"cooperative": cooperative}
            if cooperative
            else _("Someone (probably you) asked to choose a new password for your account:")
        ),
        "",
        link,
        "",
        _("The link works once, for %(num)d hours.") % {"num": accounts.RESET_LINK_HOURS},
        _("If you did not ask for it, ignore this mail: your password stays as it is."),
    ]
    return subject, "\n".join(lines) + "\n"


async def _reader_language(person_id: int, organisation_id: int | None) -> str:
    row = (
        await Person.select(Person.preferred_language).where(Person.id == person_id).first()
    ) or {}
    chosen = row.get("preferred_language")
    if chosen:
        return str(chosen)
    if organisation_id is not None:
        org = (
            await Organisation.select(Organisation.default_language)
            .where(Organisation.id == organisation_id)
            .first()
        ) or {}
        return str(org.get("default_language") or "fr")
    return "fr"


async def send_password_link(
    actor: Actor, person_id: int, *, base_url: str, secret_key: str
) -> tuple[str, bool]:
    """A one-time link to choose a password for a member of the actor's cooperative (the caller
    checked :func:`votes.services.members.may_hand_password_link`); also mailed to them when
    they have an address. Returns the link (to hand over) and whether a mail was queued."""
    require(may_administer, actor)
    async with write_transaction(Mail._meta.db):
        person = (
            await Person.select(Person.name, Person.email)
            .where(
                (Person.id == person_id)
                & Person.id.is_in(
                    Membership.select(Membership.person).where(
                        Membership.organisation == actor.organisation_id
                    )
                )
            )
            .first()
        )
        if person is None:
            raise Refused("not_found")
        token = await accounts.create_reset_link(person_id, secret_key=secret_key)
        link = f"{base_url.rstrip('/')}{RESET_PATH}{token}"
        queued = False
        if person["email"]:
            with language(await _reader_language(person_id, actor.organisation_id)) as chosen:
                text = _password_mail(person["name"], link, cooperative=actor.organisation.name)
            queued = await _queue(
                actor.organisation_id, MailKind.PASSWORD_LINK, person["email"], text, chosen, token
            )
        await audit.record_act(
            actor, "members.password_link", f"person:{person_id}", {"mailed": queued}
        )
    return link, queued


async def request_password_reset(
    email: str, *, address: str | None, base_url: str, secret_key: str
) -> None:
    """ "Forgot your password" from the sign-in page: a reset link mailed to the address if it
    belongs to an account; nothing otherwise, and the same silence either way. Throttled per
    address asked for and per client address, with budgets apart from the sign-in ones
    (``Refused("throttled")``, before anything is looked up)."""
    normalised = accounts.normalise_email(email)
    # budgets of their own: a stranger asking for someone's link never locks them out
    keys = [accounts.reset_key(normalised), accounts.reset_address_key(address)]
    await accounts.reserve_attempt(keys)  # every request counts: none signs anyone in
    async with write_transaction(Mail._meta.db):
        person = (
            await Person.select(Person.id, Person.name, Person.email)
            .where(Person.email == normalised)
            .first()
        )
        if person is None or not person["email"]:
            return
        person_id = int(person["id"])
        token = await accounts.create_reset_link(person_id, secret_key=secret_key)
        link = f"{base_url.rstrip('/')}{RESET_PATH}{token}"
        with language(await _reader_language(person_id, None)) as chosen:
            text = _password_mail(person["name"], link, cooperative=None)
        await _queue(None, MailKind.PASSWORD_RESET, person["email"], text, chosen, token)


@dataclass(frozen=True, slots=True)
class CodesMailed:
    queued: int  # mails put in the outbox now
    already: int  # members whose current code was already mailed to them
    without_address: list[str]  # names of active members with no e-mail address


def _code_mail(code: IssuedCode, *, cooperative: str, link: str, time_zone: str) -> tuple[str, str]:
    subject = _("Your personal access code for %(cooperative)s") % {"cooperative": cooperative}
    lines = [
        _("Hello %(name)s,") % {"name": code.name},
        "",
        _("Here is your personal access code to sign in and vote at %(cooperative)s:")
        % {"cooperative": cooperative},
        "",
        "    " + access_codes.format_code(code.code),
        "",
        _("Or open this link on your phone to sign in in one step:"),
        link,
        "",
        _("It works once, until %(date)s. Keep it to yourself: it lets you vote in your name.")
        % {"date": _when(code.expires_at, time_zone)},
    ]
    return subject, "\n".join(lines) + "\n"


async def personal_codes(
    actor: Actor,
    membership_ids: list[int],
    *,
    secret_key: str,
    days: int = access_codes.DEFAULT_DAYS,
    valid_until: datetime | None = None,
) -> dict[int, IssuedCode]:
    """Each listed active member's personal access code, by membership: the valid code they
    hold (a printed sheet keeps working), or a new one issued for ``days`` to those who hold
    none, or whose code expires before ``valid_until``. Call inside the act's transaction."""
    wanted = set(membership_ids)
    held = {
        code.membership_id: code
        for code in await access_codes.printable_sheet(actor, secret_key=secret_key)
        if code.membership_id in wanted and (valid_until is None or code.expires_at >= valid_until)
    }
    missing = [member_id for member_id in membership_ids if member_id not in held]
    if missing:
        for code in await access_codes.issue_codes(
            actor, missing, secret_key=secret_key, days=days
        ):
            held[code.membership_id] = code
    return held


async def mail_access_codes(
    actor: Actor, *, base_url: str, secret_key: str, days: int = access_codes.DEFAULT_DAYS
) -> CodesMailed:
    """Mail each active member with an address their personal access code: the valid code they
    hold (printed sheets keep working), or a new one for those who hold none, issued in the
    same transaction. A code already mailed is not mailed again."""
    require(may_administer, actor)
    organisation = actor.organisation
    async with write_transaction(Mail._meta.db):
        members = await Membership.select(
            Membership.id, Membership.person, Membership.person.name, Membership.person.email
        ).where(
            (Membership.organisation == actor.organisation_id)
            & (Membership.status == MembershipStatus.ACTIVE.value)
        )
        with_address = {row["id"]: row for row in members if row["person.email"]}
        without = sorted(row["person.name"] for row in members if not row["person.email"])
        held = await personal_codes(actor, list(with_address), secret_key=secret_key, days=days)
        queued = 0
        for member_id, code in sorted(held.items(), key=lambda item: item[1].name):
            row = with_address[member_id]
            link = f"{base_url.rstrip('/')}{access_codes.LINK_PATH}{code.link_token}"
            reader = await _reader_language(row["person"], actor.organisation_id)
            with language(reader) as chosen:
                text = _code_mail(
                    code, cooperative=organisation.name, link=link, time_zone=organisation.time_zone
                )
            secret = code.link_token
            kind = MailKind.ACCESS_CODE
            if await _queue(actor.organisation_id, kind, row["person.email"], text, chosen, secret):
                queued += 1
        await audit.record_act(
            actor, "access_codes.mailed", details={"mails": queued, "without_address": len(without)}
        )
    return CodesMailed(queued=queued, already=len(held) - queued, without_address=without)
