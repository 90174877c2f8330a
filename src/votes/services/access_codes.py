"""Personal access codes for plenaries: a one-time sign-in link (printed as a QR code) and a
short code to type, issued by an admin for each member.

Both are high-entropy (the link carries 256 bits, the code 50 bits from an alphabet without
look-alike characters), derived under the instance's secret key from a random nonce drawn for
each issue, so that the sheet can be printed again while its codes are valid; only the nonce
and their HMAC under the secret key are stored:
a keyed hash is enough for random secrets (argon2 is for human-chosen passwords) and costs
microseconds, so 500 members arriving at once never queue behind a slow hash. Using the link or
the code uses both; codes expire, can be revoked, and reissuing revokes the previous one.
A session opened with a code opens only the organisation that issued it.

The code a convocation carried is the exception to "used once": the member signs in from
the mail weeks before to vote in advance, then again on the day, so it opens a session again
until the assembly it convenes is closed (or it expires, the day after), each use audited. A
forwarded mail is stopped by revoking the code (which reaches used codes too), a departed
member's code stops with their membership, and a code issued after the convocation is an
ordinary one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.columns.combination import Where
from piccolo.custom_types import Combinable

from votes.db.engine import write_transaction
from votes.db.tables import (
    AccessCode,
    AssemblyStatus,
    ConvocationRecord,
    Membership,
    MembershipStatus,
)
from votes.services import accounts, attendance, audit
from votes.services.actors import Actor, may_administer, may_steward, require
from votes.services.refusals import Refused

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 10  # 32**10 = 2**50 codes
DEFAULT_DAYS = 14
MAX_DAYS = 90
LINK_PATH = "/c/"  # the request log strips what follows this prefix


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A code as issued: the only moment its secrets exist in clear."""

    membership_id: int
    name: str
    email: str | None
    category: str
    link_token: str
    code: str
    expires_at: datetime
    sheet: str = ""  # the issue it belongs to (one nonce per issue)

    @property
    def display_code(self) -> str:
        return format_code(self.code)


@dataclass(frozen=True, slots=True)
class CodeSignIn:
    session_token: str
    organisation_short_name: str


def format_code(code: str) -> str:
    """Split a code in two halves for reading aloud and typing.

    >>> format_code("ABCDEFGHJK")
    'ABCDE-FGHJK'
    """
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def normalise_code(typed: str) -> str:
    """What a member typed, as stored: case, spaces and dashes do not matter.

    >>> normalise_code(" abcde-fghjk ")
    'ABCDEFGHJK'
    """
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def _keyed_hash(kind: str, secret: str, secret_key: str) -> str:
    message = f"access-{kind}:{secret}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def _sheet_secrets(sheet: str, membership_id: int, secret_key: str) -> tuple[str, str]:
    """A member's (link token, code) on the sheet ``sheet``: derived from the sheet's random
    nonce under the instance's secret key, so that the same sheet can be printed again while
    its codes are valid, with nothing but their keyed hashes and the nonce stored.

    >>> a = _sheet_secrets("n1", 7, "k")
    >>> a == _sheet_secrets("n1", 7, "k"), a == _sheet_secrets("n2", 7, "k")
    (True, False)
    >>> len(a[0]), len(a[1])
    (43, 10)
    """
    key = secret_key.encode()
    link = hmac.new(key, f"access-sheet-link:{sheet}:{membership_id}".encode(), hashlib.sha256)
    code = hmac.new(key, f"access-sheet-code:{sheet}:{membership_id}".encode(), hashlib.sha256)
    token = base64.urlsafe_b64encode(link.digest()).decode().rstrip("=")
    # 256 is a multiple of the alphabet's 32 letters: each byte picks one without bias
    letters = code.digest()[:CODE_LENGTH]
    typed = "".join(CODE_ALPHABET[byte % len(CODE_ALPHABET)] for byte in letters)
    return token, typed


def _issued(
    membership_id: int,
    row: Mapping[str, Any],
    member: str,
    sheet: str,
    expires_at: datetime,
    secret_key: str,
) -> IssuedCode:
    """A member's code of a sheet, its secrets derived from the sheet's nonce; ``member`` is the
    prefix of the member's columns in ``row`` (``""`` or ``"membership."``)."""
    link_token, code = _sheet_secrets(sheet, membership_id, secret_key)
    return IssuedCode(
        membership_id=membership_id,
        name=row[f"{member}person.name"],
        email=row[f"{member}person.email"],
        category=row[f"{member}category"],
        link_token=link_token,
        code=code,
        expires_at=expires_at,
        sheet=sheet,
    )


