"""A bare HTTP/1.1 keep-alive connection, as a phone's browser holds one, for the server
benchmarks: a client library's per-request overhead (httpx's pool costs more CPU than the server
under this concurrency) would compete with the server for the machine's two cores.

Imported by those scripts as ``rawhttp`` (Python puts a script's own folder on the path).
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlencode

_CSRF_INPUT = re.compile(rb'name="_csrf_token" value="([^"]+)"')
_CSRF_COOKIE = re.compile(r"votes_csrf=([^;]+)")


async def read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    """The body after ``headers`` (lower-case names): sized, or chunked as streamed pages are."""
    if "chunked" not in headers.get("transfer-encoding", ""):
        return await reader.readexactly(int(headers.get("content-length", "0")))
    parts = []
    while size := int((await reader.readline()).strip(), 16):
        parts.append(await reader.readexactly(size))
        await reader.readline()
    await reader.readline()
    return b"".join(parts)


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_headers: dict[str, str] = {}

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    def send_head(
        self, method: str, path: str, cookies: dict[str, str], extra: list[str], body: bytes
    ) -> None:
        assert self.writer is not None
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()),
            f"Content-Length: {len(body)}",
            *extra,
        ]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)

    async def read_head(self) -> tuple[int, dict[str, str]]:
        assert self.reader is not None
        status = int((await self.reader.readline()).split()[1])
        headers = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    async def request(
        self,
        method: str,
        path: str,
        cookies: dict[str, str],
        form: dict[str, str] | None = None,
        extra: list[str] | None = None,
    ) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None
        body = urlencode(form).encode() if form is not None else b""
        lines = list(extra or [])
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        self.send_head(method, path, cookies, lines, body)
        status, headers = await self.read_head()
        self.last_headers = headers
        return status, await read_body(self.reader, headers)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def csrf_pair(port: int, token: str, path: str) -> tuple[str, str]:
    """A CSRF cookie and the form token signed with it, from the page at ``path`` read with the
    session ``token``, as a browser gets them (any pair the server signed is valid for every
    phone)."""
    probe = Connection(port)
    status, body = await probe.request("GET", path, {"votes_session": token})
    probe.close()
    assert status == 200, status
    form_token = _CSRF_INPUT.search(body)
    cookie = _CSRF_COOKIE.search(probe.last_headers.get("set-cookie", ""))
    assert form_token
    assert cookie
    return cookie.group(1), form_token.group(1).decode()
