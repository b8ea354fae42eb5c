"""Pure scoring: the features of one candidate for one job, the 0–100 score, and reasons.

Every feature lies in [0, 1]. A feature the job gives no basis for (no must-haves listed, no
years asked, no title) is left out and the others' weights are scaled up to fill its share,
so a score always reads "out of 100". What a candidate does not show counts as absent, never
as unknown: a candidate cannot gain by leaving things out.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.lexical import words
from index.profiles import Profiles, day_of, places, title_terms
from index.vectors import Ids
from models import (
    Application,
    CandidateProfile,
    Job,
    JobSkill,
    Match,
    Outcome,
    ScoreBreakdown,
    SkillGroup,
    Stage,
)
from parsing import Taxonomy

# The weights of the features in the final score; the one place they are set. Tuned by
# `python benchmarks/ranking.py --tune` (coordinate ascent on nDCG@10 of the category check,
# keeping runner-up recall@10 at 0.9; see README "How a match is scored"). nice_to_have and
# location keep hand-set weights: the benchmark's jobs list no nice-to-haves and no place.
# recency was tuned to 0: on the benchmark, when skills were last used did not help.
WEIGHTS: dict[str, float] = {
    "semantic": 0.19,
    "lexical": 0.143,
    "must_have": 0.143,
    "nice_to_have": 0.05,
    "title": 0.095,
    "experience": 0.048,
    "history": 0.381,
    "recency": 0.0,
    "location": 0.05,
}
FEATURES = tuple(WEIGHTS)
# all-MiniLM-L6-v2 cosine between a job description and a résumé: unrelated pairs sit near
# 0.1, close ones near 0.65 (measured on the demo pool); map that band onto [0, 1].
COSINE_FLOOR, COSINE_CEIL = 0.1, 0.65
# A skill the candidate lacks but has a broader or narrower one of counts this much.
RELATED_CREDIT = 0.5
# Similarity of a past job to the new one (MiniLM cosine of the two job texts): below the
# floor the past process says nothing about this role; from the ceiling on it is the same
# kind of role. Measured on ESCO occupation texts: unrelated occupations have a median
# cosine of 0.24 (90th percentile 0.39); occupations of one field 0.61 (10th percentile 0.48).
SIMILAR_JOB_FLOOR, SIMILAR_JOB_CEIL = 0.35, 0.6
# How far each stage or outcome of a past process shows fit for a similar role.
OUTCOME_STRENGTH = {Outcome.runner_up: 1.0, Outcome.hired: 0.6}
STAGE_STRENGTH = {
    Stage.offer: 0.9,
    Stage.final_round: 0.9,
    Stage.interviewed: 0.5,
    Stage.screened: 0.25,
    Stage.applied: 0.1,
}
HISTORY_HALF_LIFE_DAYS = 3 * 365
INTERVIEW_SCORE_SWAY = 0.1
LATE_STAGES = {Stage.final_round, Stage.offer}
# A matched skill last used (in a dated role) this many years ago counts half for recency;
# one listed with no dated role that mentions it counts RECENCY_UNDATED.
RECENCY_HALF_LIFE_YEARS = 3.0
RECENCY_UNDATED = 0.5
# A must-have a job asks years of that the candidate has, with no years shown of it (no
# dated role mentions it, none stated), counts this share of what their overall years would.
UNSHOWN_SKILL_YEARS = 0.5
# Years of experience a seniority implies, when a job states the level and no years.
SENIORITY_YEARS = {
    "intern": 0.0,
    "junior": 1.0,
    "mid": 3.0,
    "senior": 5.0,
    "lead": 7.0,
    "principal": 10.0,
    "head": 10.0,
}
# A profile not updated for this long is flagged: its contact details and skills may be old.
STALE_AFTER_DAYS = 540


def semantic_feature(cosine: float) -> float:
    return min(1.0, max(0.0, (cosine - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR)))


def job_similarity_feature(cosine: float) -> float:
    span = SIMILAR_JOB_CEIL - SIMILAR_JOB_FLOOR
    return min(1.0, max(0.0, (cosine - SIMILAR_JOB_FLOOR) / span))


@dataclass(frozen=True, slots=True)
class JobNeeds:
    """What scoring needs of a job, worked out once per match: its distinct must-have and
    nice-to-have skills (a must-have's ``years``: the most its mentions ask), each skill's
    related skills, its title's terms, the years of experience it asks overall (stated, or
    implied by its seniority when it asks none of any skill)."""

    required: list[JobSkill]
    preferred: list[JobSkill]
    related: Mapping[str, frozenset[str]]
    title_terms: frozenset[str]
    years: float | None
    places: frozenset[str] = frozenset()
    remote: str | None = None

    def years_asked(self) -> list[tuple[str, float]]:
        """(skill id, years) of each must-have the job asks years of ("5+ years of Python")."""
        return [(s.id, s.years) for s in self.required if s.years]

    @staticmethod
    def of(job: Job, taxonomy: Taxonomy | None = None) -> JobNeeds:
        required, preferred = job.required(), job.preferred()
        related: dict[str, frozenset[str]] = {}
        if taxonomy is not None:
            for s in required + preferred:
                related[s.id] = taxonomy.related(s.id)
        asked = any(s.years for s in required)
        years = job.years_experience or (
            None if asked else SENIORITY_YEARS.get(job.seniority or "") or None
        )
        return JobNeeds(
            required,
            preferred,
            related,
            frozenset(words(job.title or "")),
            years,
            places(job.location),
            job.remote,
        )


@dataclass(frozen=True, slots=True)
class SkillFit:
    matched_required: list[JobSkill]
    related_required: list[JobSkill]
    missing_required: list[JobSkill]
    matched_preferred: list[JobSkill]
    related_preferred: list[JobSkill]
    missing_preferred: list[JobSkill]

    @staticmethod
    def of(needs: JobNeeds, candidate_skills: frozenset[str]) -> SkillFit:
        def split(wanted: list[JobSkill]) -> tuple[list[JobSkill], ...]:
            have, near, lack = [], [], []
            for s in wanted:
                if s.id in candidate_skills:
                    have.append(s)
                elif needs.related.get(s.id, frozenset()) & candidate_skills:
                    near.append(s)
                else:
                    lack.append(s)
            return have, near, lack

        return SkillFit(*split(needs.required), *split(needs.preferred))

    @staticmethod
    def _coverage(have: list[JobSkill], near: list[JobSkill], lack: list[JobSkill]) -> float | None:
        total = len(have) + len(near) + len(lack)
        return (len(have) + RELATED_CREDIT * len(near)) / total if total else None

    def must_have(self) -> float | None:
        return self._coverage(self.matched_required, self.related_required, self.missing_required)

    def nice_to_have(self) -> float | None:
        return self._coverage(
            self.matched_preferred, self.related_preferred, self.missing_preferred
        )


@dataclass(frozen=True, slots=True)
class ManySignals:
    """:class:`Signals` of many candidates, as arrays in one order; ``history`` is the
    history feature (see :func:`best_history`), 0 for those who never applied."""

    cosine: npt.NDArray[np.float64]
    lexical: npt.NDArray[np.float64]
    history: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Signals:
    """What retrieval measured of a candidate for a job: the cosine of their vectors, the
    BM25 score as a share of the best in this retrieval, and how similar each past job the
    candidate applied to is to this one (job id → cosine)."""

    cosine: float
    lexical: float = 0.0
    past_jobs: Mapping[str, float] | None = None


def title_feature(needs: JobNeeds, titles: list[str]) -> float | None:
    """The largest share of the job title's terms that one of the candidate's titles has."""
    if not needs.title_terms:
        return None
    best = 0
    for title in titles:
        best = max(best, len(needs.title_terms & title_terms(title)))
    return best / len(needs.title_terms)


def experience_feature(needs: JobNeeds, candidate: CandidateProfile) -> float | None:
    """How far the candidate has the years the job asks: their years of experience against
    those it asks overall, and the years their résumé shows of each must-have against those
    it asks of that skill ("5+ years of Python"); the mean of these, each at most 1. A
    must-have the candidate has with no years shown counts ``UNSHOWN_SKILL_YEARS`` of what
    their overall years would; one they lack counts 0. No basis when the job asks no years."""
    overall = candidate.years_experience or 0.0
    values = [min(1.0, overall / needs.years)] if needs.years else []
    for skill_id, asked in needs.years_asked():
        shown = candidate.skill_years.get(skill_id)
        if shown is not None:
            values.append(min(1.0, shown / asked))
        elif skill_id in candidate.skill_ids:
            values.append(UNSHOWN_SKILL_YEARS * min(1.0, overall / asked))
        else:
            values.append(0.0)
    return sum(values) / len(values) if values else None


def location_feature(needs: JobNeeds, candidate: CandidateProfile) -> float | None:
    """1 when the candidate's location names a place of the job's; 0.5 for a hybrid job and
    a candidate open to remote work; no basis for a remote job or one with no location."""
    if needs.remote == "remote" or not needs.places:
        return None
    if needs.places & places(candidate.location):
        return 1.0
    return 0.5 if needs.remote == "hybrid" and candidate.remote else 0.0


def recency_feature(
    fit: SkillFit, last_used: Mapping[str, dt.date], today: dt.date
) -> float | None:
    """How recently the candidate used the job's skills they have: each counts 1 when used
    in a current role, half every RECENCY_HALF_LIFE_YEARS since, RECENCY_UNDATED when no dated
    role mentions it; 0 when they have none; no basis when the job lists no skills."""
    held = fit.matched_required + fit.matched_preferred
    others = fit.related_required + fit.missing_required
    if not held and not others and not fit.related_preferred + fit.missing_preferred:
        return None
    if not held:
        return 0.0
    values = []
    for s in held:
        when = last_used.get(s.id)
        if when is None:
            values.append(RECENCY_UNDATED)
        else:
            years = max(0.0, (today - when).days / 365.25)
            values.append(math.exp2(-years / RECENCY_HALF_LIFE_YEARS))
    return sum(values) / len(values)


def history_strength(app: Application) -> float:
    """How far the candidate got, from the stage and outcome; an interview score (0–5)
    moves it by up to a tenth either way around the middle score of 2.5."""
    strength = max(OUTCOME_STRENGTH.get(app.outcome, 0.0), STAGE_STRENGTH.get(app.stage, 0.0))
    if app.score is not None:
        strength *= 1 + INTERVIEW_SCORE_SWAY * (app.score - 2.5) / 2.5
    return strength


def best_history(
    candidate: CandidateProfile, past_jobs: Mapping[str, float] | None, today: dt.date
) -> tuple[float, Application | None]:
    """The history feature and the application it comes from: how far the candidate got
    in a past process, times how similar that job is to this one, fading with age."""
    best, source = 0.0, None
    for app in candidate.applications:
        similar = job_similarity_feature((past_jobs or {}).get(app.job_id, 0.0))
        if not similar:
            continue
        age = max(0, (today - app.date).days) if app.date else HISTORY_HALF_LIFE_DAYS
        fade = math.exp2(-age / HISTORY_HALF_LIFE_DAYS)
        value = min(1.0, history_strength(app) * similar * fade)
        if value > best:
            best, source = value, app
    return best, source


def combine(
    features: Mapping[str, float | None], weights: Mapping[str, float]
) -> tuple[float, dict[str, float]]:
    """The 0–100 score and the weights each feature carried (those without a basis get 0,
    the rest are scaled to sum to 1)."""
    live = {f: w for f, w in weights.items() if features.get(f) is not None}
    total = sum(live.values())
    carried = {f: (live.get(f, 0.0) / total if total else 0.0) for f in weights}
    score = 100.0 * sum(carried[f] * (features[f] or 0.0) for f in live)
    return score, carried


def candidate_features(
    needs: JobNeeds,
    candidate: CandidateProfile,
    signals: Signals,
    today: dt.date,
) -> tuple[dict[str, float | None], SkillFit, Application | None]:
    fit = SkillFit.of(needs, candidate.skill_ids)
    history, source = best_history(candidate, signals.past_jobs, today)
    features: dict[str, float | None] = {
        "semantic": semantic_feature(signals.cosine),
        "lexical": signals.lexical,
        "must_have": fit.must_have(),
        "nice_to_have": fit.nice_to_have(),
        "title": title_feature(needs, candidate.titles),
        "experience": experience_feature(needs, candidate),
        "history": history,
        "recency": recency_feature(fit, candidate.skills_last_used, today),
        "location": location_feature(needs, candidate),
    }
    return features, fit, source


@dataclass(frozen=True, slots=True)
class Assessed:
    """A candidate scored for a job, before the result is written out (cheap enough to do
    for every candidate retrieved; only the shortlist becomes :class:`Match` records)."""

    candidate: CandidateProfile
    signals: Signals
    features: dict[str, float | None]
    fit: SkillFit
    past: Application | None
    score: float
    weights: dict[str, float]


def assess(
    needs: JobNeeds,
    candidate: CandidateProfile,
    signals: Signals,
    today: dt.date,
    weights: Mapping[str, float] = WEIGHTS,
) -> Assessed:
    features, fit, source = candidate_features(needs, candidate, signals, today)
    score, carried = combine(features, weights)
    return Assessed(candidate, signals, features, fit, source, score, carried)


def score_candidate(
    job: Job | JobNeeds,
    candidate: CandidateProfile,
    signals: Signals | float,
    *,
    today: dt.date | None = None,
    weights: Mapping[str, float] = WEIGHTS,
) -> Match:
    """Score one candidate; pass ``JobNeeds.of(job)`` when scoring many for one job, and
    a bare cosine when only the vectors were compared."""
    needs = job if isinstance(job, JobNeeds) else JobNeeds.of(job)
    signals = signals if isinstance(signals, Signals) else Signals(cosine=signals)
    today = today or dt.date.today()
    return to_match(assess(needs, candidate, signals, today, weights), today)


def to_match(assessed: Assessed, today: dt.date) -> Match:
    """The result record of an assessed candidate, with its breakdown and reasons."""
    candidate, fit, features = assessed.candidate, assessed.fit, assessed.features
    carried, score, source = assessed.weights, assessed.score, assessed.past
    return Match(
        candidate_id=candidate.id,
        external_id=candidate.external_id,
        name=candidate.name,
        score=round(score, 1),
        matched_skills=[s.label for s in fit.matched_required + fit.matched_preferred],
        missing_skills=[s.label for s in fit.missing_required + fit.missing_preferred],
        must_have=SkillGroup(
            matched=[s.label for s in fit.matched_required],
            related=[s.label for s in fit.related_required],
            missing=[s.label for s in fit.missing_required],
        ),
        nice_to_have=SkillGroup(
            matched=[s.label for s in fit.matched_preferred],
            related=[s.label for s in fit.related_preferred],
            missing=[s.label for s in fit.missing_preferred],
        ),
        reasons=reasons(candidate, fit, assessed.signals.cosine, source, features),
        breakdown=ScoreBreakdown(
            features={f: round(v, 4) for f, v in features.items() if v is not None},
            weights={f: round(w, 4) for f, w in carried.items()},
            points={
                f: round(100 * carried[f] * (v or 0.0), 1)
                for f, v in features.items()
                if v is not None
            },
        ),
        runner_up=any(a.outcome == Outcome.runner_up for a in candidate.applications),
        runner_up_for=runner_up_roles(candidate),
        updated_at=candidate.updated_at,
        stale=is_stale(candidate.updated_at, today),
    )


def is_stale(updated_at: dt.datetime | None, today: dt.date) -> bool:
    """Whether a profile was last updated more than ``STALE_AFTER_DAYS`` ago."""
    return updated_at is not None and (today - updated_at.date()).days > STALE_AFTER_DAYS


def reasons(
    candidate: CandidateProfile,
    fit: SkillFit,
    cosine: float,
    past: Application | None,
    features: Mapping[str, float | None],
) -> list[str]:
    """One to three plain-language reasons, the strongest first."""
    out: list[str] = []
    history = describe_application(past) if past is not None else history_reason(candidate)
    if history:
        out.append(history)
    must = fit.must_have()
    if must is not None:
        have = len(fit.matched_required)
        total = have + len(fit.related_required) + len(fit.missing_required)
        if have:
            names = ", ".join(with_years(s, candidate) for s in fit.matched_required[:5])
            out.append(f"Has {have} of {total} must-have skills: {names}")
        elif fit.related_required:
            names = ", ".join(s.label for s in fit.related_required[:3])
            out.append(f"Has skills related to must-haves: {names}")
        else:
            out.append(f"Has none of the {total} must-have skills")
    if fit.matched_preferred:
        names = ", ".join(s.label for s in fit.matched_preferred[:3])
        out.append(f"Also has nice-to-have skills: {names}")
    title = features.get("title")
    if title and title >= 0.5 and candidate.titles and len(out) < 3:
        out.append(f"Has held a similar title: {candidate.titles[0]}")
    feature = semantic_feature(cosine)
    if feature >= 0.75:
        out.append(f"Profile closely matches the job description (similarity {cosine:.2f})")
    elif feature >= 0.4:
        out.append(f"Profile partly matches the job description (similarity {cosine:.2f})")
    else:
        out.append(
            f"Profile is only loosely related to the job description (similarity {cosine:.2f})"
        )
    return out[:3]


def with_years(skill: JobSkill, candidate: CandidateProfile) -> str:
    """A must-have's label, with the years the candidate's résumé shows of it when the job
    asks years of it: "Python (6 years; 5 asked)", "Go (years not shown; 3 asked)". Shown
    to the half year below (10.75 is "10.5 years"): never more than the résumé shows."""
    if not skill.years:
        return skill.label
    shown = candidate.skill_years.get(skill.id)
    if shown is None:
        has = "years not shown"
    elif shown < 1:
        has = "under a year"
    else:
        half = math.floor(2 * shown) / 2
        has = f"{half:g} year" + ("" if half == 1 else "s")
    return f"{skill.label} ({has}; {skill.years:g} asked)"


def describe_application(app: Application) -> str:
    """ "Runner-up for Senior Data Engineer, March 2025"."""
    if app.outcome == Outcome.runner_up:
        return f"Runner-up for {role_of(app)}"
    if app.outcome == Outcome.hired:
        return f"Hired for {role_of(app)}"
    return f"Reached the {app.stage.value.replace('_', ' ')} for {role_of(app)}"


def role_of(app: Application) -> str:
    """The job of an application and when: "Senior Data Engineer, March 2025"."""
    return f"{app.job_title}, {app.date:%B %Y}" if app.date else app.job_title


def runner_up_roles(candidate: CandidateProfile) -> list[str]:
    """The roles a candidate was runner-up for, latest first (undated last)."""
    runs = [a for a in candidate.applications if a.outcome == Outcome.runner_up]
    runs.sort(key=lambda a: a.date or dt.date.min, reverse=True)
    return [role_of(a) for a in runs]


def history_reason(candidate: CandidateProfile) -> str | None:
    """The most telling late-stage miss, whatever the role: runner-up first, then latest."""
    late = [
        a
        for a in candidate.applications
        if a.outcome == Outcome.runner_up or (a.stage in LATE_STAGES and a.outcome != Outcome.hired)
    ]
    if not late:
        return None
    late.sort(key=lambda a: (a.outcome == Outcome.runner_up, a.date or dt.date.min), reverse=True)
    return describe_application(late[0])


def _rows_any(
    hit: npt.NDArray[np.bool_], rows: npt.NDArray[np.int64], m: int
) -> npt.NDArray[np.bool_]:
    """Per row of ``m``, whether any of its entries (``rows``: each entry's row) is hit."""
    return np.bincount(rows[hit], minlength=m) > 0


def score_many(
    needs: JobNeeds,
    profiles: Profiles,
    ids: Ids,
    signals: ManySignals,
    today: dt.date,
    weights: Mapping[str, float] = WEIGHTS,
) -> npt.NDArray[np.float64]:
    """The scores :func:`assess` gives ``ids`` (up to rounding), all at once from the pool's
    in-memory profiles: to choose the few whose reasons are written out."""
    m = len(ids)
    features: dict[str, npt.NDArray[np.float64] | None] = {
        "semantic": np.clip((signals.cosine - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR), 0, 1),
        "lexical": signals.lexical,
        "history": signals.history,
    }
    rows, codes, (last_used, skill_years) = profiles.skill_lists.gather(ids)
    held = np.zeros(len(codes), dtype=np.bool_)
    for name, wanted in (("must_have", needs.required), ("nice_to_have", needs.preferred)):
        if not wanted:
            features[name] = None
            continue
        have = np.zeros(m)
        near = np.zeros(m)
        for skill in wanted:
            hit = codes == profiles.skills.get(skill.id)
            held |= hit
            has = _rows_any(hit, rows, m)
            related = [profiles.skills.get(r) for r in needs.related.get(skill.id, ())]
            close = _rows_any(np.isin(codes, related), rows, m) & ~has
            have += has
            near += close
        features[name] = (have + RELATED_CREDIT * near) / len(wanted)
    if not needs.required and not needs.preferred:
        features["recency"] = None
    else:
        days = day_of(today) - last_used[held].astype(np.int64)
        years = np.maximum(0.0, days / 365.25)
        value = np.where(
            last_used[held] == 0, RECENCY_UNDATED, np.exp2(-years / RECENCY_HALF_LIFE_YEARS)
        )
        count = np.bincount(rows[held], minlength=m)
        summed = np.bincount(rows[held], weights=value, minlength=m)
        features["recency"] = np.divide(summed, count, out=np.zeros(m), where=count > 0)
    if not needs.title_terms:
        features["title"] = None
    else:
        t_rows, t_codes, (t_title,) = profiles.title_lists.gather(ids)
        wanted_words = [profiles.words.get(w) for w in needs.title_terms]
        inside = np.isin(t_codes, wanted_words)
        titles = int(t_title.max()) + 1 if len(t_title) else 1
        shared = np.bincount(t_rows[inside] * titles + t_title[inside], minlength=m * titles)
        features["title"] = shared.reshape(m, titles).max(axis=1) / len(needs.title_terms)
    features["experience"] = _experience_many(needs, profiles, ids, rows, codes, skill_years)
    if needs.remote == "remote" or not needs.places:
        features["location"] = None
    else:
        p_rows, p_codes, _ = profiles.place_lists.gather(ids)
        here = _rows_any(np.isin(p_codes, [profiles.words.get(p) for p in needs.places]), p_rows, m)
        remote_ok = (profiles.remote[ids] == 1) & (needs.remote == "hybrid")
        features["location"] = np.where(here, 1.0, np.where(remote_ok, 0.5, 0.0))
    live = {f: (w, v) for f, w in weights.items() if (v := features.get(f)) is not None}
    total = sum(w for w, _ in live.values())
    score = np.zeros(m)
    for w, v in live.values():
        score += (w / total if total else 0.0) * v
    return 100.0 * score


def _experience_many(
    needs: JobNeeds,
    profiles: Profiles,
    ids: Ids,
    rows: npt.NDArray[np.int64],
    codes: npt.NDArray[np.int32],
    skill_years: npt.NDArray[np.float16],
) -> npt.NDArray[np.float64] | None:
    """:func:`experience_feature` of ``ids`` at once (``rows``, ``codes``, ``skill_years``:
    their skills, as gathered from the profiles)."""
    m = len(ids)
    overall = np.nan_to_num(profiles.years[ids])
    values = [np.minimum(1.0, overall / needs.years)] if needs.years else []
    for skill_id, asked in needs.years_asked():
        hit = codes == profiles.skills.get(skill_id)
        held = _rows_any(hit, rows, m)
        shown = np.full(m, np.nan)
        shown[rows[hit]] = skill_years[hit]
        values.append(
            np.where(
                ~np.isnan(shown),
                np.minimum(1.0, shown / asked),
                np.where(held, UNSHOWN_SKILL_YEARS * np.minimum(1.0, overall / asked), 0.0),
            )
        )
    return np.mean(values, axis=0) if values else None
