"""Live pages: server-sent event streams that tell open pages when to re-fetch their fragments.

Four streams, each a long-lived ``text/event-stream`` response, all on the organisation's one
channel (``votes.services.events``) and each keeping only what its pages use. They share the
resync, the heartbeat and the coalescing below, which is why they live in one module longer
than the others:

* ``/o/{org}/live``: the vote list and the "now" page (ballots opened or closed, the agenda,
  attendance, new contributions);
* ``/o/{org}/ballots/{id}/live``: a ballot's page and its console (that ballot's lifecycle and
  its turnout);
* ``/o/{org}/assemblies/{id}/live``: the projector (that assembly's ballots, turnout, agenda
  and attendance).
* ``/o/{org}/assemblies/{id}/floor/live``: the floor's phones, console and projector (the
  speaker and the queue's order, mood checks opened and closed, with their panel pushed).

Pages connect with the htmx SSE extension (``sse-connect``) and their fragments re-fetch on
``hx-trigger="sse:<kind>"``. Resilience, from the browser's side to the server's:

* every event carries an ``id`` (its time in ms): a browser reconnecting by itself sends it
  back as ``Last-Event-ID``; pages also put their render time in the URL (``since``). On every
  (re)connection the stream checks once whether the organisation changed since then and, if
  so, starts with a ``resync`` event so the page catches up (it never stays on a closed ballot);
* a comment line every few seconds (``VOTES_LIVE_HEARTBEAT_SECONDS``) keeps proxies and
  phones' networks from closing an idle stream, and makes a vanished phone's stream fail;
* across workers (PostgreSQL LISTEN/NOTIFY, ``votes.web.pg_channels``) a lost listener
  connection (database restart, failover) is reconnected, and every stream of the process
  then gets a ``resync``: what was published while it was deaf is lost;
* turnout reaches each stream at most once per second per ballot, coalesced (the last count
  wins), even when several workers each send theirs;
* a stream lives only as long as what let it open: when its actor is suspended or
  left, or its session ends (signed out, everywhere included), every process hears it on
  ``events.ACCESS_CHANNEL`` and the stream ends before it delivers anything more (a phone
  that reconnects is then refused);
* on SIGTERM/SIGINT every stream ends at once with a ``retry`` hint, so ``votes serve`` never
  waits for phones before restarting; a stream opened while the app is not serving live
  events (starting, stopping) gets the same short answer, and the browser comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import logging
import signal
import time
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from litestar import Controller, Litestar, get
from litestar.channels import ChannelsPlugin, Subscriber
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import ServerSentEventMessage, Stream

from votes.db import ballot_queries as bq
from votes.db.live_queries import changed_since
from votes.i18n import translations
from votes.services import events
from votes.services.accounts import token_hash
from votes.services.events import AccessEnded, EventKind, LiveEvent
from votes.settings import LiveBackend, Settings
from votes.web.context import SESSION_COOKIE
from votes.web.forms import MAX_MOMENT_MS, QueryMoment, whole_number
from votes.web.pages import Page, found
from votes.web.pg_channels import RESYNC_SIGNAL, PostgresChannelsBackend
from votes.web.pushed import VoteAreaRenderer

logger = logging.getLogger("votes.live")

RETRY_MS = 3000  # how long a browser waits before reconnecting after the stream ends
CLOCK_MARGIN = timedelta(seconds=2)  # render time vs. database time on other machines
SUBSCRIBER_BACKLOG = 200  # events held for a phone whose network is slow; older ones go
# how long a process remembers an ended access, for the streams whose request was already
# under way when it heard of it (they check once, as they start)
ENDED_ACCESS_KEPT_SECONDS = 600.0
ENDED_ACCESS_KEPT = 10_000
HEADERS = {
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # nginx and others: pass each event on at once, never buffer
}


@dataclass(slots=True)
class StreamGrant:
    """What let a stream open: its actor and its session. ``since`` is when its
    request began (``time.perf_counter``), before the guards read either."""

    membership_id: int
    person_id: int
    session: str | None  # the session token's keyed hash
    since: float
    ended: bool = False

    def ended_by(self, access: AccessEnded) -> bool:
        if access.membership_id is not None and access.membership_id == self.membership_id:
            return True
        if access.session is not None and access.session == self.session:
            return True
        return (
            access.person_id is not None
            and access.person_id == self.person_id
            and (access.kept_session is None or access.kept_session != self.session)
        )


class LiveSubscriber(Subscriber):
    """A subscriber a stream can wait on with a deadline (for heartbeats and coalescing).

    ``grant`` is what let its stream open; ``on_item``, when set, takes each item as it is
    published, in order, instead of queueing it (the process's one watcher of ended
    accesses: it must act before any later event reaches a stream)."""

    grant: StreamGrant | None = None
    on_item: Callable[[bytes | None], None] | None = None

    def put_nowait(self, item: bytes | None) -> bool:
        if self.on_item is not None:
            self.on_item(item)
            return True
        return super().put_nowait(item)

    async def next_event(self, wait_seconds: float) -> bytes | bool | None:
        """The next event's bytes, ``None`` when the stream must end, ``False`` when nothing
        came within ``wait_seconds`` (or, rarely, a little earlier: the caller checks its
        deadlines again).

        The deadline is a timer that puts ``False`` in the queue, not ``asyncio.timeout``: a
        timeout raises, and its exceptions leave reference cycles behind; two thousand streams
        doing that every second made the garbage collector stop the whole process for a third
        of a second every few seconds (votes waited behind it)."""
        queue: asyncio.Queue[bytes | bool | None] = self._queue  # type: ignore[assignment]
        if queue.empty():
            if wait_seconds <= 0:
                return False
            timer = asyncio.get_running_loop().call_later(wait_seconds, _wake, queue)
            try:
                item = await queue.get()
            finally:
                timer.cancel()
        else:
            item = queue.get_nowait()
        queue.task_done()
        return item


def _wake(queue: asyncio.Queue[bytes | bool | None]) -> None:
    if queue.empty():  # otherwise the stream has something to read already
        queue.put_nowait(False)


@dataclass
class LiveHub:
    """This process's live events: the channels plugin and the streams it serves."""

    plugin: ChannelsPlugin
    heartbeat_seconds: float
    serving: bool = False
    streams: weakref.WeakSet[LiveSubscriber] = field(default_factory=weakref.WeakSet)
    vote_areas: VoteAreaRenderer = field(default_factory=lambda: VoteAreaRenderer())
    anchored: dict[str, asyncio.Future[None]] = field(default_factory=dict)
    ended_access: dict[AccessEnded, float] = field(default_factory=dict)  # -> when heard

    async def keep_listening(
        self, channel: str, on_item: Callable[[bytes | None], None] | None = None
    ) -> None:
        """Subscribe this process to ``channel`` for good, before any stream of it.

        Litestar unsubscribes the backend (UNLISTEN) when a channel's last stream ends; when
        the room's phones move from one page to the next, an UNLISTEN racing a new LISTEN can
        leave the process deaf to the channel. A subscriber that never ends (its backlog
        bounded, old events dropped) keeps one LISTEN per organisation for the process's life.
        Still needed with our own backend (``votes.web.pg_channels``): the plugin decides
        when to call the backend's subscribe and unsubscribe, and may call them in the wrong
        order; the backend LISTENs again to this channel after every reconnection.
        ``on_item`` takes the channel's items as they come, instead of the bounded backlog.
        """
        found = self.anchored.get(channel)
        if found is None:
            found = self.anchored[channel] = asyncio.get_running_loop().create_future()
            try:
                subscriber = await self.plugin.subscribe(channel)
                if on_item is not None and isinstance(subscriber, LiveSubscriber):
                    subscriber.on_item = on_item
                    while (early := await subscriber.next_event(0)) is not False:
                        on_item(early if isinstance(early, bytes) else None)
            except BaseException as error:
                del self.anchored[channel]
                found.set_exception(error)
                found.exception()  # retrieved: the streams waiting here each get it too
                raise
            found.set_result(None)
        await asyncio.shield(found)

    async def watch_access(self) -> None:
        """Hear, for the process's life, of memberships and sessions that end."""
        await self.keep_listening(events.ACCESS_CHANNEL, self._access_ended)

    def _access_ended(self, item: bytes | None) -> None:
        # a RESYNC_SIGNAL (the listener was lost meanwhile) decodes to None: what it missed
        # is lost, but every page re-fetches its fragments through the guards then
        access = AccessEnded.decode(item) if item else None
        if access is None:
            return
        now = time.perf_counter()
        ended = self.ended_access
        ended.pop(access, None)  # re-inserted last: the dict stays in the order heard
        ended[access] = now
        for old, heard in list(ended.items()):
            if heard > now - ENDED_ACCESS_KEPT_SECONDS and len(ended) <= ENDED_ACCESS_KEPT:
                break
            del ended[old]
        for subscriber in list(self.streams):
            grant = subscriber.grant
            if grant is not None and not grant.ended and grant.ended_by(access):
                grant.ended = True
                subscriber.put_nowait(None)  # wakes the stream, which sees its grant ended

    def has_ended(self, grant: StreamGrant) -> bool:
        """Whether an access ended after ``grant``'s request began (a stream checks once,
        as it starts: its guards may have read the database before the change)."""
        if not grant.ended:
            grant.ended = any(
                heard >= grant.since and grant.ended_by(access)
                for access, heard in self.ended_access.items()
            )
        return grant.ended

    def end_streams(self) -> None:
        """Stop accepting streams and end those open (shutdown)."""
        self.serving = False
        for subscriber in list(self.streams):
            subscriber.put_nowait(None)


