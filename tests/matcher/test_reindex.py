from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from index import Store, text_sha
from index._schema import EmbeddingRow
from matcher import Encoder, Matcher, ingest, profile_text, reindex
from matcher.reindex import EncoderOptions, Journal, ReindexReport, journal_key, parts_of
from models import NewCandidate
from parsing import Taxonomy
from tests.documents import demo_records
from tests.matcher.helpers import CountingEncoder

TENANT = "acme"


def fill(matcher: Matcher, tmp_path: Path, n: int) -> list[int]:
    folder = tmp_path / "in"
    folder.mkdir()
    for r in demo_records(limit=n):
        (folder / f"{r['id']}.txt").write_text(str(r["text"]))
    results = ingest([folder], matcher, tenant=TENANT)
    assert all(r.error is None for r in results)
    return sorted(r.candidate_id for r in results if r.candidate_id is not None)


def forget_vectors(store: Store, model: str) -> None:
    """As after a model change: no candidate has a vector for the current model."""
    with store.session() as session:
        session.query(EmbeddingRow).filter(EmbeddingRow.model == model).delete()


def stored_vectors(store: Store, model: str, dim: int) -> dict[int, np.ndarray]:
    ids, vectors = store.embeddings(model, dim)
    return dict(zip(ids.tolist(), vectors, strict=True))


def test_parts_cover_every_id_once(store: Store, matcher: Matcher, tmp_path: Path) -> None:
    assert parts_of(store) == []
    ids = fill(matcher, tmp_path, 7)
    parts = parts_of(store, size=3)
    covered = [i for lo, hi in parts for i in range(lo, hi)]
    assert covered == list(range(ids[0], ids[-1] + 1))
    assert store.count_between(parts) == 7


def reindex_elsewhere(
    matcher: Matcher, encoder: Encoder, tmp_path: Path, n: int, **where: object
) -> ReindexReport:
    """A pool of ``n`` without vectors for the current model, re-indexed by workers
    (``where``); each candidate must get the vector this process's encoder gives it."""
    ids = fill(matcher, tmp_path, n)
    store, model = matcher.pool.store, matcher.pool.model
    forget_vectors(store, model)
    report = reindex(
        matcher, part_size=2, encoder_options=EncoderOptions.of(encoder, None, None), **where
    )
    got = stored_vectors(store, model, encoder.dim)
    assert sorted(got) == ids
    for candidate_id in ids:
        resume = store.get(TENANT, candidate_id).resume
        expected = encoder.encode_documents([profile_text(resume)])[0]
        # Each worker runs the model on one thread: the same vectors up to float rounding.
        np.testing.assert_allclose(got[candidate_id], expected, atol=1e-4)
    assert set(matcher.pool.vectors.ids().tolist()) == set(ids)
    return report


def test_worker_processes_embed_what_one_process_would(
    matcher: Matcher, encoder: Encoder, tmp_path: Path
) -> None:
    report = reindex_elsewhere(matcher, encoder, tmp_path, 6, workers=2)
    assert (report.candidates, report.reparsed, report.embedded, report.indexed) == (6, 0, 6, 6)


class Interrupted(Exception):
    pass


def test_a_killed_run_resumes_after_its_last_finished_part(
    matcher: Matcher, encoder: Encoder, tmp_path: Path
) -> None:
    fill(matcher, tmp_path, 6)
    store, model = matcher.pool.store, matcher.pool.model
    forget_vectors(store, model)
    journal = tmp_path / "reindex.journal"
    counting = CountingEncoder(encoder)
    matcher.encoder = counting
    advanced: list[int] = []

    def crash_on_third_part(n: int) -> None:
        advanced.append(n)
        if len(advanced) == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        reindex(matcher, part_size=2, journal=journal, on_advance=crash_on_third_part)
    assert counting.documents == 6  # the third part was stored before the crash
    assert len(stored_vectors(store, model, encoder.dim)) == 6
    forget = store.ids_without_embedding(model)
    assert forget == []
    # Another part's vectors lost (as if its transaction had not committed): the journal
    # says three parts are done, so only what they do not cover is done again.
    lo, hi = parts_of(store, 2)[2]
    with store.session() as session:
        session.query(EmbeddingRow).filter(EmbeddingRow.candidate_id >= lo).delete()
    journal.write_text("\n".join(journal.read_text().splitlines()[:3]) + "\n")  # 2 parts
    report = reindex(matcher, part_size=2, journal=journal)
    assert report.resumed == 4 and report.candidates == 6 and report.embedded == 2
    assert counting.documents == 8
    assert not journal.exists()  # a finished run leaves no journal


