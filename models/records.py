"""Typed records that the pipeline stages hand each other."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")


class Section(Record):
    """A titled part of a document: ``text[start:end]`` is its body."""

    name: str
    start: int
    end: int


class SkillMention(Record):
    """A skill found in a document; ``start``/``end`` are character offsets into its text."""

    id: str
    label: str
    text: str
    start: int
    end: int
    section: str | None = None


class JobSkill(SkillMention):
    """A skill a job asks for; ``required`` is False for nice-to-haves; ``years`` is the
    experience asked for it ("5+ years of Python"), when the job says."""

    required: bool = True
    years: float | None = None


class SkillEvidence(Record):
    """What a résumé shows of one skill: where, how often, when last and for how long
    (from the dates of the roles that mention it)."""

    id: str
    label: str
    mentions: int
    sections: list[str]
    last_used: dt.date | None = None
    years_used: float | None = None


class Contact(Record):
    name: str | None = None
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)


class Resume(Record):
    text: str
    format: str
    sections: list[Section] = Field(default_factory=list)
    contact: Contact = Field(default_factory=Contact)
    titles: list[str] = Field(default_factory=list)
    years_experience: float | None = None
    education: list[str] = Field(default_factory=list)
    skills: list[SkillMention] = Field(default_factory=list)
    evidence: list[SkillEvidence] = Field(default_factory=list)

    def skill_ids(self) -> set[str]:
        return {s.id for s in self.skills}


class Job(Record):
    text: str
    title: str | None = None
    skills: list[JobSkill] = Field(default_factory=list)
    years_experience: float | None = None
    seniority: str | None = None
    location: str | None = None
    remote: str | None = Field(default=None, description="remote, hybrid or onsite")

    def required(self) -> list[JobSkill]:
        return _unique([s for s in self.skills if s.required])

    def preferred(self) -> list[JobSkill]:
        required = {s.id for s in self.required()}
        return _unique([s for s in self.skills if not s.required and s.id not in required])


def _unique(skills: list[JobSkill]) -> list[JobSkill]:
    seen: dict[str, JobSkill] = {}
    for s in skills:
        seen.setdefault(s.id, s)
    return list(seen.values())


class Stage(StrEnum):
    applied = "applied"
    screened = "screened"
    interviewed = "interviewed"
    final_round = "final_round"
    offer = "offer"


class Outcome(StrEnum):
    hired = "hired"
    runner_up = "runner_up"
    rejected = "rejected"
    withdrew = "withdrew"
    pending = "pending"


class Application(Record):
    """One step of a candidate's history with the company."""

    job_id: str
    job_title: str
    job_text: str | None = None
    stage: Stage = Stage.applied
    outcome: Outcome = Outcome.pending
    score: float | None = None
    date: dt.date | None = None


class Consent(Record):
    may_contact: bool = True
    consent_date: dt.date | None = None
    retention_until: dt.date | None = None


class CandidateProfile(Record):
    """What re-scoring needs of a candidate, loaded without the résumé text."""

    id: int
    external_id: str
    name: str | None
    titles: list[str]
    skill_ids: frozenset[str]
    years_experience: float | None = None
    applications: list[Application] = Field(default_factory=list)


class NewCandidate(Record):
    """What an ingest hands the pool: everything but the ids and timestamps it assigns."""

    tenant: str
    external_id: str
    resume: Resume
    source: str | None = None
    file_name: str | None = None
    applications: list[Application] = Field(default_factory=list)
    consent: Consent = Field(default_factory=Consent)


class Candidate(NewCandidate):
    """A person in the talent pool: what was ingested, plus the id and times the store gave."""

    id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ScoreBreakdown(Record):
    """Each feature in [0, 1] and the weight it carried in the final score."""

    semantic: float
    must_have: float
    nice_to_have: float
    weights: dict[str, float]


class Match(Record):
    candidate_id: int
    external_id: str
    name: str | None
    score: float
    matched_skills: list[str]
    missing_skills: list[str]
    reasons: list[str]
    breakdown: ScoreBreakdown
    runner_up: bool = False


class Shortlist(Record):
    results: list[Match]
    took_ms: float
    job_title: str | None = None
    pool_size: int = 0


class IndexManifest(Record):
    """What is saved beside every vector index; an index is refused by another model."""

    model: str
    dim: int
    metric: str = "inner_product"
    normalized: bool = True
    count: int
    kind: str
    faiss_version: str
    built_at: dt.datetime
