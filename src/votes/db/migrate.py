"""Apply Piccolo migrations programmatically (``votes migrate`` and before ``votes serve``)."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards

from votes.db.piccolo_app import APP_CONFIG


class MigrationError(RuntimeError):
    pass


async def pending_migrations() -> int:
    """How many migrations of the ``votes`` app have not run, reading only (a check such as
    ``votes audit verify`` must not write, not even the migrations table)."""
    from piccolo.apps.migrations.commands.check import CheckMigrationManager
    from piccolo.apps.migrations.tables import Migration

    manager = CheckMigrationManager(app_name=APP_CONFIG.app_name)
    modules = manager.get_migration_modules(APP_CONFIG.resolved_migrations_folder_path)
    ids = set(manager.get_migration_ids(modules))
    if not await Migration.table_exists():
        return len(ids)
    done = await Migration.select(Migration.name).where(Migration.app_name == APP_CONFIG.app_name)
    return len(ids - {row["name"] for row in done})


async def migrate(*, quiet: bool = False) -> None:
    """Run every pending migration of the ``votes`` app; raise ``MigrationError`` on failure."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name=APP_CONFIG.app_name)
    if not result.success:
        raise MigrationError(result.message or output.getvalue().strip() or "migration failed")
