"""People, passwords and signed-in sessions.

A session cookie carries a random token; the database keeps only its HMAC under the instance's
secret key, so a leaked table cannot be replayed, and deleting or revoking rows signs people out
at once, in every worker.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from votes.db.engine import write_transaction
from votes.db.tables import LoginSession, Person
from votes.services import passwords


class AccountError(Exception):
    """A sign-in or account change that cannot be done; ``code`` selects the message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person, as the web layer sees them."""

    person_id: int
    name: str
    email: str | None
    is_instance_admin: bool
    preferred_language: str | None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_hash(token: str, secret_key: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


async def create_person(
    name: str, email: str | None, password: str | None, *, instance_admin: bool = False
) -> int:
    """Create a person; raise ``AccountError("email_taken")`` if the email is in use."""
    name = name.strip()
    if not name:
        raise AccountError("name_required")
    address = normalise_email(email) if email else None
    password_hash = await passwords.hash_password(password) if password else None
    async with write_transaction(Person._meta.db):
        if address and await Person.exists().where(Person.email == address):
            raise AccountError("email_taken")
        rows = await Person.insert(
            Person(
                name=name,
                email=address,
                password_hash=password_hash,
                is_instance_admin=instance_admin,
            )
        )
    return int(rows[0]["id"])


async def authenticate(email: str, password: str) -> int:
    """Return the person id for a correct email and password, else ``AccountError``."""
    row = (
        await Person.select(Person.id, Person.password_hash)
        .where(Person.email == normalise_email(email))
        .first()
    )
    if row is None or not row["password_hash"]:
        # hash anyway so that a wrong email costs as long as a wrong password
        await passwords.verify_password(passwords.dummy_hash(), password)
        raise AccountError("bad_credentials")
    matches, new_hash = await passwords.verify_password(row["password_hash"], password)
    if not matches:
        raise AccountError("bad_credentials")
    if new_hash:
        await Person.update({Person.password_hash: new_hash}).where(Person.id == row["id"])
    return int(row["id"])


async def start_session(person_id: int, *, secret_key: str, hours: int) -> str:
    """Open a session for ``person_id``; return the token to put in the cookie."""
    token = secrets.token_urlsafe(32)
    await LoginSession.insert(
        LoginSession(
            token_hash=token_hash(token, secret_key),
            person=person_id,
            expires_at=datetime.now(UTC) + timedelta(hours=hours),
        )
    )
    return token


async def viewer_for_token(token: str, *, secret_key: str) -> Viewer | None:
    row = (
        await LoginSession.select(
            LoginSession.person.id,
            LoginSession.person.name,
            LoginSession.person.email,
            LoginSession.person.is_instance_admin,
            LoginSession.person.preferred_language,
        )
        .where(
            (LoginSession.token_hash == token_hash(token, secret_key))
            & (LoginSession.revoked.eq(False))
            & (LoginSession.expires_at > datetime.now(UTC))
        )
        .first()
    )
    if row is None:
        return None
    return Viewer(
        person_id=row["person.id"],
        name=row["person.name"],
        email=row["person.email"],
        is_instance_admin=row["person.is_instance_admin"],
        preferred_language=row["person.preferred_language"],
    )


async def end_session(token: str, *, secret_key: str) -> None:
    await LoginSession.delete().where(LoginSession.token_hash == token_hash(token, secret_key))


async def end_all_sessions(person_id: int) -> None:
    """Sign a person out everywhere (used on suspension and on request)."""
    await LoginSession.update({LoginSession.revoked: True}).where(LoginSession.person == person_id)


async def set_preferred_language(person_id: int, language: str) -> None:
    await Person.update({Person.preferred_language: language}).where(Person.id == person_id)
