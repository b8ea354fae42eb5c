"""The talent pool: the SQL store and the vector index, kept consistent.

Writes go to the store first (the source of truth), then to the indexes: the vector index
and the roster (who may be matched) in memory, the BM25 index on disk (see
:mod:`index.lexical`, committed with each save and brought in step with the store on open
the same way). The vector index is saved
with a manifest and the version of the text behind each vector, at once or, with
``save_delay``, by a background thread at most every ``save_delay`` seconds (so that a write
to a pool of a million does not rewrite hundreds of megabytes). On open the saved index is
brought in step with the store: vectors of erased candidates are removed, missing or stale
ones (a crash between the two writes, or before the next save) are read back from the store.
Nothing stored is unsearchable and nothing searchable is unstored.

Several processes may serve one pool (replicas of the service, a command beside it): each
holds its own indexes in memory and follows the others' writes through the store's record of
changes (:meth:`TalentPool.follow`, before each match of a tenant and every few seconds).
One of them, the first to open the folder, saves the vector index; the others never write
it. The BM25 index is one on disk, written by whichever process took the write and read by
all (each reader sees another's commit within about half a second). Opening and saving are
serialised between processes by file locks in the index folder.

The vector backend follows the pool's size when ``kind`` is "auto": exact search below
:data:`index.vectors.APPROXIMATE_FROM` vectors, an inverted file above (see
:mod:`index.vectors.faiss_index`), recorded in the manifest.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import faiss
import numpy as np
import numpy.typing as npt

from index import vectors as backends
from index.lexical import LexicalIndex
from index.memory import prefetch, release_free_memory
from index.profiles import ProfileRow, Profiles
from index.store import Store, lexical_doc, text_version
from index.vectors import Ids, IdSet, MappedIVFIndex, VectorIndex, Vectors, id_mask, member
from index.vectors.faiss_index import map_saved
from models import Candidate, Filters, IndexManifest, IndexMismatch, NewCandidate

log = logging.getLogger(__name__)
INDEX_FILE = "vectors.index"
VERSIONS_FILE = "versions.npz"
MANIFEST_FILE = "manifest.json"
LEXICAL_DIR = "lexical"
NO_DEADLINE = np.iinfo(np.int32).max
# The saver writes the vector index at most so often that saving takes this share of the
# time: a save holds the pool (searches and writes wait), about 0.3 s at a million vectors.
SAVE_SHARE = 1 / 300
# Changes other processes may still need are kept this long in the store, then pruned by the
# process that saves the index (a process further behind reads the pool again).
CHANGES_KEPT = dt.timedelta(hours=1)
PRUNE_EVERY_SECONDS = 600.0
OPEN_LOCK, SAVE_LOCK, LEADER_LOCK = "open.lock", "save.lock", "leader.lock"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (between processes; waits for it)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _try_lock(path: Path) -> IO[str] | None:
    """The open ``path`` with an exclusive lock on it, held until it is closed; None when
    another holds it."""
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


class Roster:
    """What eligibility depends on before the caller's filters, in memory and by candidate
    id: the tenant, consent and the retention deadline. Answers "who may be matched" for a
    pool of a million in a few milliseconds, where the store would take a second."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self.tenant = np.full(0, -1, dtype=np.int32)
        self.contact = np.zeros(0, dtype=np.bool_)
        self.until = np.zeros(0, dtype=np.int32)
        self._cache: dict[tuple[str, int], IdSet] = {}
        self._sizes: dict[int, int] = {}  # candidates by tenant code, kept with each write

    def _grow(self, top: int) -> None:
        if top < len(self.tenant):
            return
        size = max(top + 1, 2 * len(self.tenant), 1024)
        grow = size - len(self.tenant)
        self.tenant = np.concatenate([self.tenant, np.full(grow, -1, dtype=np.int32)])
        self.contact = np.concatenate([self.contact, np.zeros(grow, dtype=np.bool_)])
        self.until = np.concatenate([self.until, np.zeros(grow, dtype=np.int32)])

    def set(self, rows: list[tuple[int, str, bool, dt.date | None]]) -> None:
        """Record (id, tenant, may be contacted, retention deadline) rows."""
        if not rows:
            return
        self._grow(max(r[0] for r in rows))
        for candidate_id, tenant, may_contact, until in rows:
            code = self._codes.setdefault(tenant, len(self._codes))
            was = int(self.tenant[candidate_id])
            if was != code:
                if was >= 0:
                    self._sizes[was] -= 1
                self._sizes[code] = self._sizes.get(code, 0) + 1
            self.tenant[candidate_id] = code
            self.contact[candidate_id] = may_contact
            self.until[candidate_id] = NO_DEADLINE if until is None else until.toordinal()
        self._cache.clear()

    def drop(self, ids: list[int]) -> None:
        ids = sorted({i for i in ids if i < len(self.tenant)})
        for code in self.tenant[ids].tolist():
            if code >= 0:
                self._sizes[code] -= 1
        self.tenant[ids] = -1
        self._cache.clear()

    def size(self, tenant: str) -> int:
        """How many candidates ``tenant`` holds, eligible or not."""
        code = self._codes.get(tenant)
        return 0 if code is None else self._sizes.get(code, 0)

    def eligible(self, tenant: str, today: dt.date) -> IdSet:
        """``tenant``'s candidates who may be contacted and are within retention on
        ``today`` (what :meth:`Store.eligible_ids` answers without filters); kept until
        the next write."""
        key = (tenant, today.toordinal())
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        code = self._codes.get(tenant)
        if code is None:
            found = IdSet(ids=np.empty(0, dtype=np.int64))
        else:
            found = IdSet(
                mask=(self.tenant == code) & self.contact & (self.until >= today.toordinal())
            )
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[key] = found
        return found


