"""Migrations build exactly the tables the code declares, on SQLite and on PostgreSQL."""

from __future__ import annotations

from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

from votes.db.piccolo_app import APP_CONFIG


async def _live_columns(table_name: str) -> set[str]:
    engine = engine_finder()
    assert engine is not None
    if isinstance(engine, SQLiteEngine):
        rows = await engine.run_ddl(f'PRAGMA table_info("{table_name}")')
        return {row["name"] for row in rows}
    rows = await engine.run_ddl(
        "SELECT column_name FROM information_schema.columns "
        f"WHERE table_schema = 'public' AND table_name = '{table_name}'"
    )
    return {row["column_name"] for row in rows}


async def test_migrations_create_every_table_with_every_column() -> None:
    # the session's database was empty before every migration ran forwards on it
    for table in APP_CONFIG.table_classes:
        declared = {column._meta.db_column_name for column in table._meta.columns}
        assert await _live_columns(table._meta.tablename) == declared, table.__name__


async def test_tables_and_migrations_do_not_drift() -> None:
    changes = await AutoMigrationManager().get_alter_statements(app_config=APP_CONFIG)
    pending = [statement for change in changes for statement in change.statements]
    assert pending == [], "tables changed without a migration: run `make migration`"


async def test_sqlite_runs_in_wal_mode_with_foreign_keys() -> None:
    engine = engine_finder()
    if not isinstance(engine, SQLiteEngine):
        return  # PostgreSQL has neither setting; the same test runs on the SQLite pass
    connection = await engine.get_connection()
    try:
        journal = await (await connection.execute("PRAGMA journal_mode")).fetchone()
        foreign_keys = await (await connection.execute("PRAGMA foreign_keys")).fetchone()
        busy = await (await connection.execute("PRAGMA busy_timeout")).fetchone()
    finally:
        await connection.close()
    assert journal["journal_mode"] == "wal"
    assert foreign_keys["foreign_keys"] == 1
    assert busy["timeout"] >= 5000
