"""Selection rates and impact ratios of a shortlist, by self-reported group, and the opt-in
re-ranking of a shortlist toward the pool's make-up.

The groups are what candidates reported to the CRM, stored apart from their records
(:meth:`index.Store.set_groups`); they are read here to measure a shortlist or, when a match
asks for it, to re-order one: never to score.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from models import FairRerank, GroupRate, Match, SelectionReport

FOUR_FIFTHS = 0.8


def selection_report(
    category: str, pool: Collection[int], groups: Mapping[int, str], selected: Collection[int]
) -> SelectionReport:
    """How each group of ``category`` fared: ``pool`` the candidates the shortlist was drawn
    from, ``groups`` the group each reported (those without one are counted apart),
    ``selected`` the shortlist (among ``pool``)."""
    chosen = set(selected)
    in_pool = Counter(groups[i] for i in pool if i in groups)
    picked = Counter(groups[i] for i in pool if i in groups and i in chosen)
    rates = {g: picked[g] / n for g, n in in_pool.items()}
    best = max(rates.values(), default=0.0)
    rows = [
        GroupRate(
            group=g,
            pool=in_pool[g],
            selected=picked[g],
            selection_rate=round(rates[g], 4),
            impact_ratio=round(rates[g] / best, 3) if best else None,
            below_four_fifths=bool(best) and rates[g] / best < FOUR_FIFTHS,
        )
        for g in sorted(in_pool)
    ]
    unlabelled = [i for i in pool if i not in groups]
    ratios = [r.impact_ratio for r in rows if r.impact_ratio is not None]
    return SelectionReport(
        category=category,
        pool=sum(in_pool.values()),
        selected=sum(picked.values()),
        unlabelled_pool=len(unlabelled),
        unlabelled_selected=sum(1 for i in unlabelled if i in chosen),
        groups=rows,
        lowest_impact_ratio=min(ratios) if ratios else None,
    )


def fair_rerank(
    category: str,
    ranked: Sequence[Match],
    groups: Mapping[int, str],
    target: Mapping[str, float],
    k: int,
) -> tuple[list[Match], FairRerank]:
    """The top ``k`` of ``ranked`` (best first, more than ``k`` of them) re-ranked toward
    ``target`` (each group's share of the pool) at the least loss of score: every rank r
    holds at least ⌊r × share⌋ of each group (as far as the group has candidates). Rank by
    rank, the best remaining candidate is taken unless that would leave some later rank
    unable to meet its shares; then the best one that keeps them all reachable (a
    candidate of a group still short). Candidates who reported no group fill any rank; a
    group with too few candidates is ``unmet``. Scores are not changed, only the order."""
    left = list(ranked)
    size = min(k, len(left))
    chosen: list[Match] = []
    have: Counter[str] = Counter()
    supply = Counter(groups[m.candidate_id] for m in left if m.candidate_id in groups)
    unmet = sorted(g for g, share in target.items() if supply[g] < math.floor(size * share + 1e-9))

    def need(g: str, rank: int) -> int:
        return min(math.floor(rank * target[g] + 1e-9), supply[g])

    def reachable(after: Counter[str], rank: int) -> bool:
        """Whether, with ``after`` in the first ``rank`` ranks, every later rank can
        still hold its shares."""
        return all(
            sum(max(0, need(g, later) - after[g]) for g in target) <= later - rank
            for later in range(rank, size + 1)
        )

    for rank in range(1, size + 1):
        # The options: the best remaining candidate, and the best of each group.
        options: list[Match] = [left[0]]
        for g in target:
            best = next((m for m in left if groups.get(m.candidate_id) == g), None)
            if best is not None and best not in options:
                options.append(best)
        options.sort(key=left.index)
        pick = options[0]
        for option in options:
            after = have.copy()
            if option.candidate_id in groups:
                after[groups[option.candidate_id]] += 1
            if reachable(after, rank):
                pick = option
                break
        left.remove(pick)
        chosen.append(pick)
        if pick.candidate_id in groups:
            have[groups[pick.candidate_id]] += 1
    before = list(ranked[:k])

    def counts(matches: Sequence[Match]) -> dict[str, int]:
        found = Counter(groups[m.candidate_id] for m in matches if m.candidate_id in groups)
        return {g: found[g] for g in sorted(target)}

    old = {m.candidate_id for m in before}
    new = {m.candidate_id for m in chosen}
    return chosen, FairRerank(
        category=category,
        target={g: round(s, 4) for g, s in sorted(target.items())},
        before=counts(before),
        after=counts(chosen),
        moved_in=[m.candidate_id for m in chosen if m.candidate_id not in old],
        moved_out=[m.candidate_id for m in before if m.candidate_id not in new],
        score_loss=round(sum(m.score for m in before) - sum(m.score for m in chosen), 2),
        unmet=unmet,
    )


def pool_shares(groups: Mapping[int, str]) -> dict[str, float]:
    """Each group's share of the candidates who reported one."""
    found = Counter(groups.values())
    total = sum(found.values())
    return {g: n / total for g, n in sorted(found.items())} if total else {}
