"""Where the non-Python resources are, in a source checkout and in an installed wheel.

The wheel carries ``templates/`` and ``migrations/`` inside the package (see pyproject's
force-include); a checkout keeps them at the top level, where the project layout shows them.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DIR = PACKAGE_DIR.parents[1]


def resource_dir(name: str) -> Path:
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else _CHECKOUT_DIR / name


TEMPLATES_DIR = resource_dir("templates")
MIGRATIONS_DIR = resource_dir("migrations")
STATIC_DIR = PACKAGE_DIR / "web" / "static"
