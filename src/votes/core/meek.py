"""Meek STV, as the Proportional Representation Foundation's reference rule (PRF Meek).

Meek's method (voting-rules.md §3.6) never moves papers: each elected candidate keeps a
*keep factor* ``kf`` of every vote that reaches them and passes the rest on, and the keep
factors are adjusted until every elected candidate holds just the quota. The reference rule
fixes the arithmetic so that anyone recounting gets the same digits:

* numbers are fixed point with **9 decimals**, held as integers in units of 10^-9;
* a ballot starts with weight 1; each candidate in its order keeps ``w × kf`` (rounded **up**)
  and ``w`` shrinks by that much, until nothing is left or the ranking ends (what is left is
  exhausted: the ballot's *residual*);
* quota = (sum of all candidates' votes) / (seats + 1), truncated, plus 10^-9 — so it falls as
  ballots exhaust; a hopeful candidate reaching it is elected and the round ends;
* otherwise the iteration goes on with ``kf ← kf × quota / vote`` (each step rounded up) until
  the total surplus is below omega = 10^-6 (or stops shrinking); then the hopeful with the
  fewest votes is defeated — every hopeful within the total surplus of the lowest counts as tied,
  and the ``tie_break`` option (published order or seeded lot) settles it, as the rule's
  procedure T does (no look-back at earlier rounds);
* when hopefuls no longer outnumber the seats left they are all elected.

Each round is one election or one defeat; ``totals`` are the votes when it was decided, every
elected and hopeful candidate included, and ``exhausted`` the residual, so
``sum(totals) + exhausted == valid`` exactly.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from votes.core.ballots import check_candidates, check_seats
from votes.core.irv import (
    RANKED_OPTIONS,
    TIE_DEPTH_MAX,
    RankedProfile,
    break_tie,
    prepare_ranked,
    read_tie_break,
    read_withdrawn,
    record_options,
)
from votes.core.results import (
    Candidate,
    Message,
    Round,
    TallyError,
    TallyResult,
    TieEvent,
    Weight,
)
from votes.core.stv import tie_no_effect
from votes.core.ties import TieBreak

#: Fixed point: units of 10^-9 (PRF reference rule).
UNIT = 10**9
#: Iteration stops when the total surplus is below 10^-6.
OMEGA = 10**3

MESSAGES = {
    "fr": {
        "iterated": (
            "{iterations} itération, quota {quota}, excédent total {surplus}",
            "{iterations} itérations, quota {quota}, excédent total {surplus}",
        ),
    },
    "en": {
        "iterated": (
            "{iterations} iteration, quota {quota}, total surplus {surplus}",
            "{iterations} iterations, quota {quota}, total surplus {surplus}",
        ),
    },
}

_HOPEFUL, _ELECTED, _DEFEATED, _WITHDRAWN = range(4)


def tally_meek_stv(
    candidates: Sequence[Candidate],
    ballots: Mapping[tuple[Candidate, ...], Weight] | Iterable[Sequence[Candidate]],
    *,
    seats: int = 1,
    **options: object,
) -> TallyResult:
    """Count an STV election with the PRF reference Meek rule (9 decimals, omega 10^-6).

    Args:
        candidates: candidate ids, in the order to report them.
        ballots: ``{ranking: weight}`` or an iterable of rankings (weight 1 each).
        seats: number of seats to fill.
        **options: ``seed`` / ``tie_break`` for defeat ties; ``withdrawn`` candidate ids.

    Returns:
        One round per election or defeat; ``details["quotas"]`` holds each round's final
        quota and ``details["keep_factors"]`` the elected candidates' final keep factors.

    >>> r = tally_meek_stv(["a", "b", "c"], {("a", "b"): 4, ("c",): 2}, seats=2,
    ...                    tie_break=["a", "b", "c"])
    >>> r.winners, str(r.rounds[1].totals["a"])
    (('a', 'c'), '500000001/250000000')
    """
    names = check_candidates(candidates)
    seats = check_seats(seats)
    policy = read_tie_break(names, options, RANKED_OPTIONS)
    profile = prepare_ranked(names, ballots, read_withdrawn(options))
    count = _MeekCount(profile, policy, seats)
    count.run()
    return TallyResult(
        method="meek_stv",
        candidates=names,
        seats=seats,
        winners=tuple(names[c] for c in count.elected),
        rounds=tuple(count.rounds),
        tie_events=tuple(count.events),
        details={
            "quotas": tuple(Fraction(q, UNIT) for q in count.quotas),
            "keep_factors": {names[c]: Fraction(count.keep[c], UNIT) for c in count.elected},
            "valid": Fraction(profile.valid),
            "decimal_places": 9,
            "omega": Fraction(OMEGA, UNIT),
        },
        options=record_options(policy, profile),
    )


def _ceil_div(numerator: Weight, denominator: Weight) -> int:
    return int(-((-numerator) // denominator))


def _votes(units: Weight) -> Fraction:
    return Fraction(units) / UNIT


class _MeekCount:
    """Keep factors, votes and the rounds built so far."""

    def __init__(self, profile: RankedProfile, policy: TieBreak, seats: int) -> None:
        self.profile = profile
        self.policy = policy
        self.seats = seats
        n = len(profile.candidates)
        self.status = [_WITHDRAWN if c in profile.withdrawn else _HOPEFUL for c in range(n)]
        self.keep = [0 if c in profile.withdrawn else UNIT for c in range(n)]
        self.votes: list[Weight] = [0] * n
        self.rankings = profile.indexed()
        self.residual: Weight = 0
        self.quota: Weight = 0
        self.surplus: Weight = 0
        self.elected: list[int] = []
        self.quotas: list[Weight] = []
        self.rounds: list[Round] = []
        self.events: list[TieEvent] = []
        self.depth = 0  # ties tried inside ties (see _without_effect)

    def _hopeful(self) -> list[int]:
        return [c for c, state in enumerate(self.status) if state == _HOPEFUL]

    def run(self) -> None:
        while len(self._hopeful()) > self.seats - len(self.elected) > 0:
            messages: list[Message] = []
            iterations, newly = self._iterate()
            params = {
                "iterations": iterations,
                "count": iterations,
                "quota": _votes(self.quota),
                "surplus": _votes(self.surplus),
            }
            messages.append(Message("meek.iterated", params))
            self.quotas.append(self.quota)
            totals = self._snapshot()
            for c in newly:
                messages.append(self._elected_message(c))
            defeated: tuple[int, ...] = ()
            if not newly:
                loser = self._pick_loser(len(self.rounds) + 1, messages)
                defeated = (loser,)
                params = {
                    "candidate": self.profile.candidates[loser],
                    "votes": _votes(self.votes[loser]),
                    "count": _votes(self.votes[loser]),
                }
                messages.append(Message("irv.excluded", params))
                self.status[loser] = _DEFEATED
                self.keep[loser] = 0
                self.votes[loser] = 0
            newly.extend(self._finish(messages))
            self._close_round(totals, newly, defeated, messages)
        if not self.rounds:
            # Nothing to decide (seats >= candidates): one round records the first count.
            self._distribute()
            self.quota = self._quota()
            self.quotas.append(self.quota)
            totals = self._snapshot()
            messages = []
            newly = self._finish(messages)
            self._close_round(totals, newly, (), messages)

    def _iterate(self) -> tuple[int, list[int]]:
        """Step B.2: distribute, update the quota, elect or adjust keep factors, repeat."""
        last_surplus: Weight = self.profile.valid * UNIT
        iterations = 0
        while True:
            iterations += 1
            self._distribute()
            self.quota = self._quota()
            newly = [c for c in self._hopeful() if self.votes[c] >= self.quota]
            newly.sort(key=lambda c: (-self.votes[c], c))
            for c in newly:
                self.status[c] = _ELECTED
                self.elected.append(c)
            surplus = sum((self.votes[c] - self.quota for c in self.elected), start=0)
            self.surplus = max(surplus, 0)
            if newly or self.surplus < OMEGA or self.surplus >= last_surplus:
                return iterations, newly
            last_surplus = self.surplus
            for c in self.elected:
                scaled = _ceil_div(self.keep[c] * self.quota, UNIT)
                self.keep[c] = _ceil_div(scaled * UNIT, self.votes[c])

    def _distribute(self) -> None:
        """Step B.2.a: every ballot group, from weight 1, through its ranking."""
        keep, n = self.keep, len(self.votes)
        votes: list[Weight] = [0] * n
        residual: Weight = 0
        for ranking, weight in zip(self.rankings, self.profile.weights, strict=True):
            left = UNIT
            for c in ranking:
                factor = keep[c]
                if factor:
                    kept = -((-left * factor) // UNIT)
                    votes[c] += kept * weight
                    left -= kept
                    if left <= 0:
                        break
            residual += left * weight
        self.votes = votes
        self.residual = residual

    def _quota(self) -> Weight:
        total = sum(
            (v for c, v in enumerate(self.votes) if self.status[c] in (_HOPEFUL, _ELECTED)),
            start=0,
        )
        return int(total // (self.seats + 1)) + 1

    def _snapshot(self) -> dict[Candidate, Fraction]:
        names = self.profile.candidates
        return {
            names[c]: _votes(self.votes[c])
            for c, state in enumerate(self.status)
            if state in (_HOPEFUL, _ELECTED)
        }

    def _elected_message(self, c: int) -> Message:
        params = {
            "candidate": self.profile.candidates[c],
            "votes": _votes(self.votes[c]),
            "quota": _votes(self.quota),
        }
        return Message("stv.elected", params)

    def _pick_loser(self, number: int, messages: list[Message]) -> int:
        """Step B.3: the fewest votes; anyone within the total surplus of it is tied."""
        hopeful = self._hopeful()
        fewest = min(self.votes[c] for c in hopeful)
        tied = [c for c in hopeful if self.votes[c] <= fewest + self.surplus]
        if len(tied) == 1:
            return tied[0]
        outcome = break_tie(
            tied,
            fewest=True,
            history=(),
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
        """The message saying so when defeating any one of ``pool`` elects the same candidates
        (each choice counted to the end, its own ties tried the same way); None otherwise."""
        if self.depth >= TIE_DEPTH_MAX:
            return None
        outcomes = set()
        for candidate in pool:
            branch = copy.deepcopy(
                self, {id(self.profile): self.profile, id(self.rankings): self.rankings}
            )
            branch.policy = TieBreak()  # a tie that matters inside a branch: it depends
            branch.depth = self.depth + 1
            branch.status[candidate] = _DEFEATED
            branch.keep[candidate] = 0
            branch.votes[candidate] = 0
            try:
                branch._finish([])
                branch.run()
            except TallyError:
                return None
            outcomes.add(frozenset(branch.elected))
            if len(outcomes) > 1:
                return None
        (elected,) = outcomes
        return tie_no_effect(self.profile.candidates, pool, elected)

    def _finish(self, messages: list[Message]) -> list[int]:
        """Step C, once hopefuls no longer outnumber the seats left."""
        hopeful = self._hopeful()
        left = self.seats - len(self.elected)
        if len(hopeful) > left > 0:
            return []
        # never empty here: the loop keeps more hopefuls than seats left, and a count where
        # every candidate withdrew is refused before it starts
        names = self.profile.candidates
        hopeful.sort(key=lambda c: (-self.votes[c], c))
        params = {"candidates": tuple(names[c] for c in hopeful), "count": len(hopeful)}
        if left > 0:
            for c in hopeful:
                self.status[c] = _ELECTED
                self.elected.append(c)
            messages.append(Message("stv.elected_remaining", params))
            return hopeful
        for c in hopeful:
            self.status[c] = _DEFEATED
        messages.append(Message("stv.not_elected", params))
        return []

    def _close_round(
        self,
        totals: dict[Candidate, Fraction],
        newly: list[int],
        defeated: tuple[int, ...],
        messages: list[Message],
    ) -> None:
        names = self.profile.candidates
        self.rounds.append(
            Round(
                number=len(self.rounds) + 1,
                totals=totals,
                elected=tuple(names[c] for c in newly),
                excluded=tuple(names[c] for c in defeated),
                exhausted=_votes(self.residual),
                messages=tuple(messages),
            )
        )
