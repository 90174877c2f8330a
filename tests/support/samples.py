"""Sample ids for a route's path parameters, read from an organisation's rows: ``thread_id``
is the first Thread of the organisation, ``item_id`` its first AgendaItem, and so on."""

from __future__ import annotations

from typing import Any

from piccolo.columns import ForeignKey
from piccolo.table import Table

from votes.db import tables

_TABLE_ALIASES = {"item": "AgendaItem"}


class NoSampleError(LookupError):
    """No table answers to this parameter, or the organisation has no such row."""


def table_of(name: str) -> type[Table]:
    """The table a path parameter names (``proposal_id`` -> Proposal)."""
    base = name.removesuffix("_id")
    class_name = _TABLE_ALIASES.get(base, "".join(part.title() for part in base.split("_")))
    table: type[Table] | None = getattr(tables, class_name, None)
    if table is None or not name.endswith("_id"):
        raise NoSampleError(f"no table for the path parameter {name!r}")
    return table


async def first_id(name: str, organisation_id: int) -> Any:
    """The id of the first row (lowest id) of the table ``name`` points at that belongs to
    the organisation; ``NoSampleError`` when it has none. Ordered, because PostgreSQL
    returns unordered rows in whatever order its last updates left them."""
    table = table_of(name)
    row = (
        await table.select(table._meta.primary_key)
        .where(belongs_to(table, organisation_id))
        .order_by(table._meta.primary_key)
        .first()
    )
    if row is None:
        raise NoSampleError(f"the organisation has no {table.__name__} for {name!r}")
    return row[table._meta.primary_key._meta.name]


def belongs_to(table: type[Table], organisation_id: int) -> Any:
    """The condition that keeps the rows of ``table`` owned by the organisation."""
    if "organisation" in {c._meta.name for c in table._meta.columns}:
        return table.organisation == organisation_id  # type: ignore[attr-defined]
    for column in table._meta.foreign_key_columns:
        assert isinstance(column, ForeignKey)
        parent = column._foreign_key_meta.resolved_references
        if "organisation" in {c._meta.name for c in parent._meta.columns}:
            return getattr(table, column._meta.name).organisation == organisation_id
    raise NoSampleError(f"cannot tell which organisation a {table.__name__} belongs to")
