"""SQLAlchemy tables of the talent pool."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class CandidateRow(Base):
    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("tenant", "external_id", name="uq_candidate_tenant_external"),
        Index("ix_candidates_tenant_contact", "tenant", "may_contact", "retention_until"),
        # SQLite would otherwise give an erased candidate's id, when it was the highest, to
        # the next one created: a CRM holding the old id would reach someone else.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(256))
    name: Mapped[str | None] = mapped_column(String(256))
    source: Mapped[str | None] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(String(512))
    # Denormalised from the résumé (``ResumeRow``) so that re-scoring never loads it.
    titles_json: Mapped[str] = mapped_column(Text, default="[]")
    skill_ids_json: Mapped[str] = mapped_column(Text, default="[]")
    # Skill id → ISO date of the last role that mentions it (from the résumé's evidence).
    skills_last_used_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    # Skill id → the years the résumé shows of it (``Resume.skill_years``).
    skill_years_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    years_experience: Mapped[float | None] = mapped_column(Float)
    text_sha: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the résumé's blind text (what a blind tenant's BM25 document holds); None
    # for a résumé parsed before there was one.
    blind_sha: Mapped[str | None] = mapped_column(String(64))
    may_contact: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_date: Mapped[dt.date | None] = mapped_column(Date)
    retention_until: Mapped[dt.date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(200))
    remote: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    applications: Mapped[list[ApplicationRow]] = relationship(
        back_populates="candidate",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ApplicationRow.id",
    )
    embeddings: Mapped[list[EmbeddingRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    tags: Mapped[list[CandidateTagRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="CandidateTagRow.tag"
    )
    # Loaded with the row, as a column would be.
    document: Mapped[ResumeRow] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )
    # The résumé's JSON, read and written as if it were a column of this row.
    resume_json: AssociationProxy[str] = association_proxy(
        "document", "resume_json", creator=lambda json: ResumeRow(resume_json=json)
    )


class ResumeRow(Base):
    """A candidate's parsed résumé, as JSON (about 20 KB), in a table of its own. In the
    candidates table it stood before the columns that every start reads for each candidate
    (titles, skills, dates), and SQLite reaches a column past a large value by reading
    through it: loading a million candidates' profiles read the whole 27.5 GB store from
    disk, where it reads 7.4 GB now (README "A résumé is stored apart")."""

    __tablename__ = "resumes"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    resume_json: Mapped[str] = mapped_column(Text)


class CandidateTagRow(Base):
    __tablename__ = "candidate_tags"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class ApplicationRow(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[str] = mapped_column(String(256))
    job_title: Mapped[str] = mapped_column(String(512))
    job_text: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float)
    date: Mapped[dt.date | None] = mapped_column(Date)

    candidate: Mapped[CandidateRow] = relationship(back_populates="applications")


class EmbeddingRow(Base):
    """The résumé vector, kept so the index can be rebuilt without re-embedding; one per
    model key, so that a re-index to a new model leaves the old vectors whole until it
    has finished."""

    __tablename__ = "embeddings"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(256), primary_key=True)
    text_sha: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    # Made from the blind representation (True) or the résumé as written (False); None for
    # a vector made before there was a choice (from the text without its header only).
    blind: Mapped[bool | None] = mapped_column(Boolean)


class CandidateGroupRow(Base):
    """A group a candidate reported belonging to (gender, race or ethnicity, age band…), as
    the CRM sent it: kept apart from the candidate's record, read only to report selection
    rates and, when a match asks, to re-rank toward the pool's make-up; never a feature of
    a score. Erased with the candidate."""

    __tablename__ = "candidate_groups"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))


class TenantSettingsRow(Base):
    """A tenant's settings; a tenant without a row has the defaults."""

    __tablename__ = "tenant_settings"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Blind matching: identity signals left out of what is embedded and keyword-searched.
    blind: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JobVectorRow(Base):
    """The vector of a past job candidates applied to (its title and text), by job id: how
    similar an old process is to a new job, without embedding the old job again."""

    __tablename__ = "job_vectors"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    model: Mapped[str] = mapped_column(String(256), primary_key=True)
    text_sha: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class FeedbackRow(Base):
    """A recruiter's verdict on a candidate shortlisted for a job, with the features the
    candidate had for that job then: what the weight-tuning script learns from."""

    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_tenant_job", "tenant", "job_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    job_id: Mapped[str] = mapped_column(String(256))
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(500))
    features_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """One read, match, export or deletion: who (a key's prefix, or ``cli``), when, which
    candidates (internal ids only)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_tenant_at", "tenant", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    tenant: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(String(500))

    candidates: Mapped[list[AuditCandidateRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="AuditCandidateRow.position"
    )


class AuditCandidateRow(Base):
    """A candidate an audit entry concerns, by internal id (no foreign key: the entry
    outlives the candidate)."""

    __tablename__ = "audit_candidates"

    audit_id: Mapped[int] = mapped_column(
        ForeignKey("audit_log.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(Integer, index=True)


class RevisionRow(Base):
    """A tenant's revision: moved by every write that can change one of its matches
    (candidates, their résumés, vectors, consent, history; erasure), in the same
    transaction, whichever process writes. A shortlist computed at one revision is the one
    computed at the same revision again (see :class:`matcher.engine.Matcher`)."""

    __tablename__ = "revisions"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)
    # Changes at or below this revision were pruned from ``changes``: a process that has
    # applied less than this must read the pool again rather than follow the changes.
    pruned: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class ChangeRow(Base):
    """A candidate written at a tenant's revision, and by which process (its store's
    ``writer`` token): what another process serving the same pool reads to bring its
    in-memory indexes in step (see :meth:`index.pool.TalentPool.follow`). No foreign key:
    the erasure of a candidate is a change too. Pruned after a while (``revisions.pruned``)."""

    __tablename__ = "changes"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    writer: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
