"""The audit trail as the tests read it: what an entry recorded."""

from __future__ import annotations

from typing import Any

from votes.db.tables import AuditEntry


async def audit_details(
    action: str, *, organisation: int | None = None, subject: str | None = None
) -> str:
    """The details (JSON text) of an audit entry of ``action``, for that organisation and
    subject when given: the first one the database returns, and there must be one."""
    where: Any = AuditEntry.action == action
    if organisation is not None:
        where = where & (AuditEntry.organisation == organisation)
    if subject is not None:
        where = where & (AuditEntry.subject == subject)
    entry = await AuditEntry.select(AuditEntry.details).where(where).first()
    assert entry is not None, action
    return str(entry["details"])
