"""The codes' mail-merge file gives the expiry in the cooperative's time, as the printed sheet
does (QA walk: the file said UTC, the sheet Paris time)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
from tests.web.access_code_helpers import issue_a_sheet

from votes.db.tables import AccessCode

FRENCH = {"Accept-Language": "fr"}


async def test_the_codes_file_gives_the_expiry_in_the_cooperatives_time(
    client: httpx.AsyncClient,
) -> None:
    short_name, _, _, membership_id, token, issued = await issue_a_sheet(client)
    sheet = await client.get(issued.headers["location"], headers=FRENCH)
    row = re.search(r'name="row" value="([^"]+)"', sheet.text)
    assert row is not None
    csv_file = await client.post(
        f"/o/{short_name}/members/codes/csv", data={"_csrf_token": token, "row": row.group(1)}
    )
    stored = (
        await AccessCode.select(AccessCode.expires_at)
        .where(AccessCode.membership == membership_id)
        .first()
    )
    assert stored is not None
    expires: datetime = stored["expires_at"]
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    local = expires.astimezone(ZoneInfo("Europe/Paris"))
    text = csv_file.content.decode("utf-8-sig")
    assert "UTC" not in text
    assert f"{local:%Y-%m-%d %H:%M}" in text
    assert f"{local:%H:%M}" in sheet.text  # the sheet says the same time
