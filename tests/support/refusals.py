"""Refusals as the service tests check them: the refusal a call ends in (its code, and its
field and detail where the test reads them), and that the rows it would have touched are left
as they were."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from votes.services.refusals import Refused


async def refusal(call: Awaitable[object]) -> Refused:
    """Await ``call``, which must be refused: the refusal, for a test that reads its field or
    detail as well as its code."""
    with pytest.raises(Refused) as refused:
        await call
    return refused.value


async def refusal_code(call: Awaitable[object]) -> str:
    """Await ``call``, which must be refused: the refusal's code."""
    return (await refusal(call)).code


async def refused_unchanged(call: Awaitable[object], rows: Callable[[], Awaitable[object]]) -> str:
    """Await ``call``, which must be refused without changing what ``rows()`` reads: the
    refusal's code."""
    before = await rows()
    code = await refusal_code(call)
    assert await rows() == before
    return code
