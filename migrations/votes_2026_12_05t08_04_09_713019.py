from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T08:04:09:713019"
VERSION = "1.38.0"
DESCRIPTION = "Secret ballots: a paper keeps the hash of its voter's change code (#15)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="votes", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="BallotPaper",
        tablename="ballot_paper",
        column_name="change_hash",
        db_column_name="change_hash",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