def make_channels_plugin(settings: Settings) -> ChannelsPlugin:
    """Memory channels for one process; PostgreSQL LISTEN/NOTIFY when several share one
    (``votes.web.pg_channels``: it reconnects after a database restart, then resyncs the
    streams)."""
    backend: ChannelsBackend
    if settings.live_backend is LiveBackend.POSTGRES:
        assert settings.database_url is not None  # the settings check it
        backend = PostgresChannelsBackend(_asyncpg_dsn(settings.database_url))
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_class=LiveSubscriber,
        subscriber_max_backlog=SUBSCRIBER_BACKLOG,
        subscriber_backlog_strategy="dropleft",
    )


def _asyncpg_dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]  # asyncpg reads postgres:// too, but not +…


Lifespan = Callable[[Litestar], contextlib.AbstractAsyncContextManager[None]]


def live_lifespan(hub: LiveHub) -> Lifespan:
    """The app's lifespan part for live events: install the publisher for services, end every
    stream as soon as the process is told to stop."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()

        def on_stop() -> None:  # runs in the signal handler: hand over to the loop
            loop.call_soon_threadsafe(hub.end_streams)

        restore = _on_stop_signals(on_stop)
        events.install(hub.plugin.publish)
        hub.serving = True
        try:
            yield
        finally:
            hub.end_streams()
            events.install(None)
            restore()

    return lifespan


def _on_stop_signals(callback: Callable[[], None]) -> Callable[[], None]:
    """Chain ``callback`` before the server's own SIGINT/SIGTERM handlers (uvicorn waits for
    open responses before it stops, and an event stream never ends by itself). Returns the
    function that puts the previous handlers back. Outside the main thread (test clients)
    signals cannot be handled and nothing changes."""
    previous: dict[int, Any] = {}

    def handler(number: int, frame: FrameType | None) -> None:
        callback()
        chained = previous.get(number)
        if callable(chained):
            chained(number, frame)
        elif chained == signal.SIG_DFL:  # nobody else handles it: let it do what it does
            signal.signal(number, signal.SIG_DFL)
            signal.raise_signal(number)

    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[number] = signal.signal(number, handler)
        except ValueError:  # not the main thread
            return lambda: None

    def restore() -> None:
        for number, chained in previous.items():
            with contextlib.suppress(ValueError, TypeError):
                if signal.getsignal(number) is handler:
                    signal.signal(number, chained)

    return restore


# -- what each stream keeps ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StreamScope:
    """Which events of the organisation a page needs."""

    kinds: frozenset[EventKind]
    ballot_id: int | None = None
    assembly_id: int | None = None
    vote_area_of: str | None = None  # the organisation's short name: push its vote list
    mood_panel_of: str | None = None  # the organisation's short name: push the mood panel

    def wants(self, event: LiveEvent) -> bool:
        if event.kind not in self.kinds:
            return False
        if self.ballot_id is not None and event.kind is not EventKind.QUORUM:
            return event.ballot_id == self.ballot_id
        if self.assembly_id is not None:
            return event.assembly_id == self.assembly_id
        return True


ORGANISATION_KINDS = frozenset(
    {EventKind.BALLOT, EventKind.AGENDA, EventKind.QUORUM, EventKind.THREAD}
)
BALLOT_KINDS = frozenset({EventKind.BALLOT, EventKind.TURNOUT, EventKind.QUORUM})
ASSEMBLY_KINDS = frozenset(
    {EventKind.BALLOT, EventKind.TURNOUT, EventKind.AGENDA, EventKind.QUORUM}
)

# the floor's pages: phones follow the queue and a mood check opening or closing; the
# console and the projector also receive each check's counts (``counts=1``), never phones
FLOOR_KINDS = frozenset({EventKind.FLOOR, EventKind.MOOD, EventKind.AGENDA})
FLOOR_COUNT_KINDS = FLOOR_KINDS | {EventKind.MOOD_ANSWERS}


def turnout_sentence(event: LiveEvent, language: str) -> str:
    """The count every viewer of a ballot sees, in the viewer's words. The message is the
    ballot page's own, so the sentence swapped in reads exactly like the one rendered."""
    total = event.total or 0
    words = translations(language).ngettext(
        "%(num)d member has voted.", "%(num)d members have voted.", total
    )
    return html.escape(words % {"num": total})  # swapped in as HTML by the SSE extension


