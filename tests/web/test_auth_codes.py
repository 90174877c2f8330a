"""Signing in at the door with a personal access code, and the rest of signing in: throttling,
changing a password, signing out everywhere."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from tests.web.helpers import csrf_token, sign_in

from votes.db.tables import AccessCode, LoginSession
from votes.services import access_codes, accounts, organisations
from votes.services.refusals import Refused

PASSWORD = "a-long-enough-password"
SECRET = "test-secret-key-that-is-long-enough-0123456789"  # the tests' VOTES_SECRET_KEY


async def _cooperative_with_member() -> tuple[str, int, str, int, int]:
    """(short name, organisation id, admin email, member's person id, member's membership id)"""
    suffix = uuid.uuid4().hex[:8]
    short_name = f"porte-{suffix}"
    organisation_id = await organisations.create_organisation(f"Porte {suffix}", short_name)
    admin_email = f"admin-{suffix}@example.org"
    admin = await accounts.create_person("Admin", admin_email, PASSWORD)
    await organisations.add_membership(organisation_id, admin, is_admin=True)
    person_id = await accounts.create_person(f"Nadia {suffix}", None, None)
    membership_id = await organisations.add_membership(organisation_id, person_id)
    return short_name, organisation_id, admin_email, person_id, membership_id


async def test_admin_prints_a_sheet_and_a_member_signs_in_by_typing_the_code(
    client: httpx.AsyncClient,
) -> None:
    short_name, _, admin_email, _, membership_id = await _cooperative_with_member()
    await sign_in(client, admin_email, PASSWORD)
    token = await csrf_token(client, f"/o/{short_name}/members/codes")
    sheet = await client.post(
        f"/o/{short_name}/members/codes",
        data={"_csrf_token": token, "member": str(membership_id), "scope": "selected", "days": "2"},
        headers={"Accept-Language": "fr"},
    )
    assert sheet.status_code == 200
    assert 'src="data:image/svg+xml' in sheet.text  # a QR code drawn on the server
    code = re.search(r'class="code-card__code">([A-Z0-9]{5}-[A-Z0-9]{5})<', sheet.text).group(1)  # type: ignore[union-attr]
    csv_response = await client.post(
        f"/o/{short_name}/members/codes/csv",
        data={
            "_csrf_token": token,
            "row": re.search(r'name="row" value="([^"]+)"', sheet.text).group(1),  # type: ignore[union-attr]
        },
    )
    assert code in csv_response.content.decode("utf-8-sig")

    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as phone:
        form_token = await csrf_token(phone, "/code")
        response = await phone.post(
            "/code", data={"_csrf_token": form_token, "code": code.lower().replace("-", " ")}
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/o/{short_name}/"
        dashboard = await phone.get(f"/o/{short_name}/")
        assert dashboard.status_code == 200
        again = await phone.post(
            "/code",
            data={"_csrf_token": form_token, "code": code},
            headers={"Accept-Language": "fr"},
        )
        assert again.status_code == 409
        assert "déjà été utilisé" in again.text
    codes = await client.get(f"/o/{short_name}/members/codes", headers={"Accept-Language": "en"})
    assert "used on" in codes.text


async def test_the_qr_link_asks_once_then_signs_in_and_cannot_be_used_twice(
    client: httpx.AsyncClient,
) -> None:
    short_name, organisation_id, _, _, membership_id = await _cooperative_with_member()
    [issued] = await access_codes.issue_codes(organisation_id, [membership_id], secret_key=SECRET)
    path = f"/c/{issued.link_token}"
    page = await client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert issued.name in page.text
    assert "data-autosubmit" in page.text  # one step with scripts; one tap without
    assert not await AccessCode.exists().where(
        (AccessCode.membership == membership_id) & AccessCode.used_at.is_not_null()
    )  # a link preview that only fetches uses nothing
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = await client.post(path, data={"_csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == f"/o/{short_name}/"
    again = await client.post(path, data={"_csrf_token": token})
    assert again.status_code == 409


async def test_a_code_session_opens_only_the_organisation_that_issued_it(
    client: httpx.AsyncClient,
) -> None:
    short_name, organisation_id, _, person_id, membership_id = await _cooperative_with_member()
    other_name, other_id, _, _, _ = await _cooperative_with_member()
    await organisations.add_membership(other_id, person_id)  # Nadia belongs to both
    [issued] = await access_codes.issue_codes(organisation_id, [membership_id], secret_key=SECRET)
    token = await csrf_token(client, "/code")
    await client.post("/code", data={"_csrf_token": token, "code": issued.code})
    assert (await client.get(f"/o/{short_name}/")).status_code == 200
    assert (await client.get(f"/o/{other_name}/")).status_code == 404
    home = await client.get("/")
    assert other_name not in home.text


async def test_expired_revoked_and_unknown_codes_are_refused_with_a_clear_message(
    client: httpx.AsyncClient,
) -> None:
    _short_name, organisation_id, _admin_email, _, membership_id = await _cooperative_with_member()
    [old] = await access_codes.issue_codes(organisation_id, [membership_id], secret_key=SECRET)
    [new] = await access_codes.issue_codes(organisation_id, [membership_id], secret_key=SECRET)
    token = await csrf_token(client, "/code")
    revoked = await client.post(
        "/code", data={"_csrf_token": token, "code": old.code}, headers={"Accept-Language": "en"}
    )
    assert revoked.status_code == 422
    assert "This code is not valid" in revoked.text
    await AccessCode.update({AccessCode.expires_at: AccessCode.created_at}).where(
        AccessCode.membership == membership_id
    )
    expired = await client.post(
        "/code", data={"_csrf_token": token, "code": new.code}, headers={"Accept-Language": "fr"}
    )
    assert expired.status_code == 409
    assert "a expiré" in expired.text
    empty = await client.post("/code", data={"_csrf_token": token, "code": " "})
    assert empty.status_code == 422
    assert "votes_session" not in client.cookies


async def test_admin_revokes_a_code_and_suspension_revokes_it_too(
    client: httpx.AsyncClient,
) -> None:
    short_name, organisation_id, admin_email, _, membership_id = await _cooperative_with_member()
    [issued] = await access_codes.issue_codes(organisation_id, [membership_id], secret_key=SECRET)
    await sign_in(client, admin_email, PASSWORD)
    token = await csrf_token(client, f"/o/{short_name}/members/codes")
    response = await client.post(
        f"/o/{short_name}/members/codes/{membership_id}/revoke", data={"_csrf_token": token}
    )
    assert response.status_code == 303
    [second] = await access_codes.issue_codes(organisation_id, [membership_id], secret_key=SECRET)
    await client.post(
        f"/o/{short_name}/members/{membership_id}/status",
        data={"_csrf_token": token, "status": "suspended"},
    )
    for code in (issued.code, second.code):
        with pytest.raises(Refused, match="code_unknown"):
            await access_codes.sign_in_with_code(code, secret_key=SECRET, hours=1)


async def test_wrong_passwords_are_throttled_per_account_with_a_429(
    client: httpx.AsyncClient,
) -> None:
    email = f"throttle-{uuid.uuid4().hex[:8]}@example.org"
    await accounts.create_person("Throttled", email, PASSWORD)
    token = await csrf_token(client, "/login")
    for _ in range(accounts.ACCOUNT_FAILURE_LIMIT):
        wrong = await client.post(
            "/login", data={"_csrf_token": token, "email": email, "password": "wrong-password"}
        )
        assert wrong.status_code == 422
    blocked = await client.post(
        "/login",
        data={"_csrf_token": token, "email": email, "password": PASSWORD},
        headers={"Accept-Language": "fr"},
    )
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.text
    assert "votes_session" not in client.cookies


async def test_changing_the_password_signs_out_the_other_devices(
    client: httpx.AsyncClient,
) -> None:
    email = f"change-{uuid.uuid4().hex[:8]}@example.org"
    person_id = await accounts.create_person("Changer", email, PASSWORD)
    other = await accounts.start_session(person_id, secret_key=SECRET, hours=1)
    await sign_in(client, email, PASSWORD)
    token = await csrf_token(client, "/account")
    wrong = await client.post(
        "/account/password",
        data={
            "_csrf_token": token,
            "current": "nope",
            "password": "new-secret-42",
            "confirmation": "new-secret-42",
        },
        headers={"Accept-Language": "en"},
    )
    assert wrong.status_code == 422
    assert "not your current password" in wrong.text or "is not this one" in wrong.text
    done = await client.post(
        "/account/password",
        data={
            "_csrf_token": token,
            "current": PASSWORD,
            "password": "new-secret-42",
            "confirmation": "new-secret-42",
        },
    )
    assert done.status_code == 303
    assert (await client.get("/account")).status_code == 200  # this device stays signed in
    assert await accounts.viewer_for_token(other, secret_key=SECRET) is None
    assert await accounts.authenticate(email, "new-secret-42") == person_id


async def test_sign_out_everywhere_ends_every_session(client: httpx.AsyncClient) -> None:
    email = f"everywhere-{uuid.uuid4().hex[:8]}@example.org"
    person_id = await accounts.create_person("Partout", email, PASSWORD)
    await accounts.start_session(person_id, secret_key=SECRET, hours=1)
    await sign_in(client, email, PASSWORD)
    token = await csrf_token(client, "/account")
    response = await client.post("/account/sign-out-everywhere", data={"_csrf_token": token})
    assert response.status_code == 303
    assert not await LoginSession.exists().where(
        (LoginSession.person == person_id) & LoginSession.revoked.eq(False)
    )
    assert (await client.get("/account", follow_redirects=False)).status_code == 303
