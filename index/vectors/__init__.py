"""Vector-index backends, chosen by name through a small registry."""

from __future__ import annotations

from pathlib import Path

from index.vectors.base import Ids, VectorIndex, Vectors
from index.vectors.exact import ExactIndex
from index.vectors.faiss_index import FaissIndex

BACKENDS: dict[str, type[FaissIndex] | type[ExactIndex]] = {
    FaissIndex.kind: FaissIndex,
    ExactIndex.kind: ExactIndex,
}


def create(kind: str, dim: int) -> VectorIndex:
    """A new, empty index of backend ``kind``."""
    try:
        return BACKENDS[kind](dim)
    except KeyError:
        raise ValueError(f"unknown vector index {kind!r}; known: {sorted(BACKENDS)}") from None


def load(kind: str, path: Path, dim: int) -> VectorIndex:
    try:
        backend = BACKENDS[kind]
    except KeyError:
        raise ValueError(f"unknown vector index {kind!r}; known: {sorted(BACKENDS)}") from None
    return backend.load(path, dim)


__all__ = [
    "BACKENDS",
    "ExactIndex",
    "FaissIndex",
    "Ids",
    "VectorIndex",
    "Vectors",
    "create",
    "load",
]
