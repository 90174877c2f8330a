"""Which slice of a deliberation thread a page shows, as its address asks for it: one reading
for every page that shows a thread (a proposal, an agenda item, a long thread's "show more")."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.params import FromQuery

from votes.db import thread_queries
from votes.db.thread_queries import ThreadPage
from votes.services.actors import Actor
from votes.web.forms import QueryCount


@dataclass(frozen=True, slots=True)
class ThreadSlice:
    """``?order=newest&offset=20``: the order the thread is read in and where the slice starts."""

    order: str = "oldest"  # anything but "newest" reads oldest first
    offset: int = 0

    async def of(self, actor: Actor, thread_id: int) -> ThreadPage | None:
        """This slice of the thread, with ``actor``'s reactions; ``None`` for no such thread."""
        return await thread_queries.thread_page(
            actor.organisation.id,
            thread_id,
            actor.person_id,
            order=self.order,
            offset=self.offset,
        )


def provide_thread_slice(order: FromQuery[str] = "oldest", offset: QueryCount = 0) -> ThreadSlice:
    """The ``thread_slice`` dependency: the query's ``order`` and ``offset`` (a negative or
    huge offset is refused with 400, as when each page read them itself)."""
    return ThreadSlice(order, offset)
