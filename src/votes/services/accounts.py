"""People, passwords and signed-in sessions.

A session cookie carries a random token; the database keeps only its HMAC under the instance's
secret key, so a leaked table cannot be replayed, and deleting or revoking rows signs people out
at once, in every worker.

Guessing is slowed by budgets of failed sign-ins, counted in the database (so every worker sees
them) over a sliding window of :data:`THROTTLE_WINDOW`:

* per target, tight: :data:`ACCOUNT_FAILURE_LIMIT` wrong passwords for one account, and
  :data:`CODE_PREFIX_FAILURE_LIMIT` wrong codes sharing the first half of a code (a code seen
  half over a shoulder cannot be finished by guessing; its owner, refused too, gets a new code
  at the welcome desk, and a new code has another first half);
* per address, loose: a plenary shares one public address, so :data:`ADDRESS_FAILURE_LIMIT`
  (passwords) and :data:`CODE_ADDRESS_FAILURE_LIMIT` (codes and links) are counted apart and
  are far above what a hall of attendees mistyping ever reaches: one attendee typing a hundred
  wrong codes blocks nobody, not even themselves for another code's first half. They only stop
  a machine that guesses from one address; codes carry 50 bits, so even that budget spent
  every quarter of an hour for the two weeks a code lives finds none.

An attempt is counted *before* it is checked (:func:`reserve_attempt`), in one transaction that
also checks the budgets, and forgotten when it succeeds: sixty guesses sent at once against one
account have at most its budget checked, however slow argon2 is (PostgreSQL serialises the
reservations of one target with a transaction-level advisory lock; SQLite's writes are
serialised already). Nothing locks anyone out for a fixed time: the window slides, so a budget
comes back as old failures age out. If a machine has spent a venue's address budget anyway, an
administrator at the welcome desk lifts it for the address they are connected from
(:func:`lift_address_block`); they are behind the same public address as the room.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Count

from votes.db import account_queries
from votes.db.engine import insert_row, write_transaction
from votes.db.queries import view_of
from votes.db.tables import LoginSession, PasswordReset, Person, SignInFailure
from votes.services import audit, events, passwords
from votes.services.actors import Actor, may_administer, require
from votes.services.refusals import Refused

MIN_PASSWORD_LENGTH = 10
THROTTLE_WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURE_LIMIT = 5  # wrong passwords for one account per window
ADDRESS_FAILURE_LIMIT = 300  # wrong passwords from one address per window
CODE_PREFIX_FAILURE_LIMIT = 5  # wrong codes sharing a first half, per window
CODE_ADDRESS_FAILURE_LIMIT = 1000  # wrong codes and links from one address per window
# "forgot your password" has budgets of its own: asking for someone's reset link must never
# spend the budget that lets them sign in
RESET_REQUEST_LIMIT = 3  # reset links asked for one address per window
RESET_ADDRESS_LIMIT = 100  # reset links asked from one client address per window
RESET_LINK_HOURS = 48

# budget per kind of key; the tight ones are reserved under a lock on PostgreSQL
_LIMITS = {
    "account": ACCOUNT_FAILURE_LIMIT,
    "address": ADDRESS_FAILURE_LIMIT,
    "code": CODE_PREFIX_FAILURE_LIMIT,
    "code-address": CODE_ADDRESS_FAILURE_LIMIT,
    "reset": RESET_REQUEST_LIMIT,
    "reset-address": RESET_ADDRESS_LIMIT,
}
_EXACT = frozenset({"account", "code", "reset"})


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person, as the web layer sees them."""

    person_id: int
    name: str
    email: str | None
    is_instance_admin: bool
    preferred_language: str | None
    # a session opened with an organisation's access code opens that organisation only
    organisation_scope: int | None = None

    def may_enter(self, organisation_id: int) -> bool:
        return self.organisation_scope in (None, organisation_id)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_hash(token: str, secret_key: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def account_key(email: str) -> str:
    return f"account:{normalise_email(email)}"[:300]


def address_key(address: str | None) -> str:
    """The budget of wrong passwords from one address."""
    return f"address:{address or 'unknown'}"[:300]


def code_address_key(address: str | None) -> str:
    """The budget of wrong access codes and sign-in links from one address."""
    return f"code-address:{address or 'unknown'}"[:300]


def reset_key(email: str) -> str:
    """The budget of reset links asked for one e-mail address."""
    return f"reset:{normalise_email(email)}"[:300]


def reset_address_key(address: str | None) -> str:
    """The budget of reset links asked from one client address."""
    return f"reset-address:{address or 'unknown'}"[:300]


def code_prefix_key(code: str) -> str:
    """The budget of wrong codes sharing this (normalised) code's first half."""
    return f"code:{code[: len(code) // 2]}"[:300]


def _limit(key: str) -> int:
    return _LIMITS[key.split(":", 1)[0]]


async def lock_budgets(keys: Sequence[str]) -> None:
    """On PostgreSQL, serialise the reservations of one account or code prefix until the
    transaction ends (SQLite's IMMEDIATE transactions are serialised already); addresses are
    not locked, so a hall signing in at once never queues on its one address."""
    engine = SignInFailure._meta.db
    if isinstance(engine, PostgresEngine):
        await account_queries.lock_until_commit(
            sorted({key for key in keys if key.split(":", 1)[0] in _EXACT})
        )


async def ensure_within_budgets(keys: Sequence[str]) -> None:
    """Raise ``Refused("throttled")`` if any key has spent its budget of recent failures.
    Inside a write transaction after :func:`lock_budgets`, the answer holds until it commits."""
    since = datetime.now(UTC) - THROTTLE_WINDOW
    counts = (
        await SignInFailure.select(SignInFailure.throttle_key, Count())
        .where(SignInFailure.throttle_key.is_in(list(keys)) & (SignInFailure.failed_at > since))
        .group_by(SignInFailure.throttle_key)
    )  # one query for every key: inside a write transaction each query holds the writer
    if any(row["count"] >= _limit(row["throttle_key"]) for row in counts):
        raise Refused("throttled")


async def insert_failures(keys: Sequence[str]) -> list[int]:
    """Count a failure against every key, inside the caller's write transaction."""
    now = datetime.now(UTC)
    rows = await SignInFailure.insert(
        *(SignInFailure(throttle_key=key, failed_at=now) for key in keys)
    ).returning(SignInFailure.id)
    # old failures no longer count: forget them, so the table stays small
    await SignInFailure.delete().where(SignInFailure.failed_at < now - 4 * THROTTLE_WINDOW)
    return [int(row["id"]) for row in rows]


async def reserve_attempt(keys: Sequence[str]) -> list[int]:
    """Count one attempt against every key, as a failure until :func:`release_attempt` says it
    succeeded; ``Refused("throttled")`` (and nothing counted) if a budget is spent.

    The check and the count are one transaction, so concurrent attempts cannot all pass the
    check before any of them is counted."""
    async with write_transaction(SignInFailure._meta.db):
        await lock_budgets(keys)
        await ensure_within_budgets(keys)
        return await insert_failures(keys)


async def release_attempt(reserved: Sequence[int]) -> None:
    """The reserved attempt succeeded: it is no failure."""
    if reserved:
        await SignInFailure.delete().where(SignInFailure.id.is_in(list(reserved)))


async def record_failure(keys: Sequence[str]) -> None:
    """Count a failure against every key, in a transaction of its own."""
    async with write_transaction(SignInFailure._meta.db):
        await insert_failures(keys)


async def forget_failures(key: str) -> None:
    await SignInFailure.delete().where(SignInFailure.throttle_key == key)


async def recent_failures(key: str) -> int:
    since = datetime.now(UTC) - THROTTLE_WINDOW
    return int(
        await SignInFailure.count().where(
            (SignInFailure.throttle_key == key) & (SignInFailure.failed_at > since)
        )
    )


async def lift_address_block(actor: Actor, address: str | None) -> int:
    """Forget the failed sign-ins (passwords, codes, links) from one address, for an admin at
    a venue whose shared address a guessing machine has used up; return how many there were.
    Budgets of accounts and code prefixes stay: each protects one person.
    """
    require(may_administer, actor)
    keys = [address_key(address), code_address_key(address)]
    async with write_transaction(SignInFailure._meta.db):
        forgotten = (
            await SignInFailure.delete()
            .where(SignInFailure.throttle_key.is_in(keys))
            .returning(SignInFailure.id)
        )
        await audit.record_act(actor, "sign_ins.unblocked", details={"failures": len(forgotten)})
    return len(forgotten)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Refused("password_too_short", num=MIN_PASSWORD_LENGTH)


async def create_person(
    name: str, email: str | None, password: str | None, *, instance_admin: bool = False
) -> int:
    """Create a person; raise ``Refused("email_taken")`` if the email is in use."""
    name = name.strip()
    if not name:
        raise Refused("name_required")
    address = normalise_email(email) if email else None
    password_hash = await passwords.hash_password(password) if password else None
    async with write_transaction(Person._meta.db):
        if address and await Person.exists().where(Person.email == address):
            raise Refused("email_taken")
        return await insert_row(
            Person(
                name=name,
                email=address,
                password_hash=password_hash,
                is_instance_admin=instance_admin,
            )
        )


async def authenticate(email: str, password: str, *, address: str | None = None) -> int:
    """Return the person id for a correct email and password, else ``Refused``
    (``throttled`` when this account or address has failed too often lately)."""
    keys = [account_key(email), address_key(address)]
    reserved = await reserve_attempt(keys)
    person_id = await _check_password(email, password)  # a failure stays counted
    async with write_transaction(SignInFailure._meta.db):
        await release_attempt(reserved)
        await forget_failures(keys[0])
    return person_id


async def _check_password(email: str, password: str) -> int:
    row = (
        await Person.select(Person.id, Person.password_hash)
        .where(Person.email == normalise_email(email))
        .first()
    )
    if row is None or not row["password_hash"]:
        # hash anyway so that a wrong email costs as long as a wrong password
        await passwords.verify_password(passwords.dummy_hash(), password)
        raise Refused("bad_credentials")
    matches, new_hash = await passwords.verify_password(row["password_hash"], password)
    if not matches:
        raise Refused("bad_credentials")
    if new_hash:
        await Person.update({Person.password_hash: new_hash}).where(Person.id == row["id"])
    return int(row["id"])


async def start_session(
    person_id: int, *, secret_key: str, hours: int, organisation_id: int | None = None
) -> str:
    """Open a session for ``person_id`` (limited to ``organisation_id`` if given); return the
    token to put in the cookie."""
    token = secrets.token_urlsafe(32)
    await LoginSession.insert(
        LoginSession(
            token_hash=token_hash(token, secret_key),
            person=person_id,
            organisation=organisation_id,
            expires_at=datetime.now(UTC) + timedelta(hours=hours),
        )
    )
    return token


async def viewer_for_token(token: str, *, secret_key: str) -> Viewer | None:
    row = await account_queries.signed_in_row(token_hash(token, secret_key), datetime.now(UTC))
    if row is None:
        return None
    return view_of(Viewer, row, "person.", person_id="person.id", organisation_scope="organisation")


async def end_session(token: str, *, secret_key: str) -> None:
    await LoginSession.delete().where(LoginSession.token_hash == token_hash(token, secret_key))
    events.access_ended(events.AccessEnded(session=token_hash(token, secret_key)))


async def end_all_sessions(
    person_id: int, *, keep_token: str | None = None, secret_key: str = ""
) -> None:
    """Sign a person out everywhere (used on suspension and on request), except the session
    of ``keep_token`` if given (the browser that asked)."""
    query = LoginSession.update({LoginSession.revoked: True}).where(
        LoginSession.person == person_id
    )
    if keep_token:
        query = query.where(LoginSession.token_hash != token_hash(keep_token, secret_key))
    await query
    kept = token_hash(keep_token, secret_key) if keep_token else None
    events.access_ended(events.AccessEnded(person_id=person_id, kept_session=kept))  # streams


async def _unscoped_session_of(person_id: int, token: str, secret_key: str) -> None:
    """Refuse (``Refused("code_session")``) unless ``token`` is a live session of the person
    opened with their password (or a reset link), not with an organisation's access code.

    An access code is handed out by one organisation's admins, who could have printed it for
    themselves: what it opens must stay inside that organisation. Anything that outlives the
    code session (a password, the person's other sessions) is therefore out of its reach."""
    row = (
        await LoginSession.select(LoginSession.organisation)
        .where(
            (LoginSession.token_hash == token_hash(token, secret_key))
            & (LoginSession.person == person_id)
            & LoginSession.revoked.eq(False)
            & (LoginSession.expires_at > datetime.now(UTC))
        )
        .first()
    )
    if row is None or row["organisation"] is not None:
        raise Refused("code_session")


async def sign_out_everywhere(person_id: int, *, token: str, secret_key: str) -> None:
    """Sign a person out of every device, as they asked from the session of ``token``; a
    session opened with an access code may not (``Refused("code_session")``)."""
    await _unscoped_session_of(person_id, token, secret_key)
    await end_all_sessions(person_id)


async def change_password(
    person_id: int, current: str, new: str, *, keep_token: str, secret_key: str
) -> None:
    """Replace a password after checking the current one; other sessions are signed out.

    Only from a session opened with the password itself (``code_session`` otherwise), and
    only to replace one: a person without a password gets their first one through a reset
    link (``password_by_link``), which their own organisation's admin hands them."""
    await _unscoped_session_of(person_id, keep_token, secret_key)
    check_new_password(new)
    row = await Person.select(Person.password_hash).where(Person.id == person_id).first()
    stored = row["password_hash"] if row else None
    if not stored:
        raise Refused("password_by_link")
    matches, _ = await passwords.verify_password(stored, current)
    if not matches:
        raise Refused("bad_current_password")
    new_hash = await passwords.hash_password(new)
    async with write_transaction(Person._meta.db):
        await Person.update({Person.password_hash: new_hash}).where(Person.id == person_id)
        await end_all_sessions(person_id, keep_token=keep_token, secret_key=secret_key)


def _reset_hash(token: str, secret_key: str) -> str:
    return token_hash(f"password-reset:{token}", secret_key)


async def create_reset_link(person_id: int, *, secret_key: str) -> str:
    """A one-time token to choose a new password, valid for :data:`RESET_LINK_HOURS`;
    earlier unused links of the person stop working."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    async with write_transaction(PasswordReset._meta.db):
        await PasswordReset.update({PasswordReset.used_at: now}).where(
            (PasswordReset.person == person_id) & PasswordReset.used_at.is_null()
        )
        await PasswordReset.insert(
            PasswordReset(
                person=person_id,
                token_hash=_reset_hash(token, secret_key),
                expires_at=now + timedelta(hours=RESET_LINK_HOURS),
            )
        )
    return token


async def reset_link_owner(token: str, *, secret_key: str) -> str:
    """The name of the person a valid reset link is for; ``Refused("link_invalid")``."""
    row = (
        await PasswordReset.select(PasswordReset.person.name)
        .where(
            (PasswordReset.token_hash == _reset_hash(token, secret_key))
            & PasswordReset.used_at.is_null()
            & (PasswordReset.expires_at > datetime.now(UTC))
        )
        .first()
    )
    if row is None:
        raise Refused("link_invalid")
    return str(row["person.name"])


async def reset_password(token: str, new: str, *, secret_key: str) -> int:
    """Set a new password with a reset link (used once); every session is signed out."""
    check_new_password(new)
    new_hash = await passwords.hash_password(new)
    now = datetime.now(UTC)
    async with write_transaction(PasswordReset._meta.db):
        used = (
            await PasswordReset.update({PasswordReset.used_at: now})
            .where(
                (PasswordReset.token_hash == _reset_hash(token, secret_key))
                & PasswordReset.used_at.is_null()
                & (PasswordReset.expires_at > now)
            )
            .returning(PasswordReset.person)
        )
        if not used:
            raise Refused("link_invalid")
        person_id = int(used[0]["person"])
        await Person.update({Person.password_hash: new_hash}).where(Person.id == person_id)
        await end_all_sessions(person_id)
    return person_id


async def has_password(person_id: int) -> bool:
    row = await Person.select(Person.password_hash).where(Person.id == person_id).first()
    return bool(row and row["password_hash"])


async def set_preferred_language(person_id: int, language: str) -> None:
    await Person.update({Person.preferred_language: language}).where(Person.id == person_id)
