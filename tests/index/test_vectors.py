"""The FAISS backend against the exact NumPy one, on seeded synthetic unit vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import vectors as backends
from index.vectors import ExactIndex, FaissIndex, VectorIndex

DIM = 32


def unit(rows: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((rows, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def filled(kind: str, n: int = 500) -> tuple[VectorIndex, np.ndarray, np.ndarray]:
    ids = np.arange(1000, 1000 + n, dtype=np.int64)
    vectors = unit(n, seed=7)
    index = backends.create(kind, DIM)
    index.add(ids, vectors)
    return index, ids, vectors


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


@pytest.mark.parametrize("kind", [FaissIndex.kind, ExactIndex.kind])
def test_empty_filter_and_small_pool(kind: str) -> None:
    index, ids, _ = filled(kind, n=3)
    scores, found = index.search(unit(1, seed=1), 10, allowed=np.array([], dtype=np.int64))
    assert (found == -1).all()
    scores, found = index.search(unit(1, seed=1), 10)
    assert sorted(found[0][:3]) == sorted(ids)
    assert (found[0][3:] == -1).all()


@pytest.mark.parametrize("kind", [FaissIndex.kind, ExactIndex.kind])
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
    _, found = loaded.search(vectors[20:21], 2)
    assert set(found[0]) == {ids[10], ids[20]}
    assert not np.isin(loaded.search(vectors[:10], 5)[1], ids[:10]).any()


def test_unknown_backend() -> None:
    with pytest.raises(ValueError, match="unknown vector index"):
        backends.create("nope", DIM)
