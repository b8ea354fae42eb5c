"""The match path: parse the job → embed → retrieve → re-score → shortlist."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict

from index import TalentPool
from matcher.encoder import Encoder, Vectors
from matcher.scoring import JobNeeds, score_candidate
from models import Candidate, InvalidInput, Job, NewCandidate, Resume, Shortlist
from parsing import Parser

# Re-score this many nearest candidates (at least), so that skill coverage can lift a
# candidate the vector search alone ranked lower.
RETRIEVE_MIN = 200
RETRIEVE_FACTOR = 10
MAX_TOP_K = 500
QUERY_CACHE_SIZE = 256


def profile_text(resume: Resume) -> str:
    """What is embedded for a résumé: titles first, then the body without the header.

    The model reads only its first 256 tokens, so the contact block (name, e-mail, phone)
    is left out and the titles lead.
    """
    body = resume.text
    if resume.sections and resume.sections[0].name == "header" and len(resume.sections) > 1:
        body = resume.text[resume.sections[1].start :]
    titles = "; ".join(resume.titles[:3])
    return f"{titles}\n{body}" if titles else body


class Matcher:
    """Holds the parser, the encoder and the pool: load once per process."""

    def __init__(self, parser: Parser, encoder: Encoder, pool: TalentPool) -> None:
        self.parser = parser
        self.encoder = encoder
        self.pool = pool
        self._cache: OrderedDict[str, tuple[Job, Vectors]] = OrderedDict()
        self._cache_lock = threading.Lock()

    def upsert(self, records: list[NewCandidate]) -> list[tuple[Candidate, bool]]:
        """Embed the records whose text changed, then store and index them all at once.

        Returns each stored candidate with True when it was created.
        """
        if not records:
            return []
        by_tenant = {r.tenant for r in records}
        needs = [False] * len(records)
        for tenant in by_tenant:
            mine = [i for i, r in enumerate(records) if r.tenant == tenant]
            for i, need in zip(
                mine, self.pool.needs_embedding(tenant, [records[i] for i in mine]), strict=True
            ):
                needs[i] = need
        todo = [profile_text(r.resume) for r, need in zip(records, needs, strict=True) if need]
        vectors = iter(self.encoder.encode(todo)) if todo else iter(())
        return self.pool.upsert(
            [(r, next(vectors) if need else None) for r, need in zip(records, needs, strict=True)]
        )

    def prepare_job(self, text: str, title: str | None = None) -> tuple[Job, Vectors]:
        """Parse and embed a job description, cached by its normalised text and title."""
        if not text or not text.strip():
            raise InvalidInput("the job description is empty")
        key = hashlib.sha256(f"{title or ''}\x00{' '.join(text.split())}".encode()).hexdigest()
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        job = self.parser.parse_job(text, title)
        query = f"{job.title}\n{job.text}" if title else job.text
        vector = self.encoder.encode_one(query)
        with self._cache_lock:
            self._cache[key] = (job, vector)
            while len(self._cache) > QUERY_CACHE_SIZE:
                self._cache.popitem(last=False)
        return job, vector

    def clear_cache(self) -> None:
        """Forget cached job parses and vectors (after a taxonomy or model change)."""
        with self._cache_lock:
            self._cache.clear()

    def match(
        self,
        text: str,
        *,
        title: str | None = None,
        k: int = 10,
        tenant: str,
        today: dt.date | None = None,
    ) -> Shortlist:
        """The top ``k`` eligible candidates of ``tenant`` for a job description."""
        if not 1 <= k <= MAX_TOP_K:
            raise InvalidInput(f"top_k must be between 1 and {MAX_TOP_K}, not {k}")
        started = time.perf_counter()
        job, vector = self.prepare_job(text, title)
        hits = self.pool.search(vector, max(RETRIEVE_MIN, k * RETRIEVE_FACTOR), tenant, today)
        candidates = self.pool.store.profiles(i for i, _ in hits)
        needs = JobNeeds.of(job)
        matches = [
            score_candidate(needs, candidates[i], cosine) for i, cosine in hits if i in candidates
        ]
        matches.sort(key=lambda m: (-m.score, m.candidate_id))
        return Shortlist(
            results=matches[:k],
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            job_title=job.title,
            pool_size=self.pool.count(),
        )
