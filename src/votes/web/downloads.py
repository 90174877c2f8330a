"""Files a page hands over rather than shows: a PDF, a CSV for a spreadsheet, a data file
(CSV, JSON, BLT). Never cached (they carry members' names), always saved under the name given.
Every download of the app goes through :func:`download`."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from litestar import Response

from votes.services import csv_cells


def download(content: str | bytes, media_type: str, filename: str) -> Response[bytes]:
    """``content`` (text is sent as UTF-8) as a file saved under ``filename``."""
    body = content.encode("utf-8") if isinstance(content, str) else content
    return Response(
        content=body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def pdf_download(content: bytes, filename: str) -> Response[bytes]:
    return download(content, "application/pdf", filename)


def spreadsheet_csv(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response[bytes]:
    """A table as the spreadsheets of French speakers open it: semicolons between cells, and
    UTF-8 with a byte-order mark, or accents come out garbled."""
    buffer = io.StringIO()
    writer = csv_cells.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return download("\ufeff" + buffer.getvalue(), "text/csv", filename)
