"""The talent pool: SQL store (source of truth) and vector index (derived, rebuildable)."""

from index.pool import TalentPool
from index.store import Store, text_sha
from index.vectors import ExactIndex, FaissIndex, VectorIndex

__all__ = ["ExactIndex", "FaissIndex", "Store", "TalentPool", "VectorIndex", "text_sha"]
