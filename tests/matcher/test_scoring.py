"""Pure scoring functions on hand-built records."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher.scoring import WEIGHTS, history_reason, score_candidate, semantic_feature
from models import Application, CandidateProfile, Job, JobSkill, Outcome, Stage


def skill(sid: str, required: bool = True) -> JobSkill:
    return JobSkill(id=sid, label=sid.title(), text=sid, start=0, end=len(sid), required=required)


def candidate(skills: list[str], applications: list[Application] | None = None) -> CandidateProfile:
    return CandidateProfile(
        id=7,
        external_id="x",
        name="Sam",
        titles=["Data Engineer"],
        skill_ids=frozenset(skills),
        applications=applications or [],
    )


JOB = Job(
    text="job",
    title="Data Engineer",
    skills=[
        skill("python"),
        skill("sql"),
        skill("spark"),
        skill("docker", required=False),
        skill("python"),  # mentioned twice, counted once
    ],
)


def test_coverage_and_score() -> None:
    match = score_candidate(JOB, candidate(["python", "sql", "docker"]), cosine=0.65)
    assert match.breakdown.semantic == 1.0
    assert match.breakdown.must_have == pytest.approx(2 / 3, abs=1e-4)
    assert match.breakdown.nice_to_have == 1.0
    expected = 100 * (WEIGHTS["semantic"] + WEIGHTS["must_have"] * 2 / 3 + WEIGHTS["nice_to_have"])
    assert match.score == pytest.approx(expected, abs=0.05)
    assert match.matched_skills == ["Python", "Sql", "Docker"]
    assert match.missing_skills == ["Spark"]
    assert "Has 2 of 3 must-have skills: Python, Sql" in match.reasons


def test_a_job_without_skills_scores_on_similarity_alone() -> None:
    match = score_candidate(Job(text="job"), candidate(["python"]), cosine=0.375)
    assert match.breakdown.weights == {"semantic": 1.0, "must_have": 0.0, "nice_to_have": 0.0}
    assert match.score == pytest.approx(50.0)


@pytest.mark.parametrize(("cosine", "feature"), [(-0.2, 0.0), (0.1, 0.0), (0.65, 1.0), (0.9, 1.0)])
def test_semantic_feature_is_clipped(cosine: float, feature: float) -> None:
    assert semantic_feature(cosine) == feature


def test_runner_up_is_named_with_role_and_month() -> None:
    apps = [
        Application(
            job_id="1",
            job_title="Analyst",
            stage=Stage.interviewed,
            outcome=Outcome.rejected,
            date=dt.date(2025, 9, 1),
        ),
        Application(
            job_id="2",
            job_title="Senior Data Engineer",
            stage=Stage.final_round,
            outcome=Outcome.runner_up,
            date=dt.date(2025, 3, 14),
        ),
    ]
    match = score_candidate(JOB, candidate(["python"], apps), cosine=0.5)
    assert match.runner_up
    assert match.reasons[0] == "Runner-up for Senior Data Engineer, March 2025"


def test_late_stage_without_runner_up_flag() -> None:
    app = Application(
        job_id="1", job_title="Platform Engineer", stage=Stage.offer, outcome=Outcome.withdrew
    )
    assert history_reason(candidate([], [app])) == "Reached the offer for Platform Engineer"
    hired = app.model_copy(update={"outcome": Outcome.hired})
    assert history_reason(candidate([], [hired])) is None


def test_at_most_three_reasons() -> None:
    app = Application(job_id="2", job_title="X", outcome=Outcome.runner_up)
    match = score_candidate(JOB, candidate(["python", "docker"], [app]), cosine=0.6)
    assert 1 <= len(match.reasons) <= 3
