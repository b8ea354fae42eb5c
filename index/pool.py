"""The talent pool: the SQL store and the vector index, kept consistent.

Writes go to the store first (the source of truth), then to the vector index, which is
saved with a manifest. On open, the index is checked against the store's embeddings and
rebuilt from them if they disagree (after a crash between the two writes), so nothing stored
is unsearchable and nothing searchable is unstored.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from pathlib import Path

import faiss
import numpy as np

from index import vectors as backends
from index.lexical import LexicalIndex, terms
from index.store import Store, text_sha
from index.vectors import Ids, VectorIndex, Vectors
from models import Candidate, IndexManifest, IndexMismatch, NewCandidate

log = logging.getLogger(__name__)
INDEX_FILE = "vectors.index"
MANIFEST_FILE = "manifest.json"


class TalentPool:
    def __init__(
        self,
        store: Store,
        index_dir: Path,
        *,
        model: str,
        dim: int,
        kind: str = backends.FaissIndex.kind,
    ) -> None:
        self.store = store
        self.index_dir = index_dir
        self.model = model
        self.dim = dim
        self.kind = kind
        self._lock = threading.RLock()
        index_dir.mkdir(parents=True, exist_ok=True)
        self.vectors = self._open_index()
        self.lexical = self._open_lexical()

    # -- opening --------------------------------------------------------------------------
    def manifest(self) -> IndexManifest | None:
        path = self.index_dir / MANIFEST_FILE
        if not path.exists():
            return None
        return IndexManifest.model_validate_json(path.read_text())

    def _open_index(self) -> VectorIndex:
        manifest = self.manifest()
        index_path = self.index_dir / INDEX_FILE
        if manifest is not None and (manifest.model != self.model or manifest.dim != self.dim):
            raise IndexMismatch(
                f"the index in {self.index_dir} was built with {manifest.model} "
                f"(dim {manifest.dim}), not {self.model} (dim {self.dim}); "
                "run `talentmatch reindex` to rebuild it"
            )
        index: VectorIndex | None = None
        if manifest is not None and index_path.exists():
            index = backends.load(manifest.kind, index_path, self.dim)
        ids, vectors = self.store.embeddings(self.model, self.dim)
        if index is None or not np.array_equal(np.sort(index.ids()), ids):
            if index is not None:
                log.warning("vector index disagrees with the store; rebuilding from the store")
            index = backends.create(self.kind, self.dim)
            index.add(ids, vectors)
            self._save(index)
        return index

    def _open_lexical(self) -> LexicalIndex:
        lexical = LexicalIndex()
        for tenant, candidate_id, text, skill_ids in self.store.lexical_rows():
            lexical.add(tenant, [(candidate_id, terms(text, skill_ids))])
        lexical.build()
        return lexical

    def rebuild(self) -> int:
        """Rebuild the vector and BM25 indexes from the store; return the vector count."""
        with self._lock:
            self.lexical = self._open_lexical()
            ids, vectors = self.store.embeddings(self.model, self.dim)
            index = backends.create(self.kind, self.dim)
            index.add(ids, vectors)
            self._save(index)
            self.vectors = index
            return index.count()

    def _save(self, index: VectorIndex) -> None:
        index.save(self.index_dir / INDEX_FILE)
        manifest = IndexManifest(
            model=self.model,
            dim=self.dim,
            count=index.count(),
            kind=index.kind,
            faiss_version=faiss.__version__,
            built_at=dt.datetime.now(dt.UTC),
        )
        tmp = self.index_dir / (MANIFEST_FILE + ".tmp")
        tmp.write_text(json.dumps(manifest.model_dump(mode="json"), indent=2))
        os.replace(tmp, self.index_dir / MANIFEST_FILE)

    # -- writes ---------------------------------------------------------------------------
    def upsert(
        self, records: list[tuple[NewCandidate, Vectors | None]]
    ) -> list[tuple[Candidate, bool]]:
        """Store candidates (and the vectors given), then index them; see Store.upsert."""
        with self._lock:
            saved = self.store.upsert(records, self.model)
            fresh = [
                (c.id, v) for (c, _), (_, v) in zip(saved, records, strict=True) if v is not None
            ]
            if fresh:
                self.vectors.add(
                    np.array([i for i, _ in fresh], dtype=np.int64),
                    np.vstack([v for _, v in fresh]).astype(np.float32),
                )
                self._save(self.vectors)
            for candidate, _ in saved:
                self.lexical.add(
                    candidate.tenant,
                    [(candidate.id, terms(candidate.resume.text, candidate.resume.skill_ids()))],
                )
            return saved

    def delete(self, tenant: str, candidate_id: int) -> None:
        """Erase a candidate from the store and the index. Raises NotFound."""
        self.delete_many([(tenant, candidate_id)])

    def delete_many(self, victims: list[tuple[str, int]]) -> None:
        """Erase candidates given as (tenant, id) from the store, then from the vector and
        BM25 indexes, saving the vector index once. Raises NotFound for the first one
        missing; those before it are erased."""
        with self._lock:
            done: list[tuple[str, int]] = []
            try:
                for tenant, candidate_id in victims:
                    self.store.delete(tenant, candidate_id)
                    done.append((tenant, candidate_id))
            finally:
                if done:
                    self.vectors.remove(np.array([i for _, i in done], dtype=np.int64))
                    self._save(self.vectors)
                    for tenant in {t for t, _ in done}:
                        self.lexical.remove(tenant, [i for t, i in done if t == tenant])

    def needs_embedding(self, tenant: str, records: list[NewCandidate]) -> list[bool]:
        """For each record, whether its text differs from the one whose vector is stored."""
        stored = self.store.stored_text_shas(tenant, [r.external_id for r in records], self.model)
        return [stored.get(r.external_id) != text_sha(r.resume.text) for r in records]

    # -- reads ----------------------------------------------------------------------------
    def search(
        self,
        query: Vectors,
        k: int,
        tenant: str,
        today: dt.date | None = None,
        *,
        allowed: Ids | None = None,
    ) -> list[tuple[int, float]]:
        """Top ``k`` eligible candidates of ``tenant`` by cosine similarity, best first;
        ``allowed``, when given, is the set of eligible ids, already worked out."""
        if allowed is None:
            allowed = self.store.eligible_ids(tenant, today or dt.date.today())
        with self._lock:
            scores, ids = self.vectors.search(query, k, allowed=allowed)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def count(self) -> int:
        return self.vectors.count()
