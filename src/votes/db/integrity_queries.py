"""Raw counts the integrity check compares with what the ballots record."""

from __future__ import annotations

from votes.db.engine import read_raw
from votes.db.tables import BallotPaper, Participation

_PER_ROUND = {  # (ballot, round) -> rows: papers, participations
    "ballot_paper": "SELECT ballot, round, COUNT(*) AS n FROM ballot_paper GROUP BY ballot, round",
    "participation": (
        "SELECT ballot, round, COUNT(*) AS n FROM participation GROUP BY ballot, round"
    ),
}


async def rows_per_round(
    table: type[BallotPaper] | type[Participation],
) -> dict[tuple[int, int], int]:
    """(ballot, round) -> rows of the table (papers or participations)."""
    rows = await read_raw(table, _PER_ROUND[table._meta.tablename])
    return {(int(r["ballot"]), int(r["round"])): int(r["n"]) for r in rows}
