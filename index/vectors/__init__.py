"""Vector-index backends, chosen by name through a small registry, or by pool size."""

from __future__ import annotations

from pathlib import Path

from index.vectors.base import Ids, IdSet, Mask, VectorIndex, Vectors, id_mask, member
from index.vectors.exact import ExactIndex
from index.vectors.faiss_index import FaissIndex, FaissIVFIndex, MappedIVFIndex, SavePlan, ivf_shape

BACKENDS: dict[str, type[FaissIndex] | type[FaissIVFIndex] | type[ExactIndex]] = {
    FaissIndex.kind: FaissIndex,
    FaissIVFIndex.kind: FaissIVFIndex,
    ExactIndex.kind: ExactIndex,
}
AUTO = "auto"
# Below this many vectors exact search is fast enough (about 3 ms a query at 50,000 on two
# cores) and removal cheap enough (a few ms); above it the inverted file takes over.
APPROXIMATE_FROM = 50_000


def _backend(kind: str) -> type[FaissIndex] | type[FaissIVFIndex] | type[ExactIndex]:
    try:
        return BACKENDS[kind]
    except KeyError:
        known = sorted([*BACKENDS, AUTO])
        raise ValueError(f"unknown vector index {kind!r}; known: {known}") from None


def choose(kind: str, count: int, approximate_from: int = APPROXIMATE_FROM) -> str:
    """The backend for a pool of ``count`` vectors: ``kind`` itself unless it is "auto"."""
    if kind != AUTO:
        _backend(kind)
        return kind
    return FaissIVFIndex.kind if count >= approximate_from else FaissIndex.kind


def build(kind: str, dim: int, ids: Ids, vectors: Vectors) -> VectorIndex:
    """An index of backend ``kind`` holding ``vectors`` under ``ids``."""
    backend = _backend(kind)
    if backend is FaissIVFIndex:
        nlist, nprobe = ivf_shape(len(ids))
        return FaissIVFIndex.build(dim, ids, vectors, nlist=nlist, nprobe=nprobe)
    index = backend(dim)
    index.add(ids, vectors)
    return index


def create(kind: str, dim: int) -> VectorIndex:
    """A new, empty index of an exact backend ``kind`` (an inverted file is built, see
    :func:`build`)."""
    backend = _backend(kind)
    if backend is FaissIVFIndex:
        raise ValueError(f"a {kind} index is trained on vectors: build it with build()")
    return backend(dim)


def load(kind: str, path: Path, dim: int) -> VectorIndex:
    """The index saved at ``path``: an inverted file is searched in place, memory-mapped
    (see :class:`MappedIVFIndex`); the exact indexes are read into memory."""
    backend = _backend(kind)
    if backend is FaissIVFIndex:
        return MappedIVFIndex.load(path, dim)
    return backend.load(path, dim)


__all__ = [
    "APPROXIMATE_FROM",
    "AUTO",
    "BACKENDS",
    "ExactIndex",
    "FaissIVFIndex",
    "FaissIndex",
    "IdSet",
    "Ids",
    "MappedIVFIndex",
    "Mask",
    "SavePlan",
    "VectorIndex",
    "Vectors",
    "build",
    "choose",
    "create",
    "id_mask",
    "load",
    "member",
]
