"""The pool keeps the store and the vector index consistent, also across restarts."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

import index.pool
from index import Store, TalentPool
from index.lexical import LexicalIndex
from index.memory import prefetch
from index.pool import INDEX_FILE, LEXICAL_DIR, MANIFEST_FILE, Roster
from index.vectors import FaissIndex, FaissIVFIndex
from models import Consent, Filters, IndexMismatch, NewCandidate, NotFound, Resume

DIM = 8


def new(
    external_id: str, tenant: str = "acme", consent: Consent | None = None, text: str = ""
) -> NewCandidate:
    return NewCandidate(
        tenant=tenant,
        external_id=external_id,
        resume=Resume(text=text or f"{external_id}\n", format="txt"),
        consent=consent or Consent(),
    )


def unit(seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return x / np.linalg.norm(x)


@pytest.fixture
def open_pool(tmp_path: Path, database_url: str) -> Iterator[Callable[..., TalentPool]]:
    """Opens the pool in ``tmp_path`` (again); every store opened is closed at the end."""
    stores: list[Store] = []

    def open_(model: str = "m", dim: int = DIM, **options: object) -> TalentPool:
        stores.append(Store(database_url))
        return TalentPool(stores[-1], tmp_path / "index", model=model, dim=dim, **options)  # type: ignore[arg-type]

    yield open_
    for store in stores:
        store.close()


def test_upsert_search_delete_and_restart(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    pool = open_pool()
    saved = pool.upsert([(new(f"c{i}"), unit(i)) for i in range(20)])
    ids = [c.id for c, _ in saved]
    assert pool.search(unit(3), 1, "acme")[0][0] == ids[3]
    pool.delete("acme", ids[3])
    assert ids[3] not in [i for i, _ in pool.search(unit(3), 20, "acme")]
    with pytest.raises(NotFound):
        pool.delete("acme", ids[3])
    pool.store.close()

    reopened = open_pool()
    assert reopened.count() == 19
    assert ids[3] not in [i for i, _ in reopened.search(unit(3), 20, "acme")]
    assert reopened.search(unit(4), 1, "acme")[0][0] == ids[4]
    manifest = reopened.manifest()
    assert manifest is not None and manifest.count == 19 and manifest.model == "m"


def test_search_sees_only_the_tenant(tmp_path: Path, open_pool: Callable[..., TalentPool]) -> None:
    pool = open_pool()
    [(mine, _)] = pool.upsert([(new("a"), unit(1))])
    pool.upsert([(new("b", tenant="globex"), unit(1))])
    assert [i for i, _ in pool.search(unit(1), 10, "acme")] == [mine.id]


def test_each_tenant_is_told_only_its_own_size(open_pool: Callable[..., TalentPool]) -> None:
    pool = open_pool()
    saved = pool.upsert([(new(f"a{i}"), unit(i)) for i in range(3)])
    pool.upsert([(new(f"g{i}", tenant="globex"), unit(i)) for i in range(2)])
    withdrawn = Consent(may_contact=False)
    pool.upsert([(new("a9", consent=withdrawn), unit(9))])  # held, though not matched
    assert (pool.size("acme"), pool.size("globex"), pool.size("nobody")) == (4, 2, 0)
    pool.delete("acme", saved[0][0].id)
    assert (pool.size("acme"), pool.size("globex"), pool.count()) == (3, 2, 5)
    assert open_pool().size("acme") == 3  # read back from the store on open


@pytest.mark.parametrize("seed", range(5))
def test_the_rosters_sizes_equal_a_count_of_its_rows(seed: int) -> None:
    rng = np.random.default_rng(seed)
    roster, tenants = Roster(), ["acme", "globex", "initech"]
    for _ in range(200):
        ids = rng.integers(1, 300, size=int(rng.integers(1, 6))).tolist()
        if rng.random() < 0.3:
            roster.drop(ids + ids[:1])  # an id twice, and ids never set
        else:  # new ids, rewrites, and candidates moved to another tenant
            roster.set([(i, str(rng.choice(tenants)), True, None) for i in ids])
        for code, tenant in enumerate(tenants):
            counted = int(np.count_nonzero(roster.tenant == roster._codes.get(tenant, -2)))
            assert roster.size(tenant) == counted, (code, tenant)
    assert roster.size("nobody") == 0


def test_index_behind_the_store_is_rebuilt_on_open(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    pool = open_pool()
    pool.upsert([(new("a"), unit(1))])
    stale = (tmp_path / "index" / INDEX_FILE).read_bytes()
    [(b, _)] = pool.upsert([(new("b"), unit(2))])
    pool.store.close()
    # A crash after the store committed "b" but before the index file was replaced.
    (tmp_path / "index" / INDEX_FILE).write_bytes(stale)
    reopened = open_pool()
    assert reopened.count() == 2
    assert reopened.search(unit(2), 1, "acme")[0][0] == b.id


def test_index_ahead_of_the_store_is_rebuilt_on_open(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    pool = open_pool()
    [(a, _)] = pool.upsert([(new("a"), unit(1))])
    pool.upsert([(new("b"), unit(2))])
    ahead = (tmp_path / "index" / INDEX_FILE).read_bytes()
    pool.delete("acme", a.id)
    pool.store.close()
    # A crash after the store deleted "a" but before the index file was replaced.
    (tmp_path / "index" / INDEX_FILE).write_bytes(ahead)
    reopened = open_pool()
    assert a.id not in reopened.vectors.ids()


def test_lost_index_files_are_rebuilt_from_the_store(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    pool = open_pool()
    pool.upsert([(new(f"c{i}"), unit(i)) for i in range(5)])
    pool.store.close()
    (tmp_path / "index" / INDEX_FILE).unlink()
    (tmp_path / "index" / MANIFEST_FILE).unlink()
    assert open_pool().count() == 5


def test_an_index_of_another_model_is_refused(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    open_pool().store.close()
    with pytest.raises(IndexMismatch, match="reindex"):
        open_pool(model="other")
    with pytest.raises(IndexMismatch):
        open_pool(dim=DIM * 2)


def test_a_growing_pool_moves_to_the_inverted_file(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    pool = open_pool(approximate_from=150)
    pool.upsert([(new(f"c{i}"), unit(i)) for i in range(100)])
    assert pool.vectors.kind == FaissIndex.kind
    saved = pool.upsert([(new(f"d{i}"), unit(1000 + i)) for i in range(100)])
    assert pool.vectors.kind == FaissIVFIndex.kind and pool.count() == 200
    manifest = pool.manifest()
    assert manifest is not None and manifest.kind == FaissIVFIndex.kind
    assert manifest.params == pool.vectors.params and manifest.params["nlist"] > 1
    assert pool.search(unit(1005), 1, "acme")[0][0] == saved[5][0].id
    pool.store.close()
    reopened = open_pool(approximate_from=150)
    assert reopened.vectors.kind == FaissIVFIndex.kind and reopened.count() == 200
    # Erasure stays cheap: no rebuild, and the vector is gone at once.
    reopened.delete("acme", saved[5][0].id)
    assert saved[5][0].id not in [i for i, _ in reopened.search(unit(1005), 5, "acme")]


def test_writes_not_yet_saved_are_caught_up_on_open(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    """With a save delay, a crash loses the unsaved index, never the store's writes: on
    open the index takes the vectors it lacks, drops the erased and replaces the stale."""
    pool = open_pool(save_delay=3600)
    saved = pool.upsert([(new(f"c{i}"), unit(i)) for i in range(6)])
    a, b = saved[0][0], saved[1][0]
    pool.flush()
    # After the save: a new text (and vector) for a, b erased, one more candidate.
    pool.upsert([(new("c0", text="a new résumé"), unit(100))])
    pool.delete("acme", b.id)
    [(late, _)] = pool.upsert([(new("late"), unit(200))])
    assert pool.search(unit(100), 1, "acme")[0][0] == a.id
    pool.store.close()  # a crash: the saver never ran

    reopened = open_pool()
    assert sorted(reopened.vectors.ids()) == sorted(
        [c.id for c, _ in saved if c.id != b.id] + [late.id]
    )
    top, score = reopened.search(unit(100), 1, "acme")[0]
    assert top == a.id and score == pytest.approx(1.0, abs=1e-5)
    assert reopened.search(unit(200), 1, "acme")[0][0] == late.id


def test_the_bm25_index_is_brought_in_step_with_the_store_on_open(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    """The BM25 index on disk may lag the store (writes queued, not committed, at a crash):
    on open, erased candidates leave it, new and changed ones are made again."""
    pool = open_pool(save_delay=3600)
    saved = pool.upsert([(new(f"c{i}", text=f"python developer n{i}"), unit(i)) for i in range(4)])
    [(gone, _)] = pool.upsert([(new("g", tenant="globex", text="python"), unit(9))])
    a, b = saved[0][0], saved[1][0]
    pool.flush()
    pool.upsert([(new("c0", text='kubernetes operator, Zürich "quoted"'), unit(100))])
    pool.delete("acme", b.id)
    pool.delete("globex", gone.id)
    [(late, _)] = pool.upsert([(new("late", text="kubernetes platform"), unit(200))])
    pool.store.close()  # a crash: the saver never committed these
    assert LexicalIndex(tmp_path / "index" / LEXICAL_DIR).versions("acme")[0].tolist() == [
        c.id for c, _ in saved
    ]

    reopened = open_pool()
    lexical = reopened.lexical
    assert {i for i, _ in lexical.search("acme", "kubernetes", 10)} == {a.id, late.id}
    assert [i for i, _ in lexical.search("acme", "Zürich quoted", 10)] == [a.id]
    assert lexical.search("acme", "n1", 10) == []  # b's document is erased
    assert lexical.search("acme", "n0", 10) == []  # a's old text is gone
    assert lexical.versions("acme")[0].tolist() == sorted(
        [c.id for c, _ in saved if c.id != b.id] + [late.id]
    )
    assert lexical.tenants() == ["acme"]  # no one is left in globex


def test_a_write_is_searchable_before_the_saver_commits(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    pool = open_pool(save_delay=3600)
    [(a, _)] = pool.upsert([(new("a", text="kubernetes operator"), unit(1))])
    assert pool.lexical.pending
    assert [i for i, _ in pool.lexical.search("acme", "kubernetes", 10)] == [a.id]
    pool.delete("acme", a.id)
    assert pool.lexical.search("acme", "kubernetes", 10) == []


def test_close_saves_what_the_saver_has_not(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    pool = open_pool(save_delay=3600)
    pool.upsert([(new(f"c{i}"), unit(i)) for i in range(3)])
    live, saved = pool.manifest(), pool.saved_manifest()
    assert live is not None and live.count == 3
    assert saved is not None and saved.count == 0  # the saver waits
    pool.close()
    saved = pool.saved_manifest()
    assert saved is not None and saved.count == 3


def test_eligibility_from_memory_equals_the_stores(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    today = dt.date(2026, 6, 1)
    rng = np.random.default_rng(3)
    deadlines = [None, today, today - dt.timedelta(days=1), today + dt.timedelta(days=30)]
    records = [
        (
            new(
                f"c{i}",
                tenant=["acme", "globex"][i % 2],
                consent=Consent(
                    may_contact=bool(rng.random() < 0.8),
                    retention_until=deadlines[int(rng.integers(len(deadlines)))],
                ),
            ),
            unit(i),
        )
        for i in range(60)
    ]
    pool = open_pool()
    saved = pool.upsert(records)
    pool.delete("acme", saved[0][0].id)
    # Consent withdrawn by an update.
    pool.upsert([(new("c2", consent=Consent(may_contact=False)), None)])

    def agree(p: TalentPool) -> None:
        for tenant in ("acme", "globex", "nobody"):
            for day in (today, today + dt.timedelta(days=31)):
                expected = p.store.eligible_ids(tenant, day)
                np.testing.assert_array_equal(p.eligible(tenant, day).ids, expected)
                np.testing.assert_array_equal(p.eligible(tenant, day, Filters()).ids, expected)

    agree(pool)
    pool.store.close()
    agree(open_pool())


def test_no_filters_are_answered_from_memory(
    tmp_path: Path, open_pool: Callable[..., TalentPool]
) -> None:
    """Filters with nothing set (the API sends its own subclass of Filters) take the
    roster's set, not a query of every eligible id in the store."""

    class ApiFilters(Filters):
        pass

    pool = open_pool()
    pool.upsert([(new(f"c{i}"), unit(i)) for i in range(3)])
    today = dt.date(2026, 6, 1)
    from_memory = pool.eligible("acme", today)
    assert pool.eligible("acme", today, ApiFilters()) is from_memory
    assert pool.eligible("acme", today, Filters()) is from_memory
    narrowed = pool.eligible("acme", today, ApiFilters(locations=["Lisbon"]))
    assert narrowed is not from_memory and len(narrowed) == 0


