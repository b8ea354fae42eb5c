"""HTTP routes under /v1: translate requests into calls on the matcher, results back."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile, status

from models import Application, Feedback, FileTooLarge, InvalidInput, NewCandidate
from service.deps import MatcherDep, RuntimeDep, TenantDep
from service.schemas import (
    CandidateIn,
    CandidateOut,
    CandidateUpsert,
    ErrorOut,
    FeedbackIn,
    FeedbackListOut,
    Health,
    JobSkillOut,
    LinkIn,
    LinkOut,
    LinksOut,
    MatchIn,
    ShortlistOut,
    SkillOut,
    SkillsIn,
    SkillsOut,
)

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut} for code in (401, 404, 413, 415, 422)
}
v1 = APIRouter(prefix="/v1", responses=ERRORS)
probes = APIRouter()


def _save(matcher: MatcherDep, new: NewCandidate, response: Response) -> CandidateOut:
    candidate, created = matcher.upsert([new])[0]
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return CandidateOut.of(candidate)


@v1.post("/candidates", status_code=201, response_model=CandidateOut, tags=["candidates"])
def create_candidate(
    body: CandidateIn, matcher: MatcherDep, tenant: TenantDep, response: Response
) -> CandidateOut:
    """Create a candidate from résumé text, or update the one with this external id
    (201 when created, 200 when updated)."""
    resume = matcher.parser.parse_resume_text(body.text)
    new = NewCandidate(
        tenant=tenant,
        external_id=body.external_id,
        resume=resume,
        source=body.source or "api",
        applications=body.applications,
        consent=body.consent,
        location=body.location,
        remote=body.remote,
        tags=body.tags,
    )
    return _save(matcher, new, response)


@v1.post("/candidates/upload", status_code=201, response_model=CandidateOut, tags=["candidates"])
def upload_candidate(
    file: Annotated[UploadFile, File(description="PDF, DOCX, TXT or MD résumé")],
    matcher: MatcherDep,
    runtime: RuntimeDep,
    tenant: TenantDep,
    response: Response,
    external_id: Annotated[str | None, Form(max_length=256)] = None,
    source: Annotated[str | None, Form(max_length=128)] = None,
) -> CandidateOut:
    """Create or update a candidate from a résumé file; the external id defaults to the
    file name without its extension."""
    name = PurePath(file.filename or "upload").name
    limit = runtime.settings.max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"{name}: over the upload limit of {limit:,} bytes")
    resume = matcher.parser.parse_resume_bytes(
        data, name, max_bytes=limit, max_pages=runtime.settings.max_pages
    )
    ext = external_id or PurePath(name).stem
    if not ext:
        raise InvalidInput("no external_id and no file name to take it from")
    new = NewCandidate(
        tenant=tenant, external_id=ext, resume=resume, source=source or "upload", file_name=name
    )
    return _save(matcher, new, response)


@v1.put(
    "/candidates/by-external-id/{external_id}", response_model=CandidateOut, tags=["candidates"]
)
def upsert_candidate(
    external_id: str,
    body: CandidateUpsert,
    matcher: MatcherDep,
    tenant: TenantDep,
    response: Response,
) -> CandidateOut:
    """Create or replace the candidate with this external id (idempotent)."""
    resume = matcher.parser.parse_resume_text(body.text)
    new = NewCandidate(
        tenant=tenant,
        external_id=external_id,
        resume=resume,
        source=body.source or "api",
        applications=body.applications,
        consent=body.consent,
        location=body.location,
        remote=body.remote,
        tags=body.tags,
    )
    return _save(matcher, new, response)


@v1.get(
    "/candidates/by-external-id/{external_id}", response_model=CandidateOut, tags=["candidates"]
)
def read_candidate_by_external_id(
    external_id: str, runtime: RuntimeDep, tenant: TenantDep
) -> CandidateOut:
    return CandidateOut.of(runtime.store.find_external(tenant, external_id))


@v1.get("/candidates/{candidate_id}", response_model=CandidateOut, tags=["candidates"])
def read_candidate(candidate_id: int, runtime: RuntimeDep, tenant: TenantDep) -> CandidateOut:
    return CandidateOut.of(runtime.store.get(tenant, candidate_id))


@v1.delete("/candidates/{candidate_id}", status_code=204, tags=["candidates"])
def delete_candidate(candidate_id: int, matcher: MatcherDep, tenant: TenantDep) -> Response:
    """Erase a candidate: the record, its history and its vector."""
    matcher.pool.delete(tenant, candidate_id)
    return Response(status_code=204)


@v1.post(
    "/candidates/{candidate_id}/applications",
    status_code=201,
    response_model=CandidateOut,
    tags=["candidates"],
)
def add_application(
    candidate_id: int, body: Application, runtime: RuntimeDep, tenant: TenantDep
) -> CandidateOut:
    """Add one step of the candidate's history (job, stage reached, outcome, date)."""
    return CandidateOut.of(runtime.store.add_application(tenant, candidate_id, body))


