"""``python -m votes.core count METHOD FILE``: recount a ballot file without the app.

Prints the rounds and the result in French (``--language en`` for English, ``nl`` for
Dutch). Exit status: 0 when counted, 1 when an export of the app recounts to another result
than it published, 2 when the file or the arguments cannot be read (the reason on standard
error).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from votes.core import METHODS
from votes.core.recount import FORMATS, guess_format, recount_file
from votes.core.results import TallyError


def parser() -> argparse.ArgumentParser:
    commands = argparse.ArgumentParser(prog="python -m votes.core", description=__doc__)
    sub = commands.add_subparsers(dest="command", required=True)
    count = sub.add_parser("count", help="recount a ballot file (BLT, CSV, PrefLib .toi, JSON)")
    count.add_argument("method", choices=sorted(METHODS))
    count.add_argument("file", type=Path)
    count.add_argument("--format", choices=FORMATS, help="default: from the file's extension")
    count.add_argument("--seats", type=int, help="default: the file's (1 when it says none)")
    count.add_argument("--seed", help="the lot's seed, as recorded with the ballot")
    count.add_argument("--language", choices=("fr", "en", "nl"), default="fr")
    count.add_argument(
        "--overvote",
        choices=("skip", "exhaust"),
        default="skip",
        help="CSV only: skip an overvoted rank (Minneapolis) or stop the ballot there",
    )
    return commands


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        text = args.file.read_text(encoding="utf-8-sig")
        done = recount_file(
            args.method,
            text,
            args.format or guess_format(args.file.name),
            seats=args.seats,
            seed=args.seed,
            language=args.language,
            overvote=args.overvote,
        )
    except (OSError, UnicodeDecodeError, TallyError) as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    print("\n".join(done.lines))
    return 1 if done.agrees is False else 0


if __name__ == "__main__":  # pragma: no cover - the module's entry point
    sys.exit(main())
