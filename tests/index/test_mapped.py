"""The inverted file searched in place from its saved file (memory-mapped, so processes serving
one pool share its pages), with what was written since the save held beside it in memory."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from index import vectors as backends
from index.vectors import FaissIVFIndex, IdSet, MappedIVFIndex
from index.vectors.faiss_index import map_saved
from tests.index.test_vectors import DIM, clustered, same_ranking, unit

N = 3000


def saved_file(tmp_path: Path) -> tuple[Path, np.ndarray, np.ndarray, np.ndarray]:
    centres = unit(16, seed=5)
    ids = np.arange(1, N + 1, dtype=np.int64)
    vectors = clustered(N, 6, centres)
    path = tmp_path / "vectors.index"
    backends.build(FaissIVFIndex.kind, DIM, ids, vectors).save(path)
    return path, ids, vectors, centres


def mapped(path: Path) -> MappedIVFIndex:
    index = backends.load(FaissIVFIndex.kind, path, DIM)
    assert isinstance(index, MappedIVFIndex)
    return index


def top(index: MappedIVFIndex | FaissIVFIndex, vector: np.ndarray, k: int = 1) -> list[int]:
    return [int(i) for i in index.search(vector.reshape(1, -1), k)[1][0] if i >= 0]


def test_the_mapped_file_searches_as_the_file_read_into_memory(tmp_path: Path) -> None:
    path, ids, _, centres = saved_file(tmp_path)
    index, memory = mapped(path), FaissIVFIndex.load(path, DIM)
    queries = clustered(20, 8, centres)
    same_ranking(index.search(queries, 20), memory.search(queries, 20))
    allowed = ids[::7]
    same_ranking(
        index.search(queries, 10, allowed=allowed), memory.search(queries, 10, allowed=allowed)
    )
    assert index.count() == N and sorted(index.ids()) == ids.tolist()
    assert index.params == memory.params


def test_writes_since_the_save_are_searched_with_the_file(tmp_path: Path) -> None:
    path, ids, vectors, centres = saved_file(tmp_path)
    index = mapped(path)
    moved, new_place = int(ids[5]), clustered(1, 99, centres)
    fresh, fresh_vector = N + 1, clustered(1, 98, centres)
    index.add(np.array([moved]), new_place)
    index.add(np.array([fresh]), fresh_vector)
    assert index.remove(ids[10:20]) == 10
    assert index.remove(ids[10:20]) == 0
    assert index.count() == N - 10 + 1
    assert sorted(index.ids()) == sorted([*ids[:10].tolist(), *ids[20:].tolist(), fresh])

    assert top(index, new_place) == [moved]
    assert top(index, fresh_vector) == [fresh]
    # The saved vector of the one written again is passed over: found once, at its new place.
    scores, found = index.search(vectors[5:6], 100)
    assert list(found[0]).count(moved) <= 1
    assert moved not in found[0] or scores[0][list(found[0]).index(moved)] < 0.999
    # Erased ones are never returned, even when the caller allows them.
    for allowed in (ids, IdSet(ids=ids), None):
        _, found = index.search(vectors[10:20], 5, allowed=allowed)
        assert not np.isin(found, ids[10:20]).any()
    # A filter still returns k: the written ones come from memory, the others from the file.
    allowed = np.array([moved, fresh, *ids[10:20].tolist(), *ids[100:110].tolist()])
    scores, found = index.search(new_place, 12, allowed=allowed)
    assert found[0][0] == moved and set(found[0]) == {moved, fresh, *ids[100:110].tolist()}


def test_a_save_merges_the_writes_and_keeps_those_made_meanwhile(tmp_path: Path) -> None:
    path, ids, vectors, centres = saved_file(tmp_path)
    index = mapped(path)
    first, second = clustered(1, 97, centres), clustered(1, 96, centres)
    index.add(ids[1:2], first)
    plan = index.snapshot()
    assert index.saving
    index.add(ids[2:3], second)  # while the file is written
    index.remove(ids[3:4])
    plan.write(path)
    index.adopt(plan)
    assert not index.saving

    saved = FaissIVFIndex.load(path, DIM)  # what the file holds: the write before the snapshot
    assert top(saved, first) == [ids[1]] and int(ids[3]) in saved.ids()
    assert top(saved, vectors[2]) == [ids[2]]
    # What is searched holds everything; only the later writes are still in memory.
    assert top(index, first) == [ids[1]] and top(index, second) == [ids[2]]
    assert int(ids[3]) not in index.ids() and index.count() == N - 1
    assert index.delta.count() == 1
    assert index.saved.count == N


def test_a_file_another_process_saved_is_taken_up_without_changing_what_is_found(
    tmp_path: Path,
) -> None:
    path, ids, _, centres = saved_file(tmp_path)
    one, two = mapped(path), mapped(path)
    moved = clustered(1, 95, centres)
    one.add(ids[1:2], moved)
    one.remove(ids[2:3])
    one.save(path)
    fresh = clustered(1, 94, centres)
    two.add(np.array([N + 1]), fresh)  # two's own write, not in the file
    queries = clustered(10, 93, centres)
    before = two.search(queries, 20)

    # Where the file and two differ (what the pool finds from the versions saved with it).
    two.rebase(map_saved(path, DIM), np.array([ids[1], ids[2], N + 1]))
    assert os.fstat(two.saved.fd).st_ino == os.stat(path).st_ino
    after = two.search(queries, 20)
    np.testing.assert_array_equal(before[1], after[1])
    np.testing.assert_allclose(before[0], after[0], atol=1e-4)
    assert top(two, fresh) == [N + 1] and int(ids[2]) in two.ids()
    assert two.count() == N + 1
