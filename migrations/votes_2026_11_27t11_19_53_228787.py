from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-27T11:19:53:228787"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="votes", description=DESCRIPTION
    )

    manager.drop_table(
        class_name="Contribution", tablename="contribution", schema=None
    )

    return manager
