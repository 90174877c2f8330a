"""Instant-runoff voting (IRV), and the machinery the ranked family (IRV, STV, Meek) shares.

Rules (voting-rules.md §3.5):

* each ballot counts for its highest-ranked continuing candidate; truncated ballots are fine;
* a candidate with **more than half of the continuing votes** (ballots not yet exhausted) wins;
  the last candidate standing wins too;
* otherwise the candidate with the fewest votes is excluded and each of their ballots moves to
  its next continuing preference, or is exhausted;
* a tie for exclusion goes to the candidate with fewer votes at the most recent earlier round
  where the tied candidates differed (looking further back among those still equal); when
  they were equal at every round the ``tie_break`` option decides: ``"lot"`` with ``seed``
  (a reproducible draw, recorded), or a candidate order published before the count. Without
  either, a tie that needs a lot raises :class:`TallyError` instead of picking silently.

Speed: ballots are grouped first, and each group sits in the pile of its current candidate
with a pointer into its ranking that only moves forward, so the whole count touches each
group once per transfer instead of recounting every ballot every round.

Long: the machinery IRV shares with STV and Meek (profile, tie-breaking, pile moves) stays
beside the count that uses it first, and each sentence carries its French, English and Dutch.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol, TypeVar

from votes.core import results
from votes.core.ballots import RankedBallots, check_candidates, check_seats, group_ranked_ballots
from votes.core.explain import phrase
from votes.core.results import Candidate, JSONValue, Message, TallyError, TallyResult, Weight
from votes.core.ties import TieBreak

TIE_DEPTH_MAX = 4  # ties tried inside ties; deeper, the tie-break rule settles as before

MESSAGES = {  # each sentence in French, English and Dutch (votes.core.explain.LANGUAGES)
    "excluded": (
        "{candidate} est éliminé·e ({votes} voix, le moins)",
        (
            "{candidate} is excluded ({votes} vote, the fewest)",
            "{candidate} is excluded ({votes} votes, the fewest)",
        ),
        (
            "{candidate} valt af ({votes} stem, het minst)",
            "{candidate} valt af ({votes} stemmen, het minst)",
        ),
    ),
    "transfers": (
        "{moves}",
        "{moves}",
        "{moves}",
    ),
    "move_first": (
        ("{votes} voix va à {to}", "{votes} voix vont à {to}"),
        ("{votes} vote goes to {to}", "{votes} votes go to {to}"),
        ("{votes} stem gaat naar {to}", "{votes} stemmen gaan naar {to}"),
    ),
    "move": (
        "{votes} à {to}",
        "{votes} to {to}",
        "{votes} naar {to}",
    ),
    "exhausted_tail": (
        ("{votes} est épuisée", "{votes} sont épuisées"),
        ("{votes} is exhausted", "{votes} are exhausted"),
        ("{votes} is uitgeput", "{votes} zijn uitgeput"),
    ),
    "exhausted_only": (
        ("{votes} voix est épuisée", "{votes} voix sont épuisées"),
        ("{votes} vote is exhausted", "{votes} votes are exhausted"),
        ("{votes} stem is uitgeput", "{votes} stemmen zijn uitgeput"),
    ),
    "nothing_moves": (
        "aucune voix à transférer",
        "no votes to transfer",
        "geen stemmen over te dragen",
    ),
    "elected_majority": (
        (
            "{candidate} est élu·e avec {votes} voix sur {live} ({share:%}), "
            "plus de la moitié des voix restantes"
        ),
        (
            "{candidate} is elected with {votes} of {live} votes ({share:%}), "
            "more than half of the continuing votes"
        ),
        (
            "{candidate} is verkozen met {votes} van de {live} stemmen ({share:%}),"
            " meer dan de helft van de stemmen die nog meetellen"
        ),
    ),
    "elected_last": (
        "{candidate} est élu·e, dernière candidature en lice",
        "{candidate} is elected as the last candidate standing",
        "{candidate} is verkozen als laatste overblijvende kandidaat",
    ),
    "tie_history_fewest": (
        (
            "égalité entre {tied:and}, départagée par le tour {round}, "
            "où {chosen} avait le moins de voix"
        ),
        "tie between {tied:and}, settled by round {round}, where {chosen} had the fewest votes",
        (
            "gelijkstand tussen {tied:and}, beslecht door ronde {round},"
            " waarin {chosen} de minste stemmen had"
        ),
    ),
    "tie_history_most": (
        (
            "égalité entre {tied:and}, départagée par le tour {round}, "
            "où {chosen} avait le plus de voix"
        ),
        "tie between {tied:and}, settled by round {round}, where {chosen} had the most votes",
        (
            "gelijkstand tussen {tied:and}, beslecht door ronde {round},"
            " waarin {chosen} de meeste stemmen had"
        ),
    ),
    "tie_no_effect": (
        (
            "égalité entre {tied:and} pour l'élimination\u00a0: quelle que soit la personne "
            "éliminée, "
            "{winner} est élu·e\u00a0; l'égalité est laissée sans départage "
            "et {chosen} est éliminé·e pour la suite du décompte"
        ),
        (
            "tie between {tied:and} for exclusion: whoever is excluded, {winner} is elected; "
            "the tie is left unsettled and {chosen} is excluded for the rest of the count"
        ),
        (
            "gelijkstand tussen {tied:and} voor de uitsluiting: wie ook uitgesloten wordt,"
            " {winner} is verkozen; de gelijkstand blijft onbeslecht en {chosen} wordt"
            " uitgesloten voor de rest van de telling"
        ),
    ),
}

#: Options every ranked method understands.
RANKED_OPTIONS = frozenset({"tie_break", "seed", "withdrawn"})


@dataclass(frozen=True, slots=True)
class RankedProfile:
    """Grouped ranked ballots as candidate indices, ready for a pile-based count.

    Attributes:
        candidates: every candidate, in the order given (withdrawn ones included).
        rankings: one entry per distinct ballot, candidate ids best first, withdrawn
            candidates removed (as if never ranked); empty ballots are left out.
        weights: the total weight of each distinct ballot.
        valid: the total weight of non-empty ballots (the base of quotas and majorities).
        withdrawn: indices of withdrawn candidates.
    """

    candidates: tuple[Candidate, ...]
    rankings: tuple[tuple[Candidate, ...], ...]
    weights: tuple[Weight, ...]
    valid: Weight
    withdrawn: frozenset[int]

    def indexed(self) -> tuple[tuple[int, ...], ...]:
        """The rankings as candidate indices, for counts that keep per-candidate lists.

        >>> prepare_ranked(["a", "b"], [("b", "a")]).indexed()
        ((1, 0),)
        """
        index = {name: i for i, name in enumerate(self.candidates)}
        return tuple(tuple(map(index.__getitem__, ranking)) for ranking in self.rankings)


def prepare_ranked(
    candidates: Sequence[Candidate],
    ballots: RankedBallots,
    withdrawn: Iterable[Candidate] = (),
) -> RankedProfile:
    """Validate, group and index ranked ballots; drop withdrawn candidates from every ballot.

    >>> p = prepare_ranked(["a", "b", "c"], [("a", "c"), ("c",), ("a", "b")], withdrawn=["b"])
    >>> p.rankings, p.weights, p.valid
    ((('a', 'c'), ('c',), ('a',)), (1, 1, 1), 3)
    """
    names = check_candidates(candidates)
    index = {name: i for i, name in enumerate(names)}
    if isinstance(withdrawn, str):
        raise TallyError(f"withdrawn must be a sequence of candidate ids, not {withdrawn!r}")
    gone = set()
    for name in withdrawn:
        if name not in index:
            raise TallyError(f"withdrawn candidate {name!r} is not a candidate")
        gone.add(index[name])
    if len(gone) == len(names):
        raise TallyError("every candidate has withdrawn")
    grouped = group_ranked_ballots(names, ballots)
    if gone:
        skipped = {names[c] for c in gone}
        kept: dict[tuple[Candidate, ...], Weight] = {}
        for ranking, weight in grouped.items():
            ranking = tuple(c for c in ranking if c not in skipped)
            if ranking:
                kept[ranking] = kept.get(ranking, 0) + weight
        grouped = kept
    return RankedProfile(
        candidates=names,
        rankings=tuple(grouped),
        weights=tuple(grouped.values()),
        valid=sum(grouped.values(), start=0),
        withdrawn=frozenset(gone),
    )


def read_tie_break(
    candidates: Sequence[Candidate], options: Mapping[str, object], allowed: frozenset[str]
) -> TieBreak:
    """Check the options and build the tie-break policy for the last resort of a ranked count.

    ``seed`` alone means a seeded lot; ``tie_break`` may also be ``"lot"``, ``"unresolved"``
    (the default: a tie that needs a lot then raises) or a published candidate order.

    >>> read_tie_break(["a", "b"], {"seed": "2026"}, RANKED_OPTIONS).kind
    'lot'
    """
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise TallyError(f"unknown option(s) {', '.join(unknown)}; allowed: {sorted(allowed)}")
    seed = options.get("seed")
    tie_break = options.get("tie_break")
    if tie_break is None:
        tie_break = "unresolved" if seed is None else "lot"
    return TieBreak.from_options(candidates, tie_break, seed)


def record_options(
    policy: TieBreak, profile: RankedProfile, **extra: JSONValue
) -> dict[str, JSONValue]:
    """The options a recount needs, as stored in :attr:`TallyResult.options`.

    >>> record_options(TieBreak("lot", "s"), prepare_ranked(["a"], [("a",)]))
    {'tie_break': 'lot', 'seed': 's'}
    """
    options: dict[str, JSONValue] = {"tie_break": policy.as_option()}
    if policy.seed is not None:
        options["seed"] = policy.seed
    if profile.withdrawn:
        options["withdrawn"] = tuple(profile.candidates[i] for i in sorted(profile.withdrawn))
    options.update(extra)
    return options


@dataclass(frozen=True, slots=True)
class TieOutcome:
    """The candidate a tie-break picked, with the event and sentence that record it."""

    chosen: int
    event: results.TieEvent
    message: Message


def break_tie(
    tied: Sequence[int],
    *,
    fewest: bool,
    history: Sequence[Sequence[Weight]],
    policy: TieBreak,
    names: Sequence[Candidate],
    round_number: int,
    purpose: str,
    namespace: str = "irv",
    without_effect: Callable[[Sequence[int]], Message | None] | None = None,
) -> TieOutcome:
    """Settle a tie by earlier rounds (most recent first), then by the policy's lot or order.

    ``history`` holds every earlier round's totals by candidate index, oldest first. At the
    most recent round where the tied candidates differed, only those with the fewest (or the
    most, for ``fewest=False``) votes stay tied; the search goes on further back among them.

    >>> out = break_tie([1, 2], fewest=True, history=[[5, 3, 4]], policy=TieBreak(),
    ...                 names="abc", round_number=2, purpose="exclusion")
    >>> out.chosen, out.event.resolution.value
    (1, 'history_backward')
    """
    pool = sorted(tied)
    for back in range(len(history) - 1, -1, -1):
        past = history[back]
        target = min(past[c] for c in pool) if fewest else max(past[c] for c in pool)
        pool = [c for c in pool if past[c] == target]
        if len(pool) == 1:
            tied_names = tuple(names[c] for c in sorted(tied))
            chosen = names[pool[0]]
            event = results.TieEvent(
                round_number, purpose, tied_names, (chosen,), results.TieResolution.HISTORY_BACKWARD
            )
            key = "tie_history_fewest" if fewest else "tie_history_most"
            params = {"tied": tied_names, "chosen": chosen, "round": back + 1}
            return TieOutcome(pool[0], event, Message(f"{namespace}.{key}", params))
    pool_names = [names[c] for c in pool]
    settled = without_effect(pool) if without_effect is not None else None
    if settled is not None:  # every choice gives the same result: no lot
        # the count goes on with one of them: the published order's, else the first listed
        chosen = next((c for c in policy.order if c in pool_names), pool_names[0])
        event = results.TieEvent(
            round_number, purpose, tuple(pool_names), (chosen,), results.TieResolution.NO_EFFECT
        )
        message = Message(settled.key, {**settled.params, "chosen": chosen})
        return TieOutcome(names.index(chosen), event, message)
    if policy.kind == "unresolved":
        raise TallyError(
            f"round {round_number}: {', '.join(pool_names)} are tied for {purpose} at every "
            "round, so a lot is needed: pass seed=... (or tie_break=[published order])"
        )
    chosen_names, event, message = policy.choose(
        pool_names, 1, round_number=round_number, purpose=purpose
    )
    return TieOutcome(names.index(chosen_names[0]), event, message)


def transfer_message(
    moved: Mapping[int, Weight], exhausted: Weight, names: Sequence[Candidate]
) -> Message:
    """ "7 votes go to A, 3 to C, 5 are exhausted": biggest share first, then candidate order.

    >>> transfer_message({0: 3, 1: 7}, 5, ["A", "B"]).params["moves"][0]["params"]["to"]
    'B'
    """
    order = sorted((c for c in moved if moved[c]), key=lambda c: (-moved[c], c))
    moves: list[dict[str, JSONValue]] = []
    for c in order:
        key = "irv.move" if moves else "irv.move_first"
        moves.append(phrase(key, votes=moved[c], to=names[c], count=moved[c]))
    if exhausted:
        key = "irv.exhausted_tail" if moves else "irv.exhausted_only"
        moves.append(phrase(key, votes=exhausted, count=exhausted))
    if not moves:
        return Message("irv.nothing_moves")
    return Message("irv.transfers", {"moves": tuple(moves)})


def tally_instant_runoff(
    candidates: Sequence[Candidate], ballots: RankedBallots, *, seats: int = 1, **options: object
) -> TallyResult:
    """Count a single-seat instant-runoff election.

    Args:
        candidates: candidate ids, in the order to report them.
        ballots: ``{ranking: weight}`` or an iterable of rankings (weight 1 each); rankings are
            tuples of candidate ids, best first, possibly truncated.
        seats: must be 1 (use STV for more).
        **options: ``seed`` (str) and/or ``tie_break`` (``"lot"``, ``"unresolved"`` or a
            candidate order) for ties equal at every round; ``withdrawn`` (candidate ids
            skipped on every ballot).

    Returns:
        The result; ``rounds[i].totals`` holds every continuing candidate's votes in round
        ``i + 1`` and ``rounds[i].exhausted`` the votes exhausted before it.

    >>> r = tally_instant_runoff(["A", "B", "C"], {("A",): 4, ("B", "A"): 2, ("C", "B"): 3})
    >>> r.winners, [sorted(x.totals.items()) for x in r.rounds][-1]
    (('A',), [('A', Fraction(6, 1)), ('C', Fraction(3, 1))])
    """
    names = check_candidates(candidates)
    if check_seats(seats) != 1:
        raise TallyError(f"instant-runoff fills one seat, not {seats}; use STV for several")
    policy, profile = read_ranked(names, ballots, options)
    count = _IrvCount(profile, policy)
    winner = count.run()
    return ranked_result(
        "irv",
        profile,
        policy,
        seats=1,
        winners=(winner,),
        rounds=count.rounds,
        events=count.events,
        details={"valid": Fraction(profile.valid)},
    )


def read_withdrawn(options: Mapping[str, object]) -> tuple[Candidate, ...]:
    """The ``withdrawn`` option as a tuple; :func:`prepare_ranked` checks each id.

    >>> read_withdrawn({"withdrawn": ["b"]})
    ('b',)
    """
    withdrawn = options.get("withdrawn", ())
    if isinstance(withdrawn, str) or not isinstance(withdrawn, Iterable):
        raise TallyError(f"withdrawn must be a sequence of candidate ids, got {withdrawn!r}")
    return tuple(withdrawn)


def read_ranked(
    names: Sequence[Candidate],
    ballots: RankedBallots,
    options: Mapping[str, object],
) -> tuple[TieBreak, RankedProfile]:
    """The tie-break policy and the prepared ballots every ranked count starts from.

    >>> read_ranked(["a", "b"], [("b",)], {"withdrawn": ["a"]})[1].withdrawn
    frozenset({0})
    """
    policy = read_tie_break(names, options, RANKED_OPTIONS)
    return policy, prepare_ranked(names, ballots, read_withdrawn(options))


def ranked_result(
    method: str,
    profile: RankedProfile,
    policy: TieBreak,
    *,
    seats: int,
    winners: Iterable[Candidate],
    rounds: Iterable[results.Round],
    events: Iterable[results.TieEvent],
    details: dict[str, JSONValue],
) -> TallyResult:
    """A ranked count's result, with the options a recount needs."""
    return TallyResult(
        method=method,
        candidates=profile.candidates,
        seats=seats,
        winners=tuple(winners),
        rounds=tuple(rounds),
        tie_events=tuple(events),
        details=details,
        options=record_options(policy, profile),
    )


