"""Tuning the scoring weights offline: from the ranking benchmark, or from recruiters'
feedback (``talentmatch tune-weights``).

Both work on feature tables (one row per candidate for one job, one column per feature of
:data:`matcher.scoring.FEATURES`, NaN where the job gave no basis for a feature) and search
the weights by coordinate ascent on a grid: a handful of weights, few evaluations, and no
gradient to fit noise with.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from matcher.scoring import FEATURES, WEIGHTS
from models import Feedback, InvalidInput, Verdict

Table = npt.NDArray[np.float64]
GRID = (0.0, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)


def vector(weights: Mapping[str, float]) -> npt.NDArray[np.float64]:
    return np.array([float(weights.get(f, 0.0)) for f in FEATURES])


def named(weights: npt.NDArray[np.float64]) -> dict[str, float]:
    return {f: round(float(w), 3) for f, w in zip(FEATURES, weights, strict=True)}


def table(features: Sequence[Mapping[str, float]]) -> Table:
    """Rows of features (a missing key = no basis) as a table."""
    return np.array([[row.get(f, np.nan) for f in FEATURES] for row in features], dtype=float)


def scores(rows: Table, weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """What :func:`matcher.scoring.combine` gives each row, over 100 (features with no basis
    in a row carry no weight in it)."""
    live = ~np.isnan(rows)
    w = np.where(live, weights, 0.0)
    total = w.sum(axis=1)
    return np.where(total > 0, (np.nan_to_num(rows) * w).sum(axis=1) / np.where(total, total, 1), 0)


def tunable(tables: Sequence[Table]) -> list[int]:
    """The features some row gives a basis for: only those can be tuned from the data."""
    return [j for j in range(len(FEATURES)) if any((~np.isnan(t[:, j])).any() for t in tables)]


def coordinate_ascent(
    objective: Callable[[npt.NDArray[np.float64]], float],
    start: npt.NDArray[np.float64],
    free: Sequence[int],
    grid: Sequence[float] = GRID,
    rounds: int = 3,
) -> npt.NDArray[np.float64]:
    """Maximise ``objective`` one weight at a time over ``grid``; the weights in ``free``
    move and are rescaled at the end to the share they had in ``start``."""
    weights, best = start.copy(), objective(start)
    for _ in range(rounds):
        for j in free:
            for value in grid:
                trial = weights.copy()
                trial[j] = value
                if trial[list(free)].sum() == 0:
                    continue
                got = objective(trial)
                if got > best + 1e-9:
                    best, weights = got, trial
    weights[list(free)] *= start[list(free)].sum() / weights[list(free)].sum()
    return weights


POSITIVE = {Verdict.shortlisted, Verdict.hired}


def pairwise_accuracy(
    jobs: Sequence[tuple[Table, npt.NDArray[np.bool_]]], weights: npt.NDArray[np.float64]
) -> float:
    """Mean over jobs of the share of (chosen, rejected) pairs the weights order rightly
    (ties count half)."""
    out = []
    for rows, chosen in jobs:
        s = scores(rows, weights)
        good, bad = s[chosen], s[~chosen]
        diff = good[:, None] - bad[None, :]
        out.append(float(((diff > 0) + 0.5 * (diff == 0)).mean()))
    return float(np.mean(out)) if out else 0.0


def from_feedback(
    items: Sequence[Feedback], start: Mapping[str, float] = WEIGHTS
) -> tuple[dict[str, float], dict[str, float | int]]:
    """Weights tuned to order the candidates recruiters chose (shortlisted or hired) above
    those they rejected, job by job; with the pairwise accuracy before and after. Raises
    InvalidInput when no job has both a chosen and a rejected candidate."""
    by_job: dict[str, list[Feedback]] = {}
    for item in items:
        by_job.setdefault(item.job_id, []).append(item)
    jobs = []
    for verdicts in by_job.values():
        chosen = np.array([v.verdict in POSITIVE for v in verdicts])
        if chosen.any() and not chosen.all():
            jobs.append((table([v.features for v in verdicts]), chosen))
    if not jobs:
        raise InvalidInput(
            "no job has both a chosen (shortlisted or hired) and a rejected candidate: "
            "nothing to learn the weights from"
        )
    initial = vector(start)
    tuned = coordinate_ascent(
        lambda w: pairwise_accuracy(jobs, w), initial, tunable([t for t, _ in jobs])
    )
    report: dict[str, float | int] = {
        "jobs": len(jobs),
        "verdicts": sum(len(c) for _, c in jobs),
        "pairwise_accuracy_before": round(pairwise_accuracy(jobs, initial), 3),
        "pairwise_accuracy_after": round(pairwise_accuracy(jobs, tuned), 3),
    }
    return named(tuned), report


def load_weights(path: Path) -> dict[str, float]:
    """Weights from a JSON file ``{"semantic": 0.2, ...}``: every feature, none negative.
    Raises InvalidInput otherwise."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read weights from {path}: {exc}") from exc
    if not isinstance(raw, dict) or set(raw) != set(FEATURES):
        raise InvalidInput(f"{path}: weights must name exactly these features: {list(FEATURES)}")
    if not all(isinstance(v, int | float) and v >= 0 for v in raw.values()) or not any(
        raw.values()
    ):
        raise InvalidInput(f"{path}: weights must be non-negative numbers, not all zero")
    return {f: float(raw[f]) for f in FEATURES}
