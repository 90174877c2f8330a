"""What the app writes in its audit trail, read from its source: the action of every call to
``audit.record``, ``record_act`` and ``record_by``, followed through the helpers that pass it
on, and the detail keys written out at those calls."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "votes"
RECORDERS = {"record": 1, "record_act": 1, "record_by": 1}  # the action's position
DETAILS_AT = {"record_act": 3, "record_by": 3}  # record takes details= by keyword


class UnspelledActionError(Exception):
    """An action the source does not spell out: write it as a literal (or a table of them)."""


@dataclass
class _Source:
    functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = field(default_factory=dict)
    calls: dict[str, list[tuple[ast.Call, ast.AST]]] = field(default_factory=dict)
    tables: dict[str, ast.Dict] = field(default_factory=dict)  # module-level name = {…}


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _read(source: Path) -> tuple[_Source, list[tuple[ast.Call, ast.AST]]]:
    found = _Source()
    recorders: list[tuple[ast.Call, ast.AST]] = []
    for path in sorted(source.rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        for statement in module.body:
            if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Dict):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        found.tables[target.id] = statement.value
        for scope in ast.walk(module):
            if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            found.functions.setdefault(scope.name, []).append(scope)
            for node in ast.walk(scope):
                if isinstance(node, ast.Call):
                    name = _called_name(node)
                    found.calls.setdefault(name, []).append((node, scope))
                    if name in RECORDERS and path.name != "audit.py":
                        recorders.append((node, scope))
    return found, recorders


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    return call.args[position] if len(call.args) > position else None


def _parameter_position(scope: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> int | None:
    names = [a.arg for a in (*scope.args.posonlyargs, *scope.args.args)]
    kwonly = [a.arg for a in scope.args.kwonlyargs]
    if name in names:
        return names.index(name)
    return -1 if name in kwonly else None


def _values(node: ast.AST, scope: ast.AST, source: _Source, depth: int = 0) -> Iterator[str]:
    """Every string ``node`` can be, inside the function ``scope``."""
    if depth > 4:
        raise UnspelledActionError(ast.unparse(node))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _values(node.body, scope, source, depth)
        yield from _values(node.orelse, scope, source, depth)
    elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        table = source.tables.get(node.value.id)
        if table is None:
            raise UnspelledActionError(ast.unparse(node))
        for value in table.values:
            yield from _values(value, scope, source, depth)
    elif isinstance(node, ast.JoinedStr) and len(node.values) == 2:
        prefix, formatted = node.values
        if not (isinstance(prefix, ast.Constant) and isinstance(formatted, ast.FormattedValue)):
            raise UnspelledActionError(ast.unparse(node))
        for value in _values(formatted.value, scope, source, depth):
            yield f"{prefix.value}{value}"
    elif isinstance(node, ast.Name):
        yield from _name_values(node.id, scope, source, depth)
    else:
        raise UnspelledActionError(ast.unparse(node))


def _name_values(name: str, scope: ast.AST, source: _Source, depth: int) -> Iterator[str]:
    assigned = [
        statement.value
        for statement in ast.walk(scope)
        if isinstance(statement, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    ]
    if assigned:
        for value in assigned:
            yield from _values(value, scope, source, depth + 1)
        return
    assert isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef)
    position = _parameter_position(scope, name)
    callers = source.calls.get(scope.name, [])
    if position is None or not callers:
        raise UnspelledActionError(f"{name} in {scope.name}")
    for call, caller in callers:
        given = _argument(call, position if position >= 0 else 10_000, name)
        if given is None:
            raise UnspelledActionError(f"{name} at a call of {scope.name}")
        yield from _values(given, caller, source, depth + 1)


def recorded_actions(source: Path = SOURCE) -> set[str]:
    """Every action the app records; ``UnspelledActionError`` for one it cannot spell out."""
    found, recorders = _read(source)
    actions: set[str] = set()
    for call, scope in recorders:
        action = _argument(call, RECORDERS[_called_name(call)], "action")
        if action is not None:
            actions.update(_values(action, scope, found))
    return actions


def _dicts(node: ast.AST, scope: ast.AST, source: _Source, depth: int = 0) -> Iterator[ast.Dict]:
    """The dict literals ``node`` can be, followed like an action; a dict built otherwise (a
    digest's fields, a ``**`` merge) is not followed: its keys are checked by the pages' tests."""
    if depth > 4:
        return
    if isinstance(node, ast.Dict):
        yield node
    elif isinstance(node, ast.IfExp):
        yield from _dicts(node.body, scope, source, depth)
        yield from _dicts(node.orelse, scope, source, depth)
    elif isinstance(node, ast.Name) and isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        assigned = [
            statement.value
            for statement in ast.walk(scope)
            if isinstance(statement, ast.Assign | ast.AnnAssign)
            and statement.value is not None
            and any(
                isinstance(t, ast.Name) and t.id == node.id
                for t in (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
            )
        ]
        for value in assigned:
            yield from _dicts(value, scope, source, depth + 1)
        position = _parameter_position(scope, node.id)
        if assigned or position is None:
            return
        for call, caller in source.calls.get(scope.name, []):
            given = _argument(call, position if position >= 0 else 10_000, node.id)
            if given is not None:
                yield from _dicts(given, caller, source, depth + 1)


def written_detail_keys(source: Path = SOURCE) -> set[str]:
    """The detail keys written out as dicts for the recording calls, followed through the
    helpers that pass them on."""
    found, recorders = _read(source)
    keys: set[str] = set()
    for call, scope in recorders:
        details = _argument(call, DETAILS_AT.get(_called_name(call), 10_000), "details")
        for written in () if details is None else _dicts(details, scope, found):
            keys.update(str(k.value) for k in written.keys if isinstance(k, ast.Constant))
    return keys