def _message(event: LiveEvent, language: str) -> bytes:
    if event.kind is EventKind.TURNOUT:
        data = turnout_sentence(event, language)
    else:
        data = event.encode().decode()  # ids and status only: nothing a member may not know
    return ServerSentEventMessage(data=data, event=event.kind.value, id=event.at).encode()


@functools.lru_cache(maxsize=256)
def _cached_message(event: LiveEvent, language: str) -> bytes:
    return _message(event, language)


@functools.lru_cache(maxsize=64)
def _decode(data: bytes) -> LiveEvent | None:
    """Every stream of the process receives the same bytes: decode them once."""
    return LiveEvent.decode(data)


_RESYNC = ServerSentEventMessage(data="", event="resync").encode()
_HEARTBEAT = ServerSentEventMessage(comment="heartbeat", data=None).encode()
_COME_BACK = ServerSentEventMessage(comment="come back soon", data=None, retry=RETRY_MS).encode()


async def _stream(
    hub: LiveHub | None,
    organisation_id: int,
    scope: StreamScope,
    since: datetime | None,
    language: str,
    grant: StreamGrant,
) -> AsyncIterator[bytes]:
    if hub is None or not hub.serving:
        yield _COME_BACK
        return
    channel = events.channel_of(organisation_id)
    await hub.watch_access()
    await hub.keep_listening(channel)
    async with hub.plugin.start_subscription(channel) as subscriber:
        assert isinstance(subscriber, LiveSubscriber)
        subscriber.grant = grant
        hub.streams.add(subscriber)
        if hub.has_ended(grant):  # ended while this request was on its way
            return
        # the first bytes go out at once: the browser knows the stream is open, proxies too
        yield ServerSentEventMessage(comment="live", data=None, retry=RETRY_MS).encode()
        # subscribed first, checked second: whatever happens after the check comes as an event
        if since is None or await changed_since(organisation_id, since - CLOCK_MARGIN):
            yield _RESYNC
        async for chunk in _follow(
            subscriber, scope, language, hub.heartbeat_seconds, hub.vote_areas
        ):
            yield chunk


