"""Live events: what services announce after a commit, for every open page to follow the room.

"Signal, then fetch": an event is a tiny JSON signal (what changed, in which organisation,
assembly, ballot or thread, and when), never a page. Each open page listens to its
organisation's channel through ``votes.web.live`` and re-fetches its own fragment with its own
permissions, so nobody ever receives what they may not see. The one exception is the turnout
count, which is the same for every member: it travels in the event (numbers only) and the
stream renders the sentence in the viewer's language, so 2,000 phones do not each fetch a page
every second while votes come in.

Publishing goes through whatever the web app installed (``install``): Litestar's channels
plugin with in-process memory channels for one process, or PostgreSQL LISTEN/NOTIFY for
several workers. Outside the web app (the ``votes`` command, tests of services) nothing is
installed and every helper here does nothing.

Every helper must be called **after** the transaction that made the change has committed
(after the ``async with write_transaction(...)`` block): a page that re-fetches on the signal
must find the change already visible.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Self, TypeVar

from votes.db.tables import MembershipStatus

logger = logging.getLogger("votes.events")

# the channels plugin's ``publish(data, channels)``: queues the bytes and returns at once
Publisher = Callable[[bytes, Iterable[str]], None]

TURNOUT_INTERVAL_SECONDS = 1.0  # at most one turnout signal per ballot per second (per process)
_THROTTLE_KEPT = 10_000  # ballots remembered by the throttle before it forgets old ones

Found = TypeVar("Found")


class EventKind(StrEnum):
    BALLOT = "ballot"  # opened, phase, closed, published, cancelled, reopened, new round
    TURNOUT = "turnout"  # votes came in (throttled); carries the counts
    AGENDA = "agenda"  # the item under discussion or the assembly's status changed
    QUORUM = "quorum"  # attendance moved: presence, proxies, quorum reached or lost
    THREAD = "thread"  # a contribution was posted in a thread
    FLOOR = "floor"  # a speakers' list moved: a request, the floor given or ended, reordered
    MOOD = "mood"  # a mood check opened or closed (change)
    MOOD_ANSWERS = "mood-answers"  # answers came in (coalesced): the counts travel in the event


@dataclass(frozen=True, slots=True)
class _Signal:
    """What travels on a channel: a live event or an access signal."""

    def encode(self) -> bytes:
        """The signal as compact JSON, its unset (None) fields left out: small on the wire."""
        fields = {name: value for name, value in asdict(self).items() if value is not None}
        return json.dumps(fields, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, data: bytes) -> Self | None:
        """The signal, or None for bytes that are not one (never raises: a stream survives)."""
        try:
            return cls.from_fields(json.loads(data))
        except (ValueError, TypeError, KeyError):
            return None

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> Self:
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class LiveEvent(_Signal):
    """One signal. ``at`` is the publishing time in milliseconds since the epoch: streams use
    it as the SSE event id, so a reconnecting browser says how far it got."""

    kind: EventKind
    organisation_id: int
    at: int
    assembly_id: int | None = None
    ballot_id: int | None = None
    thread_id: int | None = None
    change: str | None = None  # what happened to a ballot: opened, closed, published…
    total: int | None = None  # turnout: electronic votes plus the room's count
    eligible: int | None = None  # turnout: members with voting rights
    mood_id: int | None = None  # mood: the check
    counts: str | None = None  # mood: answers per choice, comma-separated, in the check's order
    # floor: who speaks (membership, name) and who waits, in speaking order (memberships,
    # comma-separated): public in the room; each phone works out its own place and re-fetches
    # its fragment only when its own state changed (static/js/floor.js)
    speaker_id: int | None = None
    speaker: str | None = None
    order: str | None = None

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> Self:
        return cls(**{**fields, "kind": EventKind(fields["kind"])})


@dataclass(frozen=True, slots=True)
class AccessEnded(_Signal):
    """What let live streams open no longer holds: a membership (suspended or left), one
    session (signed out), or every session of a person but ``kept_session`` (signed out
    everywhere, a password changed from that browser). Every process hears it on
    ``ACCESS_CHANNEL`` and ends the matching streams before they deliver anything more.
    Sessions are named by their token's keyed hash, never by the token."""

    membership_id: int | None = None
    session: str | None = None
    person_id: int | None = None
    kept_session: str | None = None

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> Self:
        found = cls(**fields)
        if found == cls():
            raise ValueError("an access signal names what ended")
        return found


