"""The procès-verbal on the web: the demo's draft, finalising, refusals, print and PDF."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
from tests.web.helpers import sign_in

from votes.db.tables import Assembly


class _Text(HTMLParser):
    """The visible text of a page, one string."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts).replace("\xa0", " "))


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return parser.text


async def _demo_assembly_id() -> int:
    row = (
        await Assembly.select(Assembly.id)
        .where(Assembly.title == "Assemblée générale ordinaire 2026")
        .first()
    )
    assert row is not None
    return int(row["id"])


async def test_the_demo_minutes_report_every_resolution_with_its_numbers(
    client: httpx.AsyncClient, demo: None
) -> None:
    assembly_id = await _demo_assembly_id()
    await sign_in(client, "camille@demo.votes.invalid")
    response = await client.get(f"/o/demo/assemblies/{assembly_id}/minutes")
    assert response.status_code == 200
    text = visible_text(response.text)
    # the accounts: 7 for, 1 against, 2 abstentions, adopted under the majority of votes cast
    accounts = text[text.index("Résolution 1 — Approbation des comptes 2025") :]
    assert re.search(r"Pour 7 Contre 1 Abstentions 2", accounts)
    assert "plus de la moitié des suffrages exprimés" in accounts
    assert "Adoptée" in accounts
    # the STV election and the Schulze choice, both secret-or-not mentions
    assert "Élection du comité de pilotage (3 sièges)" in text
    assert "Scrutin secret" in text
    assert "Où organiser le séminaire d'été ?" in text
    assert "Vercors" in text
    # the test ballot is no decision; the open ballot is not in the record yet
    assert "Vote d'essai" not in text
    assert "Adoptez-vous l'affectation du résultat 2025 ?" not in text
    assert "1 scrutin est encore ouvert" in text
