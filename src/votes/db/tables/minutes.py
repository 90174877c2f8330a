"""The procès-verbal of an assembly, and exports built in the background."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from votes.db.tables.accounts import Organisation, Person
from votes.db.tables.assemblies import Assembly
from votes.db.tables.base import SerialId, foreign_key


class MinutesStatus(StrEnum):
    DRAFT = "draft"  # the secretary edits the introduction and notes; the rest is live
    FINAL = "final"  # frozen: the rendered document is stored and its digest audited


class Minutes(Table, SerialId):
    """One procès-verbal per assembly. While a draft, everything but the secretary's words is
    computed from what happened; once final, ``content`` holds the document as it was signed
    off and nothing changes any more."""

    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    minutes_key = Varchar(length=20, unique=True)  # "<assembly>": one per assembly
    language = Varchar(length=5, default="fr")  # the language the document is written in
    chair = Varchar(length=200, default="")  # président·e de séance
    secretary = Varchar(length=200, default="")  # secrétaire de séance
    scrutineers = Varchar(length=400, default="")  # scrutateur·rices, comma separated
    introduction = Text(default="")  # Markdown, the secretary's opening words
    notes = Text(default="")  # Markdown, what was said that the record should keep
    status = Varchar(length=10, default=MinutesStatus.DRAFT.value)
    content = Text(default="")  # the frozen HTML document (final only)
    digest = Varchar(length=64, default="")  # SHA-256 of ``content``, also in the audit trail
    updated_by = foreign_key(Person, null=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    finalised_by = foreign_key(Person, null=True)
    finalised_at = Timestamptz(null=True, default=None)


class ExportStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportJob(Table, SerialId):
    """An export that can take seconds (the assembly archive). Kept in the database, not in a
    worker's memory, so the progress page can be answered by any worker process."""

    organisation = foreign_key(Organisation)
    assembly = foreign_key(Assembly)
    requested_by = foreign_key(Person)
    kind = Varchar(length=20, default="archive")
    status = Varchar(length=10, default=ExportStatus.RUNNING.value)
    done = Integer(default=0)  # steps finished
    total = Integer(default=0)  # steps to do
    content = Text(default="")  # the finished export
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