async def _follow(
    subscriber: LiveSubscriber,
    scope: StreamScope,
    language: str,
    heartbeat: float,
    vote_areas: VoteAreaRenderer | None = None,
) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    last_write = loop.time()
    last_turnout: dict[int, float] = {}
    pending: dict[int, LiveEvent] = {}  # turnout held back until its second is over
    grant = subscriber.grant
    while True:
        now = loop.time()
        due = [last_turnout[b] + events.TURNOUT_INTERVAL_SECONDS for b in pending]
        deadline = min([last_write + heartbeat, *due])
        item = await subscriber.next_event(deadline - now)
        now = loop.time()
        if grant is not None and grant.ended:  # checked before anything is delivered
            return  # no retry hint: the browser's reconnection is refused, nothing more
        if item is None:  # shutdown: the browser comes back to another process
            yield _COME_BACK
            return
        if item == RESYNC_SIGNAL:  # the process was deaf for a while: the page catches up
            last_write = now
            yield _RESYNC
            continue
        event = _decode(item) if isinstance(item, bytes) else None
        if event is not None and scope.wants(event):
            if event.kind is EventKind.TURNOUT and event.ballot_id is not None:
                pending[event.ballot_id] = event  # the latest count replaces an older one
            else:
                last_write = now
                yield _cached_message(event, language)
                if event.kind is EventKind.MOOD and scope.mood_panel_of:
                    yield await _mood_panel(event, scope.mood_panel_of, language)
                if event.kind is EventKind.BALLOT and scope.vote_area_of and vote_areas:
                    area = await _vote_area(vote_areas, event, scope.vote_area_of, language)
                    if grant is not None and grant.ended:  # while the list was rendered
                        return
                    yield area
        for ballot_id in [b for b in pending if _turnout_may_go(last_turnout, b, now)]:
            last_turnout[ballot_id] = last_write = now
            yield _cached_message(pending.pop(ballot_id), language)
        if now - last_write >= heartbeat:
            last_write = now
            yield _HEARTBEAT


