"""The vector-index interface every backend implements."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Ids = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


def id_mask(ids: Ids, size: int = 0) -> Mask:
    """A boolean array, True at each of ``ids`` (ids are small non-negative integers: the
    store's candidate ids), of length ``size`` or just long enough."""
    ids = np.asarray(ids, dtype=np.int64)
    mask = np.zeros(max(size, int(ids.max()) + 1 if len(ids) else 0), dtype=np.bool_)
    mask[ids] = True
    return mask


def member(ids: Ids, mask: Mask) -> Mask:
    """For each of ``ids``, whether ``mask`` (see :func:`id_mask`) holds it."""
    ids = np.asarray(ids, dtype=np.int64)
    inside = ids < len(mask)
    out = np.zeros(len(ids), dtype=np.bool_)
    out[inside] = mask[ids[inside]]
    return out


class IdSet:
    """A set of candidate ids, held as ascending ids and as a mask by id, each form made
    from the other once and kept: a match asks the vector index (a bitmap), the BM25 index
    (the mask) and the store (the ids) about the same eligible set, and the pool keeps the
    set of each tenant for as long as nothing is written."""

    def __init__(self, *, ids: Ids | None = None, mask: Mask | None = None) -> None:
        if (ids is None) == (mask is None):
            raise ValueError("an IdSet is made from ids or from a mask")
        self._ids = None if ids is None else np.unique(np.asarray(ids, dtype=np.int64))
        self._mask = mask
        self._bitmap: npt.NDArray[np.uint8] | None = None
        self._size: int | None = None

    @classmethod
    def of(cls, allowed: Ids | IdSet) -> IdSet:
        return allowed if isinstance(allowed, IdSet) else cls(ids=allowed)

    @property
    def ids(self) -> Ids:
        if self._ids is None:
            assert self._mask is not None
            self._ids = np.flatnonzero(self._mask).astype(np.int64)
        return self._ids

    @property
    def mask(self) -> Mask:
        """True at each id (only for a :attr:`dense` set: its length is the largest id)."""
        if self._mask is None:
            self._mask = id_mask(self.ids)
        return self._mask

    @property
    def bitmap(self) -> npt.NDArray[np.uint8]:
        """Bit ``i % 8`` of byte ``i // 8`` for id ``i``: FAISS's IDSelectorBitmap."""
        if self._bitmap is None:
            self._bitmap = np.packbits(self.mask, bitorder="little")
        return self._bitmap

    @property
    def dense(self) -> bool:
        """Whether a mask by id is small beside the set: true of the store's ids (dense from
        1); not of ids a caller sent, which may be any 63-bit number."""
        if self._mask is not None or len(self.ids) == 0:
            return True
        return int(self.ids[-1]) < max(1 << 20, 64 * len(self.ids))

    def contains(self, ids: Ids) -> Mask:
        """For each of ``ids``, whether it is in the set."""
        if not self.dense:
            return np.isin(np.asarray(ids, dtype=np.int64), self.ids)
        return member(ids, self.mask)

    def __len__(self) -> int:
        if self._size is None:
            self._size = int(np.count_nonzero(self.mask)) if self._ids is None else len(self._ids)
        return self._size


class VectorIndex(Protocol):
    """Inner-product search over unit vectors keyed by int64 candidate ids."""

    kind: str
    dim: int

    @property
    def params(self) -> dict[str, int]:
        """The backend's tuning (cells, cells visited), recorded in the manifest."""

    def add(self, ids: Ids, vectors: Vectors) -> None:
        """Add (or replace) the vectors of ``ids``."""

    def remove(self, ids: Ids) -> int:
        """Remove ``ids``; return how many were present."""

    def search(
        self, query: Vectors, k: int, allowed: Ids | IdSet | None = None
    ) -> tuple[npt.NDArray[np.float32], Ids]:
        """Top ``k`` (scores, ids) per query row, best first, padded with id -1.

        With ``allowed``, only those ids are considered, so a selective filter still
        returns up to ``k`` results.
        """

    def ids(self) -> Ids:
        """Every id in the index."""

    def count(self) -> int: ...

    def save(self, path: Path) -> None:
        """Write the index to ``path`` atomically."""
