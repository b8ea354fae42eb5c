"""The sparse channel: BM25 over each candidate's résumé words and canonical skill ids.

Words go through one analyzer (:func:`words`): split on what is not a letter or digit,
lower-cased, English stop words dropped, Snowball-stemmed, so "managed" meets "management";
each skill the parser found is a term of its own field, so "JS" and "JavaScript" meet.

The index is tantivy's (Lucene's design in Rust): one index per tenant under the index
directory (document frequencies of one company's pool say nothing about another's, and must
not leak between them), on disk and memory-mapped, written incrementally. Each document
carries the candidate id and the version of what it was made from (:func:`lexical_version`),
so that on open the pool can bring the index in step with the store without re-reading the
rest (see :meth:`index.pool.TalentPool`).

Writes are queued in memory and applied by :meth:`LexicalIndex.commit`: the pool commits at
once (commands, tests) or from its saver thread; a search on a tenant with writes not yet
committed commits them first, so a write is always visible to the next search. tantivy lets
one writer at a time hold an index; the writer is taken for a commit and let go after it, so
another process (a command beside the service) waits its turn rather than failing.

A query is the job's :data:`QUERY_TERMS` most telling words (term frequency in the job ×
inverse document frequency in the tenant's pool) and all its skills: a job description's
other words are in most résumés, score little and would cost a scan of most of the pool.
"""

from __future__ import annotations

import hashlib
import logging
import math
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import tantivy

from index.vectors import Ids, IdSet

log = logging.getLogger(__name__)

QUERY_TERMS = 16  # see README, Ranking: 16 ranked better than 32, 64 or all, and costs half of 32
# Below this many allowed candidates the filter goes into the query as a set of ids; above,
# results are fetched generously and filtered (widening until k pass or none are left).
ID_SET_QUERY_MAX = 4096
WRITER_HEAP = 64_000_000  # bytes, a thread; a bulk write takes eight times as much
COMMIT_EVERY = 50_000  # documents: a bulk write is committed in parts of this size
LOCK_WAIT_SECONDS = 60.0
TEXT, SKILLS, ID, VERSION = "text", "skills", "id", "version"
ANALYZER = "words"


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


_words = _analyzer()
_words_lock = threading.Lock()


def words(text: str) -> list[str]:
    """The terms of ``text`` as the BM25 index holds them (stems, in order, repeated)."""
    with _words_lock:
        found: list[str] = _words.analyze(text)
    return found


def lexical_version(text_sha: str, skill_ids_json: str) -> int:
    """64 bits naming what a candidate's BM25 document is made of: the résumé text's SHA-256
    and the JSON list of its sorted skill ids (the store's columns)."""
    digest = hashlib.sha256(f"{text_sha}\n{skill_ids_json}".encode()).hexdigest()
    return int(digest[:16], 16)


@dataclass(frozen=True, slots=True)
class LexicalDoc:
    id: int
    version: int
    text: str
    skill_ids: list[str]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field(ID, indexed=True, fast=True)
    builder.add_unsigned_field(VERSION, fast=True)
    builder.add_text_field(TEXT, tokenizer_name=ANALYZER, index_option="freq")
    builder.add_text_field(SKILLS, tokenizer_name="raw", index_option="freq")
    return builder.build()


@dataclass(slots=True)
class _Shard:
    """One tenant's index and the writes queued for it (id → document, None to remove);
    during a bulk write, the writer held across its parts and the ids it has written (None:
    the index was not empty, so every write replaces)."""

    index: tantivy.Index
    queued: dict[int, LexicalDoc | None] = field(default_factory=dict)
    writer: tantivy.IndexWriter | None = None
    written: set[int] | None = None


