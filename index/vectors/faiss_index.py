"""FAISS backends: exact search for small pools, an inverted file over 8-bit codes for big ones.

* ``faiss-flat-ip`` — an ID map over an exact inner-product index: exact, but removing a
  vector shifts the whole array (0.6-0.8 s a call at a million vectors) and it holds four
  bytes a dimension.
* ``faiss-ivf-sq8`` — vectors sorted into ``nlist`` k-means cells, stored as one byte a
  dimension (a quarter of the memory), searched by visiting the ``nprobe`` cells nearest the
  query. A hashtable maps ids to their cell, so adding, replacing and removing a vector cost
  microseconds and erasure never needs a rebuild.

Both take ``allowed`` ids (tenant, consent, retention, the caller's filters) into the search
as a FAISS ID selector over a bitmap, so a selective filter still returns ``k`` results. The
inverted file visits more cells the more selective the filter is (up to all of them), or
searches a small allowed set exactly (its vectors decoded from their codes) when that costs
less.
"""

from __future__ import annotations

import math
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from index.vectors.base import Ids, IdSet, Mask, Vectors, id_mask, member

# faiss's SWIG stubs miss the keyword arguments of search parameters and DirectMap.
_faiss: Any = faiss

# Decoding one vector by id costs about as much as scanning this many codes in a cell
# (measured at 1M: 1,000 allowed ids decoded in 3 ms, scanned in 8 ms; 20,000 in 54 and 16).
DECODE_COST = 200


def _bitmap_selector(allowed: IdSet) -> Any:
    """An ID selector admitting ``allowed``: over its bitmap, or a hash set of its ids when
    they are too sparse for one. It reads ``allowed``'s arrays, which must outlive it (the
    caller holds ``allowed`` for the search)."""
    if not allowed.dense:
        return faiss.IDSelectorBatch(allowed.ids)
    bitmap = allowed.bitmap
    return faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap))


def _empty(rows: int, k: int) -> tuple[npt.NDArray[np.float32], Ids]:
    return (
        np.full((rows, k), -np.inf, dtype=np.float32),
        np.full((rows, k), -1, dtype=np.int64),
    )


def _save(index: Any, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    faiss.write_index(index, str(tmp))
    os.replace(tmp, path)


def _normalise_scores(scores: Any, ids: Any) -> tuple[npt.NDArray[np.float32], Ids]:
    scores, ids = np.asarray(scores, dtype=np.float32), np.asarray(ids, dtype=np.int64)
    return np.where(ids >= 0, scores, -np.inf).astype(np.float32), ids


class FaissIndex:
    kind = "faiss-flat-ip"

    def __init__(self, dim: int, index: faiss.Index | None = None) -> None:
        self.dim = dim
        # Any: faiss's SWIG stubs know neither IndexIDMap2.id_map nor search parameters.
        self._index: Any = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @classmethod
    def load(cls, path: Path, dim: int) -> FaissIndex:
        index = faiss.read_index(str(path))
        if index.d != dim:
            raise ValueError(f"{path}: dimension {index.d}, expected {dim}")
        return cls(dim, index)

    @property
    def params(self) -> dict[str, int]:
        return {}

    def add(self, ids: Ids, vectors: Vectors) -> None:
        if len(ids) == 0:
            return
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.remove(ids)
        self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)

    def remove(self, ids: Ids) -> int:
        if len(ids) == 0:
            return 0
        selector = faiss.IDSelectorBatch(np.ascontiguousarray(ids, dtype=np.int64))
        return int(self._index.remove_ids(selector))

    def search(
        self, query: Vectors, k: int, allowed: Ids | IdSet | None = None
    ) -> tuple[npt.NDArray[np.float32], Ids]:
        query = np.ascontiguousarray(query.reshape(-1, self.dim), dtype=np.float32)
        k = max(1, k)
        if allowed is None:
            return _normalise_scores(*self._index.search(query, k))
        allowed = IdSet.of(allowed)
        if len(allowed) == 0:
            return _empty(len(query), k)
        params = _faiss.SearchParameters(sel=_bitmap_selector(allowed))
        return _normalise_scores(*self._index.search(query, k, params=params))

    def ids(self) -> Ids:
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def vectors(self, ids: Ids) -> Vectors:
        """The vectors of ``ids`` (each must be present)."""
        if len(ids) == 0:
            return np.empty((0, self.dim), dtype=np.float32)
        found = self._index.reconstruct_batch(np.ascontiguousarray(ids, dtype=np.int64))
        return np.asarray(found, dtype=np.float32)

    def count(self) -> int:
        return int(self._index.ntotal)

    def save(self, path: Path) -> None:
        _save(self._index, path)