async def _vote_area(
    vote_areas: VoteAreaRenderer, event: LiveEvent, short_name: str, language: str
) -> bytes:
    try:
        return await vote_areas.message(event, short_name, language)
    except Exception:  # the page re-fetches its list itself instead
        logger.exception("could not render the vote list after %s", event)
        return _RESYNC


async def _mood_panel(event: LiveEvent, short_name: str, language: str) -> bytes:
    from votes.web.mood_panel import panels  # imports the controllers: loaded on first use

    try:
        return await panels.message(event, short_name, language)
    except Exception:  # the page re-fetches itself instead
        logger.exception("could not render the mood panel after %s", event)
        return _RESYNC


def _turnout_may_go(last: dict[int, float], ballot_id: int, now: float) -> bool:
    return now >= last.get(ballot_id, float("-inf")) + events.TURNOUT_INTERVAL_SECONDS


def _since(since_ms: int, last_event_id: str | None) -> datetime | None:
    """The moment the page last knew the state: its render time, or the last event it got.
    A ``Last-Event-ID`` that is no moment is ignored: the browser sends it by itself, and
    the stream then starts with a catch-up."""
    moments = [since_ms] if since_ms > 0 else []
    last_event = whole_number(last_event_id, high=MAX_MOMENT_MS)
    if last_event:
        moments.append(last_event)
    if not moments:
        return None
    return datetime.fromtimestamp(max(moments) / 1000, tz=UTC)


def _response(page: Page, scope: StreamScope, since_ms: int) -> Stream:
    request, actor = page.request, page.actor
    hub: LiveHub | None = request.app.state.get("live_hub")
    since = _since(since_ms, request.headers.get("last-event-id"))
    token = request.cookies.get(SESSION_COOKIE)
    grant = StreamGrant(
        membership_id=actor.id,
        person_id=actor.person_id,
        session=token_hash(token, page.settings.secret_key) if token else None,
        since=request.state.get("votes_started") or time.perf_counter(),
    )
    return Stream(
        _stream(hub, actor.organisation.id, scope, since, page.context.language, grant),
        media_type="text/event-stream",
        headers=HEADERS,
    )


async def _assembly_or_404(page: Page, assembly_id: int) -> None:
    found(await bq.assembly_heading(page.organisation.id, assembly_id))


class LiveController(Controller):
    """The streams. Same guards as the pages they serve: members of the organisation only,
    and a ballot or assembly of another organisation does not exist. Each handler says which
    events its pages want (its ``StreamScope``); ``_response`` does the rest."""

    path = "/"

    @get("/live", include_in_schema=False)
    async def organisation_stream(
        self,
        page: NamedDependency[Page],
        since: QueryMoment = 0,
        vote_area: FromQuery[bool] = False,
    ) -> Stream:
        """The vote list (which receives the list itself, ``vote_area=1``) and the "now"
        page."""
        short_name = page.organisation.short_name if vote_area else None
        return _response(page, StreamScope(ORGANISATION_KINDS, vote_area_of=short_name), since)

    @get("/ballots/{ballot_id:int}/live", include_in_schema=False)
    async def ballot_stream(
        self, page: NamedDependency[Page], ballot_id: FromPath[int], since: QueryMoment = 0
    ) -> Stream:
        """A ballot's page and its console (with its assembly's quorum banner)."""
        ballot = found(await bq.ballot_view(page.organisation.id, ballot_id))
        scope = StreamScope(BALLOT_KINDS, ballot_id=ballot_id, assembly_id=ballot.assembly_id)
        return _response(page, scope, since)

    @get("/assemblies/{assembly_id:int}/live", include_in_schema=False)
    async def assembly_stream(
        self, page: NamedDependency[Page], assembly_id: FromPath[int], since: QueryMoment = 0
    ) -> Stream:
        """The projector."""
        await _assembly_or_404(page, assembly_id)
        return _response(page, StreamScope(ASSEMBLY_KINDS, assembly_id=assembly_id), since)

    @get("/assemblies/{assembly_id:int}/floor/live", include_in_schema=False)
    async def floor_stream(
        self,
        page: NamedDependency[Page],
        assembly_id: FromPath[int],
        since: QueryMoment = 0,
        counts: FromQuery[bool] = False,
    ) -> Stream:
        """The floor's phone page, console and projector."""
        await _assembly_or_404(page, assembly_id)
        # phones get the mood panel itself; the console and the projector get the counts
        scope = (
            StreamScope(FLOOR_COUNT_KINDS, assembly_id=assembly_id)
            if counts
            else StreamScope(
                FLOOR_KINDS, assembly_id=assembly_id, mood_panel_of=page.organisation.short_name
            )
        )
        return _response(page, scope, since)
