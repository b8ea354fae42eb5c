"""Re-index the pool: re-extract skills with the current taxonomy, re-embed what the
current model has no vector for (or whose text changed), and rebuild the vector index."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from index import text_sha
from matcher.engine import Matcher, profile_text
from models import Candidate


@dataclass(frozen=True, slots=True)
class ReindexReport:
    candidates: int
    reparsed: int
    embedded: int
    indexed: int


def reindex(
    matcher: Matcher,
    *,
    batch_size: int = 64,
    on_total: Callable[[int], None] | None = None,
    on_advance: Callable[[int], None] | None = None,
) -> ReindexReport:
    store, pool = matcher.pool.store, matcher.pool
    if on_total is not None:
        on_total(store.count())
    stale = set(store.ids_without_embedding(pool.model))
    reparsed = embedded = seen = 0
    batch: list[Candidate] = []

    def flush() -> None:
        nonlocal embedded
        todo = [c for c in batch if c.id in stale]
        if todo:
            vectors = matcher.encoder.encode_documents([profile_text(c.resume) for c in todo])
            store.put_embeddings(
                pool.model,
                [(c.id, text_sha(c.resume.text), v) for c, v in zip(todo, vectors, strict=True)],
            )
            embedded += len(todo)
        if on_advance is not None:
            on_advance(len(batch))
        batch.clear()

    for candidate in store.iter_candidates():
        seen += 1
        fresh = matcher.parser.parse_resume_text(candidate.resume.text, fmt=candidate.resume.format)
        if fresh != candidate.resume:
            store.replace_resume(candidate.id, fresh)
            reparsed += 1
            if profile_text(fresh) != profile_text(candidate.resume):
                stale.add(candidate.id)
        batch.append(candidate.model_copy(update={"resume": fresh}))
        if len(batch) >= batch_size:
            flush()
    flush()
    indexed = pool.rebuild()
    return ReindexReport(seen, reparsed, embedded, indexed)
