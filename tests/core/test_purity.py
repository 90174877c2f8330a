"""The core imports only the standard library and itself, so it can be recounted anywhere."""

import ast
import doctest
import importlib
import sys
from pathlib import Path

import pytest

import votes.core

CORE = Path(votes.core.__file__).parent
MODULES = sorted(
    "votes.core" + ("" if p.stem == "__init__" else f".{p.stem}") for p in CORE.glob("*.py")
)


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            roots.add(node.module or "")
    return roots


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_modules_import_only_the_standard_library_and_the_core(path):
    for name in imported_roots(path):
        top = name.split(".")[0]
        assert (
            top in sys.stdlib_module_names
            or name.startswith("votes.core")
            or (name == "__future__")
        ), f"{path.name} imports {name}"


@pytest.mark.parametrize("name", MODULES)
def test_doctests_in_the_core_pass(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0
