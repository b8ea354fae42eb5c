"""The opt-in fair re-ranking: constraints met at every rank, the least score given up."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from matcher.fairness import fair_rerank, pool_shares
from models import Match, ScoreBreakdown


def match(candidate_id: int, score: float) -> Match:
    return Match(
        candidate_id=candidate_id,
        external_id=f"c{candidate_id}",
        name=None,
        score=score,
        matched_skills=[],
        missing_skills=[],
        reasons=[],
        breakdown=ScoreBreakdown(features={}, weights={}, points={}),
    )


def instance(seed: int) -> tuple[list[Match], dict[int, str], dict[str, float], int]:
    rng = random.Random(seed)
    n, k = rng.randint(6, 11), rng.randint(2, 6)
    ranked = sorted(
        (match(i, round(rng.uniform(20, 90), 1)) for i in range(n)),
        key=lambda m: (-m.score, m.candidate_id),
    )
    # Some candidates report no group; the pool's shares come from a wider pool.
    groups = {m.candidate_id: rng.choice("abc") for m in ranked if rng.random() < 0.85}
    wider = groups | {100 + j: rng.choice("abc") for j in range(rng.randint(0, 12))}
    return ranked, groups, pool_shares(wider), k


@pytest.mark.parametrize("seed", range(200))
def test_every_rank_meets_its_share_at_the_least_loss(seed: int) -> None:
    ranked, groups, target, k = instance(seed)
    chosen, report = fair_rerank("g", ranked, groups, target, k)
    assert len(chosen) == k and len({m.candidate_id for m in chosen}) == k
    left = {g: sum(groups.get(m.candidate_id) == g for m in ranked) for g in target}
    for rank in range(1, k + 1):
        for g, share in target.items():
            need = min(math.floor(rank * share + 1e-9), left[g])
            have = sum(groups.get(m.candidate_id) == g for m in chosen[:rank])
            assert have >= need or g in report.unmet

    # No set of k that meets the final shares keeps more score (brute force).
    def meets(subset: tuple[Match, ...]) -> bool:
        return all(
            sum(groups.get(m.candidate_id) == g for m in subset)
            >= min(math.floor(k * share + 1e-9), left[g])
            for g, share in target.items()
        )

    best = max(sum(m.score for m in s) for s in itertools.combinations(ranked, k) if meets(s))
    assert sum(m.score for m in chosen) == pytest.approx(best)
    # Scores are never changed; what moved is reported.
    assert report.score_loss == pytest.approx(
        sum(m.score for m in ranked[:k]) - sum(m.score for m in chosen), abs=0.01
    )
    assert set(report.moved_in) == {m.candidate_id for m in chosen} - {
        m.candidate_id for m in ranked[:k]
    }
    assert len(report.moved_in) == len(report.moved_out)


def test_a_shortlist_already_fair_is_left_as_it_is() -> None:
    ranked = [match(i, 90 - i) for i in range(8)]
    groups = {i: "ab"[i % 2] for i in range(8)}
    chosen, report = fair_rerank("g", ranked, groups, {"a": 0.5, "b": 0.5}, 4)
    assert chosen == ranked[:4] and report.score_loss == 0 and not report.moved_in


def test_a_group_too_small_is_reported_unmet() -> None:
    ranked = [match(i, 90 - i) for i in range(6)]
    groups = {0: "a", 1: "a", 2: "a", 3: "a", 4: "a", 5: "b"}
    chosen, report = fair_rerank("g", ranked, groups, {"a": 0.4, "b": 0.6}, 5)
    assert [m.candidate_id for m in chosen] == [0, 5, 1, 2, 3]
    assert report.unmet == ["b"] and report.after == {"a": 4, "b": 1}
    assert report.moved_in == [5] and report.moved_out == [4]
