"""Exact NumPy backend: the reference the fast path is checked against."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.vectors.base import Ids, IdSet, Vectors


class ExactIndex:
    kind = "numpy-exact"

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._ids = np.empty(0, dtype=np.int64)
        self._vectors = np.empty((0, dim), dtype=np.float32)

    @classmethod
    def load(cls, path: Path, dim: int) -> ExactIndex:
        with np.load(path) as data:
            index = cls(dim)
            index._ids, index._vectors = data["ids"], data["vectors"]
        return index

    def add(self, ids: Ids, vectors: Vectors) -> None:
        self.remove(ids)
        self._ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)])
        self._vectors = np.vstack([self._vectors, np.asarray(vectors, dtype=np.float32)])

    @property
    def params(self) -> dict[str, int]:
        return {}

    def remove(self, ids: Ids) -> int:
        keep = ~np.isin(self._ids, ids)
        removed = int((~keep).sum())
        self._ids, self._vectors = self._ids[keep], self._vectors[keep]
        return removed

    def search(
        self, query: Vectors, k: int, allowed: Ids | IdSet | None = None
    ) -> tuple[npt.NDArray[np.float32], Ids]:
        query = query.reshape(-1, self.dim).astype(np.float32)
        k = max(1, k)
        scores = query @ self._vectors.T
        if allowed is not None:
            scores[:, ~IdSet.of(allowed).contains(self._ids)] = -np.inf
        out_scores = np.full((len(query), k), -np.inf, dtype=np.float32)
        out_ids = np.full((len(query), k), -1, dtype=np.int64)
        for row, row_scores in enumerate(scores):
            order = np.argsort(-row_scores, kind="stable")[:k]
            order = order[np.isfinite(row_scores[order])]
            out_scores[row, : len(order)] = row_scores[order]
            out_ids[row, : len(order)] = self._ids[order]
        return out_scores, out_ids

    def ids(self) -> Ids:
        return self._ids.copy()

    def count(self) -> int:
        return len(self._ids)

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, ids=self._ids, vectors=self._vectors)
        os.replace(tmp, path)
