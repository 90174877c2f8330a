"""The secret key the test run signs with (tests/conftest.py sets it as ``VOTES_SECRET_KEY``):
a test that signs a session or a code itself passes the same one."""

from __future__ import annotations

SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
