"""A refusal checked the way every service promises it: the call is refused and the rows it
would have touched are left as they were."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from votes.services.refusals import Refused


async def refused_unchanged(call: Awaitable[object], rows: Callable[[], Awaitable[object]]) -> str:
    """Await ``call``, which must be refused without changing what ``rows()`` reads: the
    refusal's code."""
    before = await rows()
    with pytest.raises(Refused) as refusal:
        await call
    assert await rows() == before
    return refusal.value.code
