"""A recount anyone can run without the app: a ballot file in, the rounds and the result out.

Reads the formats outsiders use (BLT from OpenSTV, Droop or this app's export; cast-vote-record
CSV; PrefLib ``.toi``) and the app's own JSON export of a published ballot, counts them with the
same core the app uses, and writes the count as text in French or English. A JSON export also
carries the result the app published: the recount says whether it agrees.

>>> text = '2 1\\n3 1 2 0\\n1 2 0\\n0\\n"Aïcha"\\n"Bruno"\\n"Trésorerie"\\n'
>>> print("\\n".join(recount("irv", text, "blt", language="en")))
Trésorerie
Round 1: Aïcha is elected with 3 of 4 votes (75%), more than half of the continuing votes
Elected: Aïcha
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from votes.core import tally
from votes.core.explain import NBSP, explain, relabel
from votes.core.formats import RankedElection, parse_blt, parse_cvr_csv, parse_preflib_toi
from votes.core.papers import LOT_METHODS, RANKED_METHODS, decode_paper
from votes.core.results import Candidate, TallyError, TallyResult, Weight

FORMATS = ("blt", "csv", "toi", "json")

_WORDS: dict[str, dict[str, Any]] = {
    "fr": {
        "elected": ("Élu·e", "Élu·es"),
        "none": "Personne n’est élu",
        "agrees": "Le recomptage donne le résultat publié.",
        "differs": "Le recomptage ne donne PAS le résultat publié ({published}).",
    },
    "nl": {
        "elected": ("Verkozen", "Verkozen"),
        "none": "Niemand is verkozen",
        "agrees": "De hertelling geeft de bekendgemaakte uitslag.",
        "differs": "De hertelling geeft NIET de bekendgemaakte uitslag ({published}).",
    },
    "en": {
        "elected": ("Elected", "Elected"),
        "none": "Nobody is elected",
        "agrees": "The recount gives the published result.",
        "differs": "The recount does NOT give the published result ({published}).",
    },
}


@dataclass(frozen=True, slots=True)
class Ballots:
    """What a file holds, ready to count."""

    candidates: tuple[Candidate, ...]
    ballots: Mapping[Any, Weight]
    seats: int = 1
    title: str = ""
    labels: Mapping[Candidate, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    published: tuple[Candidate, ...] | None = None
    method: str = ""  # the method an export was counted with


def guess_format(name: str) -> str:
    """The format a file name says (its extension), ``blt`` when it says none we know.

    >>> guess_format("Hillhead-2007.blt"), guess_format("cvr.CSV"), guess_format("ballot.json")
    ('blt', 'csv', 'json')
    """
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return extension if extension in FORMATS else "blt"


def read_ballots(text: str, file_format: str, method: str, *, overvote: str = "skip") -> Ballots:
    """Read ``text`` in ``file_format``; ``TallyError`` when it is not what it says it is."""
    if file_format == "json":
        return _from_export(text)
    if file_format not in FORMATS:
        raise TallyError(f"unknown format {file_format!r}; known: {list(FORMATS)}")
    if method not in RANKED_METHODS | {"plurality"}:
        raise TallyError(
            f"a {file_format} file holds rankings: "
            f"choose plurality or one of {sorted(RANKED_METHODS)}"
        )
    if file_format == "blt":
        election = parse_blt(text)
    elif file_format == "csv":
        election = parse_cvr_csv(text, overvote=overvote)
    else:
        election = parse_preflib_toi(text)
    return _from_election(election, method)


def _from_election(election: RankedElection, method: str) -> Ballots:
    options: dict[str, Any] = {}
    candidates, ballots = election.candidates, election.ballots
    if method in LOT_METHODS:  # Droop's rules: withdrawn candidates, the published tie order
        options["tie_break"] = list(election.tie_order or election.candidates)
        if election.withdrawn:
            options["withdrawn"] = election.withdrawn
    elif election.withdrawn:  # other methods: as if they had never stood
        candidates = tuple(c for c in candidates if c not in election.withdrawn)
        ballots = _counted_weights(
            (tuple(c for c in ranking if c not in election.withdrawn), weight)
            for ranking, weight in ballots.items()
        )
    if method == "plurality":  # each ballot's first choice
        ballots = _counted_weights((ranking[0], w) for ranking, w in ballots.items() if ranking)
    return Ballots(
        candidates=candidates,
        ballots=ballots,
        seats=election.seats,
        title=election.title,
        options=options,
    )


def _from_export(text: str) -> Ballots:
    """The app's ``result.json`` of a published ballot: its options, papers and result."""
    try:
        body = json.loads(text)
        ballot = body["ballot"]
        keys = tuple(str(option["key"]) for option in ballot["options"])
        labels = {str(option["key"]): str(option["label"]) for option in ballot["options"]}
        papers = [paper["choice"] for paper in body["papers"]]
        result = TallyResult.from_json(json.dumps(body["result"]))
        # the answers by correspondence the app added to a resolution's count
        by_post = {str(k): int(v) for k, v in (body.get("postal") or {}).items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise TallyError(f"not a ballot exported by the app: {error}") from error
    if not papers and not by_post:
        raise TallyError("this export holds no papers (only published secret ballots do)")
    counted = _counted(ballot["method"], papers)
    for answer, number in by_post.items():
        counted[answer] = counted.get(answer, 0) + number
    return Ballots(
        candidates=keys,
        ballots=counted,
        seats=int(ballot.get("seats") or 1),
        title=str(ballot.get("question", "")),
        labels=labels,
        options=dict(result.options),  # the tie rule, seed and thresholds the app counted with
        published=result.winners,
        method=result.method,
    )


def _counted(method: str, papers: Sequence[Any]) -> dict[Any, Weight]:
    return _counted_weights((decode_paper(method, paper), 1) for paper in papers)


def _counted_weights(pairs: Iterable[tuple[Any, Weight]]) -> dict[Any, Weight]:
    counted: dict[Any, Weight] = {}
    for key, weight in pairs:
        counted[key] = counted.get(key, 0) + weight
    return counted


def count(
    method: str, ballots: Ballots, *, seats: int | None = None, seed: str | None = None
) -> TallyResult:
    """Count the ballots read from a file (``seats`` and ``seed`` override the file's)."""
    options = dict(ballots.options)
    if seed is not None:
        options["seed"] = seed
    if seed is not None and method in ("borda", "schulze", "ranked_pairs", "plurality"):
        options.setdefault("tie_break", "lot")
    return tally(
        method, ballots.candidates, ballots.ballots, seats=seats or ballots.seats, **options
    )


@dataclass(frozen=True, slots=True)
class Recount:
    """A recount as text, and whether it gives what an export published (None: a plain file,
    nothing was published with it)."""

    lines: list[str]
    agrees: bool | None


def recount(method: str, text: str, file_format: str, **options: Any) -> list[str]:
    """The whole recount as lines of text: the title, one line per round, the result, and for
    the app's export whether the recount agrees with what was published. The options are
    :func:`recount_file`'s."""
    return recount_file(method, text, file_format, **options).lines


def recount_file(
    method: str,
    text: str,
    file_format: str,
    *,
    seats: int | None = None,
    seed: str | None = None,
    language: str = "fr",
    overvote: str = "skip",
) -> Recount:
    """:func:`recount`, with whether the recount agrees with a published result."""
    ballots = read_ballots(text, file_format, method, overvote=overvote)
    if ballots.method and ballots.method != method:
        raise TallyError(f"this export was counted by {ballots.method}: recount it by the same")
    result = count(method, ballots, seats=seats, seed=seed)
    words = _WORDS.get(language, _WORDS["fr"])
    lines = [ballots.title] if ballots.title else []
    lines += explain(relabel(result, ballots.labels), language)
    colon = NBSP + ":" if language == "fr" else ":"  # French typography
    named = [ballots.labels.get(w, w) for w in result.winners]
    elected = words["elected"][len(named) > 1]
    lines.append(f"{elected}{colon} {', '.join(named)}" if named else words["none"])
    if ballots.published is None:
        return Recount(lines, None)
    if result.winners == ballots.published:
        return Recount([*lines, words["agrees"]], True)
    published = ", ".join(ballots.labels.get(w, w) for w in ballots.published)
    return Recount([*lines, words["differs"].format(published=published or "—")], False)