def ivf_shape(count: int) -> tuple[int, int]:
    """(nlist, nprobe) for a pool of ``count`` vectors: about 2·√count cells, a power of two,
    and a thirty-second of them visited. Measured by ``benchmarks/search.py`` (vectors shaped
    like résumé embeddings, job descriptions as queries): recall@100 against exact search
    0.983 at 100,000 and 0.986 at 1,000,000 (search 3.3 ms); visiting a sixteenth gains 0.002
    for twice the time, and the 8-bit codes hold recall under 0.99 whatever is visited."""
    nlist = 2 ** max(6, min(14, round(math.log2(2 * math.sqrt(max(count, 1))))))
    return nlist, max(8, nlist // 32)


class FaissIVFIndex:
    kind = "faiss-ivf-sq8"

    def __init__(self, dim: int, index: faiss.Index | None = None) -> None:
        self.dim = dim
        self._index: Any = index

    @classmethod
    def build(
        cls, dim: int, ids: Ids, vectors: Vectors, *, nlist: int, nprobe: int, seed: int = 1234
    ) -> FaissIVFIndex:
        """Train the cells and the 8-bit codes on (a sample of) ``vectors``, then add them."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        nlist = max(1, min(nlist, len(vectors) // 39))  # FAISS wants 39 points a cell
        index: Any = faiss.IndexIVFScalarQuantizer(
            faiss.IndexFlatIP(dim),
            dim,
            nlist,
            faiss.ScalarQuantizer.QT_8bit,
            faiss.METRIC_INNER_PRODUCT,
        )
        index.cp.seed = seed
        # 64 training points a cell places the centroids well; more only slows the k-means.
        sample = min(len(vectors), 64 * nlist)
        order = np.random.default_rng(seed).permutation(len(vectors))[:sample]
        index.train(vectors[np.sort(order)])
        index.set_direct_map_type(_faiss.DirectMap.Hashtable)
        index.nprobe = min(nprobe, nlist)
        built = cls(dim, index)
        built.add(ids, vectors)
        return built

    @classmethod
    def load(cls, path: Path, dim: int) -> FaissIVFIndex:
        """Read the file into memory (a service maps it instead: :class:`MappedIVFIndex`)."""
        index = faiss.read_index(str(path))
        cls.check(index, path, dim)
        return cls(dim, index)

    @staticmethod
    def check(index: Any, path: Path, dim: int) -> None:
        if index.d != dim:
            raise ValueError(f"{path}: dimension {index.d}, expected {dim}")
        if not isinstance(index, faiss.IndexIVFScalarQuantizer):
            raise ValueError(f"{path}: a {type(index).__name__}, not an inverted file")

    @property
    def params(self) -> dict[str, int]:
        return {"nlist": int(self._index.nlist), "nprobe": int(self._index.nprobe)}

    def _ready(self) -> Any:
        if self._index is None:
            raise ValueError("an inverted-file index must be built from vectors first")
        return self._index

    def add(self, ids: Ids, vectors: Vectors) -> None:
        if len(ids) == 0:
            return
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.remove(ids)
        self._ready().add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)

    def remove(self, ids: Ids) -> int:
        if len(ids) == 0:
            return 0
        index = self._ready()
        # A hashtable direct map removes by id only (no ranges); unknown ids count nothing.
        before = int(index.ntotal)
        index.remove_ids(faiss.IDSelectorArray(np.ascontiguousarray(ids, dtype=np.int64)))
        return before - int(index.ntotal)

    def search(
        self, query: Vectors, k: int, allowed: Ids | IdSet | None = None
    ) -> tuple[npt.NDArray[np.float32], Ids]:
        index = self._ready()
        query = np.ascontiguousarray(query.reshape(-1, self.dim), dtype=np.float32)
        k = max(1, k)
        if allowed is None:
            return _normalise_scores(*index.search(query, k))
        allowed = IdSet.of(allowed)
        if len(allowed) == 0:
            return _empty(len(query), k)
        # Visit more cells the fewer vectors pass, so that as many passing vectors are
        # scanned as an unfiltered search would scan; unless decoding the allowed vectors
        # one by one (about 3.5 µs each) costs less than scanning that many codes (about
        # 16 ns each), as for a small set in a big pool.
        share = len(allowed) / max(1, int(index.ntotal))
        nprobe = min(int(index.nlist), math.ceil(index.nprobe / max(share, 1e-9)))
        scanned = index.ntotal * nprobe / index.nlist
        if len(allowed) <= k or len(allowed) * DECODE_COST < scanned:
            return self._exact(query, k, allowed.ids)
        params = _faiss.SearchParametersIVF(sel=_bitmap_selector(allowed), nprobe=nprobe)
        scores, ids = _normalise_scores(*index.search(query, k, params=params))
        if (ids < 0).any() and nprobe < index.nlist:  # the cells visited held too few
            params = _faiss.SearchParametersIVF(sel=params.sel, nprobe=int(index.nlist))
            scores, ids = _normalise_scores(*index.search(query, k, params=params))
        return scores, ids

    def _exact(self, query: Vectors, k: int, allowed: Ids) -> tuple[npt.NDArray[np.float32], Ids]:
        """Inner products with every allowed vector present, decoded from its code."""
        index = self._ready()
        ids = np.ascontiguousarray(allowed, dtype=np.int64)
        try:
            matrix = index.reconstruct_batch(ids)
        except RuntimeError:  # some allowed id has no vector (yet): decode one at a time
            kept = []
            for candidate_id in ids.tolist():
                try:
                    kept.append((candidate_id, index.reconstruct(candidate_id)))
                except RuntimeError:
                    continue
            ids = np.asarray([i for i, _ in kept], dtype=np.int64)
            matrix = np.vstack([v for _, v in kept]) if kept else np.empty((0, self.dim))
        scores, out_ids = _empty(len(query), k)
        if len(ids) == 0:
            return scores, out_ids
        sims = query @ np.asarray(matrix, dtype=np.float32).T
        for row, row_sims in enumerate(sims):
            top = np.argsort(-row_sims, kind="stable")[:k]
            scores[row, : len(top)] = row_sims[top]
            out_ids[row, : len(top)] = ids[top]
        return scores, out_ids

    def ids(self) -> Ids:
        index = self._ready()
        invlists = index.invlists
        parts = [
            faiss.rev_swig_ptr(invlists.get_ids(cell), invlists.list_size(cell)).copy()
            for cell in range(index.nlist)
            if invlists.list_size(cell)
        ]
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)

    def count(self) -> int:
        return 0 if self._index is None else int(self._index.ntotal)

    def save(self, path: Path) -> None:
        _save(self._ready(), path)


@dataclass(frozen=True, slots=True, weakref_slot=True)
class _Saved:
    """An inverted-file index file, memory-mapped: its index, which ids it holds, and the
    file kept open (a save reads it again, whatever another process has since put at its
    path), closed with this object or by :meth:`close`."""

    path: Path
    index: FaissIVFIndex
    present: Mask
    count: int
    fd: int
    close: Callable[[], None] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "close", weakref.finalize(self, os.close, self.fd))

    @property
    def opened(self) -> str:
        """A path to the very file mapped."""
        return f"/proc/self/fd/{self.fd}"


def map_saved(path: Path, dim: int) -> _Saved:
    """Map the inverted file saved at ``path`` read-only (its lists stay in the page cache,
    one copy for every process mapping the file; about 0.6 s at a million vectors, to read
    the id → cell table)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        index = faiss.read_index(f"/proc/self/fd/{fd}", faiss.IO_FLAG_MMAP_IFC)
        FaissIVFIndex.check(index, path, dim)
    except BaseException:
        os.close(fd)
        raise
    mapped = FaissIVFIndex(dim, index)
    ids = mapped.ids()
    return _Saved(path, mapped, id_mask(ids), len(ids), fd)


@dataclass(slots=True)
class SavePlan:
    """What :meth:`MappedIVFIndex.snapshot` took: the file searched, the ids it hides, the
    vectors written since. ``write`` makes the merged file (outside the pool's lock), and
    :meth:`MappedIVFIndex.adopt` then searches it."""

    source: _Saved
    hidden: Ids
    delta_ids: Ids
    delta_vectors: Vectors
    dim: int
    result: _Saved | None = None

    def write(self, path: Path) -> int:
        """Write the saved file with the writes merged into ``path`` and map it; return the
        vector count. A private copy of the mapped lists is made for this (about 0.4 GB and
        a second at a million), then freed."""
        # Read again, not cloned: a clone would share the read-only mapped lists.
        full = faiss.read_index(self.source.opened)
        if len(self.hidden):
            full.remove_ids(faiss.IDSelectorArray(self.hidden))
        if len(self.delta_ids):
            full.add_with_ids(self.delta_vectors, self.delta_ids)
        count = int(full.ntotal)
        _save(full, path)
        del full
        self.result = map_saved(path, self.dim)
        return count


class MappedIVFIndex:
    """The inverted file searched in place in its saved file (``faiss-ivf-sq8`` on disk).

    The file is memory-mapped read-only, so every process serving the pool (``serve
    --workers N``) shares one copy of its lists in the page cache, and the kernel may drop
    pages no search touches. FAISS cannot write to a mapped inverted file, so what is
    written after it was saved is held beside it in memory: the new vectors in an exact
    index (a few thousand between saves), and the ids whose saved vector is superseded or
    erased, which its searches pass over. A search asks both and merges the two top ``k``.
    Saving writes a new file with both merged and searches that from then on.
    """

    kind = FaissIVFIndex.kind

    def __init__(self, dim: int, saved: _Saved) -> None:
        self.dim = dim
        self.saved = saved
        self._use(saved)

    @classmethod
    def load(cls, path: Path, dim: int) -> MappedIVFIndex:
        return cls(dim, map_saved(path, dim))

    def _use(self, saved: _Saved) -> None:
        """Search ``saved``, with nothing written beside it yet."""
        if self.saved is not saved:
            self.saved.close()  # its pages stay mapped until its index is freed
        self.saved = saved
        self._hidden = np.zeros(len(saved.present), dtype=np.bool_)
        self._hidden_count = 0
        self.delta = FaissIndex(self.dim)
        self._touched: set[int] | None = None  # ids written while a save is under way
        self._version = 0  # moves with the hidden ids, for the cached eligible set below
        self._without_hidden: tuple[object, int, IdSet] | None = None

    @property
    def path(self) -> Path:
        return self.saved.path

    @property
    def saving(self) -> bool:
        """Whether a save's snapshot has been taken and not adopted or abandoned yet."""
        return self._touched is not None

    @property
    def params(self) -> dict[str, int]:
        return self.saved.index.params

    # -- writes ---------------------------------------------------------------------------
    def _hide(self, ids: Ids) -> int:
        """Pass over the saved vectors of ``ids`` from now on; return how many were not
        passed over already."""
        ids = np.unique(np.asarray(ids, dtype=np.int64))
        ids = ids[member(ids, self.saved.present)]
        fresh = ids[~self._hidden[ids]]
        if len(fresh):
            self._hidden[fresh] = True
            self._hidden_count += len(fresh)
            self._version += 1
        return len(fresh)

    def _note(self, ids: Ids) -> None:
        if self._touched is not None:
            self._touched.update(int(i) for i in ids)

    def add(self, ids: Ids, vectors: Vectors) -> None:
        if len(ids) == 0:
            return
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        self._note(ids)
        self._hide(ids)
        self.delta.add(ids, vectors)

    def remove(self, ids: Ids) -> int:
        if len(ids) == 0:
            return 0
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        self._note(ids)
        return self._hide(ids) + self.delta.remove(ids)

    # -- reads ----------------------------------------------------------------------------
    def _saved_allowed(self, allowed: Ids | IdSet | None) -> Ids | IdSet | None:
        """``allowed`` less the hidden ids (kept for the same set until the next write:
        a tenant's eligible set is one object until then)."""
        if self._hidden_count == 0:
            return allowed
        cached = self._without_hidden
        if cached is not None and cached[0] is allowed and cached[1] == self._version:
            return cached[2]
        visible = ~self._hidden
        if allowed is None:
            found = IdSet(mask=self.saved.present & visible)
        else:
            given = IdSet.of(allowed)
            if given.dense:
                mask = given.mask.copy()
                size = min(len(mask), len(visible))
                mask[:size] &= visible[:size]
                found = IdSet(mask=mask)
            else:
                found = IdSet(ids=given.ids[member(given.ids, visible)])
        self._without_hidden = (allowed, self._version, found)
        return found

    def search(
        self, query: Vectors, k: int, allowed: Ids | IdSet | None = None
    ) -> tuple[npt.NDArray[np.float32], Ids]:
        query = np.ascontiguousarray(query.reshape(-1, self.dim), dtype=np.float32)
        k = max(1, k)
        scores, ids = self.saved.index.search(query, k, self._saved_allowed(allowed))
        if self.delta.count() == 0:
            return scores, ids
        more_scores, more_ids = self.delta.search(query, k, allowed)
        scores = np.concatenate([scores, more_scores], axis=1)
        ids = np.concatenate([ids, more_ids], axis=1)
        best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(scores, best, axis=1), np.take_along_axis(ids, best, axis=1)

    def vectors_of(self, ids: Ids) -> tuple[Ids, Vectors]:
        """(those of ``ids`` held, their vectors): as written for the ones written since the
        save, decoded from their 8-bit codes for the others."""
        ids = np.asarray(ids, dtype=np.int64)
        in_delta = member(ids, id_mask(self.delta.ids()))
        in_saved = ~in_delta & member(ids, self.saved.present)
        in_saved[in_saved] = ~self._hidden[ids[in_saved]]
        parts_ids, parts = [], []
        if in_delta.any():
            parts_ids.append(ids[in_delta])
            parts.append(self.delta.vectors(ids[in_delta]))
        if in_saved.any():
            parts_ids.append(ids[in_saved])
            parts.append(self.saved.index._index.reconstruct_batch(ids[in_saved]))
        if not parts:
            return np.empty(0, dtype=np.int64), np.empty((0, self.dim), dtype=np.float32)
        return np.concatenate(parts_ids), np.vstack(parts).astype(np.float32)

    def ids(self) -> Ids:
        shown = np.flatnonzero(self.saved.present & ~self._hidden).astype(np.int64)
        return np.concatenate([shown, self.delta.ids()])

    def count(self) -> int:
        return self.saved.count - self._hidden_count + self.delta.count()

    # -- saving ---------------------------------------------------------------------------
    def snapshot(self) -> SavePlan:
        """What a save merges, as it is now; writes from now on are noted, so that
        :meth:`adopt` keeps them apart from the saved file."""
        delta_ids = self.delta.ids()
        self._touched = set()
        return SavePlan(
            self.saved,
            np.flatnonzero(self._hidden).astype(np.int64),
            delta_ids,
            self.delta.vectors(delta_ids),
            self.dim,
        )

    def adopt(self, plan: SavePlan) -> None:
        """Search the file ``plan`` wrote; what was written since its snapshot stays in
        memory beside it."""
        assert plan.result is not None
        # Those written since: their saved vector (if any) is passed over, the one here kept.
        self.rebase(plan.result, np.array(sorted(self._touched or ()), dtype=np.int64))

    def abandon(self, plan: SavePlan) -> None:
        """Give up a save (its file could not be written): nothing changes but that writes
        are no longer noted."""
        self._touched = None

    def save(self, path: Path) -> None:
        plan = self.snapshot()
        try:
            plan.write(path)
        except BaseException:
            self.abandon(plan)
            raise
        self.adopt(plan)

    def rebase(self, saved: _Saved, stale: Ids) -> None:
        """Search ``saved`` from now on (a file another process wrote, or the one a save of
        this index wrote); ``stale`` are the ids whose vector there differs from the one here
        (or is there or here only), whose vectors here are kept beside it."""
        kept, vectors = self.vectors_of(stale)
        self._use(saved)
        self._hide(stale)
        self.delta.add(kept, vectors)
