from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matcher import Encoder, IngestResult, Matcher, ingest, profile_text, reindex
from models import NewCandidate
from tests.documents import RESUME_TEXT, demo_records, docx_bytes, encrypted_pdf, pdf_bytes
from tests.matcher.helpers import CountingEncoder

TENANT = "acme"


@pytest.fixture
def counting(matcher: Matcher, encoder: Encoder) -> CountingEncoder:
    spy = CountingEncoder(encoder)
    matcher.encoder = spy
    return spy


def demo_folder(tmp_path: Path, n: int) -> Path:
    """A folder of the first ``n`` demo résumés as text files named by their id."""
    folder = tmp_path / "in"
    folder.mkdir()
    for r in demo_records(limit=n):
        (folder / f"{r['id']}.txt").write_text(str(r["text"]))
    return folder


def by_file(results: list[IngestResult]) -> dict[str, IngestResult]:
    return {Path(r.file).name: r for r in results}


def test_folder_with_good_and_bad_files(matcher: Matcher, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "alice.pdf").write_bytes(pdf_bytes())
    (folder / "sub" / "bob.docx").write_bytes(docx_bytes(RESUME_TEXT.replace("Jordan", "Bob")))
    (folder / "carol.txt").write_text(str(demo_records(1)[0]["text"]))
    (folder / "locked.pdf").write_bytes(encrypted_pdf())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.xyz").write_text("ignored: not a résumé type")
    (folder / ".hidden.txt").write_text("ignored")

    results = by_file(ingest([folder, tmp_path / "missing"], matcher, tenant=TENANT))
    assert set(results) == {
        "alice.pdf",
        "bob.docx",
        "carol.txt",
        "locked.pdf",
        "empty.txt",
        "missing",
    }
    assert results["locked.pdf"].error is not None
    assert results["locked.pdf"].error.code == "encrypted_document"
    assert results["empty.txt"].error is not None
    assert results["empty.txt"].error.code == "empty_document"
    assert results["missing"].error is not None
    for name in ("alice.pdf", "bob.docx", "carol.txt"):
        assert results[name].error is None and results[name].created
        assert results[name].external_id == Path(name).stem
    assert matcher.pool.count() == 3
    assert results["alice.pdf"].as_json() == {
        "file": str(folder / "alice.pdf"),
        "candidate_id": results["alice.pdf"].candidate_id,
        "external_id": "alice",
    }


def test_jsonl_records_with_history_and_bad_lines(matcher: Matcher, tmp_path: Path) -> None:
    (tmp_path / "cv.pdf").write_bytes(pdf_bytes())
    lines = [
        {
            "id": "crm-1",
            "text": RESUME_TEXT,
            "source": "referral",
            "applications": [
                {
                    "job_id": "R1",
                    "job_title": "Data Engineer",
                    "stage": "final_round",
                    "outcome": "runner_up",
                    "date": "2025-03-01",
                }
            ],
            "consent": {"may_contact": True, "retention_until": "2030-01-01"},
        },
        {"id": "crm-2", "file": "cv.pdf"},
        {"id": "crm-3"},
        {"id": "crm-4", "text": "x", "file": "cv.pdf"},
        {"id": "crm-5", "text": "x", "applications": [{"job_id": "R1"}]},
        {"id": 5, "text": "x", "unknown": True},
    ]
    jsonl = tmp_path / "pool.jsonl"
    jsonl.write_text("\n".join(json.dumps(x) for x in lines) + "\n{not json\n\n")
    results = ingest([jsonl], matcher, tenant=TENANT)
    ok = [r for r in results if r.error is None]
    bad = [r for r in results if r.error is not None]
    assert [r.external_id for r in ok] == ["crm-1", "crm-2"]
    assert [r.file.rsplit(":", 1)[1] for r in bad] == ["3", "4", "5", "6", "7"]
    assert all(r.error is not None and r.error.code == "invalid_input" for r in bad)
    stored = matcher.pool.store.find_external(TENANT, "crm-1")
    assert stored.source == "referral"
    assert stored.applications[0].outcome.value == "runner_up"
    assert str(stored.consent.retention_until) == "2030-01-01"


def test_unchanged_resumes_are_not_embedded_again(
    matcher: Matcher, counting: CountingEncoder, tmp_path: Path
) -> None:
    folder = demo_folder(tmp_path, 5)
    first = ingest([folder], matcher, tenant=TENANT)
    assert counting.documents == 5 and all(r.created for r in first)
    again = ingest([folder], matcher, tenant=TENANT)
    assert counting.documents == 5
    assert [r.candidate_id for r in again] == [r.candidate_id for r in first]
    assert not any(r.created for r in again)
    (folder / "dotin-1.txt").write_text(str(demo_records(5)[4]["text"]) + "\nAlso: Kubernetes\n")
    ingest([folder], matcher, tenant=TENANT)
    assert counting.documents == 6
    assert matcher.pool.count() == 5