# not an organisation's channel: a person's sessions span organisations (a valid LISTEN name)
ACCESS_CHANNEL = "votes_access"


def channel_of(organisation_id: int) -> str:
    """An organisation's channel (also a valid PostgreSQL LISTEN name)."""
    return f"votes_org_{organisation_id}"


def now_ms() -> int:
    return int(time.time() * 1000)


_publisher: Publisher | None = None


def install(publisher: Publisher | None) -> None:
    """Called by the web app when its channels start (``None`` when they stop)."""
    global _publisher  # one publisher per process, set by the app's lifespan
    _publisher = publisher
    _throttle.reset()
    _mood_throttle.reset()


def is_installed() -> bool:
    """Whether a publisher listens: the floor skips reading the queue for an event nobody
    would receive (a command-line task, a test without streams)."""
    return _publisher is not None


def _send(signal: _Signal, channel: str, dropped: str) -> None:
    """``signal`` to ``channel`` through the installed publisher, if any. Dropped while the
    channels shut down (logged with ``dropped``): a page's next fetch catches up, and every
    stream of this process is ending anyway."""
    publisher = _publisher
    if publisher is None:
        return
    try:
        publisher(signal.encode(), [channel])
    except RuntimeError:
        logger.debug(dropped, signal)


def publish(event: LiveEvent) -> None:
    _send(event, channel_of(event.organisation_id), "live event dropped during shutdown: %s")


def access_ended(access: AccessEnded) -> None:
    """Streams opened under ``access`` end in every process (see ``AccessEnded``). May be
    called inside the transaction that ends it: a stream ended early only reconnects, and
    finds the change committed (or, rolled back, opens again)."""
    _send(access, ACCESS_CHANNEL, "access signal dropped during shutdown: %s")


def membership_status_changed(membership_id: int, status: str) -> None:
    """A membership was suspended or recorded as left: its streams end (not when it is
    restored: nothing was open)."""
    if status != MembershipStatus.ACTIVE:
        access_ended(AccessEnded(membership_id=membership_id))


# -- what services call (after commit) -------------------------------------------------------


def ballot_changed(organisation_id: int, assembly_id: int, ballot_id: int, change: str) -> None:
    """A ballot was opened, moved to its next phase, closed, published, cancelled, reopened
    or started a new round. Pages re-fetch: what a viewer sees depends on their role (results
    at close are for facilitators and scrutineers only), so no content travels."""
    publish(
        LiveEvent(
            EventKind.BALLOT,
            organisation_id,
            now_ms(),
            assembly_id=assembly_id,
            ballot_id=ballot_id,
            change=change,
        )
    )


def agenda_changed(organisation_id: int, assembly_id: int) -> None:
    """The item under discussion or the assembly's status changed: the "now" page and the
    projector re-fetch (the item may hold drafts only some may read)."""
    publish(LiveEvent(EventKind.AGENDA, organisation_id, now_ms(), assembly_id=assembly_id))


def quorum_changed(organisation_id: int, assembly_id: int) -> None:
    """Attendance moved (a check-in or check-out, a proxy given or withdrawn, the quorum
    reached or lost). Call it after the attendance transaction commits; the
    "now" page and the projector re-fetch their quorum banner. A signal only: the banner's
    wording depends on the viewer's role."""
    publish(LiveEvent(EventKind.QUORUM, organisation_id, now_ms(), assembly_id=assembly_id))


def contribution_posted(organisation_id: int, thread_id: int) -> None:
    """A contribution was posted: pages showing that thread re-fetch it (threads of draft
    proposals are private, so the contribution itself never travels)."""
    publish(LiveEvent(EventKind.THREAD, organisation_id, now_ms(), thread_id=thread_id))


def votes_counted(ballot_id: int) -> None:
    """A vote was stored (or a room count entered): the turnout moved. Throttled and
    coalesced: the first vote after a quiet second is announced at once, later ones wait for
    the end of that second and are announced together with their count."""
    if _publisher is not None:
        _throttle.touch(ballot_id)