class Branching(Protocol):
    """A count that can be copied to try a tie's choices (see :func:`same_whoever_excluded`)."""

    policy: TieBreak
    depth: int  # ties tried inside ties


_Count = TypeVar("_Count", bound=Branching)
_Outcome = TypeVar("_Outcome", bound=Hashable)


def same_whoever_excluded(
    count: _Count,
    pool: Sequence[int],
    shared: Sequence[object],
    finish: Callable[[_Count, int], _Outcome],
) -> _Outcome | None:
    """The one outcome of the count whichever candidate of ``pool`` is excluded, or None.

    Each choice is counted to the end by ``finish`` on a copy (``shared`` inputs are not
    copied), its own ties tried the same way. None when two choices end differently, when a
    choice needs a lot, or when ties nest deeper than :data:`TIE_DEPTH_MAX`.
    """
    if count.depth >= TIE_DEPTH_MAX:
        return None
    outcomes: set[_Outcome] = set()
    for candidate in pool:
        branch = copy.deepcopy(count, {id(item): item for item in shared})
        branch.policy = TieBreak()  # a tie that matters inside a branch: it depends
        branch.depth = count.depth + 1
        try:
            outcomes.add(finish(branch, candidate))
        except TallyError:
            return None
        if len(outcomes) > 1:
            return None
    (outcome,) = outcomes
    return outcome


