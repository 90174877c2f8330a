"""Benchmark the tally core on synthetic and real workloads (measured, never asserted).

Run: ``.venv/bin/python benchmarks/bench_core.py`` (``make bench-core``). Prints each workload's
median time next to its target. When the reference libraries ``pref_voting`` and ``pyrankvote``
are importable (install them in a throwaway venv, never in the project's), their time on the
same workload is printed too, measured once in the same run.

Synthetic data: Plackett–Luce preferences, candidate ``i`` weighted ``1 / (i + 1) ** 0.8``,
ballot length uniform in 1..C, fixed seed (voting-rules.md §6).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from votes.core import tally
from votes.core.formats import parse_cvr_csv

ROOT = Path(__file__).resolve().parents[1]
MINNEAPOLIS = (
    ROOT.parent / "shared/data/ballots/minneapolis-2013-mayor/mn_2013_cast_vote_record.csv"
)

Ranking = tuple[str, ...]


def plackett_luce(voters: int, size: int, seed: int) -> list[Ranking]:
    """``voters`` truncated rankings of ``size`` candidates named c00, c01, …"""
    rng = random.Random(seed)
    names = [f"c{i:02d}" for i in range(size)]
    weights = [1 / (i + 1) ** 0.8 for i in range(size)]
    ballots = []
    for _ in range(voters):
        length = rng.randint(1, size)
        pool = list(range(size))
        pool_w = weights[:]
        ranking = []
        for _ in range(length):
            pick = rng.choices(range(len(pool)), weights=pool_w)[0]
            ranking.append(names[pool.pop(pick)])
            pool_w.pop(pick)
        ballots.append(tuple(ranking))
    return ballots


def election(
    title: str, voters: int, size: int, seed: int
) -> tuple[list[Ranking], list[str], dict[Ranking, int]]:
    """A workload's election, announced by its ``title``: the ballots of
    :func:`plackett_luce`, the candidates' names, and the ballots grouped (said how many)."""
    print(title)
    raw = plackett_luce(voters, size, seed=seed)
    grouped = dict(Counter(raw))
    print(f"  ({len(grouped):,} distinct ballots)")
    return raw, [f"c{i:02d}" for i in range(size)], grouped


