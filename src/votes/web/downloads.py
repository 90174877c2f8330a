"""Files a page hands over rather than shows: a PDF, a CSV for a spreadsheet. Never cached (they
carry members' names), always saved under the name given."""

from __future__ import annotations

from litestar import Response


def _attachment(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }


def pdf_download(content: bytes, filename: str) -> Response[bytes]:
    return Response(content=content, media_type="application/pdf", headers=_attachment(filename))


def spreadsheet_csv(text: str, filename: str) -> Response[bytes]:
    """``text`` (semicolon-separated) as the spreadsheets of French speakers open it: UTF-8 with
    a byte-order mark, or accents come out garbled."""
    return Response(
        content=("\ufeff" + text).encode("utf-8"),
        media_type="text/csv",
        headers=_attachment(filename),
    )
