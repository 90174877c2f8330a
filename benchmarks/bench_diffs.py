"""Time the word diff of proposal texts on the worst cases members can write (measured, never
asserted).

Run: ``.venv/bin/python benchmarks/bench_diffs.py`` (``--old`` also times the diff as it was
before, a plain word-level SequenceMatcher, each case cut off after ``--timeout`` seconds).

Cases, all at the size the services allow (``BODY_MAX`` characters):

* two texts of words drawn from the same small vocabulary (every word of one text is found many
  times in the other);
* two texts of one repeated word each ("x x x …" against "y y y …": the spaces match everywhere);
* a statute of 45 articles with three small changes (the usual edit: must stay word by word);
* the costliest input the budget lets through (every line found everywhere).

It also measures how late the event loop answers while :func:`diff_texts` runs in its thread.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import multiprocessing
import random
import statistics
import time
from collections.abc import Callable

from markupsafe import escape

from votes.services.proposals import BODY_MAX
from votes.web import diffs

WORDS = (
    "la", "coopérative", "verse", "une", "prime", "de", "salaire", "aux", "associés", "chaque",
    "année", "selon", "le", "travail", "du", "mois", "et", "part", "capital", "mise", "réserve",
)  # fmt: skip


def words(seed: int, size: int = BODY_MAX) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    length = 0
    while length < size:
        out.append(rng.choice(WORDS))
        length += len(out[-1]) + 1
    return " ".join(out)[:size]


def statute(changed: bool) -> str:
    articles = [
        f"Article {n}. La prime est de {n} euros. " + words(n, 400) + "." for n in range(45)
    ]
    if changed:
        articles[3] = articles[3].replace("Article 3.", "Article 3 bis.")
        articles[30] = articles[30].replace("de 30 euros", "de 35 euros")
        articles[44] += " Une phrase de plus."
    return "\n\n".join(articles)


def at_the_budget() -> tuple[str, str]:
    lines = int(diffs.DIFF_BUDGET**0.5) - 15
    return "x\n" + "a\n" * lines, "y\n" + "a\n" * lines + "z"


CASES: dict[str, tuple[str, str]] = {
    "same vocabulary, 20,000 characters each": (words(1), words(2)),
    "one repeated word each, 20,000 characters": ("x " * (BODY_MAX // 2), "y " * (BODY_MAX // 2)),
    "statute of 45 articles, 3 small changes": (statute(False), statute(True)),
    "costliest input within the budget": at_the_budget(),
}

_TOKENS = diffs._WORDS


def old_word_diff(old: str, new: str) -> str:
    """The old diff: one SequenceMatcher over every word and space of both texts."""
    before = _TOKENS.findall(old)
    after = _TOKENS.findall(new)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        removed = str(escape("".join(before[a1:a2])))
        added = str(escape("".join(after[b1:b2])))
        if operation == "equal":
            parts.append(removed)
            continue
        if removed:
            parts.append(f"<del>{removed}</del>")
        if added:
            parts.append(f"<ins>{added}</ins>")
    return "".join(parts)


def _time(function: Callable[[str, str], object], old: str, new: str) -> float:
    started = time.perf_counter()
    function(old, new)
    return time.perf_counter() - started


def _old_in_child(name: str, queue: multiprocessing.Queue[float]) -> None:
    old, new = CASES[name]
    queue.put(_time(old_word_diff, old, new))


def time_old(name: str, timeout: float) -> str:
    queue: multiprocessing.Queue[float] = multiprocessing.Queue()
    child = multiprocessing.Process(target=_old_in_child, args=(name, queue))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.terminate()
        child.join()
        return f"> {timeout:.0f} s (cut off)"
    return f"{queue.get():.2f} s"


async def loop_lag_during(old: str, new: str) -> tuple[float, float]:
    """(longest wait of a 1 ms timer, diff time) while diff_texts runs in its thread."""
    lags: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append(time.perf_counter() - started - 0.001)

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    await diffs.diff_texts(old, new)
    elapsed = time.perf_counter() - started
    done.set()
    await task
    return max(lags, default=0.0), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", action="store_true", help="also time the old diff")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for name, (old, new) in CASES.items():
        runs = [_time(diffs.word_diff, old, new) for _ in range(args.repeat)]
        result = diffs.word_diff(old, new)
        line = (
            f"{name:45} now {statistics.median(runs) * 1000:8.1f} ms"
            f" ({'word by word' if result.compared else 'shown apart'}, work {result.work:,})"
        )
        if args.old:
            line += f" · before {time_old(name, args.timeout)}"
        print(line, flush=True)
        diffs._cache.clear()
        lag, elapsed = asyncio.run(loop_lag_during(old, new))
        print(
            f"{'':45} event loop: longest timer delay {lag * 1000:.1f} ms"
            f" during {elapsed * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
