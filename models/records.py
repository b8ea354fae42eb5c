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


def names_a_skill(phrase: str) -> bool:
    """Whether a skill phrase or tag can name a skill: it holds a letter or a digit ("." and
    "-" name none)."""
    return any(c.isalnum() for c in phrase)


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
    """What a résumé shows of one skill: where, how often, when last and for how long (from
    the dates of the roles that mention it), and the years it states for the skill ("ORACLE
    (3 years)", "5+ years of experience in Mule"; less than a year is 0.5), the most where
    it states several."""

    id: str
    label: str
    mentions: int
    sections: list[str]
    last_used: dt.date | None = None
    years_used: float | None = None
    years_stated: float | None = None

    def years(self) -> float | None:
        """The years the résumé shows of the skill: the most of those it states and those
        its dated roles span, to the quarter year (what re-scoring keeps of it); None when
        it shows neither."""
        shown = [y for y in (self.years_stated, self.years_used) if y is not None]
        return round(4 * max(shown)) / 4 if shown else None


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
    blind_text: str | None = Field(
        default=None,
        description="what a blind match reads of the text: name, contact details, personal "
        "fields, graduation years and gendered words taken out (None: parsed before there was one)",
    )

    def skill_ids(self) -> set[str]:
        return {s.id for s in self.skills}

    def skills_last_used(self) -> dict[str, dt.date]:
        """Skill id → the end of the last dated role that mentions it."""
        return {e.id: e.last_used for e in self.evidence if e.last_used}

    def skill_years(self) -> dict[str, float]:
        """Skill id → the years the résumé shows of it (:meth:`SkillEvidence.years`)."""
        return {e.id: y for e in self.evidence if (y := e.years()) is not None}


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
    """One of each skill, its first mention, with the most years any mention asks."""
    seen: dict[str, JobSkill] = {}
    for s in skills:
        first = seen.setdefault(s.id, s)
        if s.years is not None and (first.years is None or s.years > first.years):
            seen[s.id] = first.model_copy(update={"years": s.years})
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
    score: float | None = Field(
        default=None, ge=0, le=5, description="interview score, 0 (worst) to 5 (best)"
    )
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
    updated_at: dt.datetime | None = None
    skills_last_used: dict[str, dt.date] = Field(default_factory=dict)
    # Skill id → the years the résumé shows of it (:meth:`Resume.skill_years`).
    skill_years: dict[str, float] = Field(default_factory=dict)
    location: str | None = None
    remote: bool | None = None


class NewCandidate(Record):
    """What an ingest hands the pool: everything but the ids and timestamps it assigns."""

    tenant: str
    external_id: str
    resume: Resume
    source: str | None = None
    file_name: str | None = None
    applications: list[Application] = Field(default_factory=list)
    consent: Consent = Field(default_factory=Consent)
    location: str | None = Field(default=None, max_length=200)
    remote: bool | None = Field(default=None, description="open to remote work, if known")
    tags: list[str] = Field(default_factory=list, max_length=100)


class Filters(Record):
    """Caller filters on a match, applied inside retrieval (so the top k is still k).
    Tenant, consent and retention always apply on top of them."""

    locations: list[str] = Field(
        default_factory=list, description="any of these, within the candidate's location"
    )
    remote: bool | None = Field(default=None, description="true: open to remote work")
    min_years: float | None = Field(default=None, ge=0)
    outcomes: list[Outcome] = Field(
        default_factory=list, description="candidates with a past application of these outcomes"
    )
    sources: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="all of these tags")
    updated_since: dt.date | None = None

    def narrows(self) -> bool:
        """Whether any filter is set (of this class or a subclass, such as the API's)."""
        return bool(self.model_dump(exclude_defaults=True))


class Candidate(NewCandidate):
    """A person in the talent pool: what was ingested, plus the id and times the store gave."""

    id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ScoreBreakdown(Record):
    """Each feature in [0, 1], the weight it carried, and the points it added to the score
    (``100 × weight × feature``; they sum to the score). A feature the job gives no basis
    for is absent and carried no weight."""

    features: dict[str, float]
    weights: dict[str, float]
    points: dict[str, float]


