"""Threads and the "now" page: posting with and without htmx, replies, edits, reactions,
moderation, closing, and a now page that phones can poll cheaply."""

from __future__ import annotations

import re

import httpx
from tests.support.factories import Coop, cooperative
from tests.web.assembly_helpers import as_role, first_id, post_form
from tests.web.helpers import assert_shows

from votes.db.tables import Contribution, Thread
from votes.services import assemblies, proposals


async def _proposal_thread(coop: Coop) -> tuple[int, int]:
    proposal_id = await proposals.create_proposal(
        coop.organisation_id, coop.assembly_id, coop.people["member"], "Horaires",
        "Ouvrir à 8 h.", agenda_item_id=coop.item_id,
    )  # fmt: skip
    row = await Thread.select(Thread.id).where(Thread.proposal == proposal_id).first()
    assert row is not None
    return proposal_id, int(row["id"])


async def _discussion(client: httpx.AsyncClient, role: str) -> tuple[Coop, int, str]:
    """A fresh coop's proposal with its thread, ``role`` signed in: the coop, the thread's
    id and the proposal's path (where a post comes back to)."""
    coop = await cooperative()
    proposal_id, thread_id = await _proposal_thread(coop)
    await as_role(client, coop, role)
    return coop, thread_id, f"{coop.base}/proposals/{proposal_id}"


async def _post(client: httpx.AsyncClient, coop: Coop, thread_id: int, body: str, here: str) -> int:
    """A contribution posted without JavaScript, as the signed-in member; its id (from the
    redirect to ``here#contribution-<id>``)."""
    posted = await post_form(
        client, f"{coop.base}/threads/{thread_id}/contributions", {"body": body, "next": here}
    )
    assert posted.status_code == 303, posted.text[:300]
    return int(posted.headers["location"].rsplit("-", 1)[1])


async def test_posting_with_htmx_shows_the_contribution_at_once(client: httpx.AsyncClient) -> None:
    coop, thread_id, here = await _discussion(client, "other")
    response = await post_form(
        client,
        f"{coop.base}/threads/{thread_id}/contributions",
        {"body": "Plutôt **9 h**, non ?", "stance": "against", "next": here},
        htmx=True,
    )
    assert response.status_code == 200
    assert f'hx-swap-oob="beforeend:#thread-{thread_id}-list"' in response.text
    assert "<strong>9 h</strong>" in response.text
    assert f'id="contribute-{thread_id}"' in response.text  # a fresh form replaces the sent one
    contribution_id = first_id(r'id="contribution-(\d+)"', response.text)
    form = await client.get(
        f"{coop.base}/contributions/{contribution_id}/reply",
        params={"next": here},
        headers={"HX-Request": "true"},
    )
    assert f'name="parent" value="{contribution_id}"' in form.text
    assert "<html" not in form.text
    reply = await post_form(
        client,
        f"{coop.base}/threads/{thread_id}/contributions",
        {"body": "Je réponds.", "parent": str(contribution_id), "next": here},
        htmx=True,
    )
    assert f'hx-swap-oob="beforeend:#replies-{contribution_id}"' in reply.text
    assert f'id="reply-{contribution_id}"' in reply.text  # the "Reply" link comes back


