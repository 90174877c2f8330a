"""What every table module shares.

Conventions: foreign keys are explicit (``null=False`` and ``RESTRICT`` unless a cascade is meant);
"one X per Y" rules use a single-column unique ``*_key`` (e.g. ``"12:34"``) because composite
unique constraints are not portable between SQLite and PostgreSQL in Piccolo; enumerated values are
stored as short strings whose allowed values live in ``StrEnum`` classes beside their tables;
every table with a serial primary key mixes in :class:`SerialId`, so that type checkers know it.
"""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.columns import ForeignKey, LazyTableReference, Serial
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class SerialId:
    """Mixed into a table that names no primary key: declares, for type checkers, the ``id``
    column Piccolo adds to it. A bare annotation, so Piccolo sees no column here and the schema
    is the table's own."""

    id: Serial


def foreign_key(
    table: type[Table] | LazyTableReference, *, null: bool = False
) -> ForeignKey[Table]:
    """A required (RESTRICT) or optional (SET NULL) indexed foreign key."""
    return ForeignKey(
        references=table,
        null=null,
        on_delete=OnDelete.set_null if null else OnDelete.restrict,
        index=True,
    )


@dataclass(frozen=True, slots=True)
class CompositeIndex:
    """An index on several columns: Piccolo declares single-column ones only (``index=True``),
    so a migration creates these with raw SQL; declared here beside their table, and
    ``tests/services/test_schema.py`` checks that the database has exactly these."""

    name: str
    table: str
    columns: tuple[str, ...]
