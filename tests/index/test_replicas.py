"""Several processes serving one pool: each follows the others' writes through the store's
record of changes; one of them saves the vector index. Two pools on one folder, each with a
store of its own (its own writer), stand for two processes here; `tests/service/test_replicas.py`
runs real ones."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from index import Store, TalentPool
from index.pool import INDEX_FILE, MANIFEST_FILE
from index.vectors import MappedIVFIndex
from models import Application, Consent, IndexManifest, Outcome, Stage
from tests.index.test_pool import DIM, new, unit


@pytest.fixture
def open_pool(tmp_path: Path, database_url: str) -> Iterator[Callable[..., TalentPool]]:
    """Opens a pool on the one folder and database, as another process would."""
    pools: list[TalentPool] = []

    def open_(**options: object) -> TalentPool:
        pools.append(
            TalentPool(Store(database_url), tmp_path / "index", model="m", dim=DIM, **options)
        )  # type: ignore[arg-type]
        return pools[-1]

    yield open_
    for pool in pools:
        pool.close()
        pool.store.close()


def ids_found(pool: TalentPool, vector: np.ndarray, tenant: str = "acme") -> list[int]:
    return [i for i, _ in pool.search(vector, 50, tenant)]


def test_a_pool_follows_what_another_process_writes(open_pool: Callable[..., TalentPool]) -> None:
    one, two = open_pool(), open_pool()
    saved = one.upsert(
        [(new(f"c{i}").model_copy(update={"remote": True}), unit(i)) for i in range(6)]
    )
    ids = [c.id for c, _ in saved]
    assert ids_found(two, unit(2)) == []  # not followed yet
    assert two.follow("acme") == 6
    assert ids_found(two, unit(2))[0] == ids[2]
    assert set(two.eligible("acme", dt.date.today()).ids) == set(ids)
    assert two.profiles.remote[ids[0]] == 1  # the profile too

    # A new text and vector, consent withdrawn, an erasure: each reaches the other pool.
    one.upsert([(new("c1", text="another résumé\n"), unit(100))])
    one.upsert([(new("c3", consent=Consent(may_contact=False)), None)])
    one.delete("acme", ids[4])
    assert two.follow() == 3
    assert ids_found(two, unit(100))[0] == ids[1]
    found = ids_found(two, unit(4))
    assert ids[4] not in found and ids[3] not in found
    assert ids[4] not in two.vectors.ids()

    # Writes through the second pool reach the first; its own are not read again.
    [(other, _)] = two.upsert([(new("x", tenant="globex"), unit(7))])
    assert two.follow() == 0
    assert one.follow("globex") == 1
    assert ids_found(one, unit(7), "globex") == [other.id]


def test_the_revision_read_by_a_match_spares_a_query(
    open_pool: Callable[..., TalentPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = open_pool(), open_pool()
    one.upsert([(new("a"), unit(1))])
    revision = one.store.revision("acme")
    assert two.follow("acme", revision) == 1

    def fail(*_: object) -> None:
        raise AssertionError("no changes to read at the revision held")

    monkeypatch.setattr(two.store, "changes", fail)
    assert two.follow("acme", revision) == 0
    # Nor after its own write, when no other process wrote in between.
    two.upsert([(new("b"), unit(2))])
    assert two.follow("acme", two.store.revision("acme")) == 0


def test_a_pool_behind_the_changes_kept_reads_the_pool_again(
    open_pool: Callable[..., TalentPool],
) -> None:
    one, two = open_pool(), open_pool()
    saved = one.upsert([(new(f"c{i}"), unit(i)) for i in range(3)])
    one.delete("acme", saved[0][0].id)
    pruned = one.store.prune_changes(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    assert pruned == 4
    assert one.store.changes("acme", 0) is None
    two.follow("acme")
    assert sorted(ids_found(two, unit(1))) == sorted(c.id for c, _ in saved[1:])
    # Changes after the mark are followed one by one again.
    one.upsert([(new("late"), unit(9))])
    assert two.follow("acme") == 1


def test_changes_above_the_pruned_mark_are_kept(open_pool: Callable[..., TalentPool]) -> None:
    one = open_pool()
    one.upsert([(new("a"), unit(1))])
    one.upsert([(new("b"), unit(2))])
    # Everything recorded so far is pruned; what is written after the mark is kept.
    one.store.prune_changes(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    one.upsert([(new("c"), unit(3))])
    revision = one.store.revision("acme")
    assert one.store.changes("acme", revision - 1) == (revision, [])  # its own write
    other = Store(one.store.url)
    try:
        latest, ids = other.changes("acme", revision - 1) or (0, [])
        assert latest == revision and len(ids) == 1
        assert other.changes("acme", revision - 2) is None
    finally:
        other.close()


def test_bm25_written_by_one_process_is_read_by_the_other(
    open_pool: Callable[..., TalentPool],
) -> None:
    one, two = open_pool(), open_pool()
    text = "Kubernetes operator written in Rust\n"
    [(saved, _)] = one.upsert([(new("k", tenant="initech", text=text), unit(5))])
    two.follow("initech")
    deadline = time.monotonic() + 30
    while not two.lexical.search("initech", "rust kubernetes", 5):  # reloads within ~0.5 s
        assert time.monotonic() < deadline, "the other process's commit was never seen"
        time.sleep(0.05)
    assert [i for i, _ in two.lexical.search("initech", "rust kubernetes", 5)] == [saved.id]


def test_one_service_saves_the_index_and_another_takes_over(
    open_pool: Callable[..., TalentPool], tmp_path: Path
) -> None:
    manifest = tmp_path / "index" / MANIFEST_FILE

    def saved_count() -> int:
        return IndexManifest.model_validate_json(manifest.read_text()).count

    first = open_pool(save_delay=0.05)
    second = open_pool(save_delay=0.05)
    assert first._leader is not None and second._leader is None
    first.upsert([(new("a"), unit(1))])
    deadline = time.monotonic() + 30
    while saved_count() != 1:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    first.close()

    second.follow()
    second.upsert([(new("b"), unit(2))])
    deadline = time.monotonic() + 30
    while saved_count() != 2:  # the second saves, once the first has let go
        assert time.monotonic() < deadline, "no process took over saving the index"
        time.sleep(0.02)
    assert second._leader is not None


def test_a_write_that_does_not_change_candidates_moves_the_revision_only(
    open_pool: Callable[..., TalentPool],
) -> None:
    one, two = open_pool(), open_pool()
    [(saved, _)] = one.upsert([(new("a", text="Welder\n"), unit(1))])
    two.follow("acme")
    one.store.add_application(
        "acme",
        saved.id,
        Application(
            job_id="w1", job_title="Welder", stage=Stage.final_round, outcome=Outcome.runner_up
        ),
    )
    assert two.follow("acme") == 0
    assert two._applied["acme"] == one.store.revision("acme")


def test_replicas_search_the_one_file_the_saving_process_writes(
    open_pool: Callable[..., TalentPool], tmp_path: Path
) -> None:
    path = tmp_path / "index" / INDEX_FILE
    first = open_pool(save_delay=0.05, approximate_from=50)
    saved = first.upsert([(new(f"c{i}"), unit(i)) for i in range(80)])  # an inverted file now
    second = open_pool(save_delay=0.05, approximate_from=50)
    assert isinstance(first.vectors, MappedIVFIndex) and isinstance(second.vectors, MappedIVFIndex)
    built = IndexManifest.model_validate_json((tmp_path / "index" / MANIFEST_FILE).read_text())

    [(late, _), _] = first.upsert([(new("late"), unit(500)), (new("later"), unit(501))])
    first.delete("acme", saved[0][0].id)
    deadline = time.monotonic() + 30
    while first.vectors.delta.count() or first.manifest() == built:  # merged into a new file
        assert time.monotonic() < deadline, "the writes were never saved"
        time.sleep(0.02)

    on_disk = IndexManifest.model_validate_json((tmp_path / "index" / MANIFEST_FILE).read_text())
    assert on_disk.count == first.vectors.count() == 81

    second.follow()
    inode = os.stat(path).st_ino
    assert os.fstat(first.vectors.saved.fd).st_ino == inode
    assert os.fstat(second.vectors.saved.fd).st_ino == inode
    assert sorted(second.vectors.ids()) == sorted(first.vectors.ids())
    assert ids_found(second, unit(500))[0] == late.id
    assert second.vectors.delta.count() == 0  # nothing differs from the file
