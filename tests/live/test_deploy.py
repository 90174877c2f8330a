"""The reverse-proxy setup documented in the README ("Deploying for a large assembly"): the
nginx configuration that docker/compose.yaml mounts never buffers event streams and needs no
sticky sessions (the two-process tests show any instance serves any request)."""

from __future__ import annotations

import re
from pathlib import Path

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
