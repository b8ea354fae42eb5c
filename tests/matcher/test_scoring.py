"""Pure scoring functions on hand-built records."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from index.lexical import words
from index.profiles import DAY_ZERO, LAST_DAY, ProfileRow, Profiles, day_of
from matcher.scoring import (
    RECENCY_UNDATED,
    RELATED_CREDIT,
    UNSHOWN_SKILL_YEARS,
    WEIGHTS,
    JobNeeds,
    ManySignals,
    Signals,
    best_history,
    candidate_features,
    combine,
    history_reason,
    score_candidate,
    score_many,
    semantic_feature,
)
from models import Application, CandidateProfile, Job, JobSkill, Outcome, Stage


def skill(sid: str, required: bool = True, years: float | None = None) -> JobSkill:
    return JobSkill(
        id=sid, label=sid.title(), text=sid, start=0, end=len(sid), required=required, years=years
    )


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
    match = score_candidate(JOB, candidate(["python", "sql", "docker"]), 0.65)
    features = match.breakdown.features
    assert features["semantic"] == 1.0
    assert features["must_have"] == pytest.approx(2 / 3, abs=1e-4)
    assert features["nice_to_have"] == 1.0
    assert features["title"] == 1.0  # "Data Engineer" held
    assert "experience" not in features  # the job asks no years
    assert "location" not in features  # and names no place
    assert match.breakdown.weights["experience"] == 0.0
    assert features["recency"] == RECENCY_UNDATED  # no dated role mentions the skills
    live = {f: w for f, w in WEIGHTS.items() if f not in ("experience", "location")}
    expected = (
        100
        * (
            live["semantic"] * 1.0
            + live["must_have"] * 2 / 3
            + live["nice_to_have"]
            + live["title"] * 1.0
            + live["recency"] * RECENCY_UNDATED
        )
        / sum(live.values())
    )
    assert match.score == pytest.approx(expected, abs=0.05)
    assert sum(match.breakdown.points.values()) == pytest.approx(match.score, abs=0.3)
    assert match.matched_skills == ["Python", "Sql", "Docker"]
    assert match.missing_skills == ["Spark"]
    assert match.must_have.matched == ["Python", "Sql"]
    assert match.must_have.missing == ["Spark"]
    assert match.nice_to_have.matched == ["Docker"]
    assert "Has 2 of 3 must-have skills: Python, Sql" in match.reasons


def test_a_feature_without_basis_carries_no_weight() -> None:
    score, carried = combine({"semantic": 0.5, "must_have": None}, {"semantic": 1, "must_have": 1})
    assert carried == {"semantic": 1.0, "must_have": 0.0}
    assert score == pytest.approx(50.0)


def test_a_job_without_skills_or_title_scores_on_what_it_gives() -> None:
    match = score_candidate(Job(text="job"), candidate(["python"]), 0.375)
    assert set(match.breakdown.features) == {"semantic", "lexical", "history"}
    assert match.breakdown.weights["must_have"] == 0.0
    assert sum(match.breakdown.weights.values()) == pytest.approx(1.0)
    semantic_share = WEIGHTS["semantic"] / (
        WEIGHTS["semantic"] + WEIGHTS["lexical"] + WEIGHTS["history"]
    )
    assert match.score == pytest.approx(100 * semantic_share * 0.5, abs=0.05)


def test_a_related_skill_earns_partial_credit() -> None:
    needs = JobNeeds.of(JOB)
    needs = JobNeeds(
        needs.required,
        needs.preferred,
        {"spark": frozenset({"hadoop"})},
        needs.title_terms,
        needs.years,
    )
    with_related = score_candidate(needs, candidate(["python", "sql", "hadoop"]), 0.5)
    without = score_candidate(needs, candidate(["python", "sql"]), 0.5)
    assert with_related.breakdown.features["must_have"] == pytest.approx(
        (2 + RELATED_CREDIT) / 3, abs=1e-4
    )
    assert with_related.must_have.related == ["Spark"]
    assert with_related.score > without.score


def test_years_asked_are_met_in_proportion() -> None:
    job = JOB.model_copy(update={"years_experience": 4.0})
    junior = candidate(["python"]).model_copy(update={"years_experience": 1.0})
    senior = candidate(["python"]).model_copy(update={"years_experience": 9.0})
    unknown = candidate(["python"])
    assert score_candidate(job, junior, 0.5).breakdown.features["experience"] == 0.25
    assert score_candidate(job, senior, 0.5).breakdown.features["experience"] == 1.0
    assert score_candidate(job, unknown, 0.5).breakdown.features["experience"] == 0.0


def test_years_asked_of_a_skill_are_met_by_the_years_the_resume_shows_of_it() -> None:
    """ "5+ years of Python": the years the résumé shows of Python (stated, or spanned by
    the dated roles that mention it), not the candidate's years of work."""
    job = JOB.model_copy(
        update={"skills": [skill("python"), skill("sql"), skill("python", years=5)]}
    )
    ten_years = candidate(["python", "sql"]).model_copy(update={"years_experience": 10.0})

    def fit(person: CandidateProfile) -> tuple[float | None, str]:
        match = score_candidate(job, person, 0.5)
        return match.breakdown.features.get("experience"), match.reasons[0]

    assert fit(ten_years.model_copy(update={"skill_years": {"python": 6.0}})) == (
        1.0,
        "Has 2 of 2 must-have skills: Python (6 years; 5 asked), Sql",
    )
    assert fit(ten_years.model_copy(update={"skill_years": {"python": 2.0}})) == (
        0.4,
        "Has 2 of 2 must-have skills: Python (2 years; 5 asked), Sql",
    )
    assert fit(ten_years.model_copy(update={"skill_years": {"python": 0.5}}))[1].endswith(
        "Python (under a year; 5 asked), Sql"
    )
    # To the half year below: 4.75 years is not five.
    assert fit(ten_years.model_copy(update={"skill_years": {"python": 4.75}}))[1].endswith(
        "Python (4.5 years; 5 asked), Sql"
    )
    assert fit(ten_years.model_copy(update={"skill_years": {"python": 1.25}}))[1].endswith(
        "Python (1 year; 5 asked), Sql"
    )
    # Python listed with no years shown: half of what ten years of work would give.
    assert fit(ten_years) == (
        UNSHOWN_SKILL_YEARS,
        "Has 2 of 2 must-have skills: Python (years not shown; 5 asked), Sql",
    )
    no_python = candidate(["sql"]).model_copy(update={"years_experience": 10.0})
    assert fit(no_python)[0] == 0.0
    # Years asked overall, and of a skill: the mean of the two.
    both = job.model_copy(update={"years_experience": 8.0})
    person = ten_years.model_copy(update={"years_experience": 4.0, "skill_years": {"python": 5.0}})
    assert score_candidate(both, person, 0.5).breakdown.features["experience"] == 0.75
    # A seniority implies no overall years when the job asks years of a skill.
    senior = job.model_copy(update={"seniority": "senior"})
    junior = ten_years.model_copy(update={"years_experience": 1.0, "skill_years": {"python": 5.0}})
    assert score_candidate(senior, junior, 0.5).breakdown.features["experience"] == 1.0


