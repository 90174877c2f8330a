"""Diffs of proposal texts: bounded work whatever members write, off the event loop, once per
pair of texts."""

from __future__ import annotations

import asyncio
import difflib
import random
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.support.factories import cooperative
from tests.support.refusals import refusal_code
from tests.web.assembly_helpers import (
    as_role,
    coop_signed_in,
    post_form,
    propose_amendment,
    submit_proposal,
)
from tests.web.helpers import assert_shows

from votes.db.tables import AmendmentKind
from votes.services import amendments, proposals
from votes.services.proposals import BODY_MAX
from votes.web import diffs
from votes.web.diffs import DIFF_BUDGET, diff_texts, word_diff

WORDS = (
    "la", "coopérative", "verse", "une", "prime", "de", "salaire", "aux", "associés", "chaque",
    "année", "selon", "le", "travail", "du", "mois", "et", "part", "capital", "mise", "réserve",
)  # fmt: skip


def _text(seed: int, size: int = BODY_MAX) -> str:
    """A text of ``size`` characters of words drawn from the same small vocabulary (the worst
    case for a word diff: every word of one text is found many times in the other)."""
    rng = random.Random(seed)
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


@pytest.fixture
def searches() -> Iterator[dict[str, int]]:
    """Counts the comparisons word diffs make, whoever makes them: each search for the
    longest common run of ``a[alo:ahi]`` in ``b[blo:bhi]`` compares at most the product of
    their lengths. Past ten budgets the diff is cut short (the diff before #14 ran for minutes
    on these texts)."""
    seen = {"calls": 0, "comparisons": 0}
    search = difflib.SequenceMatcher.find_longest_match

    def counted(self: Any, alo: int = 0, ahi: Any = None, blo: int = 0, bhi: Any = None) -> Any:
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        seen["calls"] += 1
        seen["comparisons"] += max(ahi - alo, 1) * max(bhi - blo, 1)
        if seen["comparisons"] > 10 * DIFF_BUDGET:
            raise AssertionError("the diff went far past its budget")
        return search(self, alo, ahi, blo, bhi)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(difflib.SequenceMatcher, "find_longest_match", counted)
        yield seen


def test_two_maximum_size_texts_unlike_each_other_cost_a_bounded_work(
    searches: dict[str, int],
) -> None:
    old, new = _text(1), _text(2)
    assert len(old) == len(new) == BODY_MAX
    diff = word_diff(old, new)
    assert searches["comparisons"] <= DIFF_BUDGET
    assert diff.work <= DIFF_BUDGET
    assert not diff.compared  # shown apart: the former struck through, the new one after
    assert str(diff) == f"<del>{old}</del><ins>{new}</ins>"


