"""The sparse channel: BM25 over each candidate's résumé words and canonical skill ids.

Words are lower-cased, English stop words dropped and stemmed (Snowball), so "managed" meets
"management"; each skill the parser found adds a term ``skill:<id>``, so "JS" and "JavaScript"
meet. Scoring is bm25s's Lucene BM25, one model per tenant (document frequencies of one
company's pool say nothing about another's, and must not leak between them).

The index is derived from the store, like the vector index: built from it when the pool
opens (every tenant's model then, so the first match does not wait), then kept in step with
its writes. bm25s builds a model at once, so a write marks the tenant's model stale and the
next search rebuilds it (about 1 s per 10,000 résumés here).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from index.vectors import Ids, IdSet

WORD = re.compile(r"(?u)\b\w\w+\b")
SKILL_TERM = "skill:"
_STOP = frozenset(STOPWORDS_EN)
_stemmer = Stemmer.Stemmer("english")
_stem_lock = threading.Lock()  # a PyStemmer stemmer is not safe to share across threads


def terms(text: str, skill_ids: Iterable[str] = ()) -> list[str]:
    """The BM25 terms of a text and the skills found in it."""
    words = [w for w in WORD.findall(text.lower()) if w not in _STOP]
    with _stem_lock:
        stems: list[str] = _stemmer.stemWords(words)
    return stems + [SKILL_TERM + s for s in sorted(set(skill_ids))]


class _Tenant:
    def __init__(self) -> None:
        self.docs: dict[int, list[str]] = {}
        self.model: bm25s.BM25 | None = None
        self.ids: Ids = np.empty(0, dtype=np.int64)


class LexicalIndex:
    """BM25 per tenant over candidates' terms (see :func:`terms`)."""

    def __init__(self) -> None:
        self._tenants: dict[str, _Tenant] = {}
        self._lock = threading.Lock()

    def add(self, tenant: str, docs: Iterable[tuple[int, list[str]]]) -> None:
        """Add or replace candidates' terms."""
        with self._lock:
            mine = self._tenants.setdefault(tenant, _Tenant())
            for candidate_id, doc_terms in docs:
                mine.docs[candidate_id] = doc_terms
            mine.model = None

    def remove(self, tenant: str, ids: Iterable[int]) -> None:
        with self._lock:
            mine = self._tenants.get(tenant)
            if mine is not None:
                for candidate_id in ids:
                    mine.docs.pop(candidate_id, None)
                mine.model = None

    def build(self) -> None:
        """Build every tenant's model now (at start-up), not at its first search."""
        with self._lock:
            for mine in self._tenants.values():
                self._model(mine)

    def count(self, tenant: str) -> int:
        mine = self._tenants.get(tenant)
        return len(mine.docs) if mine else 0

    def _model(self, mine: _Tenant) -> tuple[bm25s.BM25 | None, Ids]:
        # A tenant whose documents hold no term at all has nothing to score (and bm25s
        # would divide by a zero average length).
        if mine.model is None and any(mine.docs.values()):
            ids = np.fromiter(mine.docs, dtype=np.int64, count=len(mine.docs))
            model = bm25s.BM25()
            model.index([mine.docs[int(i)] for i in ids], show_progress=False)
            mine.model, mine.ids = model, ids
        return mine.model, mine.ids

    def search(
        self, tenant: str, query: list[str], k: int, allowed: Ids | IdSet | None = None
    ) -> list[tuple[int, float]]:
        """Top ``k`` candidates (among ``allowed``, when given) by BM25 score, best first;
        only candidates sharing at least one term with the query."""
        with self._lock:
            mine = self._tenants.get(tenant)
            if mine is None:
                return []
            model, ids = self._model(mine)
        if model is None or not query:
            return []
        scores = np.asarray(model.get_scores(query), dtype=np.float64)
        if allowed is not None:
            scores = np.where(IdSet.of(allowed).contains(ids), scores, 0.0)
        found = np.flatnonzero(scores > 0)
        if len(found) > k:
            found = found[np.argpartition(-scores[found], k - 1)[:k]]
        found = found[np.lexsort((ids[found], -scores[found]))]
        return [(int(ids[i]), float(scores[i])) for i in found]
