"""Piccolo's configuration module (``PICCOLO_CONF=votes.piccolo_conf``), for Piccolo's own
tooling and the migrations: ``DB`` is the engine :mod:`votes.db.database` has bound (the
environment's if nothing was bound), looked up when Piccolo asks for it, not at import."""

from typing import Any

from piccolo.conf.apps import AppRegistry

from votes.db.database import current_engine

APP_REGISTRY = AppRegistry(apps=["votes.db.piccolo_app"])


def __getattr__(name: str) -> Any:
    if name == "DB":
        return current_engine()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