def median_time(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def once(run: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def report(label: str, seconds: float, target: float | None, unit: str = "s") -> None:
    verdict = "" if target is None else ("ok" if seconds <= target else "SLOW")
    goal = "" if target is None else f"target ≤ {target:g} {unit}"
    print(f"  {label:<44} {seconds:8.3f} {unit}   {goal:<18} {verdict}")


# ---------------------------------------------------------------- reference libraries


def _pref_voting_profile(grouped: dict[Ranking, int], candidates: Sequence[str]) -> Any:
    from pref_voting.profiles_with_ties import ProfileWithTies

    index = {c: i for i, c in enumerate(candidates)}
    return ProfileWithTies(
        [{index[c]: r for r, c in enumerate(b, 1)} for b in grouped],
        rcounts=list(grouped.values()),
        candidates=list(range(len(candidates))),
    )


def _time_pyrankvote(
    label: str,
    grouped: dict[Ranking, int],
    candidates: Sequence[str],
    tally: Callable[[Any, list[Any], list[Any]], object],
) -> None:
    """Time pyrankvote, when installed, building its ballot objects and counting them with
    ``tally(pyrankvote, candidates, ballots)``: it has no bulk form, so building is its cost."""
    try:
        import pyrankvote
    except ImportError:
        return
    objs = {c: pyrankvote.Candidate(c) for c in candidates}

    def run() -> None:
        ballots = [
            pyrankvote.Ballot(ranked_candidates=[objs[c] for c in b])
            for b, n in grouped.items()
            for _ in range(n)
        ]
        tally(pyrankvote, list(objs.values()), ballots)

    report(label, once(run), None)


def reference_irv(grouped: dict[Ranking, int], candidates: Sequence[str]) -> None:
    try:
        from pref_voting.voting_methods import instant_runoff_for_truncated_linear_orders
    except ImportError:
        pass
    else:
        t = once(
            lambda: instant_runoff_for_truncated_linear_orders(
                _pref_voting_profile(grouped, candidates)
            )
        )
        report("  pref_voting (build + tally, once)", t, None)
    _time_pyrankvote(
        "  pyrankvote (build + tally, once)",
        grouped,
        candidates,
        lambda pyrankvote, objs, ballots: pyrankvote.instant_runoff_voting(objs, ballots),
    )


def reference_stv(grouped: dict[Ranking, int], candidates: Sequence[str], seats: int) -> None:
    try:
        from pref_voting.proportional_methods import stv_scottish
    except ImportError:
        pass
    else:
        import contextlib
        import io

        def run_pv() -> None:
            with contextlib.redirect_stdout(io.StringIO()):  # it prints a trace
                stv_scottish(
                    _pref_voting_profile(grouped, candidates), num_seats=seats, rng=random.Random(0)
                )

        report("  pref_voting stv_scottish (once)", once(run_pv), None)
    _time_pyrankvote(
        "  pyrankvote STV, float (once)",
        grouped,
        candidates,
        lambda pyrankvote, objs, ballots: pyrankvote.single_transferable_vote(
            objs, ballots, number_of_seats=seats
        ),
    )


def reference_schulze(grouped: dict[Ranking, int], candidates: Sequence[str]) -> None:
    try:
        from pref_voting.voting_methods import beat_path
    except ImportError:
        return

    def run() -> None:
        profile = _pref_voting_profile(grouped, candidates)
        profile.use_extended_strict_preference()
        beat_path(profile)

    report("  pref_voting beat_path (once)", once(run), None)


# ---------------------------------------------------------------- workloads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per workload (median)")
    parser.add_argument("--no-reference", action="store_true", help="skip reference libraries")
    args = parser.parse_args()
    refs = not args.no_reference

    raw, candidates, grouped = election(
        "IRV, 100,000 ballots x 10 candidates (Plackett-Luce)", 100_000, 10, seed=2026
    )
    report("group identical ballots", median_time(lambda: Counter(raw), args.repeat), None)
    report(
        "tally('irv') on grouped ballots",
        median_time(lambda: tally("irv", candidates, grouped), args.repeat),
        0.1,
    )
    if refs:
        reference_irv(grouped, candidates)

    tracemalloc.start()
    tally("irv", candidates, Counter(raw))
    tally("stv", candidates, Counter(raw), seats=3)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report("peak memory, group + IRV + STV (tracemalloc)", peak / 2**20, 64, "MB")

    _, candidates, grouped = election(
        "Scottish STV, 50,000 ballots x 15 candidates, 5 seats (Plackett-Luce)",
        50_000,
        15,
        seed=2027,
    )
    report(
        "tally('stv', seats=5) on grouped ballots",
        median_time(lambda: tally("stv", candidates, grouped, seats=5), args.repeat),
        0.3,
    )
    if refs:
        reference_stv(grouped, candidates, 5)

    _, candidates, grouped = election(
        "Schulze, 10,000 ballots x 20 candidates (Plackett-Luce)", 10_000, 20, seed=2028
    )
    report(
        "tally('schulze') on grouped ballots",
        median_time(lambda: tally("schulze", candidates, grouped), args.repeat),
        0.2,
    )
    if refs:
        reference_schulze(grouped, candidates)

    print("Minneapolis 2013 mayor, CSV text to result (80,101 ballots)")
    if MINNEAPOLIS.is_file():

        def minneapolis() -> object:
            election = parse_cvr_csv(MINNEAPOLIS.read_text())
            return tally("irv", election.candidates, election.ballots)

        report("read + parse CSV + tally('irv')", median_time(minneapolis, args.repeat), 0.5)
    else:
        print(f"  skipped: {MINNEAPOLIS} not found")


if __name__ == "__main__":
    main()
