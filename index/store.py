"""The SQL store: candidates, applications, consent, embeddings, API keys and the audit log.

The store is the source of truth; the vector index is derived from its embeddings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    JSON,
    ColumnElement,
    Engine,
    and_,
    cast,
    create_engine,
    delete,
    event,
    func,
    insert,
    make_url,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload, sessionmaker

from index import _migrate as migrate
from index._schema import (
    ApiKeyRow,
    ApplicationRow,
    AuditCandidateRow,
    AuditRow,
    CandidateGroupRow,
    CandidateRow,
    CandidateTagRow,
    ChangeRow,
    EmbeddingRow,
    FeedbackRow,
    JobVectorRow,
    ResumeRow,
    RevisionRow,
    TenantSettingsRow,
    utcnow,
)
from index.lexical import LexicalDoc, lexical_version
from index.profiles import ProfileRow
from index.vectors import Ids, Vectors
from models import (
    ApiKey,
    Application,
    AuditAction,
    AuditEntry,
    Candidate,
    CandidateProfile,
    Consent,
    Feedback,
    Filters,
    InvalidInput,
    NewCandidate,
    NotFound,
    Outcome,
    Resume,
    Stage,
    Verdict,
)

KEY_PREFIX = "tm_"
TENANT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_version(text: str) -> int:
    """The first 64 bits of :func:`text_sha`: which text a vector in the index was made
    from, as the index files record it."""
    return int(text_sha(text)[:16], 16)


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Store:
    """Candidates and their history in any SQLAlchemy database (SQLite by default).

    Every write that can change a match moves its tenant's revision and records which
    candidates it wrote, and by which ``writer`` (a token of this store object), in the
    same transaction: another process serving the same pool reads those ``changes`` to
    follow the write (see :meth:`index.pool.TalentPool.follow`)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.writer = secrets.token_hex(8)
        self._written = threading.local()  # the revisions this thread's last write made
        self.engine = _engine(url)
        try:
            migrate.upgrade(self.engine)
        except Exception:
            self.engine.dispose()
            raise
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # -- candidates -----------------------------------------------------------------------
    def upsert(
        self,
        records: Iterable[tuple[NewCandidate, Vectors | None]],
        model: str,
        *,
        blind: Mapping[str, bool] | None = None,
    ) -> list[tuple[Candidate, bool]]:
        """Insert or update candidates by (tenant, external id) in one transaction.

        With a vector, the embedding is stored too; ``None`` keeps the stored one (the text
        did not change). ``blind`` says, by tenant, which representation the vectors were
        made from (blind when a tenant is not named). Applications sent replace the stored
        ones; none sent keeps them. Returns each candidate with True when it was created.
        """
        records = list(records)
        with self.session() as session:
            # The stored rows of the batch in one query a tenant, not one a record.
            rows: dict[tuple[str, str], CandidateRow] = {}
            for tenant in {new.tenant for new, _ in records}:
                mine = sorted({new.external_id for new, _ in records if new.tenant == tenant})
                for start in range(0, len(mine), 500):
                    found = session.scalars(
                        select(CandidateRow)
                        .where(
                            CandidateRow.tenant == tenant,
                            CandidateRow.external_id.in_(mine[start : start + 500]),
                        )
                        .options(
                            selectinload(CandidateRow.applications),
                            selectinload(CandidateRow.tags),
                            selectinload(CandidateRow.embeddings),
                        )
                    )
                    rows.update(((tenant, row.external_id), row) for row in found)
            written: list[tuple[CandidateRow, bool]] = []
            for new, vector in records:
                row = rows.get((new.tenant, new.external_id))
                created = row is None
                if row is None:
                    row = CandidateRow(
                        tenant=new.tenant,
                        external_id=new.external_id,
                        created_at=utcnow(),
                        # Empty, not unloaded: reading them would cost a query each.
                        applications=[],
                        tags=[],
                        embeddings=[],
                    )
                    session.add(row)
                    rows[new.tenant, new.external_id] = row
                _fill(row, new)
                if new.applications:
                    row.applications = [_application_row(a) for a in new.applications]
                if vector is not None:
                    # Vectors of other models stay (a re-index may be under way); this
                    # model's is replaced.
                    row.embeddings = [e for e in row.embeddings if e.model != model] + [
                        EmbeddingRow(
                            model=model,
                            text_sha=row.text_sha,
                            vector=np.asarray(vector, dtype=np.float32).tobytes(),
                            blind=(blind or {}).get(new.tenant, True),
                        )
                    ]
                written.append((row, created))
            session.flush()
            out = [(_candidate(row), created) for row, created in written]
            self._bump(session, _by_tenant((c.tenant, c.id) for c, _ in out))
        return out

    def add_new(self, records: list[tuple[NewCandidate, Vectors]], model: str) -> list[int]:
        """Insert candidates new to the store, with their vectors, in one transaction, and
        return their ids: a bulk load (from another system, or a benchmark's pool) at a few
        thousand a second, where :meth:`upsert` looks each one up first. Raises
        ``sqlalchemy.exc.IntegrityError`` (and writes nothing) when one is already stored.
        Tags and applications are for :meth:`upsert`."""
        if any(new.tags or new.applications for new, _ in records):
            raise ValueError("add_new takes candidates without tags or applications")
        if not records:
            return []
        now = utcnow()
        rows = [
            _values(new) | {"tenant": new.tenant, "external_id": new.external_id, "created_at": now}
            for new, _ in records
        ]
        documents = [row.pop("resume_json") for row in rows]
        with self.session() as session:
            session.execute(insert(CandidateRow), rows)
            # The ids given, looked up by (tenant, external id): RETURNING in parameter
            # order costs SQLAlchemy quadratic time on a batch this size.
            given: dict[tuple[str, str], int] = {}
            for tenant in {row["tenant"] for row in rows}:
                mine = [row["external_id"] for row in rows if row["tenant"] == tenant]
                for start in range(0, len(mine), 1000):
                    given.update(
                        ((tenant, external_id), candidate_id)
                        for candidate_id, external_id in session.execute(
                            select(CandidateRow.id, CandidateRow.external_id).where(
                                CandidateRow.tenant == tenant,
                                CandidateRow.external_id.in_(mine[start : start + 1000]),
                            )
                        )
                    )
            ids = [given[row["tenant"], row["external_id"]] for row in rows]
            session.execute(
                insert(ResumeRow),
                [
                    {"candidate_id": i, "resume_json": document}
                    for i, document in zip(ids, documents, strict=True)
                ],
            )
            session.execute(
                insert(EmbeddingRow),
                [
                    {
                        "candidate_id": i,
                        "model": model,
                        "text_sha": row["text_sha"],
                        "vector": np.asarray(vector, dtype=np.float32).tobytes(),
                        # Bulk loads embed the blind representation (matcher.profile_text).
                        "blind": True,
                    }
                    for i, row, (_, vector) in zip(ids, rows, records, strict=True)
                ],
            )
            self._bump(
                session, _by_tenant((row["tenant"], i) for row, i in zip(rows, ids, strict=True))
            )
        return ids

    def stored_text_shas(
        self, tenant: str, external_ids: list[str], model: str
    ) -> dict[str, tuple[str, bool | None]]:
        """external id → (sha of the text whose embedding by ``model`` is stored, whether
        it was made from the blind representation)."""
        if not external_ids:
            return {}
        with self.session() as session:
            rows = session.execute(
                select(CandidateRow.external_id, EmbeddingRow.text_sha, EmbeddingRow.blind)
                .join(EmbeddingRow, EmbeddingRow.candidate_id == CandidateRow.id)
                .where(
                    CandidateRow.tenant == tenant,
                    CandidateRow.external_id.in_(external_ids),
                    EmbeddingRow.model == model,
                )
            ).all()
        return {str(ext): (str(sha), blind) for ext, sha, blind in rows}

    def needs_embedding(
        self, tenant: str, texts: Sequence[tuple[str, str]], model: str, *, blind: bool
    ) -> list[bool]:
        """For each (external id, résumé text), whether the stored vector of ``model`` is
        of another text, or was made from another representation than ``blind`` asks."""
        stored = self.stored_text_shas(tenant, [external_id for external_id, _ in texts], model)
        return [stored.get(external_id) != (text_sha(text), blind) for external_id, text in texts]

    def get(self, tenant: str, candidate_id: int) -> Candidate:
        """Raises NotFound when the id is not a candidate of ``tenant``."""
        with self.session() as session:
            row = session.get(
                CandidateRow,
                candidate_id,
                options=[selectinload(CandidateRow.applications), selectinload(CandidateRow.tags)],
            )
            if row is None or row.tenant != tenant:
                raise NotFound(f"no candidate {candidate_id}")
            return _candidate(row)

    def candidates_by_id(self, ids: Iterable[int]) -> list[Candidate]:
        """The candidates among ``ids`` that exist, of any tenant, in id order."""
        wanted = sorted(set(ids))
        found: list[Candidate] = []
        for start in range(0, len(wanted), 1000):
            with self.session() as session:
                rows = session.scalars(
                    select(CandidateRow)
                    .where(CandidateRow.id.in_(wanted[start : start + 1000]))
                    .order_by(CandidateRow.id)
                    .options(
                        selectinload(CandidateRow.applications), selectinload(CandidateRow.tags)
                    )
                ).all()
                found += [_candidate(r) for r in rows]
        return found

    def find_external(self, tenant: str, external_id: str) -> Candidate:
        with self.session() as session:
            row = session.scalars(
                select(CandidateRow)
                .where(CandidateRow.tenant == tenant, CandidateRow.external_id == external_id)
                .options(selectinload(CandidateRow.applications), selectinload(CandidateRow.tags))
            ).one_or_none()
            if row is None:
                raise NotFound(f"no candidate with external id {external_id!r}")
            return _candidate(row)

    def profiles(
        self, ids: Iterable[int], tenant: str | None = None, eligible_on: dt.date | None = None
    ) -> dict[int, CandidateProfile]:
        """What re-scoring needs of each candidate (of ``tenant``, when given; who may be
        contacted and is within retention on ``eligible_on``, when given), without loading
        résumés."""
        ids = list(ids)
        if not ids:
            return {}
        with self.session() as session:
            rows = session.execute(
                select(
                    CandidateRow.id,
                    CandidateRow.external_id,
                    CandidateRow.name,
                    CandidateRow.titles_json,
                    CandidateRow.skill_ids_json,
                    CandidateRow.years_experience,
                    CandidateRow.updated_at,
                    CandidateRow.skills_last_used_json,
                    CandidateRow.skill_years_json,
                    CandidateRow.location,
                    CandidateRow.remote,
                ).where(
                    CandidateRow.id.in_(ids),
                    _of_tenant(tenant) if tenant is not None else true(),
                    _eligible(eligible_on) if eligible_on is not None else true(),
                )
            ).all()
            history: dict[int, list[Application]] = {}
            for app in session.scalars(
                select(ApplicationRow)
                .where(ApplicationRow.candidate_id.in_(ids))
                .order_by(ApplicationRow.id)
            ):
                history.setdefault(app.candidate_id, []).append(_application(app))
        # Built without validation: every value comes from columns the store wrote (a
        # match builds a few hundred of these).
        return {
            r.id: CandidateProfile.model_construct(
                id=r.id,
                external_id=r.external_id,
                name=r.name,
                titles=json.loads(r.titles_json),
                skill_ids=frozenset(json.loads(r.skill_ids_json)),
                years_experience=r.years_experience,
                applications=history.get(r.id, []),
                updated_at=_utc(r.updated_at),
                skills_last_used=_last_used(r.skills_last_used_json),
                skill_years=json.loads(r.skill_years_json),
                location=r.location,
                remote=r.remote,
            )
            for r in rows
        }

    def profile_rows(self, batch: int = 20_000) -> Iterator[ProfileRow]:
        """The columns re-scoring reads of every candidate (see :class:`Profiles`)."""
        columns = [
            CandidateRow.id,
            CandidateRow.skill_ids_json,
            CandidateRow.skills_last_used_json,
            CandidateRow.skill_years_json,
            CandidateRow.titles_json,
            CandidateRow.years_experience,
            CandidateRow.location,
            CandidateRow.remote,
        ]
        for r in self._candidate_pages(columns, batch):
            yield ProfileRow(
                r.id,
                json.loads(r.skill_ids_json),
                _last_used(r.skills_last_used_json),
                json.loads(r.skill_years_json),
                json.loads(r.titles_json),
                r.years_experience,
                r.location,
                r.remote,
            )

    def with_applications(self, ids: Iterable[int]) -> Ids:
        """Those of ``ids`` with at least one application, ascending."""
        wanted, found = sorted(set(ids)), set[int]()
        with self.session() as session:
            for start in range(0, len(wanted), 1000):
                found.update(
                    session.scalars(
                        select(ApplicationRow.candidate_id)
                        .where(ApplicationRow.candidate_id.in_(wanted[start : start + 1000]))
                        .distinct()
                    )
                )
        return np.array(sorted(found), dtype=np.int64)

    def delete(self, tenant: str, candidate_id: int) -> None:
        """Delete a candidate with everything held about them: résumé, applications, tags,
        embedding, feedback (the foreign keys cascade). Raises NotFound."""
        with self.session() as session:
            row = session.get(CandidateRow, candidate_id)
            if row is None or row.tenant != tenant:
                raise NotFound(f"no candidate {candidate_id}")
            session.delete(row)
            self._bump(session, {tenant: [candidate_id]})

    def expired(self, today: dt.date, tenant: str | None = None) -> list[tuple[str, int]]:
        """(tenant, id) of every candidate past their retention deadline or whose consent
        was withdrawn: what ``talentmatch purge`` erases."""
        query = select(CandidateRow.tenant, CandidateRow.id).where(
            or_(CandidateRow.retention_until < today, CandidateRow.may_contact.is_(False))
        )
        if tenant is not None:
            query = query.where(CandidateRow.tenant == tenant)
        with self.session() as session:
            return [(str(t), int(i)) for t, i in session.execute(query.order_by(CandidateRow.id))]

    def export(self, tenant: str, candidate_id: int) -> dict[str, Any]:
        """Everything held about one candidate (right of access): the record as stored, the
        parsed résumé, history, consent, tags, recruiters' feedback, which vectors exist, and
        the audit entries that name them. Raises NotFound."""
        candidate = self.get(tenant, candidate_id)
        with self.session() as session:
            vectors = session.execute(
                select(EmbeddingRow.model, EmbeddingRow.text_sha).where(
                    EmbeddingRow.candidate_id == candidate_id
                )
            ).all()
            feedback = session.scalars(
                select(FeedbackRow)
                .where(FeedbackRow.tenant == tenant, FeedbackRow.candidate_id == candidate_id)
                .order_by(FeedbackRow.id)
            ).all()
            feedback_out = [_feedback(r).model_dump(mode="json") for r in feedback]
        return {
            "candidate": candidate.model_dump(mode="json"),
            "feedback": feedback_out,
            "embeddings": [{"model": m, "text_sha256": sha} for m, sha in vectors],
            "groups": self.groups(tenant, candidate_id),
            "audit": [
                e.model_dump(mode="json")
                for e in self.audit_log(tenant, candidate_id=candidate_id, limit=10_000)
            ],
        }

    def add_application(self, tenant: str, candidate_id: int, app: Application) -> Candidate:
        with self.session() as session:
            row = session.get(
                CandidateRow,
                candidate_id,
                options=[selectinload(CandidateRow.applications), selectinload(CandidateRow.tags)],
            )
            if row is None or row.tenant != tenant:
                raise NotFound(f"no candidate {candidate_id}")
            row.applications.append(_application_row(app))
            row.updated_at = utcnow()
            session.flush()
            # History is read from the store at each match; nothing in memory changes.
            self._bump(session, {tenant: []})
            return _candidate(row)

    def counts(self) -> dict[str, int]:
        """tenant → how many candidates it holds."""
        with self.session() as session:
            rows = session.execute(
                select(CandidateRow.tenant, func.count()).group_by(CandidateRow.tenant)
            ).all()
        return {str(t): int(n) for t, n in rows}

    def count(self, tenant: str | None = None) -> int:
        with self.session() as session:
            query = select(func.count()).select_from(CandidateRow)
            if tenant is not None:
                query = query.where(CandidateRow.tenant == tenant)
            return int(session.scalar(query) or 0)

    def eligible_ids(self, tenant: str, today: dt.date, filters: Filters | None = None) -> Ids:
        """Ids of ``tenant``'s candidates who may be contacted, are within retention and
        pass the caller's ``filters``, in ascending order."""
        query = select(CandidateRow.id).where(CandidateRow.tenant == tenant, _eligible(today))
        f = filters or Filters()
        if f.locations:
            query = query.where(
                or_(
                    *(
                        CandidateRow.location.icontains(place, autoescape=True)
                        for place in f.locations
                    )
                )
            )
        if f.remote is not None:
            query = query.where(CandidateRow.remote.is_(f.remote))
        if f.min_years is not None:
            query = query.where(CandidateRow.years_experience >= f.min_years)
        if f.sources:
            query = query.where(CandidateRow.source.in_(f.sources))
        if f.updated_since is not None:
            since = dt.datetime.combine(f.updated_since, dt.time(), tzinfo=dt.UTC)
            query = query.where(CandidateRow.updated_at >= since)
        if f.outcomes:
            query = query.where(
                CandidateRow.id.in_(
                    select(ApplicationRow.candidate_id).where(
                        ApplicationRow.outcome.in_([o.value for o in f.outcomes])
                    )
                )
            )
        for tag in dict.fromkeys(f.tags):
            query = query.where(
                CandidateRow.id.in_(
                    select(CandidateTagRow.candidate_id).where(CandidateTagRow.tag == tag)
                )
            )
        with self.session() as session:
            ids = session.scalars(query.order_by(CandidateRow.id)).all()
        return np.asarray(ids, dtype=np.int64)

    # -- feedback -------------------------------------------------------------------------
    def add_feedback(self, tenant: str, items: list[Feedback]) -> list[Feedback]:
        """Store verdicts; every candidate must be one of ``tenant``'s (else NotFound and
        nothing is stored)."""
        with self.session() as session:
            ids = {f.candidate_id for f in items}
            found = set(
                session.scalars(
                    select(CandidateRow.id).where(
                        CandidateRow.id.in_(ids), CandidateRow.tenant == tenant
                    )
                ).all()
            )
            if ids - found:
                raise NotFound(f"no candidate {min(ids - found)}")
            rows = [
                FeedbackRow(
                    tenant=tenant,
                    job_id=f.job_id,
                    candidate_id=f.candidate_id,
                    verdict=f.verdict.value,
                    reason=f.reason,
                    features_json=json.dumps(f.features, sort_keys=True),
                    created_at=utcnow(),
                )
                for f in items
            ]
            session.add_all(rows)
            session.flush()
            return [_feedback(r) for r in rows]

    def feedback(self, tenant: str, job_id: str | None = None) -> list[Feedback]:
        """``tenant``'s feedback, oldest first (for one job, when given)."""
        query = select(FeedbackRow).where(FeedbackRow.tenant == tenant)
        if job_id is not None:
            query = query.where(FeedbackRow.job_id == job_id)
        with self.session() as session:
            return [_feedback(r) for r in session.scalars(query.order_by(FeedbackRow.id))]

    # -- past jobs (rediscovery) ----------------------------------------------------------
    def past_jobs(self, tenant: str) -> dict[str, str]:
        """job id → the text that stands for a past job of ``tenant`` (its title, then its
        description when one was sent), over every application stored."""
        # Driven by the applications, each one's tenant looked up by key: joined the other
        # way, SQLite walks every candidate of the tenant (seconds at a million) even when
        # no one has applied to anything.
        with self.session() as session:
            rows = session.execute(
                select(ApplicationRow.job_id, ApplicationRow.job_title, ApplicationRow.job_text)
                .where(_owner() == tenant)
                .order_by(ApplicationRow.id)
            ).all()
        out: dict[str, str] = {}
        for job_id, title, text in rows:
            out.setdefault(job_id, f"{title}\n{text}" if text else title)
        return out

    def job_vectors(self, tenant: str, model: str) -> dict[str, tuple[str, Vectors]]:
        """job id → (sha of the text embedded, vector) of ``tenant``'s past jobs."""
        with self.session() as session:
            rows = session.execute(
                select(JobVectorRow.job_id, JobVectorRow.text_sha, JobVectorRow.vector).where(
                    JobVectorRow.tenant == tenant, JobVectorRow.model == model
                )
            ).all()
        return {r.job_id: (r.text_sha, np.frombuffer(r.vector, dtype=np.float32)) for r in rows}

    def put_job_vectors(
        self, tenant: str, model: str, items: list[tuple[str, str, Vectors]]
    ) -> None:
        """Store (job id, text sha, vector) of past jobs, replacing older ones."""
        with self.session() as session:
            for job_id, sha, vector in items:
                session.merge(
                    JobVectorRow(
                        tenant=tenant,
                        job_id=job_id,
                        model=model,
                        text_sha=sha,
                        vector=np.asarray(vector, dtype=np.float32).tobytes(),
                    )
                )

    def applicant_ids(self, tenant: str, job_ids: Iterable[str] | None = None) -> Ids:
        """Ids of ``tenant``'s candidates with an application (to one of ``job_ids``)."""
        query = select(ApplicationRow.candidate_id).where(_owner() == tenant).distinct()
        if job_ids is not None:
            query = query.where(ApplicationRow.job_id.in_(list(job_ids)))
        with self.session() as session:
            ids = session.scalars(query).all()
        return np.asarray(sorted(ids), dtype=np.int64)

    def _candidate_pages(self, columns: list[Any], batch: int, *where: Any) -> Iterator[Any]:
        """Rows of ``columns`` (the first is ``CandidateRow.id``) of every candidate (matching
        ``where``), in id order, ``batch`` at a time, each batch in a session of its own."""
        return self._pages(CandidateRow.id, columns, batch, *where)

    def _pages(self, key: Any, columns: Iterable[Any], batch: int, *where: Any) -> Iterator[Any]:
        """Rows of ``columns`` (the first is ``key``, a unique column) matching ``where``,
        in ``key`` order, ``batch`` at a time, each batch in a session of its own."""
        last = 0
        while True:
            with self.session() as session:
                rows = session.execute(
                    select(*columns).where(key > last, *where).order_by(key).limit(batch)
                ).all()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def lexical_rows(
        self, ids: Iterable[int] | None = None, batch: int = 2000
    ) -> Iterator[tuple[str, LexicalDoc]]:
        """(tenant, BM25 document) of every candidate (of ``ids``, when given)."""
        # The text alone, taken out of the résumé's JSON by the database (a quarter of it).
        joined = ResumeRow.candidate_id == CandidateRow.id
        columns = [
            CandidateRow.id,
            CandidateRow.tenant,
            self._resume_field("text").label("text"),
            self._resume_field("blind_text").label("blind_text"),
            CandidateRow.text_sha,
            CandidateRow.blind_sha,
            CandidateRow.skill_ids_json,
        ]
        if ids is None:
            rows: Iterable[Any] = self._candidate_pages(columns, batch, joined)
        else:
            rows = self._candidates_of(columns, ids, batch, joined)
        blind = self.blind_settings()
        for r in rows:
            mine = blind.get(r.tenant, True)
            sha = _lexical_sha(mine, r.text_sha, r.blind_sha)
            text = r.blind_text if mine and r.blind_text is not None else r.text
            version = lexical_version(sha, r.skill_ids_json)
            yield r.tenant, LexicalDoc(r.id, version, text, json.loads(r.skill_ids_json))

    def _resume_field(self, name: str) -> ColumnElement[Any]:
        """A top-level string field of the résumé's JSON, taken out by the database."""
        if self.engine.dialect.name == "postgresql":
            return func.json_extract_path_text(cast(ResumeRow.resume_json, JSON), name)
        return func.json_extract(ResumeRow.resume_json, f"$.{name}")

    def lexical_versions(
        self, batch: int = 20_000
    ) -> dict[str, tuple[Ids, npt.NDArray[np.uint64]]]:
        """tenant → (ids, versions) of its candidates' BM25 documents (see
        :func:`index.lexical.lexical_version`), in ascending id order."""
        columns = [
            CandidateRow.id,
            CandidateRow.tenant,
            CandidateRow.text_sha,
            CandidateRow.blind_sha,
            CandidateRow.skill_ids_json,
        ]
        blind = self.blind_settings()
        found: dict[str, tuple[list[int], list[int]]] = {}
        for r in self._candidate_pages(columns, batch):
            ids, versions = found.setdefault(r.tenant, ([], []))
            ids.append(r.id)
            sha = _lexical_sha(blind.get(r.tenant, True), r.text_sha, r.blind_sha)
            versions.append(lexical_version(sha, r.skill_ids_json))
        return {
            tenant: (np.array(ids, dtype=np.int64), np.array(versions, dtype=np.uint64))
            for tenant, (ids, versions) in found.items()
        }

    def _candidates_of(
        self, columns: list[Any], ids: Iterable[int], batch: int, *where: Any
    ) -> Iterator[Any]:
        """Rows of ``columns`` (the first is ``CandidateRow.id``) of the candidates ``ids``
        that exist (and match ``where``), in id order."""
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), batch):
            with self.session() as session:
                yield from session.execute(
                    select(*columns)
                    .where(CandidateRow.id.in_(wanted[start : start + batch]), *where)
                    .order_by(CandidateRow.id)
                ).all()

    def candidates_between(self, lo: int, hi: int) -> list[Candidate]:
        """Every candidate with ``lo <= id < hi``, in id order (a part of a re-index)."""
        with self.session() as session:
            rows = session.scalars(
                select(CandidateRow)
                .where(CandidateRow.id >= lo, CandidateRow.id < hi)
                .order_by(CandidateRow.id)
                .options(selectinload(CandidateRow.applications), selectinload(CandidateRow.tags))
            ).all()
            return [_candidate(r) for r in rows]

    def id_range(self) -> tuple[int, int]:
        """(lowest, highest) candidate id; (1, 0) for an empty store."""
        with self.session() as session:
            low, high = session.execute(
                select(func.min(CandidateRow.id), func.max(CandidateRow.id))
            ).one()
        return (1, 0) if low is None else (int(low), int(high))

    def count_between(self, ranges: Iterable[tuple[int, int]]) -> int:
        """How many candidates have an id in one of the [lo, hi) ``ranges``."""
        total = 0
        with self.session() as session:
            for lo, hi in ranges:
                total += (
                    session.scalar(
                        select(func.count()).where(CandidateRow.id >= lo, CandidateRow.id < hi)
                    )
                    or 0
                )
        return total

    def save_reindexed(
        self,
        model: str,
        resumes: list[tuple[int, Resume]],
        vectors: list[tuple[int, str, Vectors]],
        blind: Mapping[str, bool] | None = None,
    ) -> None:
        """Store a re-index part's re-parsed résumés and new vectors in one transaction;
        ``blind`` says, by tenant, which representation the vectors were made from (blind
        when a tenant is not named). A candidate erased meanwhile is skipped, and so is one
        whose text changed meanwhile (its new text has been parsed and embedded by the
        write that changed it)."""
        ids = {i for i, _ in resumes} | {i for i, _, _ in vectors}
        if not ids:
            return
        with self.session() as session:
            current = {
                row[0]: (row[1], row[2])
                for row in session.execute(
                    select(CandidateRow.id, CandidateRow.text_sha, CandidateRow.tenant).where(
                        CandidateRow.id.in_(ids)
                    )
                )
            }
            written: list[tuple[str, int]] = []
            for candidate_id, resume in resumes:
                sha, tenant = current.get(candidate_id, ("", ""))
                if sha == text_sha(resume.text):
                    row = session.get(CandidateRow, candidate_id)
                    assert row is not None
                    _fill_resume(row, resume)
                    written.append((tenant, candidate_id))
            for candidate_id, sha, vector in vectors:
                if current.get(candidate_id, ("", ""))[0] == sha:
                    mine = (blind or {}).get(current[candidate_id][1], True)
                    session.merge(_embedding_row(candidate_id, model, sha, vector, mine))
                    written.append((current[candidate_id][1], candidate_id))
            self._bump(session, _by_tenant(written))

    def iter_candidates(self, tenant: str | None = None, batch: int = 500) -> Iterator[Candidate]:
        last = 0
        while True:
            with self.session() as session:
                query = select(CandidateRow).where(CandidateRow.id > last)
                if tenant is not None:
                    query = query.where(CandidateRow.tenant == tenant)
                rows = session.scalars(
                    query.order_by(CandidateRow.id)
                    .limit(batch)
                    .options(
                        selectinload(CandidateRow.applications), selectinload(CandidateRow.tags)
                    )
                ).all()
                found = [_candidate(r) for r in rows]
            if not found:
                return
            yield from found
            last = found[-1].id

    # -- embeddings -----------------------------------------------------------------------
    def embeddings(
        self, model: str, dim: int, ids: Iterable[int] | None = None
    ) -> tuple[Ids, Vectors]:
        """Every stored vector made by ``model`` (of ``ids``, when given), as (ids, matrix)
        in ascending id order. Read in pages into one matrix: a million vectors take their
        1.5 GB once, not again as rows."""
        columns = (EmbeddingRow.candidate_id, EmbeddingRow.vector)
        if ids is None:
            with self.session() as session:
                count = session.scalar(
                    select(func.count())
                    .select_from(EmbeddingRow)
                    .where(EmbeddingRow.model == model)
                )
            pages: Iterable[Any] = self._embedding_pages(model, columns)
        else:
            wanted = sorted(set(ids))
            count = len(wanted)
            pages = self._embeddings_of(model, columns, wanted)
        found = np.empty(count or 0, dtype=np.int64)
        vectors = np.empty((count or 0, dim), dtype=np.float32)
        filled = 0
        for candidate_id, blob in pages:
            if filled == len(found):  # written meanwhile: grow
                found = np.concatenate([found, np.empty(len(found) + 1024, dtype=np.int64)])
                vectors = np.concatenate(
                    [vectors, np.empty((len(vectors) + 1024, dim), np.float32)]
                )
            found[filled] = candidate_id
            vectors[filled] = np.frombuffer(blob, dtype=np.float32)
            filled += 1
        return found[:filled], vectors[:filled]

    def _embedding_pages(
        self, model: str, columns: tuple[Any, ...], batch: int = 20_000
    ) -> Iterator[Any]:
        return self._pages(EmbeddingRow.candidate_id, columns, batch, EmbeddingRow.model == model)

    def _embeddings_of(
        self, model: str, columns: tuple[Any, ...], wanted: list[int]
    ) -> Iterator[Any]:
        for start in range(0, len(wanted), 1000):
            with self.session() as session:
                yield from session.execute(
                    select(*columns)
                    .where(
                        EmbeddingRow.model == model,
                        EmbeddingRow.candidate_id.in_(wanted[start : start + 1000]),
                    )
                    .order_by(EmbeddingRow.candidate_id)
                ).all()

    def embedding_versions(self, model: str) -> tuple[Ids, npt.NDArray[np.uint64]]:
        """(ids, versions) of every stored vector made by ``model``, in ascending id order;
        a version is the first 64 bits of the embedded text's SHA-256 (see
        :func:`text_version`)."""
        with self.session() as session:
            rows = session.execute(
                select(EmbeddingRow.candidate_id, EmbeddingRow.text_sha)
                .where(EmbeddingRow.model == model)
                .order_by(EmbeddingRow.candidate_id)
            ).all()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        versions = np.fromiter((int(r[1][:16], 16) for r in rows), dtype=np.uint64, count=len(rows))
        return ids, versions

    def roster(self, batch: int = 20_000) -> Iterator[tuple[int, str, bool, dt.date | None]]:
        """(id, tenant, may be contacted, retention deadline) of every candidate: what
        eligibility to be matched depends on, before the caller's filters."""
        columns = [
            CandidateRow.id,
            CandidateRow.tenant,
            CandidateRow.may_contact,
            CandidateRow.retention_until,
        ]
        for r in self._candidate_pages(columns, batch):
            yield r[0], r[1], bool(r[2]), r[3]

    def ids_without_embedding(
        self,
        model: str,
        lo: int | None = None,
        hi: int | None = None,
        *,
        tenant: str | None = None,
    ) -> list[int]:
        """Candidates with no vector made by ``model`` from the representation their tenant
        has (blind or not; see :meth:`blind`), with ``lo <= id < hi`` and of ``tenant``
        when given."""
        wanted = func.coalesce(TenantSettingsRow.blind, true())
        query = (
            select(CandidateRow.id)
            .outerjoin(
                EmbeddingRow,
                (EmbeddingRow.candidate_id == CandidateRow.id) & (EmbeddingRow.model == model),
            )
            .outerjoin(TenantSettingsRow, TenantSettingsRow.tenant == CandidateRow.tenant)
            .where(
                EmbeddingRow.candidate_id.is_(None)
                | EmbeddingRow.blind.is_(None)
                | (EmbeddingRow.blind != wanted)
            )
        )
        if lo is not None:
            query = query.where(CandidateRow.id >= lo)
        if hi is not None:
            query = query.where(CandidateRow.id < hi)
        if tenant is not None:
            query = query.where(CandidateRow.tenant == tenant)
        with self.session() as session:
            return list(session.scalars(query).all())

    def put_embeddings(
        self, model: str, items: list[tuple[int, str, Vectors]], *, blind: bool = True
    ) -> None:
        with self.session() as session:
            for candidate_id, sha, vector in items:
                session.merge(_embedding_row(candidate_id, model, sha, vector, blind))
            ids = sorted({candidate_id for candidate_id, _, _ in items})
            self._bump(
                session,
                _by_tenant(
                    (str(tenant), int(i))
                    for tenant, i in session.execute(
                        select(CandidateRow.tenant, CandidateRow.id).where(CandidateRow.id.in_(ids))
                    )
                ),
            )

    # -- self-reported groups ---------------------------------------------------------------
    def set_groups(self, tenant: str, candidate_id: int, groups: Mapping[str, str]) -> None:
        """Replace the groups a candidate of ``tenant`` reported (category → group; empty:
        none). Raises NotFound. The tenant's revision moves (a fair re-ranking reads them)
        with no candidate changed: no index holds them."""
        with self.session() as session:
            row = session.get(CandidateRow, candidate_id)
            if row is None or row.tenant != tenant:
                raise NotFound(f"no candidate {candidate_id}")
            self._bump(session, {tenant: []})
            session.execute(
                delete(CandidateGroupRow).where(CandidateGroupRow.candidate_id == candidate_id)
            )
            session.add_all(
                CandidateGroupRow(candidate_id=candidate_id, category=c, value=v)
                for c, v in sorted(groups.items())
            )

    def groups(self, tenant: str, candidate_id: int) -> dict[str, str]:
        """The groups a candidate of ``tenant`` reported. Raises NotFound."""
        with self.session() as session:
            row = session.get(CandidateRow, candidate_id)
            if row is None or row.tenant != tenant:
                raise NotFound(f"no candidate {candidate_id}")
            rows = session.execute(
                select(CandidateGroupRow.category, CandidateGroupRow.value)
                .where(CandidateGroupRow.candidate_id == candidate_id)
                .order_by(CandidateGroupRow.category)
            )
            return {str(c): str(v) for c, v in rows}

    def group_of(self, category: str, ids: Iterable[int]) -> dict[int, str]:
        """candidate id → the group they reported in ``category``, for those of ``ids`` who
        reported one."""
        wanted = sorted(set(ids))
        out: dict[int, str] = {}
        with self.session() as session:
            for start in range(0, len(wanted), 5000):
                out.update(
                    (int(i), str(v))
                    for i, v in session.execute(
                        select(CandidateGroupRow.candidate_id, CandidateGroupRow.value).where(
                            CandidateGroupRow.category == category,
                            CandidateGroupRow.candidate_id.in_(wanted[start : start + 5000]),
                        )
                    )
                )
        return out

    # -- tenant settings ------------------------------------------------------------------
    def blind(self, tenant: str) -> bool:
        """Whether ``tenant`` matches blind (the default): see :mod:`parsing._blind`."""
        with self.session() as session:
            found = session.scalar(
                select(TenantSettingsRow.blind).where(TenantSettingsRow.tenant == tenant)
            )
        return True if found is None else bool(found)

    def blind_settings(self) -> dict[str, bool]:
        """tenant → blind, for the tenants that have set it (the others match blind)."""
        with self.session() as session:
            rows = session.execute(select(TenantSettingsRow.tenant, TenantSettingsRow.blind))
            return {str(t): bool(b) for t, b in rows}

    def set_blind(self, tenant: str, blind: bool) -> bool:
        """Turn blind matching on or off for ``tenant``; True when that changed it. The
        tenant's revision moves: its kept shortlists are no longer served."""
        _check_tenant(tenant)
        with self.session() as session:
            row = session.get(TenantSettingsRow, tenant)
            before = True if row is None else row.blind
            if row is None:
                row = TenantSettingsRow(tenant=tenant)
                session.add(row)
            row.blind, row.updated_at = blind, utcnow()
            if before != blind:
                self._bump(session, {tenant: []})
        return before != blind

    def revision(self, tenant: str) -> int:
        """``tenant``'s revision: it moves with every write that can change one of its
        matches, from any process (0 before the first)."""
        with self.session() as session:
            found = session.scalar(select(RevisionRow.revision).where(RevisionRow.tenant == tenant))
        return int(found or 0)

    def revisions(self) -> dict[str, int]:
        """Every tenant's revision."""
        with self.session() as session:
            rows = session.execute(select(RevisionRow.tenant, RevisionRow.revision))
            return {str(t): int(r) for t, r in rows}

    def _bump(self, session: Session, changed: Mapping[str, Iterable[int]]) -> None:
        """Move the revision of each tenant of ``changed`` and record the candidates it
        wrote, in the transaction of the write (tenants in one order, so that two writers
        cannot wait on each other; the revision's row stays locked until the commit, so a
        tenant's changes commit in revision order)."""
        if not changed:
            return
        dialect = session.get_bind().dialect.name
        statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(RevisionRow)
        moved = {
            str(t): int(r)
            for t, r in session.execute(
                statement.values([{"tenant": t, "revision": 1} for t in sorted(changed)])
                .on_conflict_do_update(
                    index_elements=[RevisionRow.tenant],
                    set_={"revision": RevisionRow.revision + 1},
                )
                .returning(RevisionRow.tenant, RevisionRow.revision)
            )
        }
        now = utcnow()
        rows = [
            {"tenant": t, "revision": moved[t], "candidate_id": i, "writer": self.writer, "at": now}
            for t in sorted(changed)
            for i in sorted(set(changed[t]))
        ]
        if rows:
            session.execute(insert(ChangeRow), rows)
        self._written.revisions = moved

    def written_revisions(self) -> dict[str, int]:
        """The revisions the last write of the calling thread moved its tenants to (once:
        asked again, nothing until the next write)."""
        moved: dict[str, int] = getattr(self._written, "revisions", {})
        self._written.revisions = {}
        return moved

    def changes(self, tenant: str, after: int) -> tuple[int, list[int]] | None:
        """(``tenant``'s revision, the candidates other writers than this store wrote after
        revision ``after``); None when some of those changes were pruned already."""
        with self.session() as session:
            found = session.execute(
                select(RevisionRow.revision, RevisionRow.pruned).where(RevisionRow.tenant == tenant)
            ).one_or_none()
            if found is None:
                return 0, []
            revision, pruned = int(found[0]), int(found[1])
            if revision <= after:
                return revision, []
            if pruned > after:
                return None
            ids = session.scalars(
                select(ChangeRow.candidate_id)
                .where(
                    ChangeRow.tenant == tenant,
                    ChangeRow.revision > after,
                    ChangeRow.revision <= revision,
                    ChangeRow.writer != self.writer,
                )
                .distinct()
            )
            return revision, sorted(int(i) for i in ids)

    def prune_changes(self, before: dt.datetime) -> int:
        """Delete the changes recorded before ``before`` (raising each tenant's ``pruned``
        mark to the highest revision deleted); return how many."""
        with self.session() as session:
            marks = session.execute(
                select(ChangeRow.tenant, func.max(ChangeRow.revision))
                .where(ChangeRow.at < before)
                .group_by(ChangeRow.tenant)
            ).all()
            deleted = 0
            for tenant, mark in marks:
                # By revision, not time: every change above the mark is kept, whatever the
                # writers' clocks said.
                result = session.execute(
                    delete(ChangeRow).where(ChangeRow.tenant == tenant, ChangeRow.revision <= mark)
                )
                deleted += int(getattr(result, "rowcount", 0) or 0)
                session.execute(
                    update(RevisionRow)
                    .where(RevisionRow.tenant == tenant, RevisionRow.pruned < mark)
                    .values(pruned=mark)
                )
            return deleted

    def drop_embeddings_except(self, model: str) -> int:
        """Delete the vectors of every other model (after a re-index to ``model`` has
        finished); return how many."""
        with self.session() as session:
            result = session.execute(delete(EmbeddingRow).where(EmbeddingRow.model != model))
            return int(getattr(result, "rowcount", 0) or 0)

    # -- API keys -------------------------------------------------------------------------
    def create_key(self, tenant: str, *, admin: bool = False) -> str:
        """A new API key for ``tenant``; only its hash is stored, so it is shown once."""
        _check_tenant(tenant)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.session() as session:
            session.add(
                ApiKeyRow(tenant=tenant, key_hash=_key_hash(key), prefix=key[:10], admin=admin)
            )
        return key

    def key(self, key: str) -> ApiKey | None:
        """The live (not revoked) key ``key``, or None."""
        with self.session() as session:
            row = session.scalars(
                select(ApiKeyRow).where(
                    ApiKeyRow.key_hash == _key_hash(key), ApiKeyRow.revoked_at.is_(None)
                )
            ).one_or_none()
            return _api_key(row) if row else None

    def tenant_for_key(self, key: str) -> str | None:
        found = self.key(key)
        return found.tenant if found else None

    def keys(self, tenant: str | None = None) -> list[ApiKey]:
        """Every key (of ``tenant``), revoked ones included, oldest first."""
        query = select(ApiKeyRow).order_by(ApiKeyRow.id)
        if tenant is not None:
            query = query.where(ApiKeyRow.tenant == tenant)
        with self.session() as session:
            return [_api_key(r) for r in session.scalars(query)]

    def revoke_key(self, key_or_prefix: str) -> list[ApiKey]:
        """Revoke a key given whole or by its printed prefix; return the keys revoked."""
        with self.session() as session:
            rows = session.scalars(
                select(ApiKeyRow).where(
                    or_(
                        ApiKeyRow.key_hash == _key_hash(key_or_prefix),
                        ApiKeyRow.prefix == key_or_prefix[:10],
                    ),
                    ApiKeyRow.revoked_at.is_(None),
                )
            ).all()
            for row in rows:
                row.revoked_at = utcnow()
            return [_api_key(r) for r in rows]

    # -- audit log ------------------------------------------------------------------------
    def audit(self, *entries: AuditEntry) -> None:
        """Append entries to the audit log."""
        with self.session() as session:
            for e in entries:
                session.add(
                    AuditRow(
                        tenant=e.tenant,
                        actor=e.actor,
                        action=e.action.value,
                        detail=e.detail,
                        candidates=[
                            AuditCandidateRow(position=n, candidate_id=i)
                            for n, i in enumerate(e.candidate_ids)
                        ],
                    )
                )

    def audit_log(
        self,
        tenant: str,
        *,
        action: AuditAction | None = None,
        candidate_id: int | None = None,
        since: dt.datetime | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """``tenant``'s audit entries, newest first."""
        query = select(AuditRow).where(AuditRow.tenant == tenant)
        if action is not None:
            query = query.where(AuditRow.action == action.value)
        if since is not None:
            query = query.where(AuditRow.at >= since)
        if candidate_id is not None:
            query = query.where(
                AuditRow.id.in_(
                    select(AuditCandidateRow.audit_id).where(
                        AuditCandidateRow.candidate_id == candidate_id
                    )
                )
            )
        query = (
            query.options(selectinload(AuditRow.candidates))
            .order_by(AuditRow.id.desc())
            .limit(limit)
        )
        with self.session() as session:
            return [
                AuditEntry(
                    id=r.id,
                    at=_utc(r.at),
                    tenant=r.tenant,
                    actor=r.actor,
                    action=AuditAction(r.action),
                    candidate_ids=[c.candidate_id for c in r.candidates],
                    detail=r.detail,
                )
                for r in session.scalars(query)
            ]


def _engine(url: str) -> Engine:
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn: Any, _record: Any) -> None:
            cursor = conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