async def issue_codes(
    actor: Actor,
    membership_ids: Sequence[int] | None = None,
    *,
    secret_key: str,
    days: int = DEFAULT_DAYS,
) -> list[IssuedCode]:
    """Issue a new code to each listed active member of the organisation (to every active
    member when ``membership_ids`` is None), revoking their unused earlier codes. Ids of other
    organisations or of inactive members are ignored."""
    require(may_administer, actor)
    organisation_id = actor.organisation_id
    if not 1 <= days <= MAX_DAYS:
        raise Refused("days_out_of_range", field="days", num=MAX_DAYS)
    now = datetime.now(UTC)
    expires_at = now + timedelta(days=days)
    async with write_transaction(AccessCode._meta.db):
        query = Membership.select(
            Membership.id,
            Membership.person.name,
            Membership.person.email,
            Membership.category,
        ).where(
            (Membership.organisation == organisation_id)
            & (Membership.status == MembershipStatus.ACTIVE.value)
        )
        if membership_ids is not None:
            query = query.where(Membership.id.is_in(list(membership_ids) or [-1]))
        members = await query.order_by(Membership.person.name)
        ids = [row["id"] for row in members]
        if ids:
            # used ones too: a convocation's code may open a session again
            await AccessCode.update({AccessCode.revoked: True}).where(
                AccessCode.membership.is_in(ids) & AccessCode.revoked.eq(False)
            )
        sheet = secrets.token_hex(16)
        issued = [_issued(row["id"], row, "", sheet, expires_at, secret_key) for row in members]
        if issued:
            await AccessCode.insert(
                *(
                    AccessCode(
                        organisation=organisation_id,
                        membership=code.membership_id,
                        link_hash=_keyed_hash("link", code.link_token, secret_key),
                        code_hash=_keyed_hash("code", code.code, secret_key),
                        expires_at=expires_at,
                        sheet=sheet,
                    )
                    for code in issued
                )
            )
            await audit.record_act(
                actor, "access_codes.issued", details={"codes": len(issued), "days": days}
            )
    return issued


def _valid_codes(organisation_id: int) -> Combinable:
    return (
        (AccessCode.organisation == organisation_id)
        & AccessCode.used_at.is_null()
        & AccessCode.revoked.eq(False)
        & (AccessCode.expires_at > datetime.now(UTC))
        & (AccessCode.membership.status == MembershipStatus.ACTIVE.value)
    )


async def members_with_valid_codes(actor: Actor, membership_ids: Sequence[int] | None) -> int:
    """How many of these members (every active one: None) hold a valid, unused code that a
    new issue would cancel: the admin confirms before printed sheets stop working."""
    require(may_administer, actor)
    query = AccessCode.count().where(_valid_codes(actor.organisation_id))
    if membership_ids is not None:
        query = query.where(AccessCode.membership.is_in(list(membership_ids) or [-1]))
    return int(await query)


async def printable_sheet(
    actor: Actor, *, secret_key: str, sheet: str | None = None
) -> list[IssuedCode]:
    """The valid, unused codes again, to print the sheet a second time (of one issue when
    ``sheet`` is given): rebuilt from each issue's nonce, and only when they still match the
    stored hashes (never a code issued before reprints existed, nor under another key)."""
    require(may_administer, actor)
    query = AccessCode.select(
        AccessCode.membership,
        AccessCode.membership.person.name,  # type: ignore[union-attr]
        AccessCode.membership.person.email,  # type: ignore[union-attr]
        AccessCode.membership.category,
        AccessCode.link_hash,
        AccessCode.code_hash,
        AccessCode.expires_at,
        AccessCode.sheet,
    ).where(_valid_codes(actor.organisation_id) & (AccessCode.sheet != ""))
    if sheet is not None:
        query = query.where(AccessCode.sheet == sheet)
    codes = []
    for row in await query.order_by(AccessCode.membership.person.name):  # type: ignore[union-attr]
        code = _issued(
            row["membership"], row, "membership.", row["sheet"], row["expires_at"], secret_key
        )
        if hmac.compare_digest(
            _keyed_hash("link", code.link_token, secret_key), row["link_hash"]
        ) and hmac.compare_digest(_keyed_hash("code", code.code, secret_key), row["code_hash"]):
            codes.append(code)
    return codes


