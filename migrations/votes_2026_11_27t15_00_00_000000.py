"""An index for the deadline sweep: every worker looks, once a second, for open ballots whose
countdown has run out; on (status, closes_at) that is a lookup of the few open ballots, not a
scan of every ballot the instance ever held."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-27T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ballot (status, closes_at) index for the deadline sweep"


class Ballot(Table, tablename="ballot", schema=None):
    pass


async def _add_index() -> None:
    await Ballot.raw(
        "CREATE INDEX IF NOT EXISTS ballot_status_closes_at ON ballot (status, closes_at)"
    )


async def _drop_index() -> None:
    await Ballot.raw("DROP INDEX IF EXISTS ballot_status_closes_at")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="votes", description=DESCRIPTION)
    manager.add_raw(_add_index)
    manager.add_raw_backwards(_drop_index)
    return manager
