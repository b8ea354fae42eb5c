"""The vector-index interface every backend implements."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Ids = npt.NDArray[np.int64]


class VectorIndex(Protocol):
    """Inner-product search over unit vectors keyed by int64 candidate ids."""

    kind: str
    dim: int

    def add(self, ids: Ids, vectors: Vectors) -> None:
        """Add (or replace) the vectors of ``ids``."""

    def remove(self, ids: Ids) -> int:
        """Remove ``ids``; return how many were present."""

    def search(
        self, query: Vectors, k: int, allowed: Ids | None = None
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
