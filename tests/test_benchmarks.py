"""Every benchmark can be run by name: ``make bench-<name>`` for ``benchmarks/bench_<name>.py``
(a benchmark nobody can find by ``make help`` stops being run, then stops working)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _make_targets() -> dict[str, str]:
    """Each ``bench-*`` target of the Makefile with its recipe."""
    makefile = (ROOT / "Makefile").read_text()
    found = re.finditer(r"^(bench-[\w-]+):[^\n]*\n((?:\t[^\n]*\n?)*)", makefile, re.MULTILINE)
    return {match.group(1): match.group(2) for match in found}


def test_every_benchmark_has_a_make_target_that_runs_it() -> None:
    targets = _make_targets()
    benchmarks = sorted(path.stem for path in (ROOT / "benchmarks").glob("bench_*.py"))
    assert benchmarks
    for name in benchmarks:
        target = "bench-" + name.removeprefix("bench_")
        assert target in targets, f"no make target for benchmarks/{name}.py"
        assert f"benchmarks/{name}.py" in targets[target]


def test_every_benchmark_target_is_phony_and_named_in_the_help() -> None:
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:((?:[^\n]*\\\n)*[^\n]*)", makefile, re.MULTILINE)
    assert phony
    helped = re.search(r"make bench-\*\s+also: ([^\"]*)", makefile)
    assert helped
    named = {f"bench-{word.strip()}" for word in helped.group(1).split(",")}
    for target in _make_targets():
        assert target in phony.group(1).split()
        assert target in named | {"bench-core", "bench-load"}, f"{target} is not in make help"


def test_every_benchmark_still_imports() -> None:
    """A benchmark that no longer imports fails only when someone runs it (bench_convocation
    imported a server helper that had moved to tests/support/server.py)."""
    names = sorted(path.stem for path in (ROOT / "benchmarks").glob("bench_*.py"))
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    done = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=ROOT / "benchmarks",
        env={**os.environ, "PYTHONPATH": str(ROOT / "benchmarks")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