def _by_tenant(written: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    """(tenant, candidate id) pairs grouped by tenant."""
    grouped: dict[str, list[int]] = {}
    for tenant, candidate_id in written:
        grouped.setdefault(tenant, []).append(int(candidate_id))
    return grouped


def _of_tenant(tenant: str) -> ColumnElement[bool]:
    """The candidate is ``tenant``'s, as a filter on rows found by id. Written so that no
    index serves it: SQLite would otherwise walk the (tenant, consent, retention) index, a
    million rows, rather than look up a few hundred ids by key."""
    return CandidateRow.tenant + "" == tenant


def _owner() -> Any:
    """The tenant of an application's candidate, looked up by key: queries over
    applications start from them, not from the candidates (see :meth:`Store.past_jobs`)."""
    return (
        select(CandidateRow.tenant)
        .where(CandidateRow.id == ApplicationRow.candidate_id)
        .scalar_subquery()
    )


def _eligible(today: dt.date) -> ColumnElement[bool]:
    """May be contacted and is within retention on ``today``."""
    return and_(
        CandidateRow.may_contact.is_(True),
        or_(CandidateRow.retention_until.is_(None), CandidateRow.retention_until >= today),
    )


def _values(new: NewCandidate) -> dict[str, Any]:
    """The candidate columns a record sets (tags, applications and vectors aside)."""
    return _resume_values(new.resume) | {
        "source": new.source,
        "file_name": new.file_name,
        "may_contact": new.consent.may_contact,
        "consent_date": new.consent.consent_date,
        "retention_until": new.consent.retention_until,
        "location": new.location,
        "remote": new.remote,
        "updated_at": utcnow(),
    }


def _tags(new: NewCandidate) -> list[str]:
    return sorted({t.strip() for t in new.tags if t.strip()})


def _fill(row: CandidateRow, new: NewCandidate) -> None:
    for column, value in _values(new).items():
        setattr(row, column, value)
    tags = _tags(new)
    if [t.tag for t in row.tags] != tags:
        row.tags = [CandidateTagRow(tag=t) for t in tags]
    row.updated_at = utcnow()


def _check_tenant(tenant: str) -> None:
    if not TENANT_NAME.fullmatch(tenant):
        raise InvalidInput(
            f"bad tenant name {tenant[:80]!r}: 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )


def _skill_ids_json(resume: Resume) -> str:
    return json.dumps(sorted(resume.skill_ids()))


def lexical_doc(candidate_id: int, resume: Resume, *, blind: bool = True) -> LexicalDoc:
    """A candidate's BM25 document, versioned as :meth:`Store.lexical_versions` reads it:
    the résumé's blind text for a ``blind`` tenant (the text as written when the résumé has
    none yet), else the text as written."""
    skills = _skill_ids_json(resume)
    text = resume.blind_text if blind and resume.blind_text is not None else resume.text
    version = lexical_version(text_sha(text), skills)
    return LexicalDoc(candidate_id, version, text, sorted(resume.skill_ids()))


def _lexical_sha(blind: bool, text_sha: str, blind_sha: str | None) -> str:
    """The SHA-256 of the text a candidate's BM25 document holds (see :func:`lexical_doc`),
    from the store's columns."""
    return blind_sha if blind and blind_sha is not None else text_sha


def _resume_values(resume: Resume) -> dict[str, Any]:
    return {
        "resume_json": resume.model_dump_json(),
        "text_sha": text_sha(resume.text),
        "blind_sha": text_sha(resume.blind_text) if resume.blind_text is not None else None,
        "name": resume.contact.name,
        "titles_json": json.dumps(resume.titles),
        "skill_ids_json": _skill_ids_json(resume),
        "years_experience": resume.years_experience,
        "skills_last_used_json": json.dumps(
            {k: v.isoformat() for k, v in resume.skills_last_used().items()}, sort_keys=True
        ),
        "skill_years_json": json.dumps(resume.skill_years(), sort_keys=True),
    }


def _embedding_row(
    candidate_id: int, model: str, sha: str, vector: Vectors, blind: bool
) -> EmbeddingRow:
    return EmbeddingRow(
        candidate_id=candidate_id,
        model=model,
        text_sha=sha,
        vector=np.asarray(vector, dtype=np.float32).tobytes(),
        blind=blind,
    )


def _fill_resume(row: CandidateRow, resume: Resume) -> None:
    for column, value in _resume_values(resume).items():
        setattr(row, column, value)


def _application_row(app: Application) -> ApplicationRow:
    return ApplicationRow(
        job_id=app.job_id,
        job_title=app.job_title,
        job_text=app.job_text,
        stage=app.stage.value,
        outcome=app.outcome.value,
        score=app.score,
        date=app.date,
    )


def _candidate(row: CandidateRow) -> Candidate:
    return Candidate(
        id=row.id,
        tenant=row.tenant,
        external_id=row.external_id,
        source=row.source,
        file_name=row.file_name,
        resume=Resume.model_validate_json(row.resume_json),
        applications=[_application(a) for a in row.applications],
        consent=Consent(
            may_contact=row.may_contact,
            consent_date=row.consent_date,
            retention_until=row.retention_until,
        ),
        location=row.location,
        remote=row.remote,
        tags=[t.tag for t in row.tags],
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )


def _application(a: ApplicationRow) -> Application:
    return Application(
        job_id=a.job_id,
        job_title=a.job_title,
        job_text=a.job_text,
        stage=Stage(a.stage),
        outcome=Outcome(a.outcome),
        score=a.score,
        date=a.date,
    )


def _feedback(r: FeedbackRow) -> Feedback:
    return Feedback(
        job_id=r.job_id,
        candidate_id=r.candidate_id,
        verdict=Verdict(r.verdict),
        reason=r.reason,
        features=json.loads(r.features_json),
        created_at=_utc(r.created_at),
    )


def _api_key(r: ApiKeyRow) -> ApiKey:
    return ApiKey(
        prefix=r.prefix,
        tenant=r.tenant,
        admin=r.admin,
        created_at=_utc(r.created_at),
        revoked_at=_utc(r.revoked_at) if r.revoked_at else None,
    )


def _last_used(stored: str) -> dict[str, dt.date]:
    """A candidate's ``skills_last_used_json`` read back: skill id → the date it was last used."""
    return {k: dt.date.fromisoformat(v) for k, v in json.loads(stored).items()}


def _utc(value: dt.datetime) -> dt.datetime:
    """A stored time as UTC: SQLite hands back what it was given without its zone."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
