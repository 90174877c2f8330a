"""Condorcet methods on ranked ballots: the pairwise matrix, Schulze and Ranked Pairs.

Ballot shape: a tuple of candidate ids, best first, truncated allowed. A ranked candidate beats
every unranked one; two unranked candidates are not compared (extended strict preference, the
convention of Schulze and Debian).

``details["pairwise"][a][b]`` is the weight of ballots ranking ``a`` above ``b``. A round's
``totals`` give each candidate's number of head-to-head wins (an illustration; the winners come
from the method's own rule).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from votes.core import results
from votes.core.ballots import RankedBallot, RankedBallots, group_ranked_ballots
from votes.core.onepass import start_one_pass
from votes.core.results import Candidate, JSONValue, Message, TallyError, TallyResult, Weight
from votes.core.ties import TieBreak, draw_lot, select_top

Matrix = dict[Candidate, dict[Candidate, Fraction]]
Pair = tuple[Candidate, Candidate]

STRENGTHS = ("margin", "winning_votes")

MESSAGES = {  # each sentence in French, English and Dutch (votes.core.explain.LANGUAGES)
    "wins": (
        (
            "{candidate} remporte {count} duel",
            "{candidate} remporte {count} duels",
        ),
        (
            "{candidate} wins {count} head-to-head contest",
            "{candidate} wins {count} head-to-head contests",
        ),
        (
            "{candidate} wint {count} onderling duel",
            "{candidate} wint {count} onderlinge duels",
        ),
    ),
    "condorcet_winner": (
        "{candidate} bat chacun des autres en duel (vainqueur de Condorcet)",
        "{candidate} beats every other candidate head to head (Condorcet winner)",
        "{candidate} wint van elke andere kandidaat in een onderling duel (condorcetwinnaar)",
    ),
    "no_condorcet_winner": (
        "personne ne bat tous les autres en duel",
        "nobody beats every other candidate head to head",
        "niemand wint van elke andere kandidaat in een onderling duel",
    ),
    "ranking": (
        "classement\u00a0: {ranking}",
        "ranking: {ranking}",
        "rangschikking: {ranking}",
    ),
    "skipped": (
        (
            "le duel {winner} > {loser} (force {strength}) n'est pas retenu\u00a0: "
            "il contredirait des duels plus forts"
        ),
        (
            "the contest {winner} > {loser} (strength {strength}) is not locked: "
            "it would contradict stronger ones"
        ),
        (
            "het duel {winner} > {loser} (sterkte {strength}) wordt niet vastgelegd:"
            " het zou sterkere duels tegenspreken"
        ),
    ),
    "pairs_unresolved": (
        "des duels de même force ({pairs}) se contredisent\u00a0: résultat non départagé",
        "contests of equal strength ({pairs}) conflict: result not resolved",
        "duels van gelijke sterkte ({pairs}) spreken elkaar tegen: uitslag niet beslecht",
    ),
    "pairs_no_effect": (
        (
            "des duels de même force ({pairs}) se contredisent, mais dans quelque ordre "
            "qu'on les retienne le résultat est le même\u00a0: il n'y a rien à départager"
        ),
        (
            "contests of equal strength ({pairs}) conflict, but whatever order they are locked "
            "in the result is the same: there is nothing to settle"
        ),
        (
            "duels van gelijke sterkte ({pairs}) spreken elkaar tegen, maar in welke volgorde ze"
            " ook vastgelegd worden, de uitslag blijft dezelfde: er valt niets te beslechten"
        ),
    ),
}


def pairwise_matrix(
    candidates: Sequence[Candidate], grouped: Mapping[RankedBallot, Weight]
) -> Matrix:
    """Weight of ballots ranking ``a`` above ``b``, for every ordered pair of candidates.

    Only the pairs inside each ballot are visited (O(U·L²), not O(U·C²)): with ``R[a]`` the
    weight of ballots ranking ``a`` and ``above[x][y]`` of those ranking both with ``x`` first,
    ``d[a][b] = R[a] - above[b][a]``, since ``a`` ranked and ``b`` unranked counts for ``a``.

    >>> m = pairwise_matrix(["a", "b", "c"], {("a",): 2, ("b", "a"): 1})
    >>> m["a"]["b"], m["b"]["a"], m["b"]["c"], m["c"]["a"]
    (Fraction(2, 1), Fraction(1, 1), Fraction(1, 1), Fraction(0, 1))
    """
    index = {c: i for i, c in enumerate(candidates)}
    n = len(candidates)
    ranked: list[Weight] = [0] * n
    above: list[list[Weight]] = [[0] * n for _ in range(n)]
    for ballot, weight in grouped.items():
        positions = [index[c] for c in ballot]
        for i, x in enumerate(positions):
            ranked[x] += weight
            row = above[x]
            for y in positions[i + 1 :]:
                row[y] += weight
    return {
        a: {b: Fraction(ranked[i] - above[j][i]) for j, b in enumerate(candidates) if j != i}
        for i, a in enumerate(candidates)
    }


def condorcet_winner(candidates: Sequence[Candidate], matrix: Matrix) -> Candidate | None:
    """The candidate who beats every other head to head, if there is one.

    >>> condorcet_winner(["a", "b"], {"a": {"b": Fraction(2)}, "b": {"a": Fraction(1)}})
    'a'
    """
    for a in candidates:
        if all(matrix[a][b] > matrix[b][a] for b in candidates if b != a):
            return a
    return None


def tally_schulze(
    candidates: Sequence[Candidate],
    ballots: RankedBallots,
    *,
    seats: int = 1,
    strength: str = "margin",
    tie_break: object = "unresolved",
    seed: str | None = None,
) -> TallyResult:
    """Schulze (beatpath): winners and the full ranking, as groups of tied candidates.

    A link ``a → b`` exists when more ballots rank ``a`` above ``b`` than the reverse; its
    strength is the margin (default) or the winning votes. ``a`` ranks above ``b`` when the
    strongest path from ``a`` to ``b`` is stronger than the one back. ``seats`` are filled from
    the top of that ranking; a tie on the last seat is settled by ``tie_break``.

    Args:
        candidates: candidate ids.
        ballots: ranked ballots (mapping ballot → weight, or an iterable of ballots).
        seats: how many win (top-k of the ranking).
        strength: ``"margin"`` or ``"winning_votes"``.
        tie_break: ``"unresolved"``, ``"lot"`` (with ``seed``) or a candidate order.
        seed: the lot's seed.

    >>> tally_schulze(["a", "b", "c"], {("a", "b", "c"): 3, ("b", "c", "a"): 2}).ranking
    (('a',), ('b',), ('c',))
    """
    candidates, seats, policy, matrix = _prepare(candidates, ballots, seats, tie_break, seed)
    links = _links(candidates, matrix, strength)
    paths = _strongest_paths(candidates, links)
    ranking = _layers(candidates, lambda a, b: paths[a][b] > paths[b][a])
    winners, events, tie_messages = select_top(ranking, seats, policy)
    return _result(
        "schulze",
        candidates,
        seats,
        matrix,
        ranking=ranking,
        winners=winners,
        events=events,
        tie_messages=tie_messages,
        details={"pairwise": matrix, "strongest_paths": paths},
        options={"strength": strength, "tie_break": policy.as_option(), "seed": seed},
    )


def tally_ranked_pairs(
    candidates: Sequence[Candidate],
    ballots: RankedBallots,
    *,
    seats: int = 1,
    strength: str = "margin",
    tie_break: object = "unresolved",
    seed: str | None = None,
) -> TallyResult:
    """Ranked Pairs (Tideman): lock head-to-head wins, strongest first, unless they make a cycle.

    Contests of equal strength whose locking order matters are ordered by ``tie_break``: a
    candidate order (or one drawn by lot from ``seed``) ranks the pair whose winner comes first
    in it ahead, then, for the same winner, the pair whose loser comes first (the lexicographic
    rule of pref_voting's ``ranked_pairs_tb``). Tied contests (equal support both ways) are
    never locked.
    With ``"unresolved"`` such a conflict is reported and nobody is declared the winner. A tie
    left on the last seat (candidates no locked contest separates) is settled by ``tie_break``
    too.

    Args:
        seats: how many win (top-k of the locked order).
        candidates, ballots, strength, tie_break, seed: as for :func:`tally_schulze`.

    >>> tally_ranked_pairs(["a", "b", "c"], {("a", "b", "c"): 3, ("b", "c", "a"): 2}).winners
    ('a',)
    """
    candidates, seats, policy, matrix = _prepare(candidates, ballots, seats, tie_break, seed)
    links = _links(candidates, matrix, strength)
    groups = _by_strength(links)
    settled = _every_locking_order(candidates, groups, seats)
    if settled is None:
        settled = _lock_by_tie_break(candidates, groups, seats, policy)
    return _result(
        "ranked_pairs",
        candidates,
        seats,
        matrix,
        ranking=settled.ranking,
        winners=settled.winners,
        events=settled.events,
        tie_messages=settled.messages,
        details={"pairwise": matrix, "locked": settled.locked, "skipped": settled.skipped},
        options={"strength": strength, "tie_break": policy.as_option(), "seed": seed},
        skipped=settled.skipped,
    )


def _prepare(
    candidates: Sequence[Candidate],
    ballots: RankedBallots,
    seats: int,
    tie_break: object,
    seed: str | None,
) -> tuple[tuple[Candidate, ...], int, TieBreak, Matrix]:
    checked, seats, policy = start_one_pass(candidates, seats, tie_break, seed)
    return checked, seats, policy, pairwise_matrix(checked, group_ranked_ballots(checked, ballots))


def _links(candidates: Sequence[Candidate], matrix: Matrix, strength: str) -> dict[Pair, Fraction]:
    """Strength of every head-to-head win, keyed by ``(winner, loser)``."""
    if strength not in STRENGTHS:
        raise TallyError(f"strength must be one of {STRENGTHS}, got {strength!r}")
    links = {}
    for a in candidates:
        for b in candidates:
            if a != b and matrix[a][b] > matrix[b][a]:
                margin = matrix[a][b] - matrix[b][a]
                links[a, b] = margin if strength == "margin" else matrix[a][b]
    return links


def _strongest_paths(candidates: Sequence[Candidate], links: Mapping[Pair, Fraction]) -> Matrix:
    """Widest paths (Floyd–Warshall): the strength of the strongest path between each pair."""
    p = {a: {b: links.get((a, b), Fraction(0)) for b in candidates if b != a} for a in candidates}
    for i in candidates:
        for j in candidates:
            if j == i:
                continue
            pji = p[j][i]
            if not pji:
                continue
            row = p[j]
            for k in candidates:
                if k not in (i, j):
                    through = min(pji, p[i][k])
                    if through > row[k]:
                        row[k] = through
    return p


def _layers(
    candidates: Sequence[Candidate], beats: Callable[[Candidate, Candidate], bool]
) -> tuple[tuple[Candidate, ...], ...]:
    """Rank by a transitive "beats" relation: repeatedly take everyone nobody left beats."""
    remaining = sorted(candidates)
    layers = []
    while remaining:
        top = [a for a in remaining if not any(beats(b, a) for b in remaining if b != a)]
        layers.append(tuple(top))
        remaining = [c for c in remaining if c not in top]
    return tuple(layers)


def _by_strength(links: Mapping[Pair, Fraction]) -> list[list[Pair]]:
    groups: dict[Fraction, list[Pair]] = {}
    for pair, value in links.items():
        groups.setdefault(value, []).append(pair)
    return [sorted(groups[value]) for value in sorted(groups, reverse=True)]


LOCKING_STATES_MAX = 20_000  # beyond, the tie is left to the tie-break rule as before


@dataclass(frozen=True, slots=True)
class _Settled:
    """How Ranked Pairs locked its contests: what the result is built from, whichever way
    the locking order was settled (by every order agreeing, or by the tie-break rule)."""

    winners: tuple[Candidate, ...]
    ranking: tuple[tuple[Candidate, ...], ...]
    locked: tuple[Pair, ...]
    skipped: tuple[Pair, ...]
    events: tuple[results.TieEvent, ...]
    messages: tuple[Message, ...]


def _every_locking_order(
    candidates: Sequence[Candidate], groups: Sequence[Sequence[Pair]], seats: int
) -> _Settled | None:
    """The result when contests of equal strength conflict but every order of locking them
    elects the same candidates (a tie is for the tie-break rule only when its resolution
    changes the result); None when no such conflict exists, when the orders disagree, or
    when there are too many orders to try (the tie-break rule decides then).

    A group whose order does not matter is locked at once; a conflicting group branches on
    which of its open contests is locked next. Locked states already met are not explored
    again.

    >>> cycle = [[("a", "b"), ("b", "c"), ("c", "a")]]
    >>> _every_locking_order(["a", "b", "c"], cycle, 1) is None  # each order elects another
    True
    """
    conflicts: list[Pair] = []
    leaves: list[tuple[dict[Candidate, set[Candidate]], set[Pair], set[Pair]]] = []
    winners_seen: set[frozenset[Candidate]] = set()
    seen: set[tuple[int, frozenset[Pair], frozenset[Pair]]] = set()
    wanted = min(seats, len(candidates))
    budget = [LOCKING_STATES_MAX]

    def closure(reach: Mapping[Candidate, set[Candidate]]) -> frozenset[Pair]:
        return frozenset((a, b) for a, reachable in reach.items() for b in reachable)

    def explore(
        index: int,
        remaining: tuple[Pair, ...],
        reach: dict[Candidate, set[Candidate]],
        locked: frozenset[Pair],
        skipped: frozenset[Pair],
    ) -> bool:
        """False to stop: two results differ, one is a tie itself, or the budget is spent."""
        key = (index, frozenset(remaining), closure(reach))
        if key in seen:
            return True
        seen.add(key)
        budget[0] -= 1
        if budget[0] < 0:
            return False
        if not remaining:
            if index == len(groups):
                ranking = _layers(candidates, lambda a, b: b in reach[a])
                winners, _, _ = select_top(ranking, seats, TieBreak())
                winners_seen.add(frozenset(winners))
                leaves.append((reach, set(locked), set(skipped)))
                return len(winners) == wanted and len(winners_seen) == 1
            group = tuple(groups[index])
            open_pairs = [(a, b) for a, b in group if a not in reach[b]]
            if not _closes_cycle(reach, open_pairs):  # any order locks the same graph
                new = {c: set(r) for c, r in reach.items()}
                done, dropped = set(locked), set(skipped)
                for a, b in group:
                    if a in new[b]:
                        dropped.add((a, b))
                    else:
                        done.add((a, b))
                        _add_edge(new, a, b)
                return explore(index + 1, (), new, frozenset(done), frozenset(dropped))
            conflicts.extend(p for p in open_pairs if p not in conflicts)
            return explore(index + 1, group, reach, locked, skipped)
        for pair in remaining:
            rest = tuple(p for p in remaining if p != pair)
            a, b = pair
            if a in reach[b]:
                going_on = explore(index, rest, reach, locked, skipped | {pair})
            else:
                new = {c: set(r) for c, r in reach.items()}
                _add_edge(new, a, b)
                going_on = explore(index, rest, new, locked | {pair}, skipped)
            if not going_on:
                return False
        return True

    start: dict[Candidate, set[Candidate]] = {c: set() for c in candidates}
    if not explore(0, (), start, frozenset(), frozenset()) or not conflicts:
        return None
    (chosen,) = winners_seen
    # the order every locking agrees on, the elected first
    common = set.intersection(*(set(closure(reach)) for reach, _, _ in leaves))
    ranking = (
        *_layers(sorted(chosen), lambda a, b: (a, b) in common),
        *_layers([c for c in candidates if c not in chosen], lambda a, b: (a, b) in common),
    )
    ordered = tuple(c for layer in ranking for c in layer if c in chosen)
    order = [pair for group in groups for pair in group]
    locked = tuple(p for p in order if all(p in leaf[1] for leaf in leaves))
    skipped = tuple(p for p in order if all(p in leaf[2] for leaf in leaves))
    involved = tuple(sorted({c for pair in conflicts for c in pair}))
    pairs = " ; ".join(f"{a} > {b}" for a, b in conflicts)
    return _Settled(
        winners=ordered,
        ranking=ranking,
        locked=locked,
        skipped=skipped,
        events=(
            results.TieEvent(1, "pair_order", involved, ordered, results.TieResolution.NO_EFFECT),
        ),
        messages=(Message("condorcet.pairs_no_effect", {"pairs": pairs}),),
    )


def _closes_cycle(reach: Mapping[Candidate, set[Candidate]], open_pairs: Sequence[Pair]) -> bool:
    """Whether locking ``open_pairs`` together would close a cycle (then their order counts)."""
    trial = {c: set(r) for c, r in reach.items()}
    for a, b in open_pairs:
        if a in trial[b]:
            return True
        _add_edge(trial, a, b)
    return False


def _lock_by_tie_break(
    candidates: Sequence[Candidate], groups: Sequence[list[Pair]], seats: int, policy: TieBreak
) -> _Settled:
    """Lock the groups strongest first, ``policy`` ordering each conflicting group; an
    unresolved conflict stops the locking and leaves no ranking and no winner."""
    locker = _Locker(candidates, policy)
    for group in groups:
        if not locker.lock_group(group):
            break
    ranking: tuple[tuple[Candidate, ...], ...] = ()
    winners: tuple[Candidate, ...] = ()
    events, messages = tuple(locker.events), tuple(locker.messages)
    if not locker.unresolved:
        ranking = _layers(candidates, lambda a, b: b in locker.reach[a])
        winners, top_events, top_messages = select_top(ranking, seats, policy)
        events, messages = (*events, *top_events), (*messages, *top_messages)
    return _Settled(
        winners=winners,
        ranking=ranking,
        locked=tuple(locker.locked),
        skipped=tuple(locker.skipped),
        events=events,
        messages=messages,
    )


class _Locker:
    """The locked graph of Ranked Pairs, with the transitive closure kept up to date."""

    def __init__(self, candidates: Sequence[Candidate], policy: TieBreak) -> None:
        self.candidates = tuple(candidates)
        self.policy = policy
        self.reach: dict[Candidate, set[Candidate]] = {c: set() for c in candidates}
        self.locked: list[Pair] = []
        self.skipped: list[Pair] = []
        self.events: list[results.TieEvent] = []
        self.messages: list[Message] = []
        self.unresolved = False
        self.strengths: dict[Pair, Fraction] = {}
        self._order = policy.order if policy.kind == "order" else None

    def lock_group(self, group: list[Pair]) -> bool:
        """Lock one group of equal strength; False when its conflict is left unresolved."""
        open_pairs = [(a, b) for a, b in group if a not in self.reach[b]]
        if not self._order_matters(open_pairs):
            for pair in group:
                self._lock_or_skip(pair)
            return True
        involved = tuple(sorted({c for pair in open_pairs for c in pair}))
        if self.policy.kind == "unresolved":
            self.unresolved = True
            self.events.append(
                results.TieEvent(1, "pair_order", involved, (), results.TieResolution.UNRESOLVED)
            )
            pairs = " ; ".join(f"{a} > {b}" for a, b in open_pairs)
            self.messages.append(Message("condorcet.pairs_unresolved", {"pairs": pairs}))
            return False
        order = self._tie_order()
        rank = {c: i for i, c in enumerate(order)}
        ordered = sorted(group, key=lambda pair: (rank[pair[0]], rank[pair[1]]))
        if self.policy.kind == "order":
            chosen = tuple(c for c in order if c in involved)
            self.events.append(
                results.TieEvent(
                    1, "pair_order", involved, chosen, results.TieResolution.FIXED_ORDER
                )
            )
        for pair in ordered:
            self._lock_or_skip(pair)
        return True

    def _order_matters(self, open_pairs: list[Pair]) -> bool:
        """Whether locking ``open_pairs`` together would close a cycle (then order decides)."""
        return _closes_cycle(self.reach, open_pairs)

    def _tie_order(self) -> tuple[Candidate, ...]:
        if self._order is None:  # a lot, drawn once at the first conflict and reused after
            assert self.policy.seed is not None
            self._order, event = draw_lot(
                self.candidates,
                len(self.candidates),
                seed=self.policy.seed,
                round_number=1,
                purpose="pair_order",
            )
            self.events.append(event)
        return self._order

    def _lock_or_skip(self, pair: Pair) -> None:
        a, b = pair
        if a in self.reach[b]:
            self.skipped.append(pair)
        else:
            self.locked.append(pair)
            _add_edge(self.reach, a, b)


def _add_edge(reach: dict[Candidate, set[Candidate]], a: Candidate, b: Candidate) -> None:
    """Add ``a → b`` to a transitively closed reachability map."""
    gained = {b} | reach[b]
    for c, reachable in reach.items():
        if c == a or a in reachable:
            reachable |= gained


def _result(
    method: str,
    candidates: tuple[Candidate, ...],
    seats: int,
    matrix: Matrix,
    *,
    ranking: tuple[tuple[Candidate, ...], ...],
    winners: tuple[Candidate, ...],
    events: tuple[results.TieEvent, ...],
    tie_messages: tuple[Message, ...],
    details: Mapping[str, JSONValue],
    options: Mapping[str, JSONValue],
    skipped: Sequence[Pair] = (),
) -> TallyResult:
    wins = {
        a: Fraction(sum(1 for b in candidates if b != a and matrix[a][b] > matrix[b][a]))
        for a in candidates
    }
    order = sorted(candidates, key=lambda c: (-wins[c], c))
    messages = [Message("condorcet.wins", {"candidate": c, "count": wins[c]}) for c in order]
    champion = condorcet_winner(candidates, matrix)
    if champion is None:
        messages.append(Message("condorcet.no_condorcet_winner"))
    else:
        messages.append(Message("condorcet.condorcet_winner", {"candidate": champion}))
    for a, b in skipped:
        strength = _links([a, b], matrix, options["strength"])[a, b]
        messages.append(
            Message("condorcet.skipped", {"winner": a, "loser": b, "strength": strength})
        )
    if ranking:
        text = " > ".join(" = ".join(group) for group in ranking)
        messages.append(Message("condorcet.ranking", {"ranking": text}))
    messages.extend(tie_messages)
    if winners:
        messages.append(Message("onepass.winners", {"names": winners, "count": len(winners)}))
    else:
        messages.append(Message("onepass.no_winner"))
    round_ = results.Round(number=1, totals=wins, elected=winners, messages=tuple(messages))
    return TallyResult(
        method=method,
        candidates=candidates,
        seats=seats,
        winners=winners,
        rounds=(round_,),
        tie_events=events,
        ranking=ranking,
        details={"condorcet_winner": champion, **details},
        options=options,
    )
