"""The match path on a small real pool: the shipped CC0 demo résumés and the real model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import Store, TalentPool
from matcher import Encoder, Matcher, engine
from models import (
    Application,
    Consent,
    Filters,
    InvalidInput,
    NewCandidate,
    NotFound,
    Outcome,
    Stage,
)
from parsing import Parser
from tests.documents import demo_records
from tests.matcher.helpers import CountingEncoder

TENANT = "acme"
RUNNER_UP = Application(
    job_id="REQ-1",
    job_title="Senior DevOps Engineer",
    stage=Stage.final_round,
    outcome=Outcome.runner_up,
    date=dt.date(2025, 3, 1),
)


def demo_pool(parser: Parser, encoder: Encoder, home: Path, limit: int) -> Matcher:
    """A matcher over the first ``limit`` demo résumés, stored under ``home``."""
    store = Store(f"sqlite:///{home / 'pool.db'}")
    matcher = Matcher(
        parser, encoder, TalentPool(store, home / "index", model=encoder.key, dim=encoder.dim)
    )
    matcher.upsert(
        [
            NewCandidate(
                tenant=TENANT,
                external_id=str(r["id"]),
                resume=parser.parse_resume_text(str(r["text"])),
            )
            for r in demo_records(limit=limit)
        ]
    )
    return matcher


@pytest.fixture(scope="module")
def demo_matcher(
    parser: Parser, encoder: Encoder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Matcher]:
    matcher = demo_pool(parser, CountingEncoder(encoder), tmp_path_factory.mktemp("pool"), 60)
    yield matcher
    matcher.pool.store.close()


def job_from(matcher: Matcher, external_id: str) -> str:
    """A job description written from one candidate's own titles and skills."""
    resume = matcher.pool.store.find_external(TENANT, external_id).resume
    skills = list(dict.fromkeys(s.label for s in resume.skills))[:10]
    title = resume.titles[0] if resume.titles else "Engineer"
    return f"{title}\n\nRequirements\n" + "\n".join(f"- {s}" for s in skills) + "\n"


def test_shortlist_shape_and_order(demo_matcher: Matcher) -> None:
    shortlist = demo_matcher.match(
        "Java developer\nRequirements\n- Java\n- SQL\n- Spring", k=7, tenant=TENANT
    )
    assert len(shortlist.results) == 7
    scores = [m.score for m in shortlist.results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)
    assert shortlist.pool_size == 60
    assert len({m.candidate_id for m in shortlist.results}) == 7
    for m in shortlist.results:
        assert 1 <= len(m.reasons) <= 3
        assert set(m.matched_skills).isdisjoint(m.missing_skills)


@pytest.mark.parametrize("external_id", ["dotin-2", "dotin-10", "dotin-30"])
def test_a_job_written_from_a_resume_finds_that_resume(
    demo_matcher: Matcher, external_id: str
) -> None:
    shortlist = demo_matcher.match(job_from(demo_matcher, external_id), k=3, tenant=TENANT)
    assert external_id in [m.external_id for m in shortlist.results]


def test_the_job_is_embedded_once(demo_matcher: Matcher) -> None:
    encoder = demo_matcher.encoder
    assert isinstance(encoder, CountingEncoder)
    text = "Data scientist\nRequirements\n- Python\n- machine learning\n"
    first = demo_matcher.match(text, k=5, tenant=TENANT)
    before = encoder.texts
    again = demo_matcher.match("  " + text.replace("\n", " \n"), k=5, tenant=TENANT)
    assert encoder.texts == before
    assert [m.candidate_id for m in again.results] == [m.candidate_id for m in first.results]


@pytest.mark.parametrize("k", [1, 3])
def test_the_fast_scores_keep_the_shortlist_of_the_full_re_score(
    demo_matcher: Matcher, monkeypatch: pytest.MonkeyPatch, k: int
) -> None:
    """Whether re-scoring keeps only the best by the fast scores (k + margin of them) or
    explains every candidate retrieved, the shortlist is the same."""
    text = "DevOps engineer\nRequirements\n- Kubernetes\n- Python\n- Terraform\n- AWS\n"
    monkeypatch.setattr(engine, "SHORTLIST_MARGIN", 0)
    fast = demo_matcher.match(text, k=k, tenant=TENANT)
    monkeypatch.setattr(engine, "SHORTLIST_MARGIN", 10_000)
    demo_matcher.clear_cache()  # else the shortlist kept from the first is returned
    full = demo_matcher.match(text, k=k, tenant=TENANT)
    assert len(fast.results) == k
    assert [(m.candidate_id, m.score) for m in fast.results] == [
        (m.candidate_id, m.score) for m in full.results
    ]


