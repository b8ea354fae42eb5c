"""Weight tuning from recruiters' feedback, and weights files."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from matcher import WEIGHTS
from matcher.scoring import FEATURES, combine
from matcher.tuning import from_feedback, load_weights, scores, table
from models import Feedback, InvalidInput, Verdict


def test_table_scores_agree_with_combine() -> None:
    rows = [
        {"semantic": 0.8, "lexical": 0.2, "history": 0.0, "title": 1.0},
        {"semantic": 0.1, "lexical": 0.9, "history": 0.5, "title": 0.0, "must_have": 0.5},
    ]
    got = scores(table(rows), np.array([WEIGHTS[f] for f in FEATURES]))
    for row, value in zip(rows, got, strict=True):
        assert 100 * value == pytest.approx(combine(row, WEIGHTS)[0])


def _verdicts(rng: random.Random) -> list[Feedback]:
    """Recruiters who chose by title, whatever the semantic similarity said."""
    items = []
    for job in range(12):
        for candidate in range(8):
            title = rng.random()
            items.append(
                Feedback(
                    job_id=f"job-{job}",
                    candidate_id=job * 10 + candidate,
                    verdict=Verdict.shortlisted if title > 0.6 else Verdict.rejected,
                    features={
                        "semantic": rng.random(),
                        "lexical": rng.random(),
                        "must_have": rng.random(),
                        "title": title,
                        "history": 0.0,
                    },
                )
            )
    return items


def test_feedback_moves_weight_to_what_recruiters_chose_by() -> None:
    items = _verdicts(random.Random(7))
    weights, report = from_feedback(items)
    mixed = {
        job
        for job in {i.job_id for i in items}
        if len({i.verdict for i in items if i.job_id == job}) == 2
    }
    assert report["jobs"] == len(mixed)  # a job with one kind of verdict teaches nothing
    assert report["pairwise_accuracy_after"] > report["pairwise_accuracy_before"]
    assert report["pairwise_accuracy_after"] > 0.95
    assert weights["title"] > WEIGHTS["title"]
    assert weights["title"] == max(weights.values())
    # Features the feedback gives no basis for keep their weights.
    assert weights["nice_to_have"] == WEIGHTS["nice_to_have"]
    assert weights["experience"] == WEIGHTS["experience"]
    assert sum(weights.values()) == pytest.approx(sum(WEIGHTS.values()), abs=0.01)


def test_feedback_without_a_choice_to_learn_from() -> None:
    only_chosen = [
        Feedback(job_id="j", candidate_id=i, verdict=Verdict.hired, features={"semantic": 0.5})
        for i in range(3)
    ]
    with pytest.raises(InvalidInput, match="nothing to learn"):
        from_feedback(only_chosen)


def test_weights_file_round_trip_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "w.json"
    good.write_text(json.dumps(WEIGHTS))
    assert load_weights(good) == WEIGHTS
    for bad in ({"semantic": 1.0}, {**WEIGHTS, "semantic": -1}, dict.fromkeys(WEIGHTS, 0)):
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(bad))
        with pytest.raises(InvalidInput):
            load_weights(path)
    with pytest.raises(InvalidInput):
        load_weights(tmp_path / "missing.json")
