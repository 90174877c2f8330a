"""Migrations build exactly the tables the code declares, on SQLite and on PostgreSQL."""

from __future__ import annotations

from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

from votes.db.piccolo_app import APP_CONFIG
from votes.db.tables import COMPOSITE_INDEXES


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


async def _live_composite_indexes() -> set[tuple[str, str, tuple[str, ...]]]:
    """(name, table, columns) of every index on more than one column in the database."""
    engine = engine_finder()
    assert engine is not None
    found = set()
    if isinstance(engine, SQLiteEngine):
        indexes = await engine.run_ddl(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
        for index in indexes:
            info = await engine.run_ddl(f'PRAGMA index_info("{index["name"]}")')
            columns = tuple(row["name"] for row in sorted(info, key=lambda row: row["seqno"]))
            if len(columns) > 1:
                found.add((index["name"], index["tbl_name"], columns))
        return found
    rows = await engine.run_ddl(
        "SELECT i.relname AS name, t.relname AS tbl_name, "
        "array_agg(a.attname ORDER BY k.n) AS columns "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "JOIN pg_class t ON t.oid = x.indrelid "
        "JOIN pg_namespace s ON s.oid = t.relnamespace AND s.nspname = 'public' "
        "CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
        "GROUP BY i.relname, t.relname HAVING count(*) > 1"
    )
    return {(row["name"], row["tbl_name"], tuple(row["columns"])) for row in rows}


async def test_the_database_has_exactly_the_composite_indexes_the_tables_declare() -> None:
    declared = {(index.name, index.table, index.columns) for index in COMPOSITE_INDEXES}
    assert await _live_composite_indexes() == declared
