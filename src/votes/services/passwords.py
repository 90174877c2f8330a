"""Argon2 password hashing, run off the event loop with bounded concurrency.

Argon2 is deliberately slow and memory-hungry; a rush of sign-ins must not starve voting, so at
most :data:`MAX_PARALLEL_HASHES` hashes run at once, each in a worker thread.
"""

from __future__ import annotations

import anyio
import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MAX_PARALLEL_HASHES = 2

_hasher = PasswordHasher()
_limiter: anyio.CapacityLimiter | None = None


def use_cheap_parameters() -> None:
    """For tests only: hashing at full strength would dominate the suite's time."""
    global _hasher, _dummy
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _dummy = None


def _capacity() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(MAX_PARALLEL_HASHES)
    return _limiter


_dummy: str | None = None


def dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so timing reveals nothing."""
    global _dummy
    if _dummy is None:
        _dummy = _hasher.hash("not a password of anyone")
    return _dummy


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password, limiter=_capacity())


async def verify_password(stored_hash: str, password: str) -> tuple[bool, str | None]:
    """Check a password; return (matches, new hash if the parameters changed since)."""

    def verify() -> tuple[bool, str | None]:
        try:
            _hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False, None
        if _hasher.check_needs_rehash(stored_hash):
            return True, _hasher.hash(password)
        return True, None

    return await anyio.to_thread.run_sync(verify, limiter=_capacity())