def test_a_similar_past_process_lifts_its_runner_up() -> None:
    app = Application(
        job_id="old",
        job_title="Data Engineer",
        stage=Stage.final_round,
        outcome=Outcome.runner_up,
        date=dt.date(2025, 3, 14),
    )
    today = dt.date(2025, 9, 1)
    similar = score_candidate(
        JOB, candidate(["python"], [app]), Signals(0.5, 0.0, {"old": 0.9}), today=today
    )
    unrelated = score_candidate(
        JOB, candidate(["python"], [app]), Signals(0.5, 0.0, {"old": 0.2}), today=today
    )
    assert unrelated.breakdown.features["history"] == 0.0
    assert 0.8 < similar.breakdown.features["history"] < 1.0  # faded by six months
    assert similar.score > unrelated.score
    assert similar.reasons[0] == "Runner-up for Data Engineer, March 2025"


def test_history_fades_with_age() -> None:
    app = Application(
        job_id="old", job_title="X", stage=Stage.final_round, outcome=Outcome.runner_up
    )
    recent = candidate([], [app.model_copy(update={"date": dt.date(2025, 1, 1)})])
    old = candidate([], [app.model_copy(update={"date": dt.date(2019, 1, 1)})])
    past = {"old": 0.9}
    today = dt.date(2025, 6, 1)
    assert best_history(recent, past, today)[0] > 2 * best_history(old, past, today)[0]


