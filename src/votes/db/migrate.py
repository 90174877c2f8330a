"""Apply Piccolo migrations programmatically (``votes migrate`` and before ``votes serve``)."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards

from votes.db.piccolo_app import APP_CONFIG


class MigrationError(RuntimeError):
    pass


async def migrate(*, quiet: bool = False) -> None:
    """Run every pending migration of the ``votes`` app; raise ``MigrationError`` on failure."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name=APP_CONFIG.app_name)
    if not result.success:
        raise MigrationError(result.message or output.getvalue().strip() or "migration failed")
