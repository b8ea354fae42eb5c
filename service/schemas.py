"""HTTP request and response bodies, kept apart from the domain records."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from models import Application, Candidate, Consent, Shortlist, SkillEvidence, SkillMention

MAX_TEXT = 200_000


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CandidateIn(Body):
    """A candidate sent as JSON: the résumé text and, optionally, history and consent."""

    external_id: str = Field(min_length=1, max_length=256, description="The CRM's id; upsert key")
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="Résumé text")
    applications: list[Application] = Field(default_factory=list, max_length=1000)
    consent: Consent = Field(default_factory=Consent)
    source: str | None = Field(default=None, max_length=128)


class CandidateUpsert(Body):
    """A candidate sent to its external-id address."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    applications: list[Application] = Field(default_factory=list, max_length=1000)
    consent: Consent = Field(default_factory=Consent)
    source: str | None = Field(default=None, max_length=128)


class SkillOut(BaseModel):
    id: str
    label: str
    text: str
    start: int
    end: int
    section: str | None


class JobSkillOut(SkillOut):
    required: bool
    years: float | None


class SkillsIn(Body):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    kind: Literal["resume", "job"] = Field(
        default="resume", description="job: say which skills are must-haves and years asked"
    )


class LinkIn(Body):
    phrases: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        min_length=1, max_length=1000, description="Skill phrases or tags"
    )


class LinkOut(BaseModel):
    phrase: str
    id: str
    label: str
    method: Literal["label", "nearest", "free"]
    score: float


class LinksOut(BaseModel):
    links: list[LinkOut]


class SkillsOut(BaseModel):
    """Skill mentions, ``text[start:end]`` each; for a job, must-have and years asked."""

    skills: list[JobSkillOut | SkillOut]


class CandidateOut(BaseModel):
    candidate_id: int
    external_id: str
    name: str | None
    emails: list[str]
    phones: list[str]
    links: list[str]
    titles: list[str]
    years_experience: float | None
    education: list[str]
    skills: list[SkillOut]
    evidence: list[SkillEvidence]
    sections: list[str]
    applications: list[Application]
    consent: Consent
    source: str | None
    file_name: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, c: Candidate) -> CandidateOut:
        r = c.resume
        return cls(
            candidate_id=c.id,
            external_id=c.external_id,
            name=r.contact.name,
            emails=r.contact.emails,
            phones=r.contact.phones,
            links=r.contact.links,
            titles=r.titles,
            years_experience=r.years_experience,
            education=r.education,
            evidence=r.evidence,
            skills=[SkillOut(**s.model_dump()) for s in unique_skills(r.skills)],
            sections=[s.name for s in r.sections],
            applications=c.applications,
            consent=c.consent,
            source=c.source,
            file_name=c.file_name,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )


def unique_skills(skills: list[SkillMention]) -> list[SkillMention]:
    """The first mention of each skill."""
    seen: dict[str, SkillMention] = {}
    for s in skills:
        seen.setdefault(s.id, s)
    return list(seen.values())


class JobIn(Body):
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="The job description")
    title: str | None = Field(default=None, max_length=512)


class MatchFilters(Body):
    """Caller filters. Tenant, consent and retention always apply; more filters come later,
    and an unknown one is refused rather than ignored."""


class MatchIn(Body):
    job: JobIn
    top_k: int = Field(default=10, ge=1, le=500)
    filters: MatchFilters = Field(default_factory=MatchFilters)


class BreakdownOut(BaseModel):
    semantic: float
    must_have: float
    nice_to_have: float
    weights: dict[str, float]


class MatchOut(BaseModel):
    candidate_id: int
    external_id: str
    name: str | None
    score: float = Field(description="0–100")
    matched_skills: list[str]
    missing_skills: list[str]
    reasons: list[str]
    breakdown: BreakdownOut
    runner_up: bool


class ShortlistOut(BaseModel):
    """The shape of ``POST /v1/match`` and of ``talentmatch match --json``."""

    results: list[MatchOut]
    took_ms: float
    job_title: str | None
    pool_size: int

    @classmethod
    def of(cls, shortlist: Shortlist) -> ShortlistOut:
        return cls.model_validate(shortlist.model_dump())


class ErrorOut(BaseModel):
    code: str
    message: str


class Health(BaseModel):
    status: str
    candidates: int | None = None
    index: dict[str, object] | None = None
