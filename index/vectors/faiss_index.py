"""FAISS backend: an ID map over an exact inner-product index."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from index.vectors.base import Ids, Vectors


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
        self, query: Vectors, k: int, allowed: Ids | None = None
    ) -> tuple[npt.NDArray[np.float32], Ids]:
        query = np.ascontiguousarray(query.reshape(-1, self.dim), dtype=np.float32)
        k = max(1, k)
        if allowed is not None:
            if len(allowed) == 0:
                return (
                    np.full((len(query), k), -np.inf, dtype=np.float32),
                    np.full((len(query), k), -1, dtype=np.int64),
                )
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            params = faiss.SearchParameters()
            params.sel = selector
            scores, ids = self._index.search(query, k, params=params)
        else:
            scores, ids = self._index.search(query, k)
        return scores.astype(np.float32), ids.astype(np.int64)

    def ids(self) -> Ids:
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def count(self) -> int:
        return int(self._index.ntotal)

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(path.suffix + ".tmp")
        faiss.write_index(self._index, str(tmp))
        os.replace(tmp, path)
