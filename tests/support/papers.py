"""The columns of a ballot paper, as the secrecy tests check them: a secret paper keeps the
ballot, its round, the choice, the receipt's and the change's hashes and the college, and
leaves ``voter`` empty; no column holds a time."""

from __future__ import annotations

PAPER_COLUMNS = frozenset(
    {
        "id",
        "ballot",
        "voter",  # roll-call ballots only
        "round",
        "content",
        "receipt_hash",
        "weight_group",
        "change_hash",
    }
)
