"""Minutes that tell the truth (#16): the demo's procès-verbal, as the bureau reads it."""

from __future__ import annotations

import httpx
from tests.web.helpers import sign_in
from tests.web.test_minutes_web import _demo_assembly_id, visible_text


def _section(text: str, question: str) -> str:
    start = text.index(question)
    end = text.find("Résolution", start + len(question))
    return text[start : end if end != -1 else len(text)]


async def test_the_minutes_count_proxy_votes_actually_cast(
    client: httpx.AsyncClient, demo: None
) -> None:
    assembly_id = await _demo_assembly_id()
    await sign_in(client, "camille@demo.votes.invalid")
    text = visible_text((await client.get(f"/o/demo/assemblies/{assembly_id}/minutes")).text)
    # the proxy holder voted for the member they represent on the accounts…
    assert "dont 1 vote par pouvoir" in _section(text, "Approuvez-vous les comptes")
    # …but not on the charter: no vote by proxy was cast there, whoever was represented
    assert "par pouvoir" not in _section(text, "Consentez-vous à la charte du télétravail")