class LexicalIndex:
    """BM25 per tenant, in ``directory`` (one sub-directory a tenant)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.schema = _schema()
        self._shards: dict[str, _Shard] = {}
        self._lock = threading.RLock()
        directory.mkdir(parents=True, exist_ok=True)
        for path in sorted(p for p in directory.iterdir() if p.is_dir()):
            self._shards[path.name] = self._open(path)

    def _open(self, path: Path) -> _Shard:
        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self.schema, path=str(path), reuse=True)
        index.register_tokenizer(ANALYZER, _analyzer())
        return _Shard(index)

    def _shard(self, tenant: str) -> _Shard:
        with self._lock:
            shard = self._shards.get(tenant)
            if shard is None:
                shard = self._shards[tenant] = self._open(self.directory / tenant)
            return shard

    def tenants(self) -> list[str]:
        return sorted(self._shards)

    # -- writes ---------------------------------------------------------------------------
    def add(self, tenant: str, docs: Iterable[LexicalDoc]) -> None:
        """Queue adding (or replacing) candidates' documents."""
        with self._lock:
            shard = self._shard(tenant)
            for doc in docs:
                shard.queued[doc.id] = doc
                if len(shard.queued) >= COMMIT_EVERY:  # a bulk write: not all in memory
                    self._apply(shard, final=False)

    def remove(self, tenant: str, ids: Iterable[int]) -> None:
        """Queue removing candidates."""
        with self._lock:
            shard = self._shards.get(tenant)
            if shard is not None:
                shard.queued.update(dict.fromkeys(int(i) for i in ids))

    def drop_tenant(self, tenant: str) -> None:
        """Delete a tenant's whole index (none of its candidates is left)."""
        with self._lock:
            shard = self._shards.pop(tenant, None)
            if shard is not None:
                if shard.writer is not None:
                    shard.writer.rollback()
                    shard.writer.wait_merging_threads()
                shutil.rmtree(self.directory / tenant, ignore_errors=True)

    @property
    def pending(self) -> bool:
        return any(s.queued or s.writer is not None for s in self._shards.values())

    def commit(self, tenant: str | None = None) -> None:
        """Apply the queued writes (of ``tenant``, or all) and make them visible."""
        with self._lock:
            for name in [tenant] if tenant is not None else list(self._shards):
                shard = self._shards.get(name)
                if shard is not None and (shard.queued or shard.writer is not None):
                    self._apply(shard)

    def _apply(self, shard: _Shard, *, final: bool = True) -> None:
        """Write the queue and commit it; with ``final``, also wait for the merges and let
        the writer go (else it is kept for the next part of a bulk write)."""
        items = list(shard.queued.items())
        shard.queued.clear()
        if shard.writer is None:
            shard.writer = self._writer(shard.index, bulk=len(items) > 1000)
            # Into an empty index (a first build) there is nothing to replace but what this
            # writer itself wrote.
            shard.written = set() if shard.index.searcher().num_docs == 0 else None
        writer, written = shard.writer, shard.written
        for candidate_id, doc in items:
            if written is None or candidate_id in written:
                writer.delete_documents_by_term(ID, candidate_id)
            if doc is not None:
                writer.add_document(self._document(doc))
                if written is not None:
                    written.add(candidate_id)
        writer.commit()
        if final:
            # Let background merges finish and release the writer's lock for another process.
            shard.writer = shard.written = None
            writer.wait_merging_threads()
            shard.index.reload()

    def _writer(self, index: tantivy.Index, *, bulk: bool) -> tantivy.IndexWriter:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                if bulk:  # larger segments: fewer merges
                    return index.writer(16 * WRITER_HEAP, 2)
                return index.writer(WRITER_HEAP, 1)
            except ValueError as error:  # LockBusy: another process is committing
                if "lock" not in str(error).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _document(self, doc: LexicalDoc) -> tantivy.Document:
        document = tantivy.Document()
        document.add_integer(ID, doc.id)
        document.add_unsigned(VERSION, doc.version)
        document.add_text(TEXT, doc.text)
        for skill in sorted(set(doc.skill_ids)):
            document.add_text(SKILLS, skill)
        return document

    def close(self) -> None:
        self.commit()

    # -- reads ----------------------------------------------------------------------------
    def _searcher(self, tenant: str) -> tantivy.Searcher | None:
        with self._lock:
            shard = self._shards.get(tenant)
            if shard is None:
                if not (self.directory / tenant / "meta.json").exists():
                    return None
                # Made by another process (a replica, a command) since this one opened.
                shard = self._shards[tenant] = self._open(self.directory / tenant)
            if shard.queued or shard.writer is not None:
                self._apply(shard)
            return shard.index.searcher()

    def count(self, tenant: str) -> int:
        searcher = self._searcher(tenant)
        return 0 if searcher is None else int(searcher.num_docs)

    def versions(self, tenant: str) -> tuple[Ids, npt.NDArray[np.uint64]]:
        """(ids, versions) of every document of ``tenant``, in ascending id order."""
        searcher = self._searcher(tenant)
        if searcher is None or searcher.num_docs == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64)
        found = [a for _, a in searcher.search(tantivy.Query.all_query(), searcher.num_docs).hits]
        ids = np.array(searcher.fast_field_values(ID, found), dtype=np.int64)
        versions = np.array(searcher.fast_field_values(VERSION, found), dtype=np.uint64)
        order = np.argsort(ids)
        return ids[order], versions[order]

    def _query(
        self, searcher: tantivy.Searcher, text: str, skill_ids: Iterable[str]
    ) -> tantivy.Query | None:
        total = searcher.num_docs
        weighed = []
        for term, tf in Counter(words(text)).items():
            df = searcher.doc_freq(TEXT, term)
            if df:
                weighed.append((-tf * math.log(1 + (total - df + 0.5) / (df + 0.5)), term))
        chosen = [(TEXT, t) for _, t in sorted(weighed)[:QUERY_TERMS]]
        chosen += [(SKILLS, s) for s in sorted(set(skill_ids)) if searcher.doc_freq(SKILLS, s)]
        if not chosen:
            return None
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, f, t, "freq"))
                for f, t in chosen
            ]
        )

    def search(
        self,
        tenant: str,
        text: str,
        k: int,
        allowed: Ids | IdSet | None = None,
        *,
        skill_ids: Iterable[str] = (),
    ) -> list[tuple[int, float]]:
        """Top ``k`` candidates of ``tenant`` (among ``allowed``, when given) by BM25 score
        for a job's ``text`` and ``skill_ids``, best first; only candidates sharing at least
        one term with the query."""
        searcher = self._searcher(tenant)
        if searcher is None or searcher.num_docs == 0 or k <= 0:
            return []
        query = self._query(searcher, text, skill_ids)
        if query is None:
            return []
        if allowed is None:
            return self._top(searcher, query, k)
        allowed = IdSet.of(allowed)
        if len(allowed) == 0:
            return []
        if len(allowed) <= ID_SET_QUERY_MAX:
            only = tantivy.Query.term_set_query(self.schema, ID, allowed.ids.tolist())
            query = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, query),
                    (tantivy.Occur.Must, tantivy.Query.const_score_query(only, 0.0)),
                ]
            )
            return self._top(searcher, query, k)
        share = min(1.0, len(allowed) / searcher.num_docs)
        limit = min(searcher.num_docs, max(2 * k, math.ceil(1.5 * k / share)))
        while True:
            hits = self._top(searcher, query, limit)
            kept = [h for h, ok in zip(hits, allowed.contains(self._ids(hits)), strict=True) if ok]
            if len(kept) >= k or len(hits) < limit or limit >= searcher.num_docs:
                return kept[:k]
            limit = min(searcher.num_docs, limit * 4)

    @staticmethod
    def _ids(hits: list[tuple[int, float]]) -> Ids:
        return np.fromiter((i for i, _ in hits), dtype=np.int64, count=len(hits))

    def _top(
        self, searcher: tantivy.Searcher, query: tantivy.Query, limit: int
    ) -> list[tuple[int, float]]:
        found = searcher.search(query, limit, count=False).hits
        ids = np.array(searcher.fast_field_values(ID, [a for _, a in found]), dtype=np.int64)
        hits = [(int(i), float(s)) for (s, _), i in zip(found, ids, strict=True)]
        # Equal scores in id order, whatever the segments' order.
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits
