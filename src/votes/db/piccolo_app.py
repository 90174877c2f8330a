"""The single Piccolo app ``votes``; its migrations live in the top-level ``migrations/``."""

from piccolo.conf.apps import AppConfig, table_finder

from votes.db.tables import TABLE_MODULES
from votes.paths import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="votes",
    migrations_folder_path=str(MIGRATIONS_DIR),
    table_classes=table_finder(modules=list(TABLE_MODULES), exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
