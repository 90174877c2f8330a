"""Persistence: Piccolo tables, engines and read helpers."""

import os

# Piccolo finds its engine through this module; set it before any table is used.
os.environ.setdefault("PICCOLO_CONF", "votes.piccolo_conf")