class SkillGroup(Record):
    """A job's must-haves (or nice-to-haves) as one candidate meets them: by the skill
    itself, by a broader or narrower one (``related``, partial credit), or not at all."""

    matched: list[str] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)


class Match(Record):
    candidate_id: int
    external_id: str
    name: str | None
    score: float
    matched_skills: list[str]
    missing_skills: list[str]
    reasons: list[str]
    breakdown: ScoreBreakdown
    must_have: SkillGroup = Field(default_factory=SkillGroup)
    nice_to_have: SkillGroup = Field(default_factory=SkillGroup)
    runner_up: bool = False
    runner_up_for: list[str] = Field(
        default_factory=list,
        description='the roles they were runner-up for, latest first: "Data Engineer, March 2025"',
    )
    updated_at: dt.datetime | None = None
    stale: bool = False


class FairRerank(Record):
    """What an opt-in fair re-ranking of a shortlist changed: each group's share of the
    eligible pool (the target), its count in the top k before and after, who came in and
    who went out, and the points of score given up."""

    category: str
    target: dict[str, float] = Field(description="each group's share of the labelled pool")
    before: dict[str, int]
    after: dict[str, int]
    moved_in: list[int] = Field(default_factory=list, description="candidate ids now in the top k")
    moved_out: list[int] = Field(default_factory=list, description="candidate ids no longer in it")
    score_loss: float = Field(description="sum of scores before less sum after (points of 100)")
    unmet: list[str] = Field(
        default_factory=list, description="groups with too few candidates to reach their share"
    )


class Shortlist(Record):
    results: list[Match]
    took_ms: float
    job_title: str | None = None
    pool_size: int = 0
    fair_rerank: FairRerank | None = None


class GroupRate(Record):
    """One group's share of a shortlist against its share of the pool it was drawn from."""

    group: str
    pool: int = Field(description="candidates of the group in the pool")
    selected: int = Field(description="of them on the shortlist")
    selection_rate: float = Field(description="selected / pool")
    impact_ratio: float | None = Field(
        description="selection rate over the highest group's (None when no group was selected)"
    )
    below_four_fifths: bool = Field(description="impact ratio under 0.8 (the four-fifths rule)")


class SelectionReport(Record):
    """Selection rates and impact ratios of a shortlist, by the groups candidates reported
    in one category; candidates who reported none are counted apart."""

    category: str
    pool: int = Field(description="eligible candidates who reported a group in the category")
    selected: int = Field(description="of them on the shortlist")
    unlabelled_pool: int
    unlabelled_selected: int
    groups: list[GroupRate]
    lowest_impact_ratio: float | None = None


class Verdict(StrEnum):
    shortlisted = "shortlisted"
    rejected = "rejected"
    hired = "hired"


class Feedback(Record):
    """A recruiter's verdict on one candidate for one job, with the features the candidate
    had for that job when the verdict was given."""

    job_id: str
    candidate_id: int
    verdict: Verdict
    reason: str | None = None
    features: dict[str, float] = Field(default_factory=dict)
    created_at: dt.datetime | None = None


class IndexManifest(Record):
    """What is saved beside every vector index; an index is refused by another model."""

    model: str
    dim: int
    metric: str = "inner_product"
    normalized: bool = True
    count: int
    kind: str
    # The backend's tuning: for an inverted file, its cells and the cells a search visits.
    params: dict[str, int] = Field(default_factory=dict)
    faiss_version: str
    built_at: dt.datetime


class ApiKey(Record):
    """An API key as stored: never the key itself, only its printed prefix. An admin key
    also manages keys, of every tenant."""

    prefix: str
    tenant: str
    admin: bool = False
    created_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


class AuditAction(StrEnum):
    READ = "read"
    EXPORT = "export"
    MATCH = "match"
    DELETE = "delete"
    PURGE = "purge"
    KEY_CREATED = "key_created"
    KEY_REVOKED = "key_revoked"
    SETTINGS_CHANGED = "settings_changed"


class AuditEntry(Record):
    """Who did what to which candidates, when. Holds internal ids and key prefixes only,
    never personal data, so it may outlive an erased candidate as proof of the erasure."""

    id: int | None = None
    at: dt.datetime | None = None
    tenant: str
    actor: str
    action: AuditAction
    candidate_ids: list[int] = Field(default_factory=list)
    detail: str | None = None