def test_stale_profile_is_flagged() -> None:
    old = candidate(["python"]).model_copy(
        update={"updated_at": dt.datetime(2023, 1, 1, tzinfo=dt.UTC)}
    )
    fresh = candidate(["python"]).model_copy(
        update={"updated_at": dt.datetime(2025, 5, 1, tzinfo=dt.UTC)}
    )
    today = dt.date(2025, 6, 1)
    assert score_candidate(JOB, old, 0.5, today=today).stale
    assert not score_candidate(JOB, fresh, 0.5, today=today).stale


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
    match = score_candidate(JOB, candidate(["python"], apps), 0.5)
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
    match = score_candidate(JOB, candidate(["python", "docker"], [app]), 0.6)
    assert 1 <= len(match.reasons) <= 3


def test_recent_use_of_the_skills_counts_more() -> None:
    today = dt.date(2026, 6, 1)
    held = ["python", "sql"]
    now = candidate(held).model_copy(update={"skills_last_used": dict.fromkeys(held, today)})
    long_ago = candidate(held).model_copy(
        update={"skills_last_used": dict.fromkeys(held, dt.date(2020, 6, 1))}
    )
    recent = score_candidate(JOB, now, 0.5, today=today).breakdown.features["recency"]
    old = score_candidate(JOB, long_ago, 0.5, today=today).breakdown.features["recency"]
    assert recent == 1.0
    assert old == pytest.approx(0.25, abs=0.01)  # six years: two half-lives
    assert score_candidate(JOB, candidate([]), 0.5).breakdown.features["recency"] == 0.0


@pytest.mark.parametrize(
    ("job_location", "remote", "where", "open_to_remote", "expected"),
    [
        ("Berlin, Germany", None, "Berlin", None, 1.0),
        ("Berlin, Germany", None, "Lisbon, Portugal", True, 0.0),
        ("Berlin, Germany", "hybrid", "Lisbon, Portugal", True, 0.5),
        ("Berlin, Germany", None, None, None, 0.0),
        ("Berlin, Germany", "remote", "Lisbon", None, None),
        (None, None, "Berlin", None, None),
    ],
)
def test_location_fit(
    job_location: str | None,
    remote: str | None,
    where: str | None,
    open_to_remote: bool | None,
    expected: float | None,
) -> None:
    job = JOB.model_copy(update={"location": job_location, "remote": remote})
    person = candidate(["python"]).model_copy(update={"location": where, "remote": open_to_remote})
    assert score_candidate(job, person, 0.5).breakdown.features.get("location") == expected


def test_a_stated_seniority_implies_years() -> None:
    job = JOB.model_copy(update={"seniority": "senior"})
    person = candidate(["python"]).model_copy(update={"years_experience": 2.5})
    assert score_candidate(job, person, 0.5).breakdown.features["experience"] == 0.5