def test_other_tenants_see_nothing(demo_matcher: Matcher) -> None:
    shortlist = demo_matcher.match("Python developer", k=5, tenant="globex")
    # Not even how many candidates another tenant holds.
    assert (shortlist.results, shortlist.pool_size) == ([], 0)
    again = demo_matcher.match("Python developer", k=5, tenant="globex")  # a kept shortlist
    assert (again.results, again.pool_size) == ([], 0)


@pytest.mark.parametrize("k", [0, 501])
def test_k_out_of_range(demo_matcher: Matcher, k: int) -> None:
    with pytest.raises(InvalidInput):
        demo_matcher.match("Python developer", k=k, tenant=TENANT)


def test_empty_job(demo_matcher: Matcher) -> None:
    with pytest.raises(InvalidInput):
        demo_matcher.match("  ", k=5, tenant=TENANT)


def test_consent_runner_up_and_erasure(parser: Parser, encoder: Encoder, tmp_path: Path) -> None:
    def open_matcher() -> Matcher:
        store = Store(f"sqlite:///{tmp_path / 'pool.db'}")
        return Matcher(
            parser,
            encoder,
            TalentPool(store, tmp_path / "index", model=encoder.key, dim=encoder.dim),
        )

    matcher = open_matcher()
    records = demo_records(limit=12)
    new = [
        NewCandidate(
            tenant=TENANT, external_id=str(r["id"]), resume=parser.parse_resume_text(str(r["text"]))
        )
        for r in records
    ]
    matcher.upsert(new)
    job = job_from(matcher, "dotin-2")
    top = matcher.match(job, k=1, tenant=TENANT).results[0]
    assert top.external_id == "dotin-2"

    # A runner-up says so in its reasons.
    matcher.pool.store.add_application(TENANT, top.candidate_id, RUNNER_UP)
    again = matcher.match(job, k=12, tenant=TENANT).results
    mine = next(m for m in again if m.candidate_id == top.candidate_id)
    assert mine.runner_up and mine.reasons[0] == "Runner-up for Senior DevOps Engineer, March 2025"

    # Withdrawn consent: never returned, however good the match.
    other = next(n for n in new if n.external_id != top.external_id)
    withdrawn = other.model_copy(update={"consent": Consent(may_contact=False)})
    matcher.upsert([withdrawn])
    ids = [m.external_id for m in matcher.match(job, k=12, tenant=TENANT).results]
    assert withdrawn.external_id not in ids and len(ids) == 11

    # Withdrawn through another process (a second store): this pool's roster has not seen
    # it, the store's word at re-scoring still keeps the candidate out.
    third = next(n for n in new if n.external_id not in {top.external_id, other.external_id})
    elsewhere = Store(f"sqlite:///{tmp_path / 'pool.db'}")
    elsewhere.upsert(
        [(third.model_copy(update={"consent": Consent(may_contact=False)}), None)], encoder.key
    )
    elsewhere.close()
    assert len(matcher.pool.eligible(TENANT, dt.date.today())) == 11
    ids = [m.external_id for m in matcher.match(job, k=12, tenant=TENANT).results]
    assert third.external_id not in ids and len(ids) == 10

    # Erased: gone from the store and every search, also after a restart.
    matcher.pool.delete(TENANT, top.candidate_id)
    assert top.candidate_id not in [
        m.candidate_id for m in matcher.match(job, k=12, tenant=TENANT).results
    ]
    matcher.pool.store.close()
    reopened = open_matcher()
    after = reopened.match(job, k=12, tenant=TENANT).results
    assert top.candidate_id not in [m.candidate_id for m in after]
    assert len(after) == 9
    reopened.pool.store.close()


@pytest.fixture()
def small_matcher(parser: Parser, encoder: Encoder, tmp_path: Path) -> Iterator[Matcher]:
    matcher = demo_pool(parser, encoder, tmp_path, 30)
    yield matcher
    matcher.pool.store.close()


