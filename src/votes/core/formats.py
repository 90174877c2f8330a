"""Ranked-ballot file formats: text in, data out (callers read and write the files).

* **BLT** (Droop, OpenSTV, electionbuddy exports): ``candidates seats``; an optional line of
  negative numbers for withdrawn candidates; ballot lines ``weight c1 c2 … 0`` with 1-based
  candidate numbers, best first; a line ``0``; one (usually quoted) name per candidate; the
  title. :func:`write_blt` writes what :func:`parse_blt` reads back, so an exported count can
  be recounted elsewhere and give the same result.
* **Cast-vote-record CSV** (Minneapolis style: a header row, then one row per ballot with one
  column per rank): ``undervote`` (or an empty cell) is skipped, a candidate repeated at a
  later rank is skipped, and any other mark, ``UWI`` (undeclared write-in) included, is a
  candidate. An ``overvote`` rank is skipped by default, which is Minneapolis's rule and
  reproduces its official 2013 result (Hodges 38,870 – Andrew 24,972); ``overvote="exhaust"``
  stops the ballot there instead (Burlington, San Francisco, Maine), giving 38,857 – 24,962.
* **PrefLib** ``.toi`` (orders with ties): ``count: a,b,{c,d}``. A ballot is a strict ranking
  here, so a brace group of several candidates is read as an overvote: the ballot stops just
  before it (it exhausts when the count reaches that rank). That is Burlington's own rule, and
  it reproduces the 2009 official first round (four ballots whose first rank is a tie are not
  counted).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from votes.core.ballots import check_candidates, group_ranked_ballots
from votes.core.results import Candidate, TallyError, Weight


@dataclass(frozen=True, slots=True)
class RankedElection:
    """Ranked ballots read from a file, ready for :func:`votes.core.tally`.

    Attributes:
        candidates: candidate ids (their names), in the file's order.
        ballots: ``{ranking: count}``, rankings best first; empty ballots left out.
        seats: seats to fill (1 when the format does not say).
        title: the election's title, if the file has one.
        withdrawn: candidates withdrawn before the count (BLT only).
        tie_order: the published order that settles ties left after earlier stages (BLT's
            ``[tie …]`` option, Droop's extension), earliest first; empty when not given.
    """

    candidates: tuple[Candidate, ...]
    ballots: Mapping[tuple[Candidate, ...], Weight]
    seats: int = 1
    title: str = ""
    withdrawn: tuple[Candidate, ...] = field(default=())
    tie_order: tuple[Candidate, ...] = field(default=())


def _blt_tokens(text: str) -> list[str]:
    """Split BLT text into tokens: bare words, and double-quoted strings kept whole."""
    tokens: list[str] = []
    for line in text.splitlines():
        rest = line.strip()
        while rest:
            if rest.startswith("#"):
                break
            if rest.startswith('"'):
                end = rest.find('"', 1)
                if end < 0:
                    raise TallyError(f"BLT: unterminated quoted name in line {line!r}")
                tokens.append(rest[: end + 1])
                rest = rest[end + 1 :].lstrip()
            else:
                word, _, rest = rest.partition(" ")
                tokens.append(word.strip())
                rest = rest.strip()
    return tokens


def _int_token(token: str, what: str) -> int:
    try:
        return int(token)
    except ValueError:
        raise TallyError(f"BLT: expected {what}, found {token!r}") from None


def _next_int(tokens: Sequence[str], at: int, what: str, unfinished: str) -> int:
    """The number at ``at``; a file that ends before it is refused with ``unfinished``, the
    end marker it still lacks (a ballot's 0, or the 0 that closes the ballots)."""
    if at >= len(tokens):
        raise TallyError(f"BLT: {unfinished}")
    return _int_token(tokens[at], what)


def parse_blt(text: str) -> RankedElection:
    """Read a BLT file's text.

    >>> e = parse_blt('3 2\\n-2\\n4 1 2 0\\n2 3 0\\n0\\n"Castor"\\n"Pollux"\\n"Helen"\\n"Demo"\\n')
    >>> e.seats, e.withdrawn, dict(e.ballots), e.title
    (2, ('Pollux',), {('Castor', 'Pollux'): 4, ('Helen',): 2}, 'Demo')
    """
    tokens = _blt_tokens(text.replace("\t", " "))
    if len(tokens) < 2:
        raise TallyError("BLT: the first line must give the number of candidates and seats")
    n = _int_token(tokens[0], "the number of candidates")
    seats = _int_token(tokens[1], "the number of seats")
    at = 2
    withdrawn_numbers: list[int] = []
    tie_numbers: list[int] = []
    while at < len(tokens) and tokens[at].startswith(("-", "[")):
        if tokens[at].startswith("-"):
            withdrawn_numbers.append(-_int_token(tokens[at], "a withdrawn candidate"))
            at += 1
            continue
        name, values, at = _blt_option(tokens, at)
        (tie_numbers if name == "tie" else withdrawn_numbers).extend(values)
    raw: list[tuple[int, tuple[int, ...]]] = []
    while True:
        weight = _next_int(
            tokens, at, "a ballot weight", "the ballots must end with a line holding 0"
        )
        at += 1
        if weight == 0:
            break
        ranking: list[int] = []
        while True:
            number = _next_int(tokens, at, "a candidate number", "a ballot line must end with 0")
            at += 1
            if number == 0:
                break
            if not 1 <= number <= n:
                raise TallyError(f"BLT: candidate number {number} is not between 1 and {n}")
            ranking.append(number)
        raw.append((weight, tuple(ranking)))
    if at + n > len(tokens):
        raise TallyError(f"BLT: expected {n} candidate names after the ballots")
    names = check_candidates(_unquote(token) for token in tokens[at : at + n])
    title = " ".join(_unquote(token) for token in tokens[at + n :])
    for number in (*withdrawn_numbers, *tie_numbers):
        if not 1 <= number <= n:
            raise TallyError(f"BLT: candidate number {number} is not between 1 and {n}")
    if tie_numbers and sorted(tie_numbers) != list(range(1, n + 1)):
        raise TallyError("BLT: [tie …] must list every candidate number once")
    counted: dict[tuple[Candidate, ...], Weight] = {}
    for weight, numbers in raw:
        ballot = tuple(names[number - 1] for number in numbers)
        counted[ballot] = counted.get(ballot, 0) + weight
    return RankedElection(
        candidates=names,
        ballots=group_ranked_ballots(names, counted),
        seats=seats,
        title=title,
        withdrawn=tuple(names[number - 1] for number in withdrawn_numbers),
        tie_order=tuple(names[number - 1] for number in tie_numbers),
    )


def _blt_option(tokens: Sequence[str], at: int) -> tuple[str, list[int], int]:
    """Read Droop's ``[tie n1 n2 …]`` / ``[withdrawn n1 …]`` option starting at ``tokens[at]``."""
    words: list[str] = []
    while True:
        if at >= len(tokens):
            raise TallyError("BLT: unclosed [option …]")
        token = tokens[at]
        at += 1
        words.extend(token.strip("[]").split())
        if token.endswith("]"):
            break
    if not words or words[0] not in ("tie", "withdrawn"):
        found = words[0] if words else ""
        raise TallyError(f"BLT: unknown option [{found} …]; known: [tie …], [withdrawn …]")
    values = [_int_token(word, f"a candidate number in [{words[0]} …]") for word in words[1:]]
    return words[0], values, at


def _unquote(token: str) -> str:
    if len(token) >= 2 and token.startswith('"') and token.endswith('"'):
        return token[1:-1]
    return token


def write_blt(
    candidates: Sequence[Candidate],
    ballots: Mapping[tuple[Candidate, ...], Weight],
    *,
    seats: int = 1,
    title: str = "",
    withdrawn: Sequence[Candidate] = (),
    tie_order: Sequence[Candidate] = (),
) -> str:
    """Write ballots as BLT text; :func:`parse_blt` reads back the same election.

    BLT weights are whole numbers, so fractional weights raise :class:`TallyError`. Ballots
    are written in a stable order (by ranking), whatever order they came in.

    >>> print(write_blt(["a", "b"], {("b", "a"): 2, ("a",): 1}, seats=1, title="T"), end="")
    2 1
    1 1 0
    2 2 1 0
    0
    "a"
    "b"
    "T"
    """
    names = check_candidates(candidates)
    for text in (*names, title):
        if '"' in text or "\n" in text:
            raise TallyError(f"BLT cannot hold a name or title with a quote or newline: {text!r}")
    number = {name: i + 1 for i, name in enumerate(names)}
    lines = [f"{len(names)} {seats}"]
    if withdrawn:
        lines.append(" ".join(f"-{number[name]}" for name in withdrawn))
    if tie_order:
        lines.append("[tie " + " ".join(str(number[name]) for name in tie_order) + "]")
    rows: list[tuple[tuple[int, ...], int]] = []
    for ballot, weight in group_ranked_ballots(names, ballots).items():
        if int(weight) != weight:
            raise TallyError(f"BLT weights are whole numbers; ballot {ballot!r} weighs {weight}")
        rows.append((tuple(number[name] for name in ballot), int(weight)))
    for ranking, weight in sorted(rows):
        lines.append(" ".join(str(x) for x in (weight, *ranking, 0)))
    lines.append("0")
    lines.extend(f'"{name}"' for name in names)
    lines.append(f'"{title}"')
    return "\n".join(lines) + "\n"


OVERVOTE = "overvote"
UNDERVOTE = "undervote"


class Overvote(StrEnum):
    """What a rank marked for several candidates does to a cast-vote record."""

    SKIP = "skip"  # go on to the next rank (Minneapolis)
    EXHAUST = "exhaust"  # the ballot stops there (Burlington, San Francisco, Maine)


def parse_cvr_csv(
    text: str, *, overvote: Overvote | str = Overvote.SKIP, title: str = ""
) -> RankedElection:
    """Read a Minneapolis-style cast-vote-record CSV (header row, one column per rank).

    Candidates are every name that appears, sorted, so the file's row order does not matter.

    >>> text = "rank1,rank2,rank3\\nA,A,B\\nB,overvote,A\\nundervote,C,UWI\\n"
    >>> sorted(parse_cvr_csv(text).ballots.items())
    [(('A', 'B'), 1), (('B', 'A'), 1), (('C', 'UWI'), 1)]
    >>> sorted(parse_cvr_csv(text, overvote="exhaust").ballots.items())
    [(('A', 'B'), 1), (('B',), 1), (('C', 'UWI'), 1)]
    """
    try:
        exhaust = Overvote(overvote) is Overvote.EXHAUST
    except ValueError:
        raise TallyError(f"overvote must be 'skip' or 'exhaust', got {overvote!r}") from None
    rows = csv.reader(text.splitlines())
    if next(rows, None) is None:
        raise TallyError("CVR: the file is empty (a header row is expected)")
    counted: Counter[tuple[Candidate, ...]] = Counter()
    for row in rows:
        counted[_cvr_ballot(row, exhaust)] += 1
    names = sorted({name for ballot in counted for name in ballot})
    if not names:
        raise TallyError("CVR: no candidate is named on any ballot")
    return RankedElection(
        candidates=tuple(names),
        ballots=group_ranked_ballots(names, counted),
        title=title,
    )


def _cvr_ballot(row: Sequence[str], exhaust: bool) -> tuple[Candidate, ...]:
    ballot: list[Candidate] = []
    for cell in row:
        mark = cell.strip()
        if mark == OVERVOTE:
            if exhaust:
                break  # the ballot exhausts when the count reaches this rank
            continue
        if mark and mark != UNDERVOTE and mark not in ballot:
            ballot.append(mark)
    return tuple(ballot)


def parse_preflib_toi(text: str) -> RankedElection:
    """Read a PrefLib ``.toi``/``.soi`` file; a tie group of several candidates is an overvote.

    Candidate names come from the ``# ALTERNATIVE NAME i:`` header lines.

    >>> toi = "# ALTERNATIVE NAME 1: A\\n# ALTERNATIVE NAME 2: B\\n3: 1,2\\n1: {1,2}\\n2: 2,{1}\\n"
    >>> sorted(parse_preflib_toi(toi).ballots.items())
    [(('A', 'B'), 3), (('B', 'A'), 2)]
    """
    names: dict[int, str] = {}
    title = ""
    counted: Counter[tuple[int, ...]] = Counter()
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            key = key.strip()
            if key.startswith("ALTERNATIVE NAME"):
                names[_toi_int(key.removeprefix("ALTERNATIVE NAME"))] = value.strip()
            elif key == "TITLE":
                title = value.strip()
        elif line:
            how_many, _, order = line.partition(":")
            counted[_toi_order(order)] += _toi_int(how_many)
    if not names:
        raise TallyError("PrefLib: no '# ALTERNATIVE NAME' lines")
    candidates = tuple(names[i] for i in sorted(names))
    ballots: Counter[tuple[Candidate, ...]] = Counter()
    for ranks, count in counted.items():
        if any(i not in names for i in ranks):
            raise TallyError(f"PrefLib: alternative number out of range in {ranks!r}")
        ballots[tuple(names[i] for i in ranks)] += count
    return RankedElection(
        candidates=candidates,
        ballots=group_ranked_ballots(candidates, ballots),
        title=title,
    )


def _toi_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise TallyError(f"PrefLib: expected a number, found {text.strip()!r}") from None


def _toi_order(text: str) -> tuple[int, ...]:
    """``1,{2,3},4`` → ``(1,)``: stop at the first group of equal ranks (overvote)."""
    order: list[int] = []
    rest = text.strip()
    while rest:
        if rest.startswith("{"):
            inside, closing, rest = rest[1:].partition("}")
            if not closing:
                raise TallyError(f"PrefLib: unclosed brace in {text.strip()!r}")
            group = [_toi_int(x) for x in inside.split(",") if x.strip()]
            if len(group) != 1:
                break
            order.append(group[0])
        else:
            item, _, rest = rest.partition(",")
            order.append(_toi_int(item))
            continue
        rest = rest.lstrip().removeprefix(",").lstrip()
    return tuple(order)
