"""Amendments from the text people read: a passage selected on the rendered proposal fills the
amendment form with its Markdown source, and diffs show the text as it reads (headings, bold),
never the Markdown marks; an insertion never shows its anchor as deleted."""

from __future__ import annotations

import html

import httpx
from tests.support.factories import Coop
from tests.web.assembly_helpers import (
    accept_amendment,
    as_role,
    coop_signed_in,
    propose_amendment,
    submit_proposal,
)
from tests.web.helpers import assert_shows

from votes.db.tables import Amendment
from votes.web.diffs import markdown_diff

BODY = (
    "## Article 2 : la prime\n\n"
    "La prime est de **300 €** par an.\n\n"
    "- versée en juin\n"
    "- égale pour toutes et tous\n"
)


async def _proposal(client: httpx.AsyncClient) -> tuple[Coop, str]:
    """A member's proposal of BODY, and another member signed in to amend it: the coop and
    the proposal's path."""
    coop = await coop_signed_in(client, "member")
    proposal_path = await submit_proposal(client, coop, title="Prime annuelle", body=BODY)
    await as_role(client, coop, "other")
    return coop, proposal_path


def _diff_of(page: str, number: int) -> str:
    article = page.split(f'id="amendment-{number}"', 1)[1].split("</article>", 1)[0]
    return article.split('<div class="diff', 1)[1].split("</div>", 1)[0]


async def test_an_amendment_reads_as_the_rendered_text_without_markdown_marks(
    client: httpx.AsyncClient,
) -> None:
    _coop, proposal_path = await _proposal(client)
    amendment_id = await propose_amendment(
        client, proposal_path, kind="replace", passage="**300 €**", text="**400 €**"
    )
    page = (await client.get(proposal_path)).text
    diff = _diff_of(page, amendment_id)
    assert "**" not in diff
    assert "##" not in diff
    assert "<h2>Article 2 : la prime</h2>" in html.unescape(diff)
    assert_shows(diff, "<strong><del>300</del><ins>400</ins> €</strong>", "<li>versée en juin</li>")


async def test_an_insertion_keeps_its_anchor_whether_pending_or_settled(
    client: httpx.AsyncClient,
) -> None:
    coop, proposal_path = await _proposal(client)
    amendment_id = await propose_amendment(
        client,
        proposal_path,
        kind="insert",
        passage="La prime est de **300 €** par an.",
        text="Elle est nette.",
    )
    pending = _diff_of((await client.get(proposal_path)).text, amendment_id)
    assert "<del>" not in pending
    assert "<ins>Elle est nette.</ins>" in pending
    # taken into the text by the author: the settled amendment still reads as an insertion
    await as_role(client, coop, "member")
    await accept_amendment(client, coop, amendment_id)
    settled = _diff_of((await client.get(proposal_path)).text, amendment_id)
    assert "<del>" not in settled
    assert_shows(
        settled, "La prime est de <strong>300 €</strong> par an.", "<ins>Elle est nette.</ins>"
    )


async def test_a_selection_on_the_rendered_text_fills_the_form_with_its_source_passage(
    client: httpx.AsyncClient,
) -> None:
    _coop, proposal_path = await _proposal(client)
    page = await client.get(proposal_path)
    # the rendered text offers the selection, and the script is served with the page
    assert f'data-amend-href="{proposal_path}/amendments/new"' in page.text
    assert '<script src="/static/js/amend-selection.js?v=' in page.text
    form = await client.get(
        f"{proposal_path}/amendments/new",
        params={"selected": "La prime est de 300 € par"},
        headers={"Accept-Language": "fr"},
    )
    assert form.status_code == 200
    passage = form.text.split('id="amendment-passage"', 1)[1].split("</textarea>", 1)[0]
    assert passage.endswith(">La prime est de **300 €** par")
    # a passage typed (or pasted) as it reads is found in the source when proposed
    await propose_amendment(
        client,
        proposal_path,
        kind="replace",
        passage="Article 2 : la prime",
        text="Article 2 : la prime annuelle",
    )
    await propose_amendment(client, proposal_path, kind="delete", passage="versée en juin égale")
    stored = await Amendment.select(Amendment.passage).order_by(Amendment.id)
    assert stored[-1]["passage"] == "versée en juin\n- égale"


def test_a_rendered_diff_is_bounded_and_reads_block_by_block() -> None:
    paragraphs = [f"## Article {n}\n\nLa prime est de **{n} euros**." for n in range(300)]
    old = "\n\n".join(paragraphs)
    paragraphs[3] = paragraphs[3].replace("Article 3", "Article 3 bis")
    paragraphs[250] = paragraphs[250].replace("250 euros", "260 euros")
    diff = markdown_diff(old, "\n\n".join(paragraphs))
    assert diff.compared
    text = str(diff)
    assert "<h2>Article 3<ins> bis</ins></h2>" in text
    assert "<strong><del>250</del><ins>260</ins> euros</strong>" in text
    assert text.count("<del>") + text.count("<ins>") == 3