def test_a_runner_up_for_a_similar_role_is_rediscovered(small_matcher: Matcher) -> None:
    store = small_matcher.pool.store
    job = job_from(small_matcher, "dotin-2")
    before = [m.external_id for m in small_matcher.match(job, k=30, tenant=TENANT).results]
    # The candidate ranked last was runner-up for this very role last year; another one
    # was runner-up for an unrelated role.
    last = store.find_external(TENANT, before[-1])
    unrelated = store.find_external(TENANT, before[-2])
    past = Application(
        job_id="REQ-9",
        job_title="Earlier opening",
        job_text=job,
        stage=Stage.final_round,
        outcome=Outcome.runner_up,
        date=dt.date.today() - dt.timedelta(days=200),
    )
    other = Application(
        job_id="REQ-10",
        job_title="Pastry chef",
        job_text="Pastry chef for a hotel kitchen: bake bread, croissants and cakes every morning.",
        stage=Stage.final_round,
        outcome=Outcome.runner_up,
        date=dt.date.today() - dt.timedelta(days=200),
    )
    store.add_application(TENANT, last.id, past)
    store.add_application(TENANT, unrelated.id, other)

    after = small_matcher.match(job, k=30, tenant=TENANT).results
    ranks = {m.external_id: i for i, m in enumerate(after)}
    assert ranks[last.external_id] < len(before) - 1
    lifted = after[ranks[last.external_id]]
    assert lifted.breakdown.features["history"] > 0.5
    assert lifted.reasons[0].startswith("Runner-up for Earlier opening")
    assert after[ranks[unrelated.external_id]].breakdown.features["history"] == 0.0

    # Rediscover mode: past applicants only, the runner-up for a similar role first.
    found = small_matcher.match(job, k=10, tenant=TENANT, rediscover=True).results
    assert [m.external_id for m in found] == [last.external_id, unrelated.external_id]


def test_filters_apply_inside_retrieval(small_matcher: Matcher, parser: Parser) -> None:
    store = small_matcher.pool.store
    records = demo_records(limit=30)
    tagged = []
    for i, r in enumerate(records[:12]):
        new = NewCandidate(
            tenant=TENANT,
            external_id=str(r["id"]),
            resume=parser.parse_resume_text(str(r["text"])),
            tags=["java"] if i % 2 else ["java", "relocate"],
            location="Berlin, Germany" if i < 6 else "Lisbon, Portugal",
            remote=i % 3 == 0,
            source="referral" if i < 4 else "job board",
        )
        tagged.append(new)
    small_matcher.upsert(tagged)
    job = "Java developer\nRequirements\n- Java\n- SQL"

    def ids(**filters: object) -> list[str]:
        shortlist = small_matcher.match(
            job, k=30, tenant=TENANT, filters=Filters.model_validate(filters)
        )
        return [m.external_id for m in shortlist.results]

    expected_relocate = {t.external_id for t in tagged if "relocate" in t.tags}
    assert set(ids(tags=["java", "relocate"])) == expected_relocate
    assert set(ids(locations=["berlin"])) == {t.external_id for t in tagged[:6]}
    assert set(ids(locations=["berlin", "Lisbon"])) == {t.external_id for t in tagged}
    assert set(ids(remote=True)) == {t.external_id for t in tagged if t.remote}
    assert set(ids(sources=["referral"])) == {t.external_id for t in tagged[:4]}
    assert ids(updated_since=dt.date.today() + dt.timedelta(days=1)) == []
    # The top k is still k when enough candidates pass, however far down they rank.
    assert (
        len(small_matcher.match(job, k=6, tenant=TENANT, filters=Filters(tags=["java"])).results)
        == 6
    )
    assert store.find_external(TENANT, tagged[0].external_id).tags == ["java", "relocate"]


def test_features_for_named_candidates(small_matcher: Matcher) -> None:
    store = small_matcher.pool.store
    ids = [store.find_external(TENANT, e).id for e in ("dotin-2", "dotin-3")]
    job = job_from(small_matcher, "dotin-2")
    scored = small_matcher.features_for(job, ids, tenant=TENANT)
    assert set(scored) == set(ids)
    listed = {m.candidate_id: m for m in small_matcher.match(job, k=30, tenant=TENANT).results}
    for i in ids:
        assert scored[i].breakdown.features == listed[i].breakdown.features
    with pytest.raises(NotFound):
        small_matcher.features_for(job, [ids[0], 10_000], tenant=TENANT)
    with pytest.raises(NotFound):
        small_matcher.features_for(job, ids, tenant="globex")