class PileCount(Protocol):
    """A count that keeps ballot groups in piles (IRV, Scottish STV), see :func:`move_pile`."""

    piles: list[list[int]]  # each candidate's ballot groups
    totals: list[Weight]  # each candidate's units
    position: list[int]  # each group's pointer into its ranking: only moves forward
    exhausted: Weight


_Ranked = TypeVar("_Ranked", bound=Hashable)


def move_pile(
    count: PileCount,
    source: int,
    rankings: Sequence[Sequence[_Ranked]],
    pile_of: Callable[[_Ranked], int | None],
    units: Callable[[int], Weight],
) -> tuple[dict[int, Weight], Weight]:
    """Send each group of the ``source`` pile to its next continuing preference, or exhaust it.

    ``pile_of`` gives a continuing candidate's pile, None for any other; ``units(group)`` is
    what the group carries on. Returns the units moved per pile and the units exhausted.
    """
    piles, totals, position = count.piles, count.totals, count.position
    moved: dict[int, Weight] = {}
    gone: Weight = 0
    for group in piles[source]:
        ranking = rankings[group]
        step = position[group] + 1
        end = len(ranking)
        target = None
        while step < end and (target := pile_of(ranking[step])) is None:
            step += 1
        carried = units(group)
        if target is None:
            gone += carried
        else:
            position[group] = step
            piles[target].append(group)
            totals[target] += carried
            moved[target] = moved.get(target, 0) + carried
    piles[source] = []
    count.exhausted += gone
    return moved, gone


