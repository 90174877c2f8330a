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

from collections.abc import Sequence
from fractions import Fraction

from votes.core.ballots import RankedBallots
from votes.core.irv import RankedProfile
from votes.core.results import Candidate, JSONValue, Message, Round, TallyResult, Weight
from votes.core.stv import ELECTED, HOPEFUL, SeatCount, start_stv
from votes.core.stv import EXCLUDED as DEFEATED
from votes.core.ties import TieBreak

#: Fixed point: units of 10^-9 (PRF reference rule).
UNIT = 10**9
#: Iteration stops when the total surplus is below 10^-6.
OMEGA = 10**3

MESSAGES = {  # each sentence in French, English and Dutch (votes.core.explain.LANGUAGES)
    "iterated": (
        (
            "{iterations} itération, quota {quota}, excédent total {surplus}",
            "{iterations} itérations, quota {quota}, excédent total {surplus}",
        ),
        (
            "{iterations} iteration, quota {quota}, total surplus {surplus}",
            "{iterations} iterations, quota {quota}, total surplus {surplus}",
        ),
        (
            "{iterations} iteratie, quotum {quota}, totaal overschot {surplus}",
            "{iterations} iteraties, quotum {quota}, totaal overschot {surplus}",
        ),
    ),
}


def tally_meek_stv(
    candidates: Sequence[Candidate], ballots: RankedBallots, *, seats: int = 1, **options: object
) -> TallyResult:
    """Count an STV election with the PRF reference Meek rule (9 decimals, omega 10^-6).

    Args:
        candidates, ballots, seats: as for :func:`votes.core.stv.tally_scottish_stv`.
        **options: ``seed`` / ``tie_break`` for defeat ties; ``withdrawn`` candidate ids.

    Returns:
        One round per election or defeat; ``details["quotas"]`` holds each round's final
        quota and ``details["keep_factors"]`` the elected candidates' final keep factors.

    >>> r = tally_meek_stv(["a", "b", "c"], {("a", "b"): 4, ("c",): 2}, seats=2,
    ...                    tie_break=["a", "b", "c"])
    >>> r.winners, str(r.rounds[1].totals["a"])
    (('a', 'c'), '500000001/250000000')
    """
    count = _MeekCount(*start_stv(candidates, ballots, seats, options))
    count.run()
    names = count.profile.candidates
    details: dict[str, JSONValue] = {
        "quotas": tuple(Fraction(q, UNIT) for q in count.quotas),
        "keep_factors": {names[c]: Fraction(count.keep[c], UNIT) for c in count.elected},
        "valid": Fraction(count.profile.valid),
        "decimal_places": 9,
        "omega": Fraction(OMEGA, UNIT),
    }
    return count.result("meek_stv", details)


def _ceil_div(numerator: Weight, denominator: Weight) -> int:
    return int(-((-numerator) // denominator))


def _votes(units: Weight) -> Fraction:
    return Fraction(units) / UNIT


class _MeekCount(SeatCount):
    """Keep factors, votes and the rounds built so far."""

    def __init__(self, profile: RankedProfile, policy: TieBreak, seats: int) -> None:
        super().__init__(profile, policy, seats)
        n = len(profile.candidates)
        self.keep = [0 if c in profile.withdrawn else UNIT for c in range(n)]
        self.votes: list[Weight] = [0] * n
        self.residual: Weight = 0
        self.quota: Weight = 0
        self.surplus: Weight = 0
        self.quotas: list[Weight] = []

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
                self._defeat(loser)
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
            self._elect(newly)
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
            (v for c, v in enumerate(self.votes) if self.status[c] in (HOPEFUL, ELECTED)),
            start=0,
        )
        return int(total // (self.seats + 1)) + 1

    def _snapshot(self) -> dict[Candidate, Fraction]:
        names = self.profile.candidates
        return {
            names[c]: _votes(self.votes[c])
            for c, state in enumerate(self.status)
            if state in (HOPEFUL, ELECTED)
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
        return self._exclusion(tied, number, messages)

    def _drop(self, candidate: int) -> None:
        self._defeat(candidate)
        self._finish([])

    def _defeat(self, candidate: int) -> None:
        self.status[candidate] = DEFEATED
        self.keep[candidate] = 0
        self.votes[candidate] = 0

    def _finish(self, messages: list[Message]) -> list[int]:
        """Step C, once hopefuls no longer outnumber the seats left."""
        hopeful = self._hopeful()
        left = self.seats - len(self.elected)
        if len(hopeful) > left > 0:
            return []
        # never empty here: the loop keeps more hopefuls than seats left, and a count where
        # every candidate withdrew is refused before it starts
        hopeful.sort(key=lambda c: (-self.votes[c], c))
        if left > 0:
            self._elect(hopeful)
            messages.append(self._naming("stv.elected_remaining", hopeful))
            return hopeful
        for c in hopeful:
            self.status[c] = DEFEATED
        messages.append(self._naming("stv.not_elected", hopeful))
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
