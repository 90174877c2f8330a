"""Countdowns that close their ballots: while the app serves, a small task closes every open
ballot whose deadline has passed, once a second, through the ordinary close (counted, sealed
in the audit trail with no actor and the reason ``time_is_up``, announced to the live pages).

Each worker runs its own task; a ballot another worker closed first is skipped silently (see
``votes.services.ballots.lifecycle.close_due_ballots``). Votes do not depend on the task: a vote
checked after the deadline is refused whether or not the sweep has closed the ballot yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from votes.services import ballot_mails
from votes.services.background import STOP_GRACE_SECONDS, Lifespan, task_lifespan
from votes.services.ballots import lifecycle

logger = logging.getLogger("votes.deadlines")

SWEEP_SECONDS = 1.0


def deadline_lifespan(interval: float = SWEEP_SECONDS) -> Lifespan:
    """The app's lifespan part that runs the deadline sweep while the app serves; at shutdown
    the sweep ends at once, or as soon as the close under way is done."""
    return task_lifespan(
        "votes-deadlines", lambda stop: sweep_until(stop, interval), STOP_GRACE_SECONDS
    )


async def sweep_until(stop: asyncio.Event, interval: float = SWEEP_SECONDS) -> None:
    """Close due ballots, and send due reminders, every ``interval`` seconds until ``stop``
    is set."""
    while not stop.is_set():
        try:
            await lifecycle.close_due_ballots()
        except Exception:  # the database is away for a moment: the next sweep tries again
            logger.exception("the deadline sweep failed")
        try:  # the reminders of ballots open for days, once each
            await ballot_mails.remind_due()
        except Exception:
            logger.exception("the reminder sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