class _IrvCount:
    """The mutable state of one count: piles, pointers, totals; rounds are appended as built."""

    def __init__(self, profile: RankedProfile, policy: TieBreak) -> None:
        self.profile = profile
        self.policy = policy
        n = len(profile.candidates)
        self.continuing = [i not in profile.withdrawn for i in range(n)]
        self.piles: list[list[int]] = [[] for _ in range(n)]
        self.totals: list[Weight] = [0] * n
        self.slot = {name: i for i, name in enumerate(profile.candidates)}
        # rankings stay as names (no conversion pass): each continuing candidate's pile by name
        self.pile_of = {name: i for name, i in self.slot.items() if self.continuing[i]}
        self.position = [0] * len(profile.rankings)
        for group, ranking in enumerate(profile.rankings):
            first = self.slot[ranking[0]]
            self.piles[first].append(group)
            self.totals[first] += profile.weights[group]
        self.exhausted: Weight = 0
        self.history: list[list[Weight]] = []
        self.rounds: list[results.Round] = []
        self.events: list[results.TieEvent] = []
        self.depth = 0  # ties tried inside ties (see _without_effect)

    def run(self) -> Candidate:
        names = self.profile.candidates
        while True:
            number = len(self.rounds) + 1
            active = [c for c in range(len(names)) if self.continuing[c]]
            totals = {names[c]: Fraction(self.totals[c]) for c in active}
            live = self.profile.valid - self.exhausted
            leader = max(active, key=lambda c: self.totals[c])
            if 2 * self.totals[leader] > live or len(active) == 1:
                self.rounds.append(
                    results.Round(
                        number,
                        totals,
                        elected=(names[leader],),
                        exhausted=Fraction(self.exhausted),
                        messages=(self._win_message(leader, live),),
                    )
                )
                return names[leader]
            messages: list[Message] = []
            loser = self._pick_loser(active, number, messages)
            exhausted_before = self.exhausted
            votes = self.totals[loser]
            moved, gone = self._exclude(loser)
            messages.append(
                Message(
                    "irv.excluded", {"candidate": names[loser], "votes": votes, "count": votes}
                ),
            )
            messages.append(transfer_message(moved, gone, names))
            self.rounds.append(
                results.Round(
                    number,
                    totals,
                    excluded=(names[loser],),
                    exhausted=Fraction(exhausted_before),
                    messages=tuple(messages),
                )
            )

    def _win_message(self, winner: int, live: Weight) -> Message:
        name = self.profile.candidates[winner]
        votes = self.totals[winner]
        if 2 * votes <= live:
            return Message("irv.elected_last", {"candidate": name})
        share = Fraction(votes) / Fraction(live)
        params = {"candidate": name, "votes": votes, "live": live, "share": share}
        return Message("irv.elected_majority", params)

    def _pick_loser(self, active: list[int], number: int, messages: list[Message]) -> int:
        fewest = min(self.totals[c] for c in active)
        tied = [c for c in active if self.totals[c] == fewest]
        self.history.append(list(self.totals))
        if len(tied) == 1:
            return tied[0]
        outcome = break_tie(
            tied,
            fewest=True,
            history=self.history[:-1],
            policy=self.policy,
            names=self.profile.candidates,
            round_number=number,
            purpose="exclusion",
            without_effect=self._without_effect,
        )
        self.events.append(outcome.event)
        messages.append(outcome.message)
        return outcome.chosen

    def _without_effect(self, pool: Sequence[int]) -> Message | None:
        """The message saying so when excluding any one of ``pool`` elects the same winner;
        None otherwise."""
        winner = same_whoever_excluded(self, pool, (self.profile,), _IrvCount._run_without)
        if winner is None:
            return None
        names = self.profile.candidates
        tied = tuple(names[c] for c in pool)
        params = {"tied": tied, "winner": winner, "chosen": tied[0]}
        return Message("irv.tie_no_effect", params)

    def _run_without(self, candidate: int) -> Candidate:
        self._exclude(candidate)
        return self.run()

    def _exclude(self, loser: int) -> tuple[dict[int, Weight], Weight]:
        """Move every group in the loser's pile to its next continuing preference."""
        self.continuing[loser] = False
        del self.pile_of[self.profile.candidates[loser]]
        moved, gone = move_pile(
            self, loser, self.profile.rankings, self.pile_of.get, self.profile.weights.__getitem__
        )
        self.totals[loser] = 0
        return moved, gone
