"""The match path: parse the job → embed → retrieve → re-score → shortlist."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

from index import TalentPool
from index.store import text_sha
from index.vectors import Ids, IdSet
from matcher.encoder import Encoder, Vectors
from matcher.fairness import fair_rerank as fair_rerank_of
from matcher.fairness import pool_shares
from matcher.scoring import (
    SIMILAR_JOB_FLOOR,
    WEIGHTS,
    Assessed,
    JobNeeds,
    ManySignals,
    Signals,
    assess,
    best_history,
    score_many,
    to_match,
)
from models import (
    Candidate,
    Filters,
    InvalidInput,
    Job,
    Match,
    NewCandidate,
    NotFound,
    Resume,
    Shortlist,
)
from parsing import Parser

# Re-score this many nearest candidates (at least), so that skill coverage can lift a
# candidate the vector search alone ranked lower.
RETRIEVE_MIN = 200
RETRIEVE_FACTOR = 10
MAX_TOP_K = 500
QUERY_CACHE_SIZE = 256
# Shortlists kept, by request, with the tenant's store revision they were computed at.
SHORTLIST_CACHE_SIZE = 1024
# Tenants whose past jobs' vectors are kept, with the revision they were read at.
PAST_JOBS_CACHE_TENANTS = 64
# Re-scored in full (read from the store, explained) beyond the top k by the fast scores.
SHORTLIST_MARGIN = 20
# A fair re-ranking chooses the top k from this many times k (at least k + FAIR_MARGIN).
FAIR_DEPTH, FAIR_MARGIN = 3, 50
# A vector made ahead of :meth:`Matcher.upsert`, and whether from the blind representation.
Made = tuple[Vectors, bool]
K = TypeVar("K")
V = TypeVar("V")


def _put(cache: OrderedDict[K, V], key: K, value: V, size: int) -> None:
    """Store ``value`` as the newest entry of an LRU ``cache`` of at most ``size`` entries
    (the caller holds its lock)."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)


def profile_text(resume: Resume, *, blind: bool = True) -> str:
    """What is embedded for a résumé: titles first, then its text.

    ``blind`` (the default; see README "Fairness"): the résumé's blind text, with the
    name, contact details, personal fields, graduation years and gendered words out. A
    résumé parsed before there was a blind text has its header (the contact block) left out
    instead. Not ``blind``: the text as written, header and all.
    """
    if not blind:
        body = resume.text
    elif resume.blind_text is not None:
        body = resume.blind_text
    elif resume.sections and resume.sections[0].name == "header" and len(resume.sections) > 1:
        body = resume.text[resume.sections[1].start :]
    else:
        body = resume.text
    titles = "; ".join(resume.titles[:3])
    return f"{titles}\n{body}" if titles else body