def floor_changed(
    organisation_id: int,
    assembly_id: int,
    change: str = "queue",
    *,
    speaker_id: int | None = None,
    speaker: str | None = None,
    order: str | None = None,
) -> None:
    """A speakers' list moved. The event carries the speaker and the queue's order, so that
    2,000 phones do not all re-fetch: only those whose own place or turn changed do."""
    publish(
        LiveEvent(
            EventKind.FLOOR,
            organisation_id,
            now_ms(),
            assembly_id=assembly_id,
            change=change,
            speaker_id=speaker_id,
            speaker=speaker,
            order=order,
        )
    )


def mood_changed(organisation_id: int, assembly_id: int, mood_id: int, change: str) -> None:
    """A mood check opened or closed: phones show or hide it."""
    publish(
        LiveEvent(
            EventKind.MOOD,
            organisation_id,
            now_ms(),
            assembly_id=assembly_id,
            mood_id=mood_id,
            change=change,
        )
    )


def mood_answered(mood_id: int) -> None:
    """An answer came in: throttled like the turnout, and the distribution (numbers only)
    travels in the event, so no phone fetches anything and the projector redraws its bars."""
    if _publisher is not None:
        _mood_throttle.touch(mood_id)


# -- the turnout throttle --------------------------------------------------------------------


class _TurnoutThrottle:
    """At most one turnout signal per ballot per interval in this process, with the count
    read when it is sent (so the last vote of a burst is always announced)."""

    def __init__(self, announce: Callable[[int], Any] | None = None) -> None:
        self._announce = announce
        self._last: dict[int, float] = {}
        self._pending: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def reset(self) -> None:
        self._last.clear()
        self._pending.clear()

    def touch(self, ballot_id: int) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside the app's loop: nobody is listening here
            return
        if ballot_id in self._pending:
            return  # coalesced into the signal already planned
        self._pending.add(ballot_id)
        wait = self._last.get(ballot_id, float("-inf")) + TURNOUT_INTERVAL_SECONDS - loop.time()
        if wait <= 0:
            self._start(loop, ballot_id)
        else:
            loop.call_later(wait, self._start, loop, ballot_id)

    def _start(self, loop: asyncio.AbstractEventLoop, ballot_id: int) -> None:
        # the count is read after this point, so a vote arriving meanwhile plans the next one
        self._pending.discard(ballot_id)
        if len(self._last) > _THROTTLE_KEPT:
            self._last.clear()
        self._last[ballot_id] = loop.time()
        task = loop.create_task((self._announce or _announce_turnout)(ballot_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


_throttle = _TurnoutThrottle()


async def _counted(
    count: Callable[[int], Awaitable[Found | None]], key: int, failed: str
) -> Found | None:
    """``count(key)``, or None when it fails (logged with ``failed``): a failed count must not
    surface anywhere, the next vote or answer retries."""
    try:
        return await count(key)
    except Exception:
        logger.exception(failed, key)
        return None


async def _announce_mood(mood_id: int) -> None:
    from votes.db.mood_queries import mood_signal  # the db layer loads tables on import

    found = await _counted(mood_signal, mood_id, "could not count the answers of mood check %s")
    if found is None:
        return
    organisation_id, assembly_id, counts = found
    publish(
        LiveEvent(
            EventKind.MOOD_ANSWERS,
            organisation_id,
            now_ms(),
            assembly_id=assembly_id,
            mood_id=mood_id,
            change="answers",
            counts=",".join(str(count) for count in counts),
            total=sum(counts),
        )
    )


_mood_throttle = _TurnoutThrottle(_announce_mood)


async def _announce_turnout(ballot_id: int) -> None:
    from votes.db.live_queries import turnout_signal  # the db layer loads tables on import

    found = await _counted(turnout_signal, ballot_id, "could not count the turnout of ballot %s")
    if found is None:
        return
    publish(
        LiveEvent(
            EventKind.TURNOUT,
            found.organisation_id,
            now_ms(),
            assembly_id=found.assembly_id,
            ballot_id=ballot_id,
            total=found.total,
            eligible=found.eligible,
        )
    )
