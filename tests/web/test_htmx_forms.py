"""Every form htmx sends gets back what it can swap: a fragment, or where to go (#17, bug 2).

A form whose target is itself must never receive a whole page: htmx would paste the page
inside the page (three agenda items, three stacked copies) and the address would stay on
``/new``. After a successful creation an htmx form is told where to go (``HX-Redirect``).
"""

from __future__ import annotations

import re

import httpx
from tests.web.assembly_helpers import coop_signed_in, post_form
from tests.web.helpers import csrf_token


def _told_where_to_go(response: httpx.Response, expected: str) -> None:
    assert response.status_code < 300, (response.status_code, response.headers)
    assert "<html" not in response.text.lower()
    assert "location" not in response.headers
    target = response.headers.get("hx-redirect", "")
    assert re.fullmatch(expected, target), target


async def test_every_create_form_sent_by_htmx_goes_to_what_it_created(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "facilitator")
    base = coop.base

    spring = {"title": "AGE de printemps", "starts_at": "2030-04-02T18:00", "kind": "age",
              "convocation": "first", "submission_rule": "members"}  # fmt: skip
    assembly = await post_form(client, f"{base}/assemblies", spring, htmx=True)
    _told_where_to_go(assembly, rf"{base}/assemblies/\d+")
    assembly_path = assembly.headers["hx-redirect"]

    renamed = {**spring, "title": "AGE de printemps (2)"}
    edited = await post_form(client, f"{assembly_path}/edit", renamed, htmx=True)
    _told_where_to_go(edited, assembly_path)

    for title in ("Comptes", "Affectation du résultat", "Divers"):
        item = await client.post(
            f"{assembly_path}/items",
            data={"title": title, "_csrf_token": await csrf_token(client, "/")},
            headers={"HX-Request": "true", "HX-Current-URL": f"http://t.test{assembly_path}"},
        )
        _told_where_to_go(item, rf"{assembly_path}#item-\d+")
        # the same page but for its #fragment: a browser would only scroll, so it reloads
        assert item.headers.get("hx-refresh") == "true"
    page = await client.get(assembly_path)
    assert page.text.lower().count("<html") == 1

    proposal = await post_form(
        client,
        f"{base}/assemblies/{coop.assembly_id}/proposals",
        {"title": "Semaine de quatre jours", "body": "Nous passons à **quatre jours**."},
        htmx=True,
    )
    _told_where_to_go(proposal, rf"{base}/proposals/\d+")
    proposal_path = proposal.headers["hx-redirect"]

    amendment = await post_form(
        client,
        f"{proposal_path}/amendments",
        {"kind": "replace", "passage": "quatre jours", "text": "quatre jours et demi",
         "reason": "Une transition."},
        htmx=True,
    )  # fmt: skip
    _told_where_to_go(amendment, rf"{proposal_path}#amendment-\d+")


async def test_a_refused_htmx_form_comes_back_as_the_form_alone(client: httpx.AsyncClient) -> None:
    coop = await coop_signed_in(client, "facilitator")
    empty = await post_form(client, f"{coop.assembly_path}/items", {"title": " "}, htmx=True)
    assert empty.status_code == 422
    assert "<html" not in empty.text.lower()
    assert "<form" in empty.text


async def test_without_javascript_a_creation_still_redirects(client: httpx.AsyncClient) -> None:
    coop = await coop_signed_in(client, "facilitator")
    item = await post_form(client, f"{coop.assembly_path}/items", {"title": "Comptes"})
    assert item.status_code == 303
    assert item.headers["location"].startswith(coop.assembly_path)
    assert "hx-redirect" not in item.headers
