from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from index import Store
from index._schema import ApiKeyRow, ApplicationRow, EmbeddingRow, ResumeRow
from index.store import text_sha
from models import (
    Application,
    AuditAction,
    AuditEntry,
    Consent,
    Feedback,
    NewCandidate,
    NotFound,
    Outcome,
    Resume,
    Stage,
    Verdict,
)

MODEL = "test-model"


def new(
    external_id: str, text: str = "Python developer\n", tenant: str = "acme", **kwargs: object
) -> NewCandidate:
    return NewCandidate(
        tenant=tenant, external_id=external_id, resume=Resume(text=text, format="txt"), **kwargs
    )  # type: ignore[arg-type]


def vec(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(4).astype(np.float32)


def test_upsert_creates_then_updates_by_external_id(store: Store) -> None:
    [(first, created)] = store.upsert([(new("crm-1"), vec(1))], MODEL)
    assert created
    [(second, created)] = store.upsert([(new("crm-1", "Java developer\n"), None)], MODEL)
    assert not created
    assert second.id == first.id
    assert store.get("acme", first.id).resume.text == "Java developer\n"
    assert store.count("acme") == 1


def test_a_batch_stored_and_updated_at_once(store: Store) -> None:
    # Looked up in one query a tenant: the stored, the new, and one sent twice in the batch.
    store.upsert([(new("old-1"), vec(1)), (new("old-2", tags=["java"]), vec(2))], MODEL)
    saved = store.upsert(
        [
            (new("old-1", "Go developer\n"), vec(3)),
            (new("new-1"), vec(4)),
            (new("new-1", "Rust developer\n"), None),
            (new("old-2"), None),
        ],
        MODEL,
    )
    assert [created for _, created in saved] == [False, True, False, False]
    assert saved[1][0].id == saved[2][0].id
    assert store.count("acme") == 3
    assert store.get("acme", saved[1][0].id).resume.text == "Rust developer\n"
    assert store.get("acme", saved[0][0].id).resume.text == "Go developer\n"
    assert store.get("acme", saved[3][0].id).tags == []
    ids, vectors = store.embeddings(MODEL, 4, [saved[0][0].id, saved[1][0].id])
    assert np.array_equal(vectors[list(ids).index(saved[0][0].id)], vec(3))
    assert np.array_equal(vectors[list(ids).index(saved[1][0].id)], vec(4))


def test_the_same_external_id_in_two_tenants_is_two_candidates(store: Store) -> None:
    saved = store.upsert([(new("crm-1"), vec(1)), (new("crm-1", tenant="globex"), vec(2))], MODEL)
    assert saved[0][0].id != saved[1][0].id
    with pytest.raises(NotFound):
        store.get("globex", saved[0][0].id)
    with pytest.raises(NotFound):
        store.delete("globex", saved[0][0].id)
    assert store.count("acme") == 1


def test_applications_sent_replace_none_sent_keep(store: Store) -> None:
    app = Application(
        job_id="J1",
        job_title="Data Engineer",
        stage=Stage.final_round,
        outcome=Outcome.runner_up,
        date=dt.date(2025, 3, 1),
    )
    [(c, _)] = store.upsert([(new("crm-1", applications=[app]), vec(1))], MODEL)
    store.upsert([(new("crm-1"), None)], MODEL)
    assert store.get("acme", c.id).applications == [app]
    other = app.model_copy(update={"job_id": "J2", "outcome": Outcome.rejected})
    store.upsert([(new("crm-1", applications=[other]), None)], MODEL)
    assert store.get("acme", c.id).applications == [other]
    later = store.add_application("acme", c.id, app)
    assert later.applications == [other, app]


def test_delete_removes_resume_history_and_vector(store: Store) -> None:
    app = Application(job_id="J1", job_title="Data Engineer")
    [(c, _)] = store.upsert([(new("crm-1", applications=[app]), vec(1))], MODEL)
    with store.session() as session:
        assert len(session.scalars(select(ResumeRow)).all()) == 1
    store.delete("acme", c.id)
    with pytest.raises(NotFound):
        store.get("acme", c.id)
    with store.session() as session:
        assert session.scalars(select(ResumeRow)).all() == []
        assert session.scalars(select(ApplicationRow)).all() == []
        assert session.scalars(select(EmbeddingRow)).all() == []


def test_embeddings_round_trip(store: Store) -> None:
    saved = store.upsert([(new("a"), vec(1)), (new("b"), vec(2)), (new("c"), None)], MODEL)
    ids, vectors = store.embeddings(MODEL, 4)
    assert list(ids) == [saved[0][0].id, saved[1][0].id]
    np.testing.assert_array_equal(vectors[1], vec(2))
    assert store.ids_without_embedding(MODEL) == [saved[2][0].id]
    assert store.embeddings("other-model", 4)[0].size == 0


def test_eligible_ids_respect_consent_and_retention(store: Store) -> None:
    today = dt.date(2026, 6, 1)
    saved = store.upsert(
        [
            (new("ok"), vec(1)),
            (new("no-contact", consent=Consent(may_contact=False)), vec(2)),
            (new("expired", consent=Consent(retention_until=dt.date(2026, 5, 31))), vec(3)),
            (new("until-today", consent=Consent(retention_until=today)), vec(4)),
            (new("other-tenant", tenant="globex"), vec(5)),
        ],
        MODEL,
    )
    ids = {c.external_id: c.id for c, _ in saved}
    assert set(store.eligible_ids("acme", today)) == {ids["ok"], ids["until-today"]}


def test_api_keys_are_stored_hashed_and_can_be_revoked(store: Store) -> None:
    key = store.create_key("acme")
    assert store.tenant_for_key(key) == "acme"
    assert store.tenant_for_key(key + "x") is None
    with store.session() as session:
        row = session.scalars(select(ApiKeyRow)).one()
        assert key not in (row.key_hash, row.prefix)
    assert [k.tenant for k in store.revoke_key(key[:10])] == ["acme"]
    assert store.tenant_for_key(key) is None
    assert store.revoke_key(key) == []


def test_a_sqlite_file_in_a_new_folder(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'new' / 'deeper' / 'pool.db'}")
    try:
        assert store.count() == 0
        assert (tmp_path / "new" / "deeper" / "pool.db").exists()
    finally:
        store.close()


def test_profiles_carry_what_scoring_needs(store: Store) -> None:
    from models import SkillMention

    resume = Resume(
        text="x\n",
        format="txt",
        titles=["Data Engineer"],
        years_experience=4.5,
        skills=[SkillMention(id=i, label=i, text=i, start=0, end=1) for i in ("a", "b", "a")],
    )
    app = Application(job_id="J", job_title="Analyst", outcome=Outcome.runner_up)
    saved = store.upsert(
        [
            (NewCandidate(tenant="acme", external_id="p", resume=resume, applications=[app]), None),
            (new("q"), None),
        ],
        MODEL,
    )
    profiles = store.profiles([c.id for c, _ in saved] + [999])
    p = profiles[saved[0][0].id]
    assert (p.external_id, p.titles, p.skill_ids, p.years_experience, p.applications) == (
        "p",
        ["Data Engineer"],
        frozenset({"a", "b"}),
        4.5,
        [app],
    )
    assert profiles[saved[1][0].id].applications == []
    assert 999 not in profiles


def test_an_erased_candidates_id_is_never_given_to_another(store: Store) -> None:
    first, last = (store.upsert([(new(e), None)], "m")[0][0] for e in ("a", "b"))
    store.delete("acme", last.id)  # the highest id
    [(after, created)] = store.upsert([(new("c"), None)], "m")
    assert created and after.id > last.id > first.id


def test_a_bulk_load_stores_what_upsert_stores(store: Store, tmp_path: Path) -> None:
    from sqlalchemy.exc import IntegrityError

    from index.lexical import lexical_version
    from index.store import text_sha

    records = [
        (
            new(
                f"crm-{i}",
                f"Python developer {i}\n",
                consent=Consent(may_contact=i % 2 == 0, retention_until=dt.date(2030, 1, i + 1)),
                location="Lisbon",
            ),
            vec(i),
        )
        for i in range(3)
    ]
    ids = store.add_new(records, MODEL)
    assert len(ids) == 3 and ids == sorted(ids)
    twin = Store(f"sqlite:///{tmp_path / 'twin.db'}")
    try:
        upserted = [c for c, _ in twin.upsert(records, MODEL)]
        for i, expected in zip(ids, upserted, strict=True):
            got = store.get("acme", i)
            assert got.model_dump(exclude={"id", "created_at", "updated_at"}) == (
                expected.model_dump(exclude={"id", "created_at", "updated_at"})
            )
        assert store.embeddings(MODEL, 4)[1].tolist() == twin.embeddings(MODEL, 4)[1].tolist()
        assert [v.tolist() for v in store.lexical_versions()["acme"]] == [
            ids,
            [lexical_version(text_sha(c.resume.text), "[]") for c in upserted],
        ]
    finally:
        twin.close()
    with pytest.raises(IntegrityError):
        store.add_new([records[0], (new("crm-9"), vec(9))], MODEL)
    assert store.count("acme") == 3  # nothing of the refused batch is stored
    with pytest.raises(ValueError, match="tags"):
        store.add_new([(new("crm-8", tags=["x"]), vec(8))], MODEL)


def test_the_revision_moves_with_every_write_that_can_change_a_match(store: Store) -> None:
    seen = [store.revision("acme")]

    def moved() -> bool:
        seen.append(store.revision("acme"))
        return seen[-1] != seen[-2]

    assert seen == [0]
    [(first, _)] = store.upsert([(new("crm-1"), vec(1))], MODEL)
    assert moved()
    store.upsert([(new("crm-1", consent=Consent(may_contact=False)), None)], MODEL)
    assert moved()
    [second] = store.add_new([(new("crm-2"), vec(2))], MODEL)
    assert moved()
    store.add_application(
        "acme",
        first.id,
        Application(
            job_id="REQ-1",
            job_title="Developer",
            stage=Stage.interviewed,
            outcome=Outcome.rejected,
            date=dt.date.today(),
        ),
    )
    assert moved()
    store.put_embeddings(MODEL, [(second, text_sha(first.resume.text), vec(3))])
    assert moved()
    store.save_reindexed(MODEL, [(first.id, first.resume)], [])
    assert moved()
    store.delete("acme", second)
    assert moved()

    # Writes that no match reads, and other tenants' writes, leave it.
    store.audit(
        AuditEntry(tenant="acme", actor="cli", action=AuditAction.READ, candidate_ids=[first.id])
    )
    store.create_key("acme")
    store.add_feedback(
        "acme", [Feedback(job_id="REQ-1", candidate_id=first.id, verdict=Verdict.shortlisted)]
    )
    store.put_job_vectors("acme", MODEL, [("REQ-1", "sha", vec(4))])
    store.upsert([(new("crm-1", tenant="globex"), vec(5))], MODEL)
    store.save_reindexed(MODEL, [], [(first.id, "a text it no longer has", vec(6))])
    assert not moved()
    assert store.revision("globex") == 1


def test_blind_setting_and_which_vectors_it_makes_stale(store: Store) -> None:
    assert store.blind("acme") and store.blind_settings() == {}
    saved = store.upsert([(new("a"), vec(1)), (new("b"), vec(2))], MODEL)
    store.upsert([(new("c", tenant="initech"), vec(3))], MODEL, blind={"initech": False})
    ids = {c.external_id: c.id for c, _ in saved}
    # initech's vector was made from the open text, its tenant matches blind: stale.
    third = store.find_external("initech", "c").id
    assert store.ids_without_embedding(MODEL) == [third]
    assert store.set_blind("initech", False) and store.blind_settings() == {"initech": False}
    assert store.ids_without_embedding(MODEL) == []
    revision = store.revision("acme")
    assert store.set_blind("acme", False)
    assert store.revision("acme") == revision + 1
    assert sorted(store.ids_without_embedding(MODEL)) == sorted(ids.values())
    assert store.ids_without_embedding(MODEL, tenant="initech") == []
    store.save_reindexed(
        MODEL, [], [(ids["a"], text_sha("Python developer\n"), vec(4))], {"acme": False}
    )
    assert store.ids_without_embedding(MODEL) == [ids["b"]]
    # A vector from before there was a choice (NULL) is stale whatever the setting.
    with store.session() as session:
        row = session.get(EmbeddingRow, (ids["a"], MODEL))
        assert row is not None
        row.blind = None
    assert sorted(store.ids_without_embedding(MODEL)) == sorted(ids.values())