def test_a_journal_of_another_model_or_taxonomy_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "reindex.journal"
    Journal(path, "model-a tax-1").finished(1, 257)
    assert Journal(path, "model-a tax-1").done == {(1, 257)}
    assert Journal(path, "model-b tax-1").done == set()
    assert path.read_text() == "model-b tax-1\n"


def test_a_journal_of_a_taxonomy_rebuilt_under_the_same_version_is_ignored(
    tmp_path: Path,
) -> None:
    # The builder's releases from one ESCO and O*NET version share the version string.
    shipped_bytes = (resources.files("parsing") / "data" / "taxonomy.json.gz").read_bytes()
    data = json.loads(gzip.decompress(shipped_bytes))
    data["skills"] = data["skills"][:-1]
    (tmp_path / "taxonomy.json.gz").write_bytes(gzip.compress(json.dumps(data).encode()))
    shipped, rebuilt = Taxonomy.load(), Taxonomy.load(tmp_path / "taxonomy.json.gz")
    assert rebuilt.version == shipped.version
    path = tmp_path / "reindex.journal"
    Journal(path, journal_key("model-a", shipped)).finished(1, 257)
    assert Journal(path, journal_key("model-a", shipped)).done == {(1, 257)}
    assert Journal(path, journal_key("model-a", rebuilt)).done == set()


def test_a_part_skips_candidates_erased_or_rewritten_meanwhile(
    matcher: Matcher, encoder: Encoder, tmp_path: Path
) -> None:
    erased, rewritten, kept = fill(matcher, tmp_path, 3)
    store, model = matcher.pool.store, matcher.pool.model
    forget_vectors(store, model)
    # What a worker made from the texts it read...
    parsed = {i: store.get(TENANT, i).resume for i in (erased, rewritten, kept)}
    made = {i: r.model_copy(update={"titles": ["Astronaut"]}) for i, r in parsed.items()}
    vector = np.full(encoder.dim, 1 / np.sqrt(encoder.dim), dtype=np.float32)
    # ... while one candidate was erased and another sent a new résumé.
    store.delete(TENANT, erased)
    external = store.get(TENANT, rewritten).external_id
    newer = matcher.parser.parse_resume_text(parsed[rewritten].text + "\nAlso a pilot.\n")
    matcher.upsert([NewCandidate(tenant=TENANT, external_id=external, resume=newer)])
    fresh = stored_vectors(store, model, encoder.dim)[rewritten]
    store.save_reindexed(
        model,
        list(made.items()),
        [(i, text_sha(parsed[i].text), vector) for i in made],
    )
    assert store.get(TENANT, rewritten).resume == newer
    assert store.get(TENANT, kept).resume.titles == ["Astronaut"]
    after = stored_vectors(store, model, encoder.dim)
    assert sorted(after) == sorted([rewritten, kept])
    np.testing.assert_array_equal(after[rewritten], fresh)
    np.testing.assert_array_equal(after[kept], vector)


@pytest.mark.slow
def test_the_same_pipeline_runs_on_a_local_ray_cluster(
    matcher: Matcher, encoder: Encoder, tmp_path: Path
) -> None:
    report = reindex_elsewhere(matcher, encoder, tmp_path, 4, workers=2, ray_address="local")
    assert (report.candidates, report.embedded, report.indexed) == (4, 4, 4)
