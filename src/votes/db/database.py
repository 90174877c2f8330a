"""Which database the tables talk to: the settings decide, and only them.

:func:`use_database` binds every Piccolo table (ours and Piccolo's own migrations table) to the
engine the settings describe; ``create_app(settings)``, the ``votes`` command and the tests'
fixtures call it. One engine is kept per database, so binding the same database again (each app
built by the tests) keeps its connections and pool.

Piccolo's own tooling (``piccolo migrations new``) finds the engine through
``votes.piccolo_conf.DB``, which asks :func:`current_engine`: the engine bound last, else the
one the environment describes (``Settings.from_env()``, read then and not at import).

Tables are classes, so one process talks to one database at a time: two apps built with two
settings each bind their own database when they start, but must not serve at the same time.
"""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine
from piccolo.table import TABLE_REGISTRY, Table

from votes.db.engine import make_engine
from votes.settings import Settings

_engines: dict[tuple[str, str], Engine[Any]] = {}
_current: Engine[Any] | None = None


def _key(settings: Settings) -> tuple[str, str]:
    return (settings.database_kind.value, str(settings.database_url or settings.sqlite_path))


def use_database(settings: Settings) -> Engine[Any]:
    """Bind every table to the database of ``settings``; return its engine."""
    global _current
    engine = _engines.get(_key(settings))
    if engine is None:
        engine = _engines[_key(settings)] = make_engine(settings)
    if engine is not _current:
        from piccolo.apps.migrations.tables import Migration  # registers it in TABLE_REGISTRY

        tables: set[type[Table]] = {*TABLE_REGISTRY, Migration}
        for table in tables:
            table._meta.db = engine
        _current = engine
    return engine


def current_engine() -> Engine[Any]:
    """The engine bound last; the environment's when nothing was bound yet (Piccolo's CLI)."""
    return _current if _current is not None else use_database(Settings.from_env())
