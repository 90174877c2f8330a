"""Refusals as the service tests check them: the code a call is refused with, and that the
rows it would have touched are left as they were."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from votes.services.refusals import Refused


async def refusal_code(call: Awaitable[object]) -> str:
    """Await ``call``, which must be refused: the refusal's code."""
    with pytest.raises(Refused) as refusal:
        await call
    return refusal.value.code


async def refused_unchanged(call: Awaitable[object], rows: Callable[[], Awaitable[object]]) -> str:
    """Await ``call``, which must be refused without changing what ``rows()`` reads: the
    refusal's code."""
    before = await rows()
    code = await refusal_code(call)
    assert await rows() == before
    return code
