"""The audit trail: an append-only, hash-chained log of every act that matters, per organisation."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from votes.db.tables.accounts import Organisation, Person
from votes.db.tables.base import SerialId, foreign_key


class AuditChain(Table, SerialId):
    """The head of an organisation's chain. Updating this row in the same transaction as the
    new entry serialises appends (a row lock on PostgreSQL, the write lock on SQLite), so two
    acts can never claim the same place in the chain."""

    organisation = foreign_key(Organisation)
    chain_key = Varchar(length=20, unique=True)  # "<organisation>"
    last_sequence = Integer(default=0)
    last_hash = Varchar(length=64, default="")


class AuditEntry(Table, SerialId):
    """One act: who, when, what. ``entry_hash`` covers every field and the previous entry's
    hash, so editing, deleting or reordering any entry breaks the chain from there on."""

    organisation = foreign_key(Organisation)
    sequence = Integer()  # 1, 2, 3… within the organisation's chain
    entry_key = Varchar(length=40, unique=True)  # "<organisation>:<sequence>"
    occurred_at = Timestamptz()
    actor = foreign_key(Person, null=True)  # None: the system (a count, a scheduled close)
    action = Varchar(length=60)  # e.g. "ballot.opened"
    subject = Varchar(length=60, default="")  # e.g. "ballot:42"
    details = Text(default="{}")  # JSON; never what a secret voter chose
    previous_hash = Varchar(length=64)
    entry_hash = Varchar(length=64, unique=True)
