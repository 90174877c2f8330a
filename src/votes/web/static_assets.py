"""The stylesheets and scripts, served from memory, compressed once, cached for good.

A plenary's phones all load the same few files, often on a crowded venue Wi-Fi. Each file is
read and gzipped once when the app starts; its address carries a digest of its content
(``/static/js/live.js?v=3f2a…``), so a browser keeps it for a year and a new version has a
new address. A request without the current digest (an old page, a typed address) is still
answered, but must be revalidated. No cookie is ever set on these responses.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from litestar import Request, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Response
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from votes.paths import STATIC_DIR
from votes.web.compression import lists_gzip

FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"
MEDIA_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".LICENSE": "text/plain",
    ".wasm": "application/wasm",  # what WebAssembly.instantiateStreaming insists on
}
COMPRESSED_SUFFIXES = frozenset({".css", ".js", ".svg", ".LICENSE", ".wasm"})


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes | None  # None when compressing does not pay
    media_type: str
    version: str  # a digest of the body: the address changes when the file does


def _load(path: Path) -> Asset:
    body = path.read_bytes()
    gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    media_type = MEDIA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    return Asset(
        body=body,
        gzipped=gzipped
        if path.suffix in COMPRESSED_SUFFIXES and len(gzipped) < len(body)
        else None,
        media_type=media_type or "application/octet-stream",
        version=hashlib.sha256(body).hexdigest()[:16],
    )


def load_assets(root: Path = STATIC_DIR) -> dict[str, Asset]:
    """Every file under ``root`` by its path relative to it (``js/live.js``)."""
    return {
        path.relative_to(root).as_posix(): _load(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


ASSETS = load_assets()


def static_url(path: str) -> str:
    """The address of a static file, with the digest that lets browsers keep it for good."""
    return f"/static/{path}?v={ASSETS[path].version}"


async def _nothing_to_load(request: Request[object, object, State]) -> None:
    """In place of the app's own hook: a static file needs no session, no language."""


@get(
    "/static/{path:path}",
    include_in_schema=False,
    sync_to_thread=False,
    before_request=_nothing_to_load,
)
def static_file(
    request: Request[object, object, State], path: FromPath[str], v: FromQuery[str] = ""
) -> Response[bytes]:
    asset = ASSETS.get(path.lstrip("/"))
    if asset is None:
        raise NotFoundException()
    zipped = asset.gzipped is not None and lists_gzip(request.headers.get("accept-encoding", ""))
    # each encoding is its own representation, with its own validator
    etag = f'"{asset.version}-gz"' if zipped else f'"{asset.version}"'
    headers = {
        "Cache-Control": FOREVER if v == asset.version else REVALIDATE,
        "ETag": etag,
        "Vary": "Accept-Encoding",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    if zipped and asset.gzipped is not None:
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)