def test_a_better_interview_score_lifts_a_past_applicant_a_little() -> None:
    app = Application(
        job_id="old",
        job_title="X",
        stage=Stage.interviewed,
        outcome=Outcome.rejected,
        date=dt.date(2025, 1, 1),
    )
    past, today = {"old": 0.9}, dt.date(2025, 6, 1)

    def history(score: float | None) -> float:
        person = candidate([], [app.model_copy(update={"score": score})])
        return best_history(person, past, today)[0]

    assert history(1.0) < history(None) < history(4.5)
    assert history(5.0) == pytest.approx(1.1 * history(None))
    with pytest.raises(ValueError):
        Application(job_id="j", job_title="X", score=7)


def _random_profile(rng: np.random.Generator, cid: int, vocab: list[str]) -> CandidateProfile:
    skills = set(rng.choice(vocab, size=int(rng.integers(0, 8)), replace=False).tolist())
    dated = [s for s in skills if rng.random() < 0.6]
    shown = [s for s in skills if rng.random() < 0.5]
    titles = ["Data Engineer", "Senior Python Developer", "Pastry Chef", "Engineer of data"]
    return CandidateProfile(
        id=cid,
        external_id=f"x{cid}",
        name=None,
        titles=[titles[int(i)] for i in rng.choice(4, size=int(rng.integers(0, 3)))],
        skill_ids=frozenset(skills),
        years_experience=None if rng.random() < 0.3 else float(rng.uniform(0, 12)),
        skills_last_used={
            s: dt.date(2026, 1, 1) - dt.timedelta(days=int(rng.integers(0, 4000))) for s in dated
        },
        # Quarter years, as the store keeps them (SkillEvidence.years).
        skill_years={s: int(rng.integers(0, 48)) / 4 for s in shown},
        location=["Berlin, Germany", "Lisbon", None, "Remote (Porto)"][int(rng.integers(4))],
        remote=[None, True, False][int(rng.integers(3))],
    )


@pytest.mark.parametrize("seed", range(12))
def test_scoring_many_at_once_gives_each_candidates_score(seed: int) -> None:
    """score_many (arrays over the pool's in-memory profiles) agrees with assess, one by
    one, on random candidates and jobs: every feature, with and without a basis."""
    rng = np.random.default_rng(seed)
    vocab = [f"esco:s{i}" for i in range(12)]
    people = [_random_profile(rng, cid, vocab) for cid in range(1, 41)]
    profiles = Profiles()
    profiles.set(
        [
            ProfileRow(
                p.id,
                p.skill_ids,
                p.skills_last_used,
                p.skill_years,
                p.titles,
                p.years_experience,
                p.location,
                p.remote,
            )
            for p in people
        ]
    )
    wanted = rng.choice(vocab + ["esco:unknown"], size=int(rng.integers(0, 7)), replace=False)
    split = int(rng.integers(0, len(wanted) + 1))
    needs = JobNeeds(
        required=[skill(s, years=[None, 2.0, 5.0][int(rng.integers(3))]) for s in wanted[:split]],
        preferred=[skill(s, required=False) for s in wanted[split:]],
        related={s: frozenset(rng.choice(vocab, size=2).tolist()) for s in wanted},
        title_terms=frozenset(words(["Data Engineer", "Chef", "", "Quantum Baker"][seed % 4])),
        years=[None, 3.0, 10.0][seed % 3],
        places=frozenset(["berlin"] if seed % 2 else []),
        remote=[None, "hybrid", "remote"][seed % 3],
    )
    today = dt.date(2026, 11, 22)
    cosines = rng.uniform(0, 0.8, len(people))
    lexical = rng.uniform(0, 1, len(people))
    history = np.where(rng.random(len(people)) < 0.2, rng.uniform(0, 1, len(people)), 0.0)
    weights = {f: float(w) for f, w in zip(WEIGHTS, rng.uniform(0, 1, len(WEIGHTS)), strict=True)}
    # Ids in another order than the profiles were set in, some twice.
    ids = np.array([p.id for p in people][::-1] + [3, 3], dtype=np.int64)
    by_id = {p.id: i for i, p in enumerate(people)}
    rows = [by_id[int(i)] for i in ids]
    got = score_many(
        needs,
        profiles,
        ids,
        ManySignals(cosines[rows], lexical[rows], history[rows]),
        today,
        weights,
    )
    for score, row in zip(got, rows, strict=True):
        person = people[row]
        features, fit, _ = candidate_features(needs, person, Signals(cosines[row]), today)
        features |= {"lexical": lexical[row], "history": history[row]}
        expected, _ = combine(features, weights)
        assert score == pytest.approx(expected, abs=1e-9)