@pytest.mark.slow
def test_worker_processes_read_parse_and_embed(
    matcher: Matcher, counting: CountingEncoder, encoder: Encoder, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(9):
        (folder / f"cv{i}.pdf").write_bytes(pdf_bytes(RESUME_TEXT.replace("Jordan", f"J{i}")))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    records = [{"id": f"crm-{r['id']}", "text": r["text"]} for r in demo_records(3)]
    (folder / "crm.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    results = ingest([folder], matcher, tenant=TENANT, workers=2)
    names = [Path(r.file).name for r in results]
    records_then_files = [f"crm.jsonl:{n}" for n in (1, 2, 3)] + [f"cv{i}.pdf" for i in range(9)]
    assert names == ["broken.pdf", *records_then_files]
    assert results[0].error is not None and results[0].error.code == "corrupt_document"
    assert all(r.error is None for r in results[1:])
    # The workers embedded every résumé; this process, none.
    assert counting.documents == 0
    ids = [r.candidate_id for r in results[1:] if r.candidate_id is not None]
    found, vectors = matcher.pool.store.embeddings(matcher.pool.model, encoder.dim, ids)
    assert sorted(found.tolist()) == sorted(ids)
    # The same model made them: the vectors are those this process would have made.
    for candidate_id, vector in zip(found.tolist(), vectors, strict=True):
        resume = matcher.pool.store.get(TENANT, candidate_id).resume
        assert float(encoder.encode_documents([profile_text(resume)])[0] @ vector) > 0.9999
    # Unchanged, nothing is embedded again, by the workers or here.
    again = ingest([folder], matcher, tenant=TENANT, workers=2)
    assert not any(r.created for r in again if r.error is None)
    assert counting.documents == 0
    assert matcher.pool.store.embeddings(matcher.pool.model, encoder.dim, ids)[0].size == len(ids)


def test_vectors_made_ahead_are_stored_when_they_fit(
    matcher: Matcher, counting: CountingEncoder
) -> None:
    texts = [str(r["text"]) for r in demo_records(3)]
    records = [
        NewCandidate(tenant=TENANT, external_id=f"c{i}", resume=matcher.parser.parse_resume_text(t))
        for i, t in enumerate(texts)
    ]
    ahead = np.zeros((3, matcher.encoder.dim), dtype=np.float32)
    ahead[np.arange(3), np.arange(3)] = 1.0  # unlike any vector the model makes
    # The tenant is blind: a vector made from the text as written does not fit and is made
    # again here; the others are stored as given.
    saved = matcher.upsert(records, [(ahead[0], True), (ahead[1], False), None])
    assert counting.documents == 2
    ids = [c.id for c, _ in saved]
    found, vectors = matcher.pool.store.embeddings(matcher.pool.model, matcher.encoder.dim, ids)
    stored = dict(zip(found.tolist(), vectors, strict=True))
    assert np.array_equal(stored[ids[0]], ahead[0])
    assert not np.array_equal(stored[ids[1]], ahead[1])
    # A text that did not change needs no vector: one made ahead is not used.
    matcher.upsert(records[:1], [(ahead[2], True)])
    found, vectors = matcher.pool.store.embeddings(matcher.pool.model, matcher.encoder.dim, ids)
    assert np.array_equal(dict(zip(found.tolist(), vectors, strict=True))[ids[0]], ahead[0])
    assert counting.documents == 2
    with pytest.raises(ValueError, match="2 vectors made ahead for 3 records"):
        matcher.upsert(records, [None, None])


def test_reindex_reparses_embeds_what_is_missing_and_rebuilds(
    matcher: Matcher, counting: CountingEncoder, tmp_path: Path
) -> None:
    folder = demo_folder(tmp_path, 4)
    ingest([folder], matcher, tenant=TENANT)
    report = reindex(matcher)
    assert (report.candidates, report.reparsed, report.embedded, report.indexed) == (4, 0, 0, 4)
    # As after a model change: one candidate has no vector for the current model.
    store = matcher.pool.store
    victim = store.find_external(TENANT, "dotin-3")
    with store.session() as session:
        from index._schema import EmbeddingRow

        session.delete(session.get(EmbeddingRow, (victim.id, matcher.pool.model)))
    before = counting.documents
    report = reindex(matcher)
    assert report.embedded == 1 and counting.documents == before + 1
    assert report.indexed == 4
    assert victim.id in matcher.pool.vectors.ids()