async def revoke_code(actor: Actor, membership_id: int) -> bool:
    """Revoke a member's codes that may still open a session (unused, or a convocation's,
    used or not); return whether there was one."""
    require(may_administer, actor)
    organisation_id = actor.organisation_id
    async with write_transaction(AccessCode._meta.db):
        revoked = (
            await AccessCode.update({AccessCode.revoked: True})
            .where(
                (AccessCode.organisation == organisation_id)
                & (AccessCode.membership == membership_id)
                & AccessCode.revoked.eq(False)
                & (AccessCode.expires_at > datetime.now(UTC))
            )
            .returning(AccessCode.id)
        )
        if revoked:
            await audit.record_act(actor, "access_code.revoked", f"membership:{membership_id}")
    return bool(revoked)


async def revoke_all_for(membership_id: int) -> None:
    """Used when a member is suspended or leaves: their codes stop working."""
    await AccessCode.update({AccessCode.revoked: True}).where(
        (AccessCode.membership == membership_id) & AccessCode.revoked.eq(False)
    )


async def link_owner(token: str, *, secret_key: str) -> tuple[str, str]:
    """(person name, organisation name) of a usable sign-in link, without using it, for the
    page that asks to confirm; ``Refused`` with the reason otherwise."""
    row = await _find(AccessCode.link_hash == _keyed_hash("link", token, secret_key))
    await _usable(row)
    assert row is not None
    return row["membership.person.name"], row["organisation.name"]


async def sign_in_with_link(
    token: str, *, secret_key: str, hours: int, address: str | None = None
) -> CodeSignIn:
    return await _sign_in(
        AccessCode.link_hash == _keyed_hash("link", token, secret_key),
        secret_key=secret_key,
        hours=hours,
        keys=[accounts.code_address_key(address)],
    )


async def sign_in_with_code(
    typed: str, *, secret_key: str, hours: int, address: str | None = None
) -> CodeSignIn:
    """Sign in with a typed code; ``Refused`` says why not (``code_unknown``,
    ``code_used``, ``code_expired``, ``throttled``)."""
    code = normalise_code(typed)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        # no code looks like this: a typo, counted for the address only
        await accounts.reserve_attempt([accounts.code_address_key(address)])
        raise Refused("code_unknown")
    return await _sign_in(
        AccessCode.code_hash == _keyed_hash("code", code, secret_key),
        secret_key=secret_key,
        hours=hours,
        keys=[accounts.code_prefix_key(code), accounts.code_address_key(address)],
    )


@dataclass(frozen=True, slots=True)
class DoorCheckIn:
    """Who the steward just checked in at the door, and whether they already were."""

    membership_id: int
    name: str
    changed: bool


def scanned_condition(scanned: str, secret_key: str) -> Where | None:
    """What a steward's scanner read (the QR code's link, or its last part) or typed (the
    short code), as the stored hash to look for; None when it looks like neither."""
    text = scanned.strip()
    if LINK_PATH in text:
        token = text.rsplit(LINK_PATH, 1)[1].split("?", 1)[0].split("#", 1)[0].strip("/")
        return AccessCode.link_hash == _keyed_hash("link", token, secret_key) if token else None
    code = normalise_code(text)
    if len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code):
        return AccessCode.code_hash == _keyed_hash("code", code, secret_key)
    if len(text) >= 40 and all(ch.isalnum() or ch in "-_" for ch in text):
        return AccessCode.link_hash == _keyed_hash("link", text, secret_key)  # a bare token
    return None