@v1.post("/match", response_model=ShortlistOut, tags=["match"])
def match(body: MatchIn, matcher: MatcherDep, tenant: TenantDep) -> ShortlistOut:
    """Rank the caller's talent pool for a job description."""
    shortlist = matcher.match(
        body.job.text,
        title=body.job.title,
        k=body.top_k,
        tenant=tenant,
        rediscover=body.mode == "rediscover",
        filters=body.filters,
    )
    return ShortlistOut.of(shortlist)


@v1.post("/skills", response_model=SkillsOut, tags=["skills"])
def extract_skills(body: SkillsIn, matcher: MatcherDep, _: TenantDep) -> SkillsOut:
    """Skills in a text, each with its canonical id, label, surface text and span."""
    if body.kind == "job":
        job = matcher.parser.parse_job(body.text)
        return SkillsOut(skills=[JobSkillOut(**s.model_dump()) for s in job.skills])
    found = matcher.parser.find_skills(body.text)
    return SkillsOut(skills=[SkillOut(**s.model_dump()) for s in found])


@v1.post("/skills/link", response_model=LinksOut, tags=["skills"])
def link_skills(body: LinkIn, runtime: RuntimeDep, _: TenantDep) -> LinksOut:
    """Link phrases or CRM tags to canonical skills: by label, else the nearest label by
    meaning, else a free skill. One link per phrase, in order."""
    links = runtime.linker.link(body.phrases)
    return LinksOut(links=[LinkOut.model_validate(link, from_attributes=True) for link in links])


@probes.get("/healthz", response_model=Health, tags=["operations"])
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@probes.get(
    "/readyz", response_model=Health, tags=["operations"], responses={503: {"model": ErrorOut}}
)
def readyz(runtime: RuntimeDep) -> Health:
    """The pool is loaded and the index answers."""
    manifest = runtime.matcher.pool.manifest()
    return Health(
        status="ready",
        candidates=runtime.matcher.pool.count(),
        index=manifest.model_dump(mode="json") if manifest else None,
    )


@v1.post("/feedback", status_code=201, response_model=FeedbackListOut, tags=["feedback"])
def post_feedback(body: FeedbackIn, matcher: MatcherDep, tenant: TenantDep) -> FeedbackListOut:
    """Record a recruiter's verdicts (shortlisted, rejected with a reason, hired) on
    candidates for a job, with the features each had for it; `talentmatch tune-weights`
    learns the scoring weights from them."""
    ids = [item.candidate_id for item in body.items]
    scored = matcher.features_for(body.job.text, ids, title=body.job.title, tenant=tenant)
    items = [
        Feedback(
            job_id=body.job_id,
            candidate_id=item.candidate_id,
            verdict=item.verdict,
            reason=item.reason,
            features=scored[item.candidate_id].breakdown.features,
        )
        for item in body.items
    ]
    return FeedbackListOut.of(matcher.pool.store.add_feedback(tenant, items))


@v1.get("/feedback", response_model=FeedbackListOut, tags=["feedback"])
def list_feedback(
    matcher: MatcherDep, tenant: TenantDep, job_id: str | None = None
) -> FeedbackListOut:
    """The caller's feedback, oldest first; for one job with `job_id`."""
    return FeedbackListOut.of(matcher.pool.store.feedback(tenant, job_id))