def test_profiles_carry_when_each_skill_was_last_used_and_its_years(
    small_matcher: Matcher,
) -> None:
    store = small_matcher.pool.store
    dated, shown = [], []
    for candidate in store.iter_candidates(TENANT):
        last = {e.id: e.last_used for e in candidate.resume.evidence if e.last_used}
        if last:
            dated.append((candidate.id, last))
        years = {e.id: e.years() for e in candidate.resume.evidence if e.years() is not None}
        if years:
            shown.append((candidate.id, years))
    assert dated, "some demo résumés date the roles that mention their skills"
    assert shown, "some demo résumés show the years of their skills"
    profiles = store.profiles([i for i, _ in dated + shown])
    for i, last in dated:
        assert profiles[i].skills_last_used == last
    for i, years in shown:
        assert profiles[i].skill_years == years


def test_the_years_a_job_asks_of_a_skill_rank_those_who_show_them_first(
    small_matcher: Matcher, parser: Parser
) -> None:
    """Two résumés alike but for the years they state of Python: a job asking five years
    of it ranks the one with six above the one with one, and says why."""

    def resume(years: str) -> str:
        return (
            "Jordan Lee\nBackend Developer\n\nSKILLS\n"
            f"Python ({years}), SQL (4 years), Linux (3 years)\n\n"
            "EXPERIENCE\nBackend Developer, Acme Corp\nBuilt billing services and reports.\n"
        )

    small_matcher.upsert(
        [
            NewCandidate(tenant=TENANT, external_id=name, resume=parser.parse_resume_text(text))
            for name, text in (("six", resume("6 years")), ("one", resume("1 year")))
        ]
    )
    job = "Backend Developer\n\nRequirements:\n- 5+ years of Python\n- SQL\n"
    results = small_matcher.match(job, k=30, tenant=TENANT).results
    by_id = {m.external_id: m for m in results}
    six, one = by_id["six"], by_id["one"]
    assert six.breakdown.features["experience"] > one.breakdown.features["experience"]
    assert six.score > one.score
    order = [m.external_id for m in results]
    assert order.index("six") < order.index("one")
    # ESCO's label: "Python (computer programming) (6 years; 5 asked)".
    assert "Python (computer programming) (6 years; 5 asked)" in six.reasons[0]
    assert "Python (computer programming) (1 year; 5 asked)" in one.reasons[0]


def test_a_repeated_match_is_kept_until_the_tenant_changes(
    small_matcher: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same request again is answered from the kept shortlist, with no search; a write
    to the tenant by any process (here a second store, as another process would), or an
    erasure, makes the next one compute afresh."""
    pool = small_matcher.pool
    searches: list[int] = []
    search = pool.search

    def counted(*args: object, **kwargs: object) -> object:
        searches.append(1)
        return search(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pool, "search", counted)
    job = job_from(small_matcher, "dotin-2")
    first = small_matcher.match(job, k=5, tenant=TENANT)
    assert searches
    searches.clear()
    again = small_matcher.match(" " + job + "\n", k=5, tenant=TENANT)
    assert not searches and again.results == first.results
    # Another request (k, filters, mode) is computed; another tenant's write keeps it.
    small_matcher.match(job, k=6, tenant=TENANT)
    assert searches
    small_matcher.upsert(
        [
            NewCandidate(
                tenant="globex",
                external_id="g1",
                resume=pool.store.find_external(TENANT, "dotin-2").resume,
            )
        ]
    )
    searches.clear()
    small_matcher.match(job, k=5, tenant=TENANT)
    assert not searches

    # Another process records that the last one was a runner-up for this very job.
    last = first.results[-1]
    elsewhere = Store(f"sqlite:///{tmp_path / 'pool.db'}")
    elsewhere.add_application(
        TENANT, last.candidate_id, RUNNER_UP.model_copy(update={"job_text": job})
    )
    elsewhere.close()
    after = small_matcher.match(job, k=5, tenant=TENANT)
    assert searches
    lifted = next(m for m in after.results if m.candidate_id == last.candidate_id)
    assert lifted.runner_up and lifted.breakdown.features["history"] > 0.5

    # Erased: the next match computes afresh.
    top = after.results[0].candidate_id
    small_matcher.erase(TENANT, top)
    searches.clear()
    assert top not in [m.candidate_id for m in small_matcher.match(job, k=5, tenant=TENANT).results]
    assert searches