def test_texts_of_one_repeated_word_cost_a_bounded_work(searches: dict[str, int]) -> None:
    diff = word_diff("x " * (BODY_MAX // 2), "y " * (BODY_MAX // 2))
    assert searches["comparisons"] <= DIFF_BUDGET
    assert not diff.compared


def test_a_few_words_changed_in_a_maximum_size_text_are_still_shown_word_by_word(
    searches: dict[str, int],
) -> None:
    paragraphs = [
        f"Article {n}. La prime est de {n} euros. " + _text(n, 400) + "." for n in range(45)
    ]
    old = "\n\n".join(paragraphs)
    assert BODY_MAX - 1_000 < len(old) <= BODY_MAX
    paragraphs[3] = paragraphs[3].replace("Article 3.", "Article 3 bis.")
    paragraphs[30] = paragraphs[30].replace("de 30 euros", "de 35 euros")
    paragraphs[44] += " Une phrase de plus."
    diff = word_diff(old, "\n\n".join(paragraphs))
    assert diff.compared
    assert searches["comparisons"] <= DIFF_BUDGET
    html = str(diff)
    assert_shows(
        html,
        "<del>3.</del><ins>3 bis.</ins>",
        "La prime est de <del>30</del><ins>35</ins> euros.",
        "<ins> Une phrase de plus.</ins>",
    )
    assert html.count("<del>") + html.count("<ins>") == 5  # the rest reads as it was


async def test_the_event_loop_keeps_serving_while_a_diff_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The diff waits until the event loop has moved on; run on the loop, it would wait in
    vain (and the loop would stand still for as long)."""
    loop_moved = threading.Event()
    compared: list[bool] = []

    def slow_diff(old: str, new: str) -> diffs.TextDiff:
        compared.append(loop_moved.wait(timeout=30))
        return word_diff(old, new)

    monkeypatch.setattr(diffs, "word_diff", slow_diff)
    monkeypatch.setattr(diffs, "_cache", type(diffs._cache)())

    async def other_member() -> None:
        for _ in range(3):
            await asyncio.sleep(0)
        loop_moved.set()

    diff, _ = await asyncio.gather(
        diff_texts("Une prime de 300 €", "Une prime de 400 €"), other_member()
    )
    assert compared == [True]
    assert str(diff) == "Une prime de <del>300</del><ins>400</ins> €"


async def test_a_pair_of_texts_is_compared_once_however_many_ask(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def counted(old: str, new: str) -> diffs.TextDiff:
        calls.append(old)
        return word_diff(old, new)

    monkeypatch.setattr(diffs, "word_diff", counted)
    monkeypatch.setattr(diffs, "_cache", type(diffs._cache)())
    old, new = _text(3, 2_000), _text(4, 2_000)
    first = await asyncio.gather(*(diff_texts(old, new) for _ in range(20)))
    again = await diff_texts(old, new)
    assert len(calls) == 1
    assert {str(d) for d in [*first, again]} == {str(first[0])}
    await diff_texts(new, old)  # another pair, another diff
    assert len(calls) == 2


async def test_a_proposal_with_a_long_full_text_amendment_answers_at_once(
    client: httpx.AsyncClient, searches: dict[str, int]
) -> None:
    coop = await coop_signed_in(client, "member")
    proposal_path = await submit_proposal(client, coop, title="Statuts", body=_text(5))
    await as_role(client, coop, "other")
    await propose_amendment(client, proposal_path, kind="full", text=_text(6))
    await as_role(client, coop, "observer")
    page = await client.get(proposal_path)
    assert page.status_code == 200
    assert "trop différents pour être comparés mot à mot" in page.text
    assert searches["comparisons"] <= DIFF_BUDGET
    await as_role(client, coop, "member")
    edited = await post_form(
        client, f"{proposal_path}/edit", {"title": "Statuts", "body": _text(7)}
    )
    assert edited.status_code == 303
    versions = await client.get(f"{proposal_path}/versions")
    assert versions.status_code == 200
    assert "trop différentes pour être comparées mot à mot" in versions.text
    assert searches["comparisons"] <= 2 * DIFF_BUDGET


async def test_amendments_cannot_grow_a_text_past_the_limit() -> None:
    from tests.support.factories import member_actor

    coop = await cooperative()
    author = await member_actor(coop.organisation_id)
    member = await member_actor(coop.organisation_id)
    body = "Premier article.\n\n" + "x" * (BODY_MAX - 100)
    proposal_id = await proposals.submit_proposal(author, coop.assembly_id, "Long", body)
    attempt = amendments.propose_amendment(
        member, proposal_id, AmendmentKind.INSERT, passage="Premier article.", text="y" * 200
    )
    assert await refusal_code(attempt) == "amended_too_long"
    # proposed while there was room, taken in after the text grew: refused, text unchanged
    small = await amendments.propose_amendment(
        member, proposal_id, AmendmentKind.REPLACE, passage="Premier", text="Le premier"
    )
    grown = body.replace("Premier article.", "Premier article." + "z" * 80)
    assert await proposals.edit_proposal(author, proposal_id, "Long", grown) == 2
    attempt = amendments.decide_amendment(author, small, "accept")
    assert await refusal_code(attempt) == "amended_too_long"
