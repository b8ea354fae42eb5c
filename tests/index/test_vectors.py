"""The FAISS backends against the exact NumPy one, on seeded synthetic unit vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import vectors as backends
from index.vectors import ExactIndex, FaissIndex, FaissIVFIndex, IdSet, VectorIndex

DIM = 32


def unit(rows: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((rows, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def filled(kind: str, n: int = 500) -> tuple[VectorIndex, np.ndarray, np.ndarray]:
    ids = np.arange(1000, 1000 + n, dtype=np.int64)
    vectors = unit(n, seed=7)
    return backends.build(kind, DIM, ids, vectors), ids, vectors


def clustered(rows: int, seed: int, centres: np.ndarray) -> np.ndarray:
    """Points around ``centres``: embeddings have such structure, uniform noise has not."""
    rng = np.random.default_rng(seed)
    x = centres[rng.integers(0, len(centres), rows)]
    x = x + 0.6 * rng.standard_normal((rows, DIM)).astype(np.float32) / np.sqrt(DIM)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def same_ranking(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> None:
    """Equal scores, and equal ids wherever the score is not tied with a neighbour."""
    np.testing.assert_allclose(a[0], b[0], rtol=1e-5, atol=1e-5)
    for row in range(a[0].shape[0]):
        for col in range(a[0].shape[1]):
            score = a[0][row, col]
            tied = np.isclose(a[0][row], score, atol=1e-6).sum() > 1
            if not tied:
                assert a[1][row, col] == b[1][row, col]


def test_faiss_equals_exact() -> None:
    fast, _, _ = filled(FaissIndex.kind)
    exact, _, _ = filled(ExactIndex.kind)
    queries = unit(20, seed=11)
    same_ranking(fast.search(queries, 25), exact.search(queries, 25))


def test_filter_inside_the_search_still_returns_k() -> None:
    fast, ids, _ = filled(FaissIndex.kind)
    exact, _, _ = filled(ExactIndex.kind)
    allowed = ids[::17]  # 30 of 500
    queries = unit(5, seed=3)
    got = fast.search(queries, 10, allowed=allowed)
    assert np.isin(got[1], allowed).all()
    assert (got[1] >= 0).all()
    same_ranking(got, exact.search(queries, 10, allowed=allowed))


def test_inverted_file_finds_what_exact_search_finds() -> None:
    centres = unit(64, seed=5)
    ids = np.arange(1, 20_001, dtype=np.int64)
    vectors = clustered(len(ids), 6, centres)
    ivf = backends.build(FaissIVFIndex.kind, DIM, ids, vectors)
    flat = backends.build(FaissIndex.kind, DIM, ids, vectors)
    assert ivf.params["nlist"] > ivf.params["nprobe"] > 1
    queries = clustered(50, 8, centres)
    recall = np.mean(
        [
            len(set(a) & set(b)) / 100
            for a, b in zip(ivf.search(queries, 100)[1], flat.search(queries, 100)[1], strict=True)
        ]
    )
    assert recall >= 0.9
    # 8-bit codes: scores within a few thousandths of the exact ones.
    np.testing.assert_allclose(ivf.search(queries, 5)[0], flat.search(queries, 5)[0], atol=0.02)


@pytest.mark.parametrize("share", [1, 3, 400])
def test_inverted_file_filter_still_returns_k(share: int) -> None:
    """Every allowed id, a third (more cells are visited) and a few (searched exactly)."""
    centres = unit(64, seed=5)
    ids = np.arange(1, 25_001, dtype=np.int64)
    vectors = clustered(len(ids), 6, centres)
    ivf = backends.build(FaissIVFIndex.kind, DIM, ids, vectors)
    flat = backends.build(FaissIndex.kind, DIM, ids, vectors)
    allowed = ids[::share]
    queries = clustered(20, 9, centres)
    got = ivf.search(queries, 10, allowed=allowed)
    assert np.isin(got[1], allowed).all() and (got[1] >= 0).all()
    exact = flat.search(queries, 10, allowed=allowed)
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got[1], exact[1], strict=True)])
    assert overlap >= 0.9


def test_inverted_file_is_built_not_created() -> None:
    with pytest.raises(ValueError, match="build"):
        backends.create(FaissIVFIndex.kind, DIM)


def test_the_backend_follows_the_pool_size() -> None:
    assert backends.choose("auto", 10) == FaissIndex.kind
    assert backends.choose("auto", backends.APPROXIMATE_FROM) == FaissIVFIndex.kind
    assert backends.choose("auto", 10, approximate_from=10) == FaissIVFIndex.kind
    assert backends.choose(ExactIndex.kind, 10**7) == ExactIndex.kind
    with pytest.raises(ValueError, match="unknown vector index"):
        backends.choose("nope", 1)


@pytest.mark.parametrize("kind", [FaissIndex.kind, FaissIVFIndex.kind, ExactIndex.kind])
def test_empty_filter_and_small_pool(kind: str) -> None:
    index, ids, _ = filled(kind, n=3)
    scores, found = index.search(unit(1, seed=1), 10, allowed=np.array([], dtype=np.int64))
    assert (found == -1).all()
    scores, found = index.search(unit(1, seed=1), 10)
    assert sorted(found[0][:3]) == sorted(ids)
    assert (found[0][3:] == -1).all()


@pytest.mark.parametrize("kind", [FaissIndex.kind, FaissIVFIndex.kind, ExactIndex.kind])
def test_remove_replace_save_load(kind: str, tmp_path: Path) -> None:
    index, ids, vectors = filled(kind, n=50)
    assert index.remove(ids[:10]) == 10
    assert index.remove(ids[:10]) == 0
    # Adding an id again replaces its vector instead of duplicating it.
    index.add(ids[10:11], vectors[20:21])
    assert index.count() == 40
    path = tmp_path / "v.index"
    index.save(path)
    loaded = backends.load(kind, path, DIM)
    assert sorted(loaded.ids()) == sorted(ids[10:])
    assert loaded.params == index.params
    _, found = loaded.search(vectors[20:21], 2)
    assert set(found[0]) == {ids[10], ids[20]}
    assert not np.isin(loaded.search(vectors[:10], 5)[1], ids[:10]).any()


def test_unknown_backend() -> None:
    with pytest.raises(ValueError, match="unknown vector index"):
        backends.create("nope", DIM)


@pytest.mark.parametrize("kind", [FaissIndex.kind, FaissIVFIndex.kind, ExactIndex.kind])
def test_a_filter_with_huge_ids_costs_no_huge_bitmap(kind: str) -> None:
    """A caller may name any 63-bit id (feedback on a candidate): no mask by id for those."""
    index, ids, vectors = filled(kind, n=50)
    allowed = np.array([ids[3], 2**62, 9_999_999_999_999_999], dtype=np.int64)
    assert not IdSet(ids=allowed).dense
    _, found = index.search(vectors[3:4], 5, allowed=allowed)
    assert found[0][0] == ids[3] and (found[0][1:] == -1).all()
    assert IdSet(ids=allowed).contains(np.array([ids[3], ids[4], 2**62])).tolist() == [
        True,
        False,
        True,
    ]
