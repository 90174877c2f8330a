"""Personal access codes as an administrator issues them from the members' page."""

from __future__ import annotations

import httpx
from tests.support.factories import PASSWORD, administered_with_member
from tests.web.helpers import csrf_token, sign_in


async def issue_a_sheet(
    client: httpx.AsyncClient,
) -> tuple[str, int, int, int, str, httpx.Response]:
    """A fresh cooperative's admin, signed in, issues a two-day code to its member: (short
    name, organisation id, member's person id, member's membership id, the form's CSRF
    token, the answer to the form)."""
    (
        short_name,
        organisation_id,
        admin_email,
        person_id,
        membership_id,
    ) = await administered_with_member("Porte", "Nadia")
    await sign_in(client, admin_email, PASSWORD)
    token = await csrf_token(client, f"/o/{short_name}/members/codes")
    issued = await client.post(
        f"/o/{short_name}/members/codes",
        data={"_csrf_token": token, "member": str(membership_id), "scope": "selected", "days": "2"},
        headers={"Accept-Language": "fr"},
    )
    return short_name, organisation_id, person_id, membership_id, token, issued