class Matcher:
    """Holds the parser, the encoder and the pool: load once per process."""

    def __init__(
        self,
        parser: Parser,
        encoder: Encoder,
        pool: TalentPool,
        *,
        weights: Mapping[str, float] = WEIGHTS,
    ) -> None:
        self.parser = parser
        self.encoder = encoder
        self.pool = pool
        self.weights = dict(weights)
        # key → the job parsed, and its vector once embedded.
        self._cache: OrderedDict[str, tuple[Job, Vectors | None]] = OrderedDict()
        # key → (tenant, revision, shortlist); see :meth:`match`.
        self._shortlists: OrderedDict[str, tuple[str, int, Shortlist]] = OrderedDict()
        # tenant → (revision, past job ids, their vectors); see :meth:`past_job_vectors`.
        self._past: OrderedDict[str, tuple[int, list[str], Vectors]] = OrderedDict()
        self._cache_lock = threading.Lock()
        # Runs a match's BM25 query while this thread embeds the job and searches vectors
        # (both let go of the GIL): a second core, otherwise idle during a lone match.
        self._beside = ThreadPoolExecutor(2, thread_name_prefix="match-bm25")

    def upsert(
        self, records: list[NewCandidate], made: Sequence[Made | None] | None = None
    ) -> list[tuple[Candidate, bool]]:
        """Embed the records whose text changed, then store and index them all at once.

        ``made``, by record, is a vector made ahead (by an ingest worker) with whether it was
        made from the blind representation; it is used when the record needs one of that
        representation, so only records without a fitting vector are embedded here.
        Returns each stored candidate with True when it was created.
        """
        if not records:
            return []
        if made is not None and len(made) != len(records):
            raise ValueError(f"{len(made)} vectors made ahead for {len(records)} records")
        blind = {tenant: self.pool.store.blind(tenant) for tenant in {r.tenant for r in records}}
        needs = [False] * len(records)
        for tenant, mine_blind in blind.items():
            mine = [i for i, r in enumerate(records) if r.tenant == tenant]
            for i, need in zip(
                mine,
                self.pool.needs_embedding(tenant, [records[i] for i in mine], blind=mine_blind),
                strict=True,
            ):
                needs[i] = need
        ahead: list[Vectors | None] = [None] * len(records)
        for i, (record, need) in enumerate(zip(records, needs, strict=True)):
            given = made[i] if made is not None else None
            if need and given is not None and given[1] == blind[record.tenant]:
                ahead[i] = given[0]
        todo = [
            profile_text(r.resume, blind=blind[r.tenant])
            for r, need, vector in zip(records, needs, ahead, strict=True)
            if need and vector is None
        ]
        vectors = iter(self.encoder.encode_documents(todo)) if todo else iter(())
        chosen = [
            (vector if vector is not None else next(vectors)) if need else None
            for need, vector in zip(needs, ahead, strict=True)
        ]
        saved = self.pool.upsert(list(zip(records, chosen, strict=True)), blind=blind)
        # Embed past jobs new to the store now, in a batch, rather than at the next match.
        for tenant in sorted({r.tenant for r in records if r.applications}):
            self.past_job_vectors(tenant)
        return saved

    def prepare_job(self, text: str, title: str | None = None) -> tuple[Job, Vectors]:
        """Parse and embed a job description, cached by its normalised text and title."""
        key, job = self._parse_job(text, title)
        return job, self._job_vector(key, job, title)

    def _parse_job(self, text: str, title: str | None) -> tuple[str, Job]:
        """(cache key, the job parsed), from the cache when it was parsed before."""
        if not text or not text.strip():
            raise InvalidInput("the job description is empty")
        key = hashlib.sha256(f"{title or ''}\x00{' '.join(text.split())}".encode()).hexdigest()
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return key, self._cache[key][0]
        job = self.parser.parse_job(text, title)
        self._cached(key, job, None)
        return key, job

    def _job_vector(self, key: str, job: Job, title: str | None) -> Vectors:
        """The vector of a job :meth:`_parse_job` parsed, from the cache when it was
        embedded before."""
        with self._cache_lock:
            vector = self._cache[key][1] if key in self._cache else None
        if vector is None:
            vector = self.encoder.encode_one(f"{job.title}\n{job.text}" if title else job.text)
            self._cached(key, job, vector)
        return vector

    def _cached(self, key: str, job: Job, vector: Vectors | None) -> None:
        with self._cache_lock:
            _put(self._cache, key, (job, vector), QUERY_CACHE_SIZE)

    def clear_cache(self) -> None:
        """Forget cached job parses and vectors, and shortlists (after a taxonomy or model
        change)."""
        with self._cache_lock:
            self._cache.clear()
            self._shortlists.clear()
            self._past.clear()

    def erase(self, tenant: str, candidate_id: int) -> None:
        """Erase a candidate from the pool, and the shortlists kept for their tenant (which
        may name them) from memory. Raises NotFound."""
        self.pool.delete(tenant, candidate_id)
        self._forget(tenant)

    def _forget(self, tenant: str, *, unless: int | None = None) -> None:
        """Drop ``tenant``'s kept shortlists (but those computed at revision ``unless``)."""
        with self._cache_lock:
            for key in [
                key
                for key, (owner, revision, _) in self._shortlists.items()
                if owner == tenant and revision != unless
            ]:
                del self._shortlists[key]

    def _kept(self, key: str, tenant: str, revision: int) -> Shortlist | None:
        """The shortlist kept under ``key`` if it was computed at ``revision``; kept ones of
        an older revision are dropped."""
        with self._cache_lock:
            found = self._shortlists.get(key)
            if found is not None and found[1] == revision:
                self._shortlists.move_to_end(key)
                return found[2]
        if found is not None:
            self._forget(tenant, unless=revision)
        return None

    def _keep(self, key: str, tenant: str, revision: int, shortlist: Shortlist) -> None:
        with self._cache_lock:
            _put(self._shortlists, key, (tenant, revision, shortlist), SHORTLIST_CACHE_SIZE)

    def past_job_similarity(
        self, tenant: str, vector: Vectors, revision: int | None = None
    ) -> dict[str, float]:
        """job id → cosine between each past job of ``tenant`` and a new job's vector."""
        jobs, vectors = self.past_job_vectors(tenant, revision)
        if not jobs:
            return {}
        scores = vectors @ np.asarray(vector, dtype=np.float32).reshape(-1)
        return {job_id: float(s) for job_id, s in zip(jobs, scores, strict=True)}

    def past_job_vectors(
        self, tenant: str, revision: int | None = None
    ) -> tuple[list[str], Vectors]:
        """The vectors of ``tenant``'s past jobs; those not yet embedded (or whose text
        changed) are embedded now, in one batch, and stored. With the tenant's ``revision``
        (read before), they are kept, and read from the store again only once a write has
        moved it (a new application among them)."""
        if revision is not None:
            with self._cache_lock:
                kept = self._past.get(tenant)
                if kept is not None and kept[0] == revision:
                    self._past.move_to_end(tenant)
                    return kept[1], kept[2]
        jobs, vectors = self._read_past_jobs(tenant)
        if revision is not None:
            with self._cache_lock:
                _put(self._past, tenant, (revision, jobs, vectors), PAST_JOBS_CACHE_TENANTS)
        return jobs, vectors

    def _read_past_jobs(self, tenant: str) -> tuple[list[str], Vectors]:
        store = self.pool.store
        texts = store.past_jobs(tenant)
        stored = store.job_vectors(tenant, self.pool.model)
        todo = [
            (job_id, text)
            for job_id, text in texts.items()
            if stored.get(job_id, ("", None))[0] != text_sha(text)
        ]
        if todo:
            fresh = self.encoder.encode([text for _, text in todo])
            items = [(j, text_sha(t), v) for (j, t), v in zip(todo, fresh, strict=True)]
            store.put_job_vectors(tenant, self.pool.model, items)
            stored.update({j: (sha, v) for j, sha, v in items})
        jobs = sorted(texts)
        if not jobs:
            return [], np.empty((0, self.encoder.dim), dtype=np.float32)
        return jobs, np.vstack([stored[j][1] for j in jobs]).astype(np.float32)

    def features_for(
        self,
        text: str,
        candidate_ids: list[int],
        *,
        title: str | None = None,
        tenant: str,
        today: dt.date | None = None,
    ) -> dict[int, Match]:
        """Score given candidates of ``tenant`` for a job, whatever their eligibility (to
        record the features a recruiter's verdict was given on). Raises NotFound for an id
        that is not one of ``tenant``'s candidates."""
        today = today or dt.date.today()
        job, vector = self.prepare_job(text, title)
        allowed = np.asarray(sorted(set(candidate_ids)), dtype=np.int64)
        skill_ids = [s.id for s in job.skills]
        lexical = self.pool.lexical
        sparse = dict(lexical.search(tenant, job.text, len(allowed), allowed, skill_ids=skill_ids))
        best = lexical.search(tenant, job.text, 1, skill_ids=skill_ids)
        assessed = self._assess(
            job,
            vector,
            tenant,
            set(allowed.tolist()),
            cosines={},
            sparse=sparse,
            best_bm25=best[0][1] if best else 1.0,
            past=self.past_job_similarity(tenant, vector),
            today=today,
            weights=self.weights,
        )
        unknown = sorted(set(candidate_ids) - {a.candidate.id for a in assessed})
        if unknown:
            raise NotFound(f"no candidate {unknown[0]}")
        return {a.candidate.id: to_match(a, today) for a in assessed}

    def _assess(
        self,
        job: Job,
        vector: Vectors,
        tenant: str,
        ids: set[int],
        *,
        cosines: dict[int, float],
        sparse: dict[int, float],
        best_bm25: float,
        past: dict[str, float],
        today: dt.date,
        weights: Mapping[str, float],
        eligible_on: dt.date | None = None,
    ) -> list[Assessed]:
        """Score ``tenant``'s candidates ``ids`` (unknown ids are left out, and with
        ``eligible_on`` those who may not be contacted or are past retention on that day: the
        store has the last word, should another process have changed them). ``cosines`` holds
        the vector similarities retrieval already measured; the rest are measured in the
        vector index. ``sparse`` holds BM25 scores, shares of ``best_bm25``; ``past`` the
        similarity of each past job to this one."""
        store = self.pool.store
        cosines = self._cosines(vector, tenant, ids, cosines)
        needs = JobNeeds.of(job, self.parser.taxonomy)
        return [
            assess(
                needs,
                profile,
                Signals(cosines.get(i, 0.0), sparse.get(i, 0.0) / (best_bm25 or 1.0), past),
                today,
                weights,
            )
            for i, profile in store.profiles(ids, tenant=tenant, eligible_on=eligible_on).items()
        ]

    def _cosines(
        self, vector: Vectors, tenant: str, ids: set[int], known: dict[int, float]
    ) -> dict[int, float]:
        """The cosine of each of ``ids`` with the job: those retrieval measured (``known``),
        the rest measured in the vector index, as retrieval measures them."""
        cosines = dict(known)
        missing = np.fromiter((i for i in ids if i not in cosines), dtype=np.int64)
        if len(missing):
            # A search among just these, so that they are measured as retrieval measures.
            only = IdSet(ids=missing)
            cosines.update(self.pool.search(vector, len(missing), tenant, allowed=only))
        return cosines

    def _ranked(
        self,
        job: Job,
        tenant: str,
        ids: set[int],
        cosines: dict[int, float],
        sparse: dict[int, float],
        best_bm25: float,
        past: dict[str, float],
        today: dt.date,
        weights: Mapping[str, float],
        k: int,
    ) -> tuple[Ids, int]:
        """``ids`` ranked by their fast scores (all scored at once from the pool's in-memory
        profiles, :func:`score_many`), and how many of them to re-score at a time: the top
        ``k`` with a margin for those the store will find no longer eligible, and for
        rounding."""
        keep = max(2 * k, k + SHORTLIST_MARGIN)
        order = np.array(sorted(ids), dtype=np.int64)
        if len(ids) <= keep:
            return order, keep
        history = np.zeros(len(order))
        if any(c >= SIMILAR_JOB_FLOOR for c in past.values()):
            applied = self.pool.store.with_applications(order)
            for i, profile in self.pool.store.profiles(applied, tenant=tenant).items():
                history[np.searchsorted(order, i)] = best_history(profile, past, today)[0]
        signals = ManySignals(
            cosine=np.array([cosines.get(int(i), 0.0) for i in order]),
            lexical=np.array([sparse.get(int(i), 0.0) for i in order]) / (best_bm25 or 1.0),
            history=history,
        )
        needs = JobNeeds.of(job, self.parser.taxonomy)
        scores = score_many(needs, self.pool.profiles, order, signals, today, weights)
        return order[np.lexsort((order, -np.round(scores, 1)))], keep

    def match(
        self,
        text: str,
        *,
        title: str | None = None,
        k: int = 10,
        tenant: str,
        today: dt.date | None = None,
        rediscover: bool = False,
        filters: Filters | None = None,
        weights: Mapping[str, float] | None = None,
        fair_rerank: str | None = None,
    ) -> Shortlist:
        """The top ``k`` eligible candidates of ``tenant`` for a job description.

        Candidates come from three channels: the nearest résumé vectors, the best BM25
        scores over résumé words and skill ids, and past applicants to similar jobs. The
        union is re-scored (see :mod:`matcher.scoring`). With ``rediscover``, only past
        applicants are considered, runners-up for a similar job first. ``filters`` apply
        inside every channel, so the top ``k`` is still ``k`` when enough candidates pass.

        With ``fair_rerank`` (a category of self-reported groups), the top ``k`` is
        re-ranked toward each group's share of the eligible pool at the least loss of score
        (:func:`matcher.fairness.fair_rerank`), from the best ``FAIR_DEPTH`` × ``k``, and
        the shortlist says what changed.

        The same request again, with no write to the tenant's candidates in between (by any
        process: the store's revision of the tenant tells), gets the shortlist computed the
        first time, without computing it again.
        """
        if not 1 <= k <= MAX_TOP_K:
            raise InvalidInput(f"top_k must be between 1 and {MAX_TOP_K}, not {k}")
        started = time.perf_counter()
        today = today or dt.date.today()
        weights = self.weights if weights is None else weights
        request = [
            tenant,
            title or "",
            " ".join(text.split()),
            k,
            rediscover,
            filters.model_dump(mode="json") if filters is not None else None,
            sorted(weights.items()),
            today.isoformat(),
            fair_rerank,
        ]
        key = hashlib.sha256(json.dumps(request).encode()).hexdigest()
        # Read before computing: a write landing meanwhile moves it, and what is computed
        # now is kept under the revision it may not include.
        revision = self.pool.store.revision(tenant)
        kept = self._kept(key, tenant, revision)
        if kept is not None:
            return kept.model_copy(
                update={
                    "took_ms": round((time.perf_counter() - started) * 1000, 2),
                    "pool_size": self.pool.size(tenant),
                }
            )
        # What other processes (replicas, a command beside the service) wrote to the
        # tenant's candidates reaches this process's indexes first.
        self.pool.follow(tenant, revision)
        deep = min(MAX_TOP_K, max(FAIR_DEPTH * k, k + FAIR_MARGIN)) if fair_rerank else k
        shortlist = self._match(
            text, title, deep, tenant, today, rediscover, filters, weights, started, revision
        )
        if fair_rerank:
            eligible = self.pool.eligible(tenant, today, filters).ids
            if rediscover:
                eligible = np.intersect1d(eligible, self.pool.store.applicant_ids(tenant))
            groups = self.pool.store.group_of(fair_rerank, eligible.tolist())
            results, report = fair_rerank_of(
                fair_rerank, shortlist.results, groups, pool_shares(groups), k
            )
            shortlist = shortlist.model_copy(
                update={
                    "results": results,
                    "fair_rerank": report,
                    "took_ms": round((time.perf_counter() - started) * 1000, 2),
                }
            )
        self._keep(key, tenant, revision, shortlist)
        return shortlist

    def _match(
        self,
        text: str,
        title: str | None,
        k: int,
        tenant: str,
        today: dt.date,
        rediscover: bool,
        filters: Filters | None,
        weights: Mapping[str, float],
        started: float,
        revision: int,
    ) -> Shortlist:
        key, job = self._parse_job(text, title)
        store = self.pool.store
        allowed = self.pool.eligible(tenant, today, filters)
        if rediscover:
            allowed = IdSet(ids=np.intersect1d(allowed.ids, store.applicant_ids(tenant)))
        wanted = max(RETRIEVE_MIN, k * RETRIEVE_FACTOR)
        lexical = self._beside.submit(
            self.pool.lexical.search,
            tenant,
            job.text,
            wanted,
            allowed,
            skill_ids=[s.id for s in job.skills],
        )
        vector = self._job_vector(key, job, title)
        dense = dict(self.pool.search(vector, wanted, tenant, today, allowed=allowed))
        past = self.past_job_similarity(tenant, vector, revision)
        sparse = dict(lexical.result())
        ids = set(dense) | set(sparse)
        similar = [j for j, c in past.items() if c >= SIMILAR_JOB_FLOOR]
        if similar:
            applied = store.applicant_ids(tenant, similar)
            ids |= set(applied[allowed.contains(applied)].tolist())
        best_bm25 = max(sparse.values(), default=0.0)
        cosines = self._cosines(vector, tenant, ids, dense)
        if rediscover:
            # Few candidates (past applicants), each needing its history: all in Python.
            ranked, keep = np.array(sorted(ids), dtype=np.int64), max(len(ids), 1)
        else:
            ranked, keep = self._ranked(
                job, tenant, ids, cosines, sparse, best_bm25, past, today, weights, k
            )
        # Re-scored and explained, the best by the fast scores first, with the store's word
        # on who is still eligible: should fewer than k remain (consent withdrawn by another
        # process), the next ones too.
        assessed: list[Assessed] = []
        for start in range(0, len(ranked), keep):
            assessed += self._assess(
                job,
                vector,
                tenant,
                set(ranked[start : start + keep].tolist()),
                cosines=cosines,
                sparse=sparse,
                best_bm25=best_bm25,
                past=past,
                today=today,
                weights=weights,
                eligible_on=today,
            )
            if len(assessed) >= k:
                break
        if rediscover:
            # What a similar past process says first: how far the candidate got, how
            # similar that job is, how recent (the history feature); then the score.
            assessed.sort(
                key=lambda a: (
                    -round(a.features["history"] or 0.0, 4),
                    -round(a.score, 1),
                    a.candidate.id,
                )
            )
        else:
            assessed.sort(key=lambda a: (-round(a.score, 1), a.candidate.id))
        matches = [to_match(a, today) for a in assessed[:k]]
        return Shortlist(
            results=matches,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            job_title=job.title,
            pool_size=self.pool.size(tenant),
        )
