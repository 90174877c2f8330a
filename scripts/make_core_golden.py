"""Regenerate tests/core/golden/pref_voting_*.json: reference answers from pref_voting.

pref_voting is heavy (numpy, scipy, numba…) and is only an oracle: install it in a throwaway
virtual environment, never in the project's, and run this script with that interpreter:

    python3 -m venv /tmp/oracle && /tmp/oracle/bin/pip install pref_voting
    /tmp/oracle/bin/python scripts/make_core_golden.py

The profiles are drawn from a fixed seed, so a rerun with the same pref_voting version
rewrites identical files. Truncated ballots use pref_voting's extended strict preference
(ranked above unranked), the convention of votes.core.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from pref_voting.grade_methods import approval, score_voting
from pref_voting.grade_profiles import GradeProfile
from pref_voting.margin_based_methods import beat_path, ranked_pairs_tb
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import symmetric_borda_scores

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "core" / "golden"
NAMES = "abcdefg"
CASES = 60


def random_case(rng: random.Random) -> dict[str, object]:
    candidates = list(NAMES[: rng.randint(3, 6)])
    ranked: dict[tuple[str, ...], int] = {}
    for _ in range(rng.randint(1, 9)):
        order = rng.sample(candidates, len(candidates))
        ranked[tuple(order[: rng.randint(1, len(order))])] = rng.randint(1, 6)
    approvals = {}
    scores = {}
    for ballot, count in ranked.items():
        approvals[tuple(sorted(ballot[: rng.randint(0, len(ballot))]))] = count
        graded = rng.sample(candidates, rng.randint(1, len(candidates)))
        scores[tuple(sorted((c, rng.randint(0, 5)) for c in graded))] = count
    return {
        "candidates": candidates,
        "ranked": [[list(b), n] for b, n in ranked.items()],
        "order": rng.sample(candidates, len(candidates)),
        "approval_ballots": [[list(b), n] for b, n in approvals.items()],
        "score_ballots": [[[list(p) for p in b], n] for b, n in scores.items()],
    }


def ranked_profile(case: dict) -> ProfileWithTies:
    rankings = [{c: r for r, c in enumerate(ballot, 1)} for ballot, _ in case["ranked"]]
    profile = ProfileWithTies(
        rankings, rcounts=[n for _, n in case["ranked"]], candidates=case["candidates"]
    )
    profile.use_extended_strict_preference()
    return profile


def grade_profile(ballots: list, candidates: list[str], grades: list[int]) -> GradeProfile:
    maps = [dict(b) if isinstance(b[0], list) else dict.fromkeys(b, 1) for b, _ in ballots]
    return GradeProfile(maps, grades, gcounts=[n for _, n in ballots], candidates=candidates)


def expected(case: dict) -> dict[str, object]:
    profile = ranked_profile(case)
    candidates = case["candidates"]
    margins_tied = any(profile.margin(a, b) == 0 for a in candidates for b in candidates if a < b)
    approval_profile = grade_profile(
        [[b, n] for b, n in case["approval_ballots"] if b], candidates, [0, 1]
    )
    score_profile = grade_profile(case["score_ballots"], candidates, list(range(6)))
    return {
        "plurality_scores": dict(profile.plurality_scores()),
        "borda_symmetric_scores": {c: str(s) for c, s in symmetric_borda_scores(profile).items()},
        "schulze_margin": beat_path(profile),
        "schulze_winning_votes": beat_path(profile, strength_function=profile.support),
        # pref_voting locks tied contests too; votes.core does not, so only untied profiles
        "ranked_pairs_tb": None
        if margins_tied
        else ranked_pairs_tb(profile, tie_breaker=case["order"]),
        "approval": approval(approval_profile) if case["approval_ballots"] else None,
        "score_sum": score_voting(score_profile, evaluation_method="sum"),
        "score_mean": score_voting(score_profile, evaluation_method="mean"),
    }


def main() -> None:
    rng = random.Random(20261127)  # noqa: S311 -- a fixed seed, for reproducible profiles
    cases = []
    for _ in range(CASES):
        case = random_case(rng)
        case["expected"] = expected(case)
        cases.append(case)
    GOLDEN.mkdir(parents=True, exist_ok=True)
    path = GOLDEN / "pref_voting_profiles.json"
    # one case per line: small, and a regeneration shows up as a readable diff
    lines = ",\n".join(json.dumps(c, sort_keys=True, separators=(",", ":")) for c in cases)
    path.write_text("[\n" + lines + "\n]\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