def _roster_row(candidate: Candidate) -> tuple[int, str, bool, dt.date | None]:
    return (
        candidate.id,
        candidate.tenant,
        candidate.consent.may_contact,
        candidate.consent.retention_until,
    )


def _profile_row(candidate: Candidate) -> ProfileRow:
    """As :meth:`Store.profile_rows` reads it back."""
    resume = candidate.resume
    return ProfileRow(
        candidate.id,
        resume.skill_ids(),
        resume.skills_last_used(),
        resume.skill_years(),
        resume.titles,
        resume.years_experience,
        candidate.location,
        candidate.remote,
    )


class TalentPool:
    def __init__(
        self,
        store: Store,
        index_dir: Path,
        *,
        model: str,
        dim: int,
        kind: str = backends.AUTO,
        approximate_from: int = backends.APPROXIMATE_FROM,
        save_delay: float = 0.0,
    ) -> None:
        self.store = store
        self.index_dir = index_dir
        self.model = model
        self.dim = dim
        self.kind = kind
        self.approximate_from = approximate_from
        self.save_delay = save_delay
        self._lock = threading.RLock()
        # Which text each indexed vector was made from, by candidate id (0: no vector).
        self._versions: npt.NDArray[np.uint64] = np.zeros(0, dtype=np.uint64)
        self._dirty = False  # a write the saved index lacks
        self._wake = threading.Event()  # for the saver: a write, or closing
        self._closing = threading.Event()
        self._saver: threading.Thread | None = None
        self._saved: IndexManifest | None = None
        self._save_seconds = 0.0  # how long the last save took, and when it ended
        self._saved_at = 0.0
        # Handing over to a pool opened on a re-built index (see ``hand_over``).
        self._recording: set[int] | None = None
        self._successor: TalentPool | None = None
        index_dir.mkdir(parents=True, exist_ok=True)
        # The folder itself, not a link to it: a re-index points the link elsewhere, and
        # this pool keeps saving where it was opened.
        self.index_dir = index_dir.resolve()
        backends.choose(kind, 0)  # refuse an unknown kind before loading anything
        # Each tenant's revision whose writes the indexes hold; read before loading, so that
        # what other processes write meanwhile is followed again (which changes nothing).
        self._applied = self.store.revisions()
        self._pruned_at = 0.0
        # A service saves the vector index only while it holds the leader lock (commands,
        # saving at once, always save): one copy written, whatever the number of replicas.
        self._leader: IO[str] | None = (
            _try_lock(self.index_dir / LEADER_LOCK) if save_delay > 0 else None
        )
        try:
            with _locked(self.index_dir / OPEN_LOCK):  # one process catches up at a time
                self.vectors = self._open_index()
                self.lexical = self._open_lexical()
            self._read_roster_and_profiles()
            self._reread_search_files()
        except BaseException:
            if self._leader is not None:  # another process may save in this one's stead
                self._leader.close()
            raise
        if save_delay > 0:
            self._saver = threading.Thread(target=self._save_loop, name="save-index", daemon=True)
            self._saver.start()

    # -- opening --------------------------------------------------------------------------
    def saved_manifest(self) -> IndexManifest | None:
        """The manifest saved beside the index files."""
        path = self.index_dir / MANIFEST_FILE
        if not path.exists():
            return None
        return IndexManifest.model_validate_json(path.read_text())

    def manifest(self) -> IndexManifest | None:
        """The live index: the saved manifest, with the count of vectors searched now (a
        write reaches the saved one up to ``save_delay`` later)."""
        saved = self._saved
        if saved is None:
            return None
        return saved.model_copy(
            update={
                "count": self.vectors.count(),
                "kind": self.vectors.kind,
                "params": self.vectors.params,
            }
        )

    def _open_index(self) -> VectorIndex:
        manifest = self._saved = self.saved_manifest()
        if manifest is not None and (manifest.model != self.model or manifest.dim != self.dim):
            raise IndexMismatch(
                f"the index in {self.index_dir} was built with {manifest.model} "
                f"(dim {manifest.dim}), not {self.model} (dim {self.dim}); "
                "run `talentmatch reindex` to rebuild it"
            )
        index = self._load_saved(manifest)
        stored_ids, stored_versions = self.store.embedding_versions(self.model)
        if index is None or not self._fits(index.kind, len(stored_ids)):
            return self._build(stored_ids, stored_versions)
        self._catch_up(index, stored_ids, stored_versions)
        return index

    def _fits(self, kind: str, count: int) -> bool:
        """Whether an index of backend ``kind`` suits a pool of ``count`` vectors: the one
        asked for; with "auto", exact search while the pool is small, and an inverted file
        once built (it stays, should the pool shrink)."""
        if self.kind != backends.AUTO:
            return kind == self.kind
        return kind == backends.FaissIVFIndex.kind or kind == backends.choose(
            backends.AUTO, count, self.approximate_from
        )

    def _load_saved(self, manifest: IndexManifest | None) -> VectorIndex | None:
        index_path = self.index_dir / INDEX_FILE
        versions_path = self.index_dir / VERSIONS_FILE
        if manifest is None or not index_path.exists():
            return None
        try:
            index = backends.load(manifest.kind, index_path, self.dim)
            if versions_path.exists():
                with np.load(versions_path) as saved:
                    self._set_versions(saved["ids"], saved["versions"])
        except (RuntimeError, ValueError, OSError, KeyError) as error:
            log.warning("the saved vector index cannot be read (%s); rebuilding it", error)
            return None
        return index

    def _catch_up(self, index: VectorIndex, ids: Ids, versions: npt.NDArray[np.uint64]) -> None:
        """Bring a saved ``index`` in step with the store's vectors (``ids``, ``versions``)."""
        present = index.ids()
        gone = present[~member(present, id_mask(ids))]
        known = np.zeros(len(ids), dtype=np.uint64)
        inside = ids < len(self._versions)
        known[inside] = self._versions[ids[inside]]
        stale = ids[~member(ids, id_mask(present)) | (known != versions)]
        self._versions = np.zeros(0, dtype=np.uint64)
        self._set_versions(ids, versions)
        if len(gone) == 0 and len(stale) == 0:
            return
        log.warning(
            "vector index behind the store: removing %d, adding %d vectors", len(gone), len(stale)
        )
        index.remove(gone)
        fresh_ids, fresh = self.store.embeddings(self.model, self.dim, stale.tolist())
        index.add(fresh_ids, fresh)
        if self._may_save():
            self._save(index)

    def _build(self, ids: Ids, versions: npt.NDArray[np.uint64]) -> VectorIndex:
        kind = backends.choose(self.kind, len(ids), self.approximate_from)
        started = time.perf_counter()
        stored_ids, vectors = self.store.embeddings(self.model, self.dim)
        index = backends.build(kind, self.dim, stored_ids, vectors)
        log.info(
            "built a %s vector index of %d in %.1f s", kind, len(ids), time.perf_counter() - started
        )
        self._versions = np.zeros(0, dtype=np.uint64)
        self._set_versions(ids, versions)
        if self._may_save():
            self._save(index)
            if kind == backends.FaissIVFIndex.kind:  # searched in place from now on
                index = backends.load(kind, self.index_dir / INDEX_FILE, self.dim)
        return index

    def _open_lexical(self) -> LexicalIndex:
        lexical = LexicalIndex(self.index_dir / LEXICAL_DIR)
        self._catch_up_lexical(lexical)
        return lexical

    def _catch_up_lexical(self, lexical: LexicalIndex) -> None:
        """Bring the BM25 index in step with the store: documents of erased candidates
        are removed, missing or stale ones (another text, other skills) are made again."""
        stored = self.store.lexical_versions()
        for tenant in lexical.tenants():
            if tenant not in stored:
                lexical.drop_tenant(tenant)
        gone_count, stale = 0, []
        for tenant, (ids, versions) in stored.items():
            have_ids, have_versions = lexical.versions(tenant)
            gone = have_ids[~np.isin(have_ids, ids)]
            lexical.remove(tenant, gone.tolist())
            gone_count += len(gone)
            at = np.minimum(np.searchsorted(have_ids, ids), max(len(have_ids) - 1, 0))
            known = np.zeros(len(ids), dtype=np.uint64)
            if len(have_ids):
                known = np.where(have_ids[at] == ids, have_versions[at], np.uint64(0))
            stale += ids[known != versions].tolist()
        if gone_count or stale:
            log.warning(
                "BM25 index behind the store: removing %d, adding %d documents",
                gone_count,
                len(stale),
            )
        everyone = len(stale) == sum(len(ids) for ids, _ in stored.values())
        for tenant, doc in self.store.lexical_rows(None if everyone else stale):
            lexical.add(tenant, [doc])
        lexical.commit()

    def _read_roster_and_profiles(self) -> None:
        """Who may be matched, and every candidate's profile, read from the store anew."""
        self.roster = Roster()
        self.roster.set(list(self.store.roster()))
        self.profiles = self._open_profiles()

    def _open_profiles(self) -> Profiles:
        profiles = Profiles()
        page: list[ProfileRow] = []
        for row in self.store.profile_rows():
            page.append(row)
            if len(page) == 20_000:
                profiles.set(page)
                page = []
        profiles.set(page)
        profiles.trim()
        return profiles

    def _reread_search_files(self) -> None:
        """After the profiles were read: that read the store through the page cache, so the
        files searched in place are read back in, and the next searches do not wait on the
        disk (``prefetch``). Not after a rebuild, which has just written them."""
        prefetch([self.index_dir / INDEX_FILE, self.index_dir / LEXICAL_DIR])

    def rebuild_lexical(self) -> None:
        """Bring the BM25 index in step with the store (after a tenant's blind setting
        changed: its documents hold the other text now)."""
        with self._lock:
            self._catch_up_lexical(self.lexical)

    def rebuild(self) -> int:
        """Rebuild the vector index from the store and bring the BM25 index in step with
        it (skills may have changed); return the vector count."""
        with self._lock:
            self._catch_up_lexical(self.lexical)
            self._read_roster_and_profiles()
            self.vectors = self._build(*self.store.embedding_versions(self.model))
            return self.vectors.count()

    # -- saving ---------------------------------------------------------------------------
    def _may_save(self) -> bool:
        return self.save_delay == 0 or self._leader is not None

    def _save(self, index: VectorIndex) -> None:
        with _locked(self.index_dir / SAVE_LOCK):
            self._save_unlocked(index)

    def _save_unlocked(self, index: VectorIndex) -> None:
        if isinstance(index, MappedIVFIndex) and index.saving:
            self._dirty = True  # the saver is writing it: once more after that
            return
        started = time.monotonic()
        index.save(self.index_dir / INDEX_FILE)
        if isinstance(index, MappedIVFIndex):
            release_free_memory()  # the copy of the lists the merge read
        count = index.saved.count if isinstance(index, MappedIVFIndex) else index.count()
        self._record(index, count, self._versions, started)

    def _record(
        self, index: VectorIndex, count: int, versions: npt.NDArray[np.uint64], started: float
    ) -> None:
        """Write the versions and the manifest of the index file just written, which holds
        ``count`` vectors."""
        # After the index: versions older than the index only make the next open re-read
        # a few vectors; newer ones would hide a stale vector.
        tmp = self.index_dir / (VERSIONS_FILE + ".tmp.npz")
        ids = np.flatnonzero(versions)
        np.savez(tmp, ids=ids, versions=versions[ids])
        os.replace(tmp, self.index_dir / VERSIONS_FILE)
        manifest = IndexManifest(
            model=self.model,
            dim=self.dim,
            count=count,
            kind=index.kind,
            params=index.params,
            faiss_version=faiss.__version__,
            built_at=dt.datetime.now(dt.UTC),
        )
        tmp = self.index_dir / (MANIFEST_FILE + ".tmp")
        tmp.write_text(json.dumps(manifest.model_dump(mode="json"), indent=2))
        os.replace(tmp, self.index_dir / MANIFEST_FILE)
        self._saved = manifest
        self._saved_at = time.monotonic()
        self._save_seconds = self._saved_at - started

    def _changed(self) -> None:
        """After a write (under the lock): save now, or let the saver do it shortly."""
        if self.save_delay > 0:
            self._dirty = True
            self._wake.set()
        else:
            self._save(self.vectors)

    def _lexical_changed(self) -> None:
        """After a write to the BM25 index: commit now, or let the saver do it (a search
        commits what is queued for its tenant first, so the write is visible either way)."""
        if self.save_delay > 0:
            self._wake.set()
        else:
            self.lexical.commit()

    def _save_loop(self) -> None:
        while not self._closing.is_set():
            self._wake.wait()
            # Coalesce a burst of writes into one save, save_delay after the first; close()
            # cuts the waits short and saves the rest itself.
            if self._closing.wait(self.save_delay):
                return
            self._wake.clear()  # a write from now on wakes the loop again
            self.lexical.commit()
            # A large index is saved less often (see SAVE_SHARE): nothing is lost meanwhile,
            # the store has every vector, and an index opened after a crash reads back
            # those it lacks.
            rest = self._save_seconds / SAVE_SHARE - (time.monotonic() - self._saved_at)
            if rest > 0 and self._closing.wait(rest):
                return
            if self._leader is None:  # the process that saved has stopped: take over
                self._leader = _try_lock(self.index_dir / LEADER_LOCK)
            if self._leader is not None:
                self._save_beside()
                self._prune()

    def _save_beside(self) -> None:
        """Save what is not saved yet. An inverted file searched in place is merged into a
        new file outside the lock (about a second at a million vectors, while searches and
        writes go on), then searched; any other index is saved under the lock."""
        with self._lock:
            if not self._dirty:
                return
            self._dirty = False
            index = self.vectors
            if not isinstance(index, MappedIVFIndex):
                self._save(index)
                return
            plan = index.snapshot()
            versions = self._versions.copy()
        try:
            started = time.monotonic()
            with _locked(self.index_dir / SAVE_LOCK):
                count = plan.write(self.index_dir / INDEX_FILE)
                self._record(index, count, versions, started)
        finally:
            with self._lock:
                if plan.result is None:  # not written: the writes stay in memory
                    index.abandon(plan)
                    self._dirty = True
                else:
                    index.adopt(plan)
            release_free_memory()  # the copy of the lists the merge read

    def _prune(self) -> None:
        """Delete the store's record of changes old enough that no process still needs it
        (every few minutes, from the process that saves)."""
        if time.monotonic() - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = time.monotonic()
        pruned = self.store.prune_changes(dt.datetime.now(dt.UTC) - CHANGES_KEPT)
        if pruned:
            log.info("pruned %d changes older than %s", pruned, CHANGES_KEPT)

    def flush(self) -> None:
        """Save the vector index and commit the BM25 index now if a write has not been
        saved yet."""
        with self._lock:
            if self._dirty and self._may_save():
                self._dirty = False
                self._save(self.vectors)
        self.lexical.commit()

    def close(self) -> None:
        """Stop the saver and save what it has not (again: nothing)."""
        self._closing.set()
        self._wake.set()
        if self._saver is not None:
            self._saver.join()
            self._saver = None
        self.flush()
        self.lexical.close()
        if self._leader is not None:
            self._leader.close()
            self._leader = None

    # -- writes ---------------------------------------------------------------------------
    def _set_versions(self, ids: Ids, versions: npt.NDArray[np.uint64]) -> None:
        """Record the text versions of ``ids``' vectors (0 forgets them)."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return
        top = int(ids.max()) + 1
        if top > len(self._versions):
            grown = np.zeros(max(top, 2 * len(self._versions)), dtype=np.uint64)
            grown[: len(self._versions)] = self._versions
            self._versions = grown
        self._versions[ids] = versions

    def upsert(
        self,
        records: list[tuple[NewCandidate, Vectors | None]],
        *,
        blind: Mapping[str, bool] | None = None,
    ) -> list[tuple[Candidate, bool]]:
        """Store candidates (and the vectors given, made from the representation ``blind``
        names by tenant), then index them; see Store.upsert."""
        with self._lock:
            saved = self.store.upsert(records, self.model, blind=blind)
            settings = self.store.blind_settings()
            self._advance()
            fresh = [
                (c.id, text_version(r.resume.text), v)
                for (c, _), (r, v) in zip(saved, records, strict=True)
                if v is not None
            ]
            self.roster.set([_roster_row(c) for c, _ in saved])
            self.profiles.set([_profile_row(c) for c, _ in saved])
            if fresh:
                ids = np.array([i for i, _, _ in fresh], dtype=np.int64)
                self.vectors.add(ids, np.vstack([v for _, _, v in fresh]).astype(np.float32))
                self._set_versions(ids, np.array([s for _, s, _ in fresh], dtype=np.uint64))
                if not self._fits(self.vectors.kind, self.vectors.count()):
                    # The pool has outgrown exact search: train the inverted file now.
                    self.vectors = self._build(*self.store.embedding_versions(self.model))
                else:
                    self._changed()
            for candidate, _ in saved:
                doc = lexical_doc(
                    candidate.id, candidate.resume, blind=settings.get(candidate.tenant, True)
                )
                self.lexical.add(candidate.tenant, [doc])
            self._lexical_changed()
            self._written([c.id for c, _ in saved])
            return saved

    def delete(self, tenant: str, candidate_id: int) -> None:
        """Erase a candidate from the store and the index. Raises NotFound."""
        self.delete_many([(tenant, candidate_id)])

    def delete_many(self, victims: list[tuple[str, int]]) -> None:
        """Erase candidates given as (tenant, id) from the store, then from the vector and
        BM25 indexes and the roster. Raises NotFound for the first one missing; those
        before it are erased."""
        with self._lock:
            done: list[tuple[str, int]] = []
            try:
                for tenant, candidate_id in victims:
                    self.store.delete(tenant, candidate_id)
                    self._advance()
                    done.append((tenant, candidate_id))
            finally:
                if done:
                    ids = np.array([i for _, i in done], dtype=np.int64)
                    self.vectors.remove(ids)
                    self._set_versions(ids, np.zeros(len(ids), dtype=np.uint64))
                    self.roster.drop(ids.tolist())
                    self.profiles.drop(ids.tolist())
                    self._changed()
                    for tenant in {t for t, _ in done}:
                        self.lexical.remove(tenant, [i for t, i in done if t == tenant])
                    self._lexical_changed()
                    self._written(ids.tolist())

    # -- handing over to a re-built index -------------------------------------------------
    def record_writes(self) -> None:
        """Note the ids written from now on, for ``hand_over``."""
        with self._lock:
            self._recording = set()

    def hand_over(self, successor: TalentPool) -> None:
        """Bring ``successor`` (opened on a re-built index after ``record_writes``) up to
        what was written here since, and forward every later write to it: a request that
        still holds this pool writes the store here and reaches the successor too."""
        with self._lock:
            successor.refresh(sorted(self._recording or ()))
            self._recording = None
            self._successor = successor

    def _written(self, ids: list[int]) -> None:
        if self._recording is not None:
            self._recording.update(ids)
        if self._successor is not None:
            self._successor.refresh(ids)

    def refresh(self, ids: list[int], *, lexical: bool = True) -> None:
        """Make the indexes hold what the store holds for ``ids``: those erased leave, the
        others are indexed again from their stored record and vector (with ``lexical``,
        their BM25 documents too; else the process that wrote them writes those)."""
        if not ids:
            return
        with self._lock:
            present = self.store.candidates_by_id(ids)
            gone = sorted(set(ids) - {c.id for c in present})
            if gone:
                removed = np.array(gone, dtype=np.int64)
                self.vectors.remove(removed)
                self._set_versions(removed, np.zeros(len(gone), dtype=np.uint64))
                self.roster.drop(gone)
                self.profiles.drop(gone)
                for tenant in self.lexical.tenants() if lexical else []:
                    self.lexical.remove(tenant, gone)
            if present:
                self.roster.set([_roster_row(c) for c in present])
                self.profiles.set([_profile_row(c) for c in present])
                settings = self.store.blind_settings() if lexical else {}
                for c in present if lexical else []:
                    doc = lexical_doc(c.id, c.resume, blind=settings.get(c.tenant, True))
                    self.lexical.add(c.tenant, [doc])
                with_vectors, vectors = self.store.embeddings(
                    self.model, self.dim, [c.id for c in present]
                )
                # A vector of another text may be indexed for one the store has none for.
                without = np.setdiff1d(np.array([c.id for c in present]), with_vectors)
                self.vectors.remove(without)
                self._set_versions(without, np.zeros(len(without), dtype=np.uint64))
                if len(with_vectors):
                    texts = {c.id: c.resume.text for c in present}
                    self.vectors.add(with_vectors, vectors)
                    self._set_versions(
                        with_vectors,
                        np.array(
                            [text_version(texts[int(i)]) for i in with_vectors], dtype=np.uint64
                        ),
                    )
            self._changed()
            if lexical:
                self._lexical_changed()

    # -- following other processes' writes ------------------------------------------------
    def _advance(self) -> None:
        """After this process's write to the store (under the lock): the revisions it made
        are held here once the write is applied, unless another process wrote in between
        (then :meth:`follow` reads those changes)."""
        for tenant, revision in self.store.written_revisions().items():
            if self._applied.get(tenant, 0) == revision - 1:
                self._applied[tenant] = revision

    def follow(self, tenant: str | None = None, revision: int | None = None) -> int:
        """Apply what other processes wrote to ``tenant``'s candidates (or every tenant's)
        since this process last looked: candidates erased leave the indexes, the others are
        indexed again from the store. ``revision`` is the tenant's, when already read.
        Returns how many candidates were read again.

        For every tenant (the service's round every few seconds), a process that does not
        save the vector index also takes up the file the saving one wrote last, after the
        changes, when it differs least."""
        if tenant is None:
            wanted = self.store.revisions()
        else:
            wanted = {tenant: self.store.revision(tenant) if revision is None else revision}
        followed = 0
        for name, now in sorted(wanted.items()):
            if self._applied.get(name, 0) >= now:
                continue
            with self._lock:
                known = self._applied.get(name, 0)
                found = self.store.changes(name, known)
                if found is None:  # this process fell behind the changes kept
                    followed += self.resync()
                    break
                latest, ids = found
                self.refresh(ids, lexical=False)
                self._applied[name] = max(known, latest)
                followed += len(ids)
        if tenant is None and self._leader is None:
            self._follow_saved()
        return followed

    def _follow_saved(self) -> None:
        """Search the vector index file another process has saved since this one read it,
        so that both map the same pages: what differs from this process's vectors (by the
        versions saved with the file) is held beside it in memory."""
        index = self.vectors
        current = self._saved
        manifest = self.saved_manifest()
        if (
            not isinstance(index, MappedIVFIndex)
            or index.saving
            or manifest is None
            or current is None
            or manifest.built_at == current.built_at
            or manifest.kind != index.kind
        ):
            return
        with _locked(self.index_dir / SAVE_LOCK):  # the file, its versions and manifest
            manifest = self.saved_manifest()
            if manifest is None or manifest.kind != index.kind:
                return
            saved = map_saved(self.index_dir / INDEX_FILE, self.dim)
            with np.load(self.index_dir / VERSIONS_FILE) as stored:
                their_ids, their_versions = stored["ids"], stored["versions"]
        with self._lock:
            if self.vectors is not index or index.saving:
                return
            size = max(len(self._versions), int(their_ids.max()) + 1 if len(their_ids) else 0)
            theirs = np.zeros(size, dtype=np.uint64)
            theirs[their_ids] = their_versions
            mine = np.zeros(size, dtype=np.uint64)
            mine[: len(self._versions)] = self._versions
            index.rebase(saved, np.flatnonzero(theirs != mine).astype(np.int64))
            self._saved = manifest

    def resync(self) -> int:
        """Read who may be matched, the profiles and the vectors' versions from the store
        again and bring the vector index in step (for a process too far behind to follow
        the changes); returns how many candidates the pool holds."""
        with self._lock:
            applied = self.store.revisions()
            log.warning("reading the pool again: this process fell behind the changes kept")
            self._read_roster_and_profiles()
            self._reread_search_files()
            self._catch_up(self.vectors, *self.store.embedding_versions(self.model))
            self._applied = applied
            return self.vectors.count()

    def needs_embedding(
        self, tenant: str, records: list[NewCandidate], *, blind: bool = True
    ) -> list[bool]:
        """For each record, whether its text differs from the one whose vector is stored,
        or the stored vector was made from another representation than ``blind`` asks."""
        texts = [(r.external_id, r.resume.text) for r in records]
        return self.store.needs_embedding(tenant, texts, self.model, blind=blind)

    # -- reads ----------------------------------------------------------------------------
    def eligible(self, tenant: str, today: dt.date, filters: Filters | None = None) -> IdSet:
        """``tenant``'s candidates who may be contacted, are within retention and pass
        ``filters``: from memory without filters, else from the store."""
        if filters is None or not filters.narrows():
            with self._lock:
                return self.roster.eligible(tenant, today)
        return IdSet(ids=self.store.eligible_ids(tenant, today, filters))

    def search(
        self,
        query: Vectors,
        k: int,
        tenant: str,
        today: dt.date | None = None,
        *,
        allowed: Ids | IdSet | None = None,
    ) -> list[tuple[int, float]]:
        """Top ``k`` eligible candidates of ``tenant`` by cosine similarity, best first;
        ``allowed``, when given, is the set of eligible ids, already worked out."""
        if allowed is None:
            allowed = self.eligible(tenant, today or dt.date.today())
        with self._lock:
            scores, ids = self.vectors.search(query, k, allowed=allowed)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def count(self) -> int:
        """Vectors in the index, every tenant's."""
        return self.vectors.count()

    def size(self, tenant: str) -> int:
        """Candidates of ``tenant`` in the pool: what a match of theirs is drawn from (never
        another tenant's count)."""
        with self._lock:
            return self.roster.size(tenant)
