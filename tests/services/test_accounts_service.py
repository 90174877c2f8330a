"""Accounts on the real database: throttling, reset links, password changes, scoped sessions."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from tests.support.keys import SECRET_KEY
from tests.support.refusals import refusal_code, refused_unchanged

from votes.db.tables import LoginSession, PasswordReset, Person, SignInFailure
from votes.services import accounts, passwords
from votes.services.refusals import Refused

PASSWORD = "a-long-enough-password"


def _email() -> str:
    return f"acc-{uuid.uuid4().hex[:10]}@example.org"


async def test_an_address_past_its_limit_is_refused_before_any_password_is_checked() -> None:
    address = f"203.0.113.{uuid.uuid4().int % 250}"
    email = _email()
    await accounts.create_person("Bon", email, PASSWORD)
    await accounts.record_failure([accounts.address_key(address)] * accounts.ADDRESS_FAILURE_LIMIT)
    attempt = accounts.authenticate(email, PASSWORD, address=address)
    assert await refusal_code(attempt) == "throttled"
    # another address is not affected
    assert await accounts.authenticate(email, PASSWORD, address="198.51.100.7")


async def test_a_success_forgets_the_account_failures_but_not_the_address_ones() -> None:
    email = _email()
    await accounts.create_person("Oublieux", email, PASSWORD)
    for _ in range(accounts.ACCOUNT_FAILURE_LIMIT - 1):
        attempt = accounts.authenticate(email, "wrong", address="192.0.2.1")
        assert await refusal_code(attempt) == "bad_credentials"
    await accounts.authenticate(email, PASSWORD, address="192.0.2.1")
    assert not await SignInFailure.exists().where(
        SignInFailure.throttle_key == accounts.account_key(email)
    )
    assert await SignInFailure.exists().where(
        SignInFailure.throttle_key == accounts.address_key("192.0.2.1")
    )


async def test_an_unknown_email_fails_like_a_wrong_password() -> None:
    assert await refusal_code(accounts.authenticate(_email(), PASSWORD)) == "bad_credentials"


async def test_a_reset_link_works_once_and_a_newer_one_replaces_it() -> None:
    email = _email()
    person_id = await accounts.create_person("Réinit", email, PASSWORD)
    session = await accounts.start_session(person_id, secret_key=SECRET_KEY, hours=1)
    first = await accounts.create_reset_link(person_id, secret_key=SECRET_KEY)
    second = await accounts.create_reset_link(person_id, secret_key=SECRET_KEY)
    attempt = accounts.reset_link_owner(first, secret_key=SECRET_KEY)
    assert await refusal_code(attempt) == "link_invalid"
    assert await accounts.reset_link_owner(second, secret_key=SECRET_KEY) == "Réinit"
    attempt = accounts.reset_password(second, "short", secret_key=SECRET_KEY)
    assert await refusal_code(attempt) == "password_too_short"
    assert await accounts.reset_password(second, "brand-new-password", secret_key=SECRET_KEY) == (
        person_id
    )
    assert await accounts.viewer_for_token(session, secret_key=SECRET_KEY) is None
    attempt = accounts.reset_password(second, "another-password", secret_key=SECRET_KEY)
    assert await refusal_code(attempt) == "link_invalid"
    stored = await PasswordReset.select(PasswordReset.token_hash).where(
        PasswordReset.person == person_id
    )
    assert all(second not in row["token_hash"] for row in stored)


async def test_a_password_changed_with_the_wrong_current_one_stays_unchanged() -> None:
    email = _email()
    person_id = await accounts.create_person("Prudent", email, PASSWORD)
    session = await accounts.start_session(person_id, secret_key=SECRET_KEY, hours=1)
    attempt = accounts.change_password(
        person_id, "not-it", "new-password-00", keep_token=session, secret_key=SECRET_KEY
    )
    password = Person.select(Person.password_hash).where(Person.id == person_id).first
    assert await refused_unchanged(attempt, password) == "bad_current_password"


async def test_a_hash_made_with_old_parameters_is_upgraded_at_sign_in() -> None:
    from argon2 import PasswordHasher

    email = _email()
    person_id = await accounts.create_person("Ancien", email, None)
    old = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    await Person.update({Person.password_hash: old}).where(Person.id == person_id)
    assert await accounts.authenticate(email, PASSWORD) == person_id
    row = await Person.select(Person.password_hash).where(Person.id == person_id).first()
    assert row["password_hash"] != old
    assert (await passwords.verify_password(row["password_hash"], PASSWORD))[0]


async def test_sessions_are_stored_as_keyed_hashes_and_carry_their_scope() -> None:
    person_id = await accounts.create_person("Portée", _email(), None)
    token = await accounts.start_session(
        person_id, secret_key=SECRET_KEY, hours=1, organisation_id=None
    )
    assert not await LoginSession.exists().where(LoginSession.token_hash == token)
    viewer = await accounts.viewer_for_token(token, secret_key=SECRET_KEY)
    assert viewer is not None
    assert viewer.may_enter(12345)


async def test_sixty_guesses_sent_at_once_have_at_most_the_budget_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    email = _email()
    person_id = await accounts.create_person("Assiégée", email, PASSWORD)
    checked = 0
    verify = passwords.verify_password

    async def counted(stored: str, password: str) -> tuple[bool, str | None]:
        nonlocal checked
        checked += 1
        return await verify(stored, password)

    monkeypatch.setattr(passwords, "verify_password", counted)
    guesses = [f"wrong-guess-{n:02d}" for n in range(59)] + [PASSWORD]
    results = await asyncio.gather(
        *(accounts.authenticate(email, guess, address="192.0.2.60") for guess in guesses),
        return_exceptions=True,
    )
    assert checked <= accounts.ACCOUNT_FAILURE_LIMIT
    refused = [r for r in results if isinstance(r, Refused) and r.code == "throttled"]
    assert len(refused) >= len(guesses) - accounts.ACCOUNT_FAILURE_LIMIT
    assert results.count(person_id) <= 1  # the right one only if it was within the budget


async def test_a_success_is_not_counted_as_a_failure_of_the_address() -> None:
    email = _email()
    await accounts.create_person("Réussie", email, PASSWORD)
    address = "192.0.2.61"
    for _ in range(3):
        await accounts.authenticate(email, PASSWORD, address=address)
    assert await accounts.recent_failures(accounts.address_key(address)) == 0
