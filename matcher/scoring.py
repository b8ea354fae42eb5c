"""Pure scoring: features of one candidate for one job, the 0–100 score, and reasons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models import CandidateProfile, Job, JobSkill, Match, Outcome, ScoreBreakdown, Stage

# Weights of the features in the final score; see README "How a match is scored".
WEIGHTS = {"semantic": 0.5, "must_have": 0.35, "nice_to_have": 0.15}
# all-MiniLM-L6-v2 cosine between a job description and a résumé: unrelated pairs sit near
# 0.1, close ones near 0.65 (measured on the demo pool); map that band onto [0, 1].
COSINE_FLOOR, COSINE_CEIL = 0.1, 0.65
LATE_STAGES = {Stage.final_round, Stage.offer}


def semantic_feature(cosine: float) -> float:
    return min(1.0, max(0.0, (cosine - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR)))


@dataclass(frozen=True, slots=True)
class JobNeeds:
    """A job's distinct must-have and nice-to-have skills, worked out once per match."""

    required: list[JobSkill]
    preferred: list[JobSkill]

    @staticmethod
    def of(job: Job) -> JobNeeds:
        return JobNeeds(job.required(), job.preferred())


@dataclass(frozen=True, slots=True)
class SkillFit:
    matched_required: list[JobSkill]
    missing_required: list[JobSkill]
    matched_preferred: list[JobSkill]
    missing_preferred: list[JobSkill]

    @staticmethod
    def of(needs: JobNeeds, candidate_skills: frozenset[str]) -> SkillFit:
        req, pref = needs.required, needs.preferred
        return SkillFit(
            [s for s in req if s.id in candidate_skills],
            [s for s in req if s.id not in candidate_skills],
            [s for s in pref if s.id in candidate_skills],
            [s for s in pref if s.id not in candidate_skills],
        )

    def must_have(self) -> float | None:
        total = len(self.matched_required) + len(self.missing_required)
        return len(self.matched_required) / total if total else None

    def nice_to_have(self) -> float | None:
        total = len(self.matched_preferred) + len(self.missing_preferred)
        return len(self.matched_preferred) / total if total else None


def effective_weights(fit: SkillFit) -> dict[str, float]:
    """The weights, with those of features the job gives no basis for moved to semantic."""
    weights = dict(WEIGHTS)
    for name, value in (("must_have", fit.must_have()), ("nice_to_have", fit.nice_to_have())):
        if value is None:
            weights["semantic"] += weights[name]
            weights[name] = 0.0
    return weights


def score_candidate(job: Job | JobNeeds, candidate: CandidateProfile, cosine: float) -> Match:
    """Score one candidate; pass ``JobNeeds.of(job)`` when scoring many for one job."""
    needs = job if isinstance(job, JobNeeds) else JobNeeds.of(job)
    fit = SkillFit.of(needs, candidate.skill_ids)
    weights = effective_weights(fit)
    features = {
        "semantic": semantic_feature(cosine),
        "must_have": fit.must_have() or 0.0,
        "nice_to_have": fit.nice_to_have() or 0.0,
    }
    score = 100.0 * sum(weights[name] * features[name] for name in weights)
    runner_up = any(a.outcome == Outcome.runner_up for a in candidate.applications)
    return Match(
        candidate_id=candidate.id,
        external_id=candidate.external_id,
        name=candidate.name,
        score=round(score, 1),
        matched_skills=[s.label for s in fit.matched_required + fit.matched_preferred],
        missing_skills=[s.label for s in fit.missing_required + fit.missing_preferred],
        reasons=reasons(candidate, fit, cosine),
        breakdown=ScoreBreakdown(
            semantic=round(features["semantic"], 4),
            must_have=round(features["must_have"], 4),
            nice_to_have=round(features["nice_to_have"], 4),
            weights=weights,
        ),
        runner_up=runner_up,
    )


def reasons(candidate: CandidateProfile, fit: SkillFit, cosine: float) -> list[str]:
    """One to three plain-language reasons, the strongest first."""
    out: list[str] = []
    history = history_reason(candidate)
    if history:
        out.append(history)
    must = fit.must_have()
    if must is not None:
        have, total = (
            len(fit.matched_required),
            len(fit.matched_required) + len(fit.missing_required),
        )
        if have:
            names = ", ".join(s.label for s in fit.matched_required[:5])
            out.append(f"Has {have} of {total} must-have skills: {names}")
        else:
            out.append(f"Has none of the {total} must-have skills")
    if fit.matched_preferred:
        names = ", ".join(s.label for s in fit.matched_preferred[:3])
        out.append(f"Also has nice-to-have skills: {names}")
    feature = semantic_feature(cosine)
    if feature >= 0.75:
        out.append(f"Profile closely matches the job description (similarity {cosine:.2f})")
    elif feature >= 0.4:
        out.append(f"Profile partly matches the job description (similarity {cosine:.2f})")
    else:
        out.append(
            f"Profile is only loosely related to the job description (similarity {cosine:.2f})"
        )
    if candidate.titles and len(out) < 3:
        out.append(f"Title on résumé: {candidate.titles[0]}")
    return out[:3]


def history_reason(candidate: CandidateProfile) -> str | None:
    """ "Runner-up for Senior Data Engineer, March 2025" for the most recent late-stage miss."""
    late = [
        a
        for a in candidate.applications
        if a.outcome == Outcome.runner_up or (a.stage in LATE_STAGES and a.outcome != Outcome.hired)
    ]
    if not late:
        return None
    late.sort(key=lambda a: (a.outcome == Outcome.runner_up, a.date or dt.date.min), reverse=True)
    best = late[0]
    when = f", {best.date:%B %Y}" if best.date else ""
    if best.outcome == Outcome.runner_up:
        return f"Runner-up for {best.job_title}{when}"
    return f"Reached the {best.stage.value.replace('_', ' ')} for {best.job_title}{when}"