async def test_posting_without_javascript_comes_back_to_the_page(
    client: httpx.AsyncClient,
) -> None:
    coop, thread_id, here = await _discussion(client, "member")
    response = await post_form(
        client,
        f"{coop.base}/threads/{thread_id}/contributions",
        {"body": "Tout à fait.", "stance": "for", "next": here},
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{here}#contribution-")
    page = await client.get(here)
    assert "Tout à fait." in page.text


async def test_bad_posts_get_a_message_and_change_nothing(client: httpx.AsyncClient) -> None:
    coop = await cooperative()
    proposal_id, thread_id = await _proposal_thread(coop)
    path = f"{coop.base}/threads/{thread_id}/contributions"
    here = f"{coop.base}/proposals/{proposal_id}"
    await as_role(client, coop, "member")
    empty = await post_form(client, path, {"body": "   ", "next": here}, htmx=True)
    assert empty.status_code == 422
    assert "Écrivez un texte." in empty.text
    long = await post_form(client, path, {"body": "x" * 6000, "next": here}, language="en")
    assert long.status_code == 422
    assert "This text is too long." in long.text
    await as_role(client, coop, "observer")
    observer = await post_form(client, path, {"body": "Je lis.", "next": here})
    assert observer.status_code == 403
    assert "peuvent lire mais pas participer" in observer.text
    assert await Contribution.count().where(Contribution.thread == thread_id) == 0


async def test_edits_are_marked_and_only_the_author_edits(client: httpx.AsyncClient) -> None:
    coop, thread_id, here = await _discussion(client, "member")
    contribution_id = await _post(client, coop, thread_id, "Premier jet", here)
    edited = await post_form(
        client,
        f"{coop.base}/contributions/{contribution_id}/edit",
        {"body": "Second jet", "stance": "remark", "next": here},
        htmx=True,
        language="en",
    )
    assert edited.status_code == 200
    assert "Second jet" in edited.text
    assert "edited" in edited.text
    await as_role(client, coop, "other")
    refused = await post_form(
        client,
        f"{coop.base}/contributions/{contribution_id}/edit",
        {"body": "Piraté", "stance": "for", "next": here},
    )
    assert refused.status_code == 403
    row = await Contribution.select(Contribution.body).where(Contribution.id == contribution_id)
    assert row[0]["body"] == "Second jet"


async def test_reactions_hiding_and_closing_a_thread(client: httpx.AsyncClient) -> None:
    coop, thread_id, here = await _discussion(client, "member")
    contribution_id = await _post(client, coop, thread_id, "Hors sujet", here)
    await as_role(client, coop, "other")
    reacted = await post_form(
        client,
        f"{coop.base}/contributions/{contribution_id}/react",
        {"kind": "agree", "next": here},
        htmx=True,
    )
    assert 'aria-pressed="true"' in reacted.text
    await as_role(client, coop, "facilitator")
    hidden = await post_form(
        client,
        f"{coop.base}/contributions/{contribution_id}/hide",
        {"reason": "Sans rapport avec la proposition", "next": here},
    )
    assert hidden.status_code == 303
    closed = await post_form(
        client, f"{coop.base}/threads/{thread_id}/closed", {"closed": "1", "next": here}
    )
    assert closed.status_code == 303
    await as_role(client, coop, "member")
    page = await client.get(here, headers={"Accept-Language": "fr"})
    assert "Sans rapport avec la proposition" in page.text
    assert ">Hors sujet<" not in page.text  # hidden words never reach the page
    assert "Cette discussion a été close" in page.text
    late = await post_form(
        client, f"{coop.base}/threads/{thread_id}/contributions", {"body": "Encore", "next": here}
    )
    assert late.status_code == 409
    assert "Cette discussion est close." in late.text


async def test_long_threads_come_in_pages_newest_or_oldest_first(client: httpx.AsyncClient) -> None:
    coop = await cooperative()
    proposal_id, thread_id = await _proposal_thread(coop)
    for number in range(1, 26):
        await proposals.add_contribution(
            proposal_id, coop.people["member"], f"Message {number:02d}"
        )
    await as_role(client, coop, "other")
    here = f"{coop.base}/proposals/{proposal_id}"
    first = await client.get(here)
    assert "Message 20" in first.text
    assert "Message 21" not in first.text
    more = await client.get(
        f"{coop.base}/threads/{thread_id}/contributions",
        params={"offset": "20", "next": here},
        headers={"HX-Request": "true"},
    )
    assert "Message 25" in more.text
    assert "Message 01" not in more.text
    newest = await client.get(here, params={"order": "newest"})
    assert newest.text.index("Message 25") < newest.text.index("Message 24")


async def test_now_page_follows_the_current_item_and_polls_cheaply(
    client: httpx.AsyncClient,
) -> None:
    coop = await cooperative()
    proposal_id, _ = await _proposal_thread(coop)
    await as_role(client, coop, "member")
    idle = await client.get(f"{coop.base}/now", headers={"Accept-Language": "fr"})
    assert "Aucun point n" in idle.text
    stamp = re.search(r"now\?since=([^\"]+)\"", idle.text)
    assert stamp
    unchanged = await client.get(
        f"{coop.base}/now", params={"since": stamp.group(1)}, headers={"HX-Request": "true"}
    )
    assert unchanged.status_code == 204
    await assemblies.set_current_item(coop.assembly_id, coop.item_id)
    changed = await client.get(
        f"{coop.base}/now", params={"since": stamp.group(1)}, headers={"HX-Request": "true"}
    )
    assert changed.status_code == 200
    assert "<html" not in changed.text
    assert_shows(changed.text, "Rémunérations", "Ouvrir à 8 h.", f"/proposals/{proposal_id}")
