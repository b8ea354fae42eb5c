"""HTTP request and response bodies, kept apart from the domain records."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from models import (
    ApiKey,
    Application,
    AuditEntry,
    Candidate,
    Consent,
    FairRerank,
    Feedback,
    Filters,
    Shortlist,
    SkillEvidence,
    SkillGroup,
    SkillMention,
    Verdict,
    names_a_skill,
)

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
    location: str | None = Field(default=None, max_length=200, description="e.g. Berlin, Germany")
    remote: bool | None = Field(default=None, description="open to remote work, if known")
    tags: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=100
    )


class CandidateUpsert(Body):
    """A candidate sent to its external-id address."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    applications: list[Application] = Field(default_factory=list, max_length=1000)
    consent: Consent = Field(default_factory=Consent)
    source: str | None = Field(default=None, max_length=128)
    location: str | None = Field(default=None, max_length=200, description="e.g. Berlin, Germany")
    remote: bool | None = Field(default=None, description="open to remote work, if known")
    tags: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=100
    )


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


def _names_something(phrase: str) -> str:
    if not names_a_skill(phrase):
        raise PydanticCustomError("no_letter", "a phrase needs a letter or a digit to name a skill")
    return phrase


class LinkIn(Body):
    # A phrase names a skill with a letter or a digit: "." is no phrase.
    phrases: list[
        Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_names_something)]
    ] = Field(
        min_length=1,
        max_length=1000,
        description="Skill phrases or tags, each with a letter or a digit",
    )


class LinkOut(BaseModel):
    phrase: str
    id: str
    label: str
    method: Literal["label", "nearest", "free"]
    score: float
    esco: str | None = Field(
        None,
        description="The ESCO skill the link is in ESCO's terms: the skill itself, or for a "
        "tool ESCO lists under a kind of product (Excel: 'use spreadsheets software') that "
        "kind; null where ESCO has none",
    )


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
    location: str | None
    remote: bool | None
    tags: list[str]
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
            location=c.location,
            remote=c.remote,
            tags=c.tags,
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


class MatchFilters(Body, Filters):
    """Caller filters, applied inside retrieval. Tenant, consent and retention always
    apply; an unknown filter is refused rather than ignored."""


GroupCategory = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
GroupValue = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class MatchIn(Body):
    job: JobIn
    top_k: int = Field(default=10, ge=1, le=500)
    filters: MatchFilters = Field(default_factory=MatchFilters)
    mode: Literal["all", "rediscover"] = Field(
        default="all",
        description="rediscover: past applicants only, runners-up for a similar job first",
    )
    fair_rerank: GroupCategory | None = Field(
        default=None,
        description="Opt-in: re-rank the top k toward each group's share of the eligible "
        "pool, by the groups candidates reported in this category (PUT "
        "/v1/candidates/{id}/groups), at the least loss of score; `fair_rerank` in the "
        "answer says what changed",
    )


# Candidate ids are SQL INTEGERs (32 bits on PostgreSQL): a larger number is refused as
# invalid, never looked up.
MAX_ID = 2**31 - 1


class GroupsIn(Body):
    groups: dict[GroupCategory, GroupValue] = Field(
        max_length=10,
        description='What the candidate reported, category → group: {"gender": "female", '
        '"race_ethnicity": "black", "age_band": "40+"}; {} clears. Stored apart from the '
        "candidate's record and never used in scoring.",
    )


class GroupsOut(BaseModel):
    candidate_id: int
    groups: dict[str, str]


class SelectionReportIn(Body):
    """A shortlist the CRM was given, and the category of self-reported groups to measure
    it by; the pool it was drawn from is the tenant's eligible candidates (with ``filters``
    as the match had them)."""

    category: GroupCategory
    candidate_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1, max_length=500
    )
    filters: MatchFilters = Field(default_factory=MatchFilters)


class FeedbackItemIn(Body):
    candidate_id: int = Field(ge=1, le=MAX_ID)
    verdict: Verdict = Field(description="shortlisted, rejected or hired")
    reason: str | None = Field(default=None, max_length=500, description="why, if rejected")


