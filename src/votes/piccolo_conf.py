"""Piccolo's configuration module (``PICCOLO_CONF=votes.piccolo_conf``): the engine and the app."""

from piccolo.conf.apps import AppRegistry

from votes.db.engine import make_engine
from votes.settings import Settings

DB = make_engine(Settings.from_env())

APP_REGISTRY = AppRegistry(apps=["votes.db.piccolo_app"])