def test_a_pool_hands_over_to_one_opened_on_a_rebuilt_index(
    tmp_path: Path, database_url: str
) -> None:
    """What a service does when a re-index switches its index: the writes made while the
    new pool opened, and those made through the old pool after, all reach the new one."""
    store = Store(database_url)
    try:
        old = TalentPool(store, tmp_path / "old", model="m", dim=DIM)
        saved = old.upsert(
            [(new(f"c{i}", text=f"engineer number {i}\n"), unit(i)) for i in range(6)]
        )
        ids = [c.id for c, _ in saved]
        old.record_writes()
        successor = TalentPool(store, tmp_path / "new", model="m", dim=DIM)
        # While the successor was opening: one added, one erased, one withdrew consent.
        added = old.upsert([(new("late", text="late welder\n"), unit(40))])[0][0].id
        old.delete("acme", ids[0])
        old.upsert(
            [(new("c1", consent=Consent(may_contact=False), text="engineer number 1\n"), unit(1))]
        )
        assert successor.search(unit(40), 1, "acme")[0][0] != added
        old.hand_over(successor)
        assert successor.search(unit(40), 1, "acme")[0][0] == added
        found = [i for i, _ in successor.search(unit(0), 10, "acme")]
        assert ids[0] not in found and ids[1] not in found and ids[2] in found
        assert [i for i, _ in successor.lexical.search("acme", "welder", 5)] == [added]
        # A request still holding the old pool writes the store, and the successor follows.
        old.delete("acme", added)
        assert added not in [i for i, _ in successor.search(unit(40), 10, "acme")]
        assert set(successor.vectors.ids().tolist()) == set(
            store.embedding_versions("m")[0].tolist()
        )
        old.close()
        successor.close()
    finally:
        store.close()