async def check_in_at_the_door(
    actor: Actor, assembly_id: int, scanned: str, *, secret_key: str
) -> DoorCheckIn:
    """A steward reads a member's QR code (or types their short code) at the door: the member
    it belongs to is checked in as present. The code is not used up (the member still signs
    in with it on their phone); a cancelled or expired code, or another organisation's, is
    ``code_unknown`` / ``code_expired``."""
    require(may_steward, actor)
    condition = scanned_condition(scanned, secret_key)
    if condition is None:
        raise Refused("code_unknown", field="code")
    row = await _find(condition & (AccessCode.organisation == actor.organisation_id))
    if row is None or row["revoked"] or row["membership.status"] != MembershipStatus.ACTIVE.value:
        raise Refused("code_unknown", field="code")
    expires_at = row["expires_at"]
    assert isinstance(expires_at, datetime)
    if expires_at <= datetime.now(UTC):
        raise Refused("code_expired", field="code")
    membership_id = int(row["membership"])
    changed = await attendance.check_in_by_code(actor, assembly_id, membership_id)
    return DoorCheckIn(membership_id, str(row["membership.person.name"]), changed)


async def _find(condition: Combinable) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await AccessCode.select(
            AccessCode.id,
            AccessCode.organisation,
            AccessCode.organisation.name,
            AccessCode.organisation.short_name,
            AccessCode.membership,
            AccessCode.membership.person,
            AccessCode.membership.person.name,  # type: ignore[union-attr]
            AccessCode.membership.status,
            AccessCode.created_at,
            AccessCode.expires_at,
            AccessCode.used_at,
            AccessCode.revoked,
        )
        .where(condition)
        .first()
    )
    return row


async def _usable(row: dict[str, Any] | None) -> int | None:
    """Refuse a code that cannot open a session; return the assembly whose convocation lets
    it be used again (None for a first use)."""
    if row is None or row["revoked"] or row["membership.status"] != MembershipStatus.ACTIVE.value:
        raise Refused("code_unknown")
    again = None
    if row["used_at"] is not None:
        again = await _convened_with(row)
        if again is None:
            raise Refused("code_used")
    expires_at = row["expires_at"]
    assert isinstance(expires_at, datetime)
    if expires_at <= datetime.now(UTC):
        raise Refused("code_expired")
    return again


async def _convened_with(row: dict[str, Any]) -> int | None:
    """The assembly, not closed yet, whose convocation (mail or letter) carried this code:
    the member was convened once the code existed (a code issued later is an ordinary one)."""
    found = (
        await ConvocationRecord.select(ConvocationRecord.assembly)
        .where(
            (ConvocationRecord.organisation == row["organisation"])
            & (ConvocationRecord.membership == row["membership"])
            & (ConvocationRecord.recorded_at >= row["created_at"])
            & (ConvocationRecord.assembly.status != AssemblyStatus.CLOSED.value)
        )
        .order_by(ConvocationRecord.id)
        .first()
    )
    return int(found["assembly"]) if found else None


async def _sign_in(condition: Where, *, secret_key: str, hours: int, keys: list[str]) -> CodeSignIn:
    """Use the code (or link) matching ``condition``; a failure counts against ``keys``.

    The budgets are checked, the code used and a failure counted in one write transaction,
    so concurrent guesses cannot overrun a budget; a keyed hash costs microseconds, so unlike
    a password there is nothing slow to reserve an attempt for."""
    failure: Refused | None = None
    async with write_transaction(AccessCode._meta.db):
        await accounts.lock_budgets(keys)
        await accounts.ensure_within_budgets(keys)
        try:
            row = await _find(condition)
            again = await _usable(row)
            assert row is not None
            # the condition on used_at makes a double tap (or two phones) use it only once
            first_use = (
                AccessCode.used_at.is_null() if again is None else AccessCode.id.is_not_null()
            )
            used = (
                await AccessCode.update({AccessCode.used_at: datetime.now(UTC)})
                .where((AccessCode.id == row["id"]) & first_use)
                .returning(AccessCode.id)
            )
            if not used:
                raise Refused("code_used")
        except Refused as error:
            failure = error
            await accounts.insert_failures(keys)
        else:
            organisation_id = int(row["organisation"])
            token = await accounts.start_session(
                int(row["membership.person"]),
                secret_key=secret_key,
                hours=hours,
                organisation_id=organisation_id,
            )
            # who signed in with a code, never the code itself
            await audit.record(
                organisation_id,
                "access_code.used",
                actor_id=int(row["membership.person"]),
                subject=f"membership:{row['membership']}",
                details={"convocation": again} if again is not None else None,
            )
    if failure is not None:
        raise failure
    assert row is not None
    return CodeSignIn(token, str(row["organisation.short_name"]))