def test_profiles_replace_drop_and_compact() -> None:
    profiles = Profiles()
    row = ProfileRow(1, ["a", "b"], {}, {}, ["Chef"], 2.0, "Lisbon", True)
    profiles.set([row])
    for n in range(40_000):  # many rewrites of one candidate: stale slices are compacted
        used = {f"s{n % 7}": dt.date(2020, 1, 1 + n % 7)}
        shown = {f"s{n % 7}": n % 9 / 4}
        profiles.set([ProfileRow(1, [f"s{n % 7}"], used, shown, [], None, None, None)])
    lists = profiles.skill_lists
    assert lists.used < 1 << 17 and lists.live == 1
    _, codes, (last_used, years) = lists.gather(np.array([1]))
    assert [profiles.skills.get("s" + str(39_999 % 7))] == codes.tolist()
    assert last_used.tolist() == [day_of(dt.date(2020, 1, 1 + 39_999 % 7))]
    assert years.tolist() == [39_999 % 9 / 4]
    profiles.drop([1, 99])
    assert lists.gather(np.array([1]))[1].tolist() == []
    assert np.isnan(profiles.years[1])


def test_profiles_keep_a_day_in_two_bytes_within_its_bounds() -> None:
    assert day_of(dt.date(1900, 1, 1)) == 1
    assert day_of(dt.date(2026, 12, 6)) == dt.date(2026, 12, 6).toordinal() - DAY_ZERO
    assert day_of(dt.date(2095, 1, 1)) == LAST_DAY  # no role ends there; nor does it wrap
    profiles = Profiles()
    late = {"python": dt.date(2095, 1, 1)}
    profiles.set([ProfileRow(1, ["python"], late, {}, [], None, None, None)])
    needs = JobNeeds([skill("python")], [], {}, frozenset(), None)
    one = ManySignals(np.zeros(1), np.zeros(1), np.zeros(1))
    weights = {f: float(f == "recency") for f in WEIGHTS}
    # A date past today counts as used today, as assess reads it.
    assert score_many(needs, profiles, np.array([1]), one, dt.date(2026, 12, 6), weights)[0] == 100


def test_profiles_let_go_of_spare_room_and_take_writes_after() -> None:
    """A loaded pool's lists hold what they use and no more; writes after that grow them by
    an eighth, and every candidate reads back what was written."""
    profiles = Profiles()
    rows = [
        ProfileRow(i, [f"s{i % 50}", f"s{i % 13}"], {}, {}, [], None, None, None)
        for i in range(1, 3000)
    ]
    for start in range(0, len(rows), 100):  # loaded in pages, as a pool opens
        profiles.set(rows[start : start + 100])
    lists = profiles.skill_lists
    assert len(lists.values) > lists.used
    profiles.trim()
    assert len(lists.values) == lists.used
    assert [len(extra) for extra in lists.extras] == [lists.used, lists.used]
    before = len(lists.values)
    profiles.set([ProfileRow(5000, ["s1", "s2", "s3"], {}, {}, ["Chef"], None, None, None)])
    assert before < len(lists.values) <= before + before // 8 + 3
    for i in (1, 2999, 5000):
        _, codes, _ = lists.gather(np.array([i]))
        expected = {"s1", "s2", "s3"} if i == 5000 else {f"s{i % 50}", f"s{i % 13}"}
        assert sorted(codes.tolist()) == sorted(profiles.skills.get(s) for s in expected)