def test_a_large_index_is_saved_less_often_than_bm25_is_committed(
    tmp_path: Path, open_pool: Callable[..., TalentPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The saver commits BM25 after each burst of writes, but writes the vector index at
    most so often that saving takes SAVE_SHARE of the time (a save holds the pool); close()
    saves the rest."""

    def saved_count() -> int:
        saved = pool.saved_manifest()
        return saved.count if saved is not None else 0

    def until(done: Callable[[], bool]) -> None:
        for _ in range(600):
            if done():
                return
            time.sleep(0.05)
        raise AssertionError("the saver did not get there in 30 s")

    pool = open_pool(save_delay=0.01)
    pool.upsert([(new("c0"), unit(0))])
    until(lambda: saved_count() == 1)
    monkeypatch.setattr(pool, "_save_seconds", 3600.0)  # as if that save took an hour
    pool.upsert([(new("c1", text="kubernetes"), unit(1))])
    until(lambda: not pool.lexical.pending)
    assert saved_count() == 1
    pool.close()
    assert saved_count() == 2


def test_opening_a_pool_reads_its_index_files_back_into_the_page_cache(
    tmp_path: Path, open_pool: Callable[..., TalentPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loading the profiles reads the store through the page cache, which at a million
    # candidates pushed the mapped inverted file out: the files searched in place are read
    # after the profiles, every one of them, at opening and whenever they are read again.
    pool = open_pool()
    pool.upsert([(new(f"c{i}"), unit(i)) for i in range(5)])
    pool.store.close()
    read: list[int] = []
    monkeypatch.setattr(index.pool, "prefetch", lambda paths: read.append(prefetch(paths)))
    reopened = open_pool()
    files = [tmp_path / "index" / INDEX_FILE, *(tmp_path / "index" / LEXICAL_DIR).rglob("*")]
    assert read == [sum(f.stat().st_size for f in files if f.is_file())]
    assert read[0] > 0
    # And whenever a serving process reads the profiles again.
    reopened.resync()
    assert len(read) == 2
    # Not after a rebuild: it has just written the index file (the one it would have read
    # is the one it replaces).
    reopened.rebuild()
    assert len(read) == 2
