"""The reverse-proxy setup documented in the README ("Deploying for a large assembly"): the
nginx configuration that docker/compose.yaml mounts never buffers event streams and needs no
sticky sessions (the two-process tests show any instance serves any request)."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = (ROOT / "docker" / "nginx.conf").read_text()
COMPOSE = (ROOT / "docker" / "compose.yaml").read_text()


def _lines() -> list[str]:
    return [line.split("#")[0].strip() for line in NGINX.splitlines() if line.split("#")[0].strip()]


def test_the_proxy_spreads_requests_over_every_instance_without_affinity() -> None:
    upstream = NGINX.split("upstream votes {", 1)[1].split("}", 1)[0]
    assert re.findall(r"server (\S+);", upstream) == ["app:8000", "app-replica:8000"]
    assert not [line for line in _lines() if line.split()[0] in ("ip_hash", "hash", "sticky")]


def test_the_proxy_passes_event_streams_on_unbuffered() -> None:
    streams = NGINX.split("location ~ ^/o/", 1)[1].split("}", 1)[0]
    for path in ("/o/demo/live", "/o/demo/ballots/12/live", "/o/demo/assemblies/3/live"):
        pattern = "^/o/" + NGINX.split("location ~ ^/o/", 1)[1].split(" {", 1)[0]
        assert re.match(pattern, path), path
    assert "proxy_buffering off;" in streams
    timeout = re.search(r"proxy_read_timeout (\d+)s;", streams)
    assert timeout
    assert int(timeout.group(1)) > 15  # longer than the default heartbeat interval


def test_compose_mounts_this_configuration_and_shares_one_database() -> None:
    assert "./nginx.conf:/etc/nginx/conf.d/default.conf:ro" in COMPOSE
    assert "app-replica:" in COMPOSE
    assert "VOTES_LIVE_BACKEND: postgres" in COMPOSE


# --- the client's own address reaches the app (#14): sign-in budgets count phones, not proxies


def _proxy_address() -> str:
    match = re.search(r"proxy:.*?ipv4_address: ([\d.]+)", COMPOSE, re.DOTALL)
    assert match, "the proxy needs a fixed address for the app to trust"
    return match.group(1)


def test_the_proxy_sends_each_clients_own_address_and_nothing_a_client_forged() -> None:
    lines = _lines()
    passes = [line for line in lines if line.startswith("proxy_pass ")]
    forwarded = [line for line in lines if line.startswith("proxy_set_header X-Forwarded-For")]
    assert len(forwarded) == len(passes) == 2
    assert set(forwarded) == {"proxy_set_header X-Forwarded-For $remote_addr;"}


def test_the_app_believes_forwarded_addresses_from_the_proxy_only() -> None:
    proxy = _proxy_address()
    trusted = re.search(r"FORWARDED_ALLOW_IPS: \$\{VOTES_FORWARDED_ALLOW_IPS:-([^}]+)\}", COMPOSE)
    assert trusted, "compose must give the app's uvicorn FORWARDED_ALLOW_IPS"
    assert trusted.group(1) == proxy
    subnet = re.search(r"subnet: ([\d./]+)", COMPOSE)
    assert subnet
    assert ipaddress.ip_address(proxy) in ipaddress.ip_network(subnet.group(1))
    # FORWARDED_ALLOW_IPS sits in the x-app anchor that both instances merge
    anchor = COMPOSE.split("x-app: &app", 1)[1].split("\nservices:", 1)[0]
    assert "FORWARDED_ALLOW_IPS" in anchor
    assert COMPOSE.count("<<: *app") == 3
    cli = (ROOT / "src" / "votes" / "cli.py").read_text()
    assert "proxy_headers=True" in cli
    assert "forwarded_allow_ips" not in cli  # uvicorn reads FORWARDED_ALLOW_IPS itself


async def test_behind_the_proxy_a_wrong_code_counts_against_the_phone_not_the_proxy(
    database: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chain `votes serve` builds (uvicorn's proxy headers, trusting FORWARDED_ALLOW_IPS
    as compose sets it) in front of the app: what the sign-in budgets see."""
    import httpx
    import uvicorn
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from votes.services import accounts
    from votes.web.app import create_app

    proxy = _proxy_address()
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", proxy)
    trusted = uvicorn.Config(app=create_app, proxy_headers=True).forwarded_allow_ips
    app = ProxyHeadersMiddleware(create_app(), trusted_hosts=trusted)

    async def wrong_code(peer: str, forwarded_for: str) -> None:
        transport = httpx.ASGITransport(app=app, client=(peer, 50_000))  # type: ignore[arg-type]
        headers = {"X-Forwarded-For": forwarded_for}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://votes.example", headers=headers
        ) as phone:
            form = await phone.get("/code")
            token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
            assert token
            response = await phone.post(
                "/code", data={"_csrf_token": token.group(1), "code": "ZZZZZ-ZZZZZ"}
            )
            assert response.status_code == 422

    await wrong_code(proxy, "203.0.113.41")  # a phone, through the proxy
    await wrong_code("198.51.100.42", "203.0.113.43")  # straight to the app, forging its address
    assert await accounts.recent_failures(accounts.code_address_key("203.0.113.41")) == 1
    assert await accounts.recent_failures(accounts.code_address_key(proxy)) == 0
    assert await accounts.recent_failures(accounts.code_address_key("198.51.100.42")) == 1
    assert await accounts.recent_failures(accounts.code_address_key("203.0.113.43")) == 0