class FeedbackIn(Body):
    """A recruiter's verdicts on candidates for one job; the job's text is sent again so
    that the features each candidate had for it are recorded with the verdict."""

    job_id: str = Field(min_length=1, max_length=256, description="The CRM's id of the job")
    job: JobIn
    items: list[FeedbackItemIn] = Field(min_length=1, max_length=500)


class FeedbackOut(BaseModel):
    job_id: str
    candidate_id: int
    verdict: Verdict
    reason: str | None
    features: dict[str, float]
    created_at: dt.datetime | None


class FeedbackListOut(BaseModel):
    feedback: list[FeedbackOut]

    @classmethod
    def of(cls, items: list[Feedback]) -> FeedbackListOut:
        return cls(feedback=[FeedbackOut.model_validate(f.model_dump()) for f in items])


class BreakdownOut(BaseModel):
    """Each feature in [0, 1]; the weight it carried; the points it added (they sum to the
    score). Features: semantic, lexical, must_have, nice_to_have, title, experience,
    history; one the job gives no basis for is absent."""

    features: dict[str, float]
    weights: dict[str, float]
    points: dict[str, float]


class MatchOut(BaseModel):
    candidate_id: int
    external_id: str
    name: str | None
    score: float = Field(description="0–100")
    matched_skills: list[str]
    missing_skills: list[str]
    must_have: SkillGroup
    nice_to_have: SkillGroup
    reasons: list[str]
    breakdown: BreakdownOut
    runner_up: bool
    runner_up_for: list[str] = Field(
        description='roles they were runner-up for, latest first: "Data Engineer, March 2025"'
    )
    updated_at: dt.datetime | None
    stale: bool = Field(description="profile not updated for 18 months")


class ShortlistOut(BaseModel):
    """The shape of ``POST /v1/match`` and of ``talentmatch match --json``."""

    results: list[MatchOut]
    took_ms: float
    job_title: str | None
    pool_size: int
    fair_rerank: FairRerank | None = None

    @classmethod
    def of(cls, shortlist: Shortlist) -> ShortlistOut:
        return cls.model_validate(shortlist.model_dump())


class EmbeddingOut(BaseModel):
    model: str = Field(description="The model and window count the vector was made with")
    text_sha256: str = Field(description="Hash of the text embedded")


class ExportOut(BaseModel):
    """Everything held about one candidate (right of access): the stored record with the
    résumé text and what was parsed from it, history, consent, tags, recruiters' feedback,
    the vectors held (not their values), the groups they reported, and the audit entries
    that name the candidate."""

    exported_at: dt.datetime
    candidate: Candidate
    feedback: list[Feedback]
    embeddings: list[EmbeddingOut]
    groups: dict[str, str] = Field(default_factory=dict)
    audit: list[AuditEntry]


TenantName = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
]


class KeyIn(Body):
    tenant: TenantName = Field(description="The tenant the key belongs to")
    admin: bool = Field(default=False, description="Whether the key also manages keys")


class KeyCreatedOut(ApiKey):
    key: str = Field(description="The key itself: shown this once, stored only as a hash")


class KeysOut(BaseModel):
    keys: list[ApiKey]


class SettingsIn(Body):
    tenant: TenantName = Field(description="The tenant whose settings these are")
    blind: bool = Field(
        description="Blind matching: name, contact details, personal fields, graduation years "
        "and gendered words left out of what is embedded and keyword-searched (README, "
        "Fairness). Turn it off only where the tenant must."
    )


class SettingsOut(BaseModel):
    tenant: str
    blind: bool
    to_embed: int = Field(
        description="Candidates whose vectors were made from the other representation (or "
        "before there was a choice): `talentmatch reindex` embeds them again"
    )


class AuditListOut(BaseModel):
    entries: list[AuditEntry]


class DocumentTextOut(BaseModel):
    """The text of an uploaded document (a job description to match, say); nothing stored."""

    text: str
    format: str = Field(description="pdf, docx, txt or md")


class ErrorOut(BaseModel):
    code: str
    message: str


class Health(BaseModel):
    status: str
    candidates: int | None = None
    index: dict[str, object] | None = None
    worker: int | None = Field(
        default=None, description="Process id of the worker that answered (serve --workers N)"
    )
