"""HTTP routes under /v1: translate requests into calls on the matcher, results back."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status
from fastapi import Path as FastPath

from index import Store
from matcher.fairness import selection_report
from models import (
    ApiKey,
    Application,
    AuditAction,
    AuditEntry,
    Feedback,
    FileTooLarge,
    InvalidInput,
    NewCandidate,
    NotFound,
    NotReady,
    SelectionReport,
    TalentmatchError,
)
from service.deps import (
    AdminDep,
    CallerDep,
    MatcherDep,
    RuntimeDep,
    TenantDep,
    runtime_of,
)
from service.runtime import Runtime
from service.schemas import (
    MAX_ID,
    AuditListOut,
    CandidateIn,
    CandidateOut,
    CandidateUpsert,
    DocumentTextOut,
    ErrorOut,
    ExportOut,
    FeedbackIn,
    FeedbackListOut,
    GroupsIn,
    GroupsOut,
    Health,
    JobSkillOut,
    KeyCreatedOut,
    KeyIn,
    KeysOut,
    LinkIn,
    LinkOut,
    LinksOut,
    MatchIn,
    SelectionReportIn,
    SettingsIn,
    SettingsOut,
    ShortlistOut,
    SkillOut,
    SkillsIn,
    SkillsOut,
)

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 413, 415, 422)
}
v1 = APIRouter(prefix="/v1", responses=ERRORS)
UPDATED: dict[int | str, dict[str, object]] = {
    200: {"model": CandidateOut, "description": "Updated: a candidate with this external id"}
}
CandidateIdPath = Annotated[int, FastPath(ge=1, le=MAX_ID)]
probes = APIRouter()


def _audit(
    store: Store, caller: ApiKey, action: AuditAction, ids: list[int], detail: str | None = None
) -> None:
    store.audit(
        AuditEntry(
            tenant=caller.tenant,
            actor=caller.prefix,
            action=action,
            candidate_ids=ids,
            detail=detail,
        )
    )


def _upload_text(file: UploadFile, runtime: Runtime) -> tuple[str, str, str]:
    """(file name, text, format) of an uploaded document, read in a worker process limited
    in time and memory: a hostile file costs a 422. Raises FileTooLarge past the upload
    limit, and the ParseError of a file it cannot read."""
    name = PurePath(file.filename or "upload").name
    limit = runtime.settings.max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"{name}: over the upload limit of {limit:,} bytes")
    text, fmt = runtime.sandbox.extract(
        data, name, max_bytes=limit, max_pages=runtime.settings.max_pages
    )
    return name, text, fmt


def _save(matcher: MatcherDep, new: NewCandidate, response: Response) -> CandidateOut:
    candidate, created = matcher.upsert([new])[0]
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return CandidateOut.of(candidate)


@v1.post(
    "/candidates",
    status_code=201,
    response_model=CandidateOut,
    tags=["candidates"],
    responses=UPDATED,
)
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


@v1.post(
    "/candidates/upload",
    status_code=201,
    response_model=CandidateOut,
    tags=["candidates"],
    responses=UPDATED,
)
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
    name, text, fmt = _upload_text(file, runtime)
    resume = matcher.parser.parse_resume_text(text, fmt=fmt)
    ext = external_id or PurePath(name).stem
    if not ext:
        raise InvalidInput("no external_id and no file name to take it from")
    new = NewCandidate(
        tenant=tenant, external_id=ext, resume=resume, source=source or "upload", file_name=name
    )
    return _save(matcher, new, response)


@v1.put(
    "/candidates/by-external-id/{external_id}",
    response_model=CandidateOut,
    tags=["candidates"],
    responses={201: {"model": CandidateOut, "description": "Created"}},
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
    external_id: str, runtime: RuntimeDep, caller: CallerDep
) -> CandidateOut:
    candidate = runtime.store.find_external(caller.tenant, external_id)
    _audit(runtime.store, caller, AuditAction.READ, [candidate.id])
    return CandidateOut.of(candidate)


@v1.get("/candidates/{candidate_id}", response_model=CandidateOut, tags=["candidates"])
def read_candidate(
    candidate_id: CandidateIdPath, runtime: RuntimeDep, caller: CallerDep
) -> CandidateOut:
    candidate = runtime.store.get(caller.tenant, candidate_id)
    _audit(runtime.store, caller, AuditAction.READ, [candidate.id])
    return CandidateOut.of(candidate)


@v1.get("/candidates/{candidate_id}/export", response_model=ExportOut, tags=["privacy"])
def export_candidate(
    candidate_id: CandidateIdPath, runtime: RuntimeDep, caller: CallerDep
) -> ExportOut:
    """Everything held about one candidate (right of access), this export included in
    its audit entries."""
    runtime.store.get(caller.tenant, candidate_id)  # NotFound before anything is logged
    _audit(runtime.store, caller, AuditAction.EXPORT, [candidate_id])
    held = runtime.store.export(caller.tenant, candidate_id)
    return ExportOut.model_validate({"exported_at": dt.datetime.now(dt.UTC), **held})


@v1.delete("/candidates/{candidate_id}", status_code=204, tags=["candidates", "privacy"])
def delete_candidate(
    candidate_id: CandidateIdPath, matcher: MatcherDep, caller: CallerDep
) -> Response:
    """Erase a candidate: the record, history, tags, consent, feedback on them and their
    vector, from the store and from both indexes. The audit log keeps only the id."""
    matcher.erase(caller.tenant, candidate_id)
    _audit(matcher.pool.store, caller, AuditAction.DELETE, [candidate_id])
    return Response(status_code=204)


@v1.post(
    "/candidates/{candidate_id}/applications",
    status_code=201,
    response_model=CandidateOut,
    tags=["candidates"],
)
def add_application(
    candidate_id: CandidateIdPath, body: Application, runtime: RuntimeDep, tenant: TenantDep
) -> CandidateOut:
    """Add one step of the candidate's history (job, stage reached, outcome, date)."""
    return CandidateOut.of(runtime.store.add_application(tenant, candidate_id, body))


@v1.post("/documents/text", response_model=DocumentTextOut, tags=["documents"])
def document_text(
    file: Annotated[UploadFile, File(description="PDF, DOCX, TXT or MD document")],
    runtime: RuntimeDep,
    _: TenantDep,
) -> DocumentTextOut:
    """The text of a document, read in the same bounded worker as résumé uploads: for a
    job description to match (the recruiter page's upload). Nothing is stored."""
    _, text, fmt = _upload_text(file, runtime)
    return DocumentTextOut(text=text, format=fmt)


@v1.post("/match", response_model=ShortlistOut, tags=["match"])
def match(body: MatchIn, matcher: MatcherDep, caller: CallerDep) -> ShortlistOut:
    """Rank the caller's talent pool for a job description."""
    shortlist = matcher.match(
        body.job.text,
        title=body.job.title,
        k=body.top_k,
        tenant=caller.tenant,
        rediscover=body.mode == "rediscover",
        filters=body.filters,
        fair_rerank=body.fair_rerank,
    )
    _audit(
        matcher.pool.store,
        caller,
        AuditAction.MATCH,
        [m.candidate_id for m in shortlist.results],
        f"mode={body.mode} top_k={body.top_k}",
    )
    return ShortlistOut.of(shortlist)


@v1.put("/candidates/{candidate_id}/groups", response_model=GroupsOut, tags=["fairness"])
def set_groups(
    candidate_id: CandidateIdPath, body: GroupsIn, runtime: RuntimeDep, tenant: TenantDep
) -> GroupsOut:
    """Store the groups a candidate reported (self-identified gender, race or ethnicity,
    age band…), replacing those stored; `{}` clears them. They are kept apart from the
    candidate's record, never used in scoring, and erased with the candidate."""
    runtime.store.set_groups(tenant, candidate_id, body.groups)
    return GroupsOut(candidate_id=candidate_id, groups=runtime.store.groups(tenant, candidate_id))


@v1.get("/candidates/{candidate_id}/groups", response_model=GroupsOut, tags=["fairness"])
def read_groups(candidate_id: CandidateIdPath, runtime: RuntimeDep, tenant: TenantDep) -> GroupsOut:
    """The groups a candidate reported."""
    return GroupsOut(candidate_id=candidate_id, groups=runtime.store.groups(tenant, candidate_id))


@v1.post("/fairness/selection", response_model=SelectionReport, tags=["fairness"])
def report_selection(
    body: SelectionReportIn, runtime: RuntimeDep, tenant: TenantDep
) -> SelectionReport:
    """Selection rates and impact ratios of a shortlist by the groups candidates reported
    in one category: each group's share of the shortlist against its share of the pool it
    was drawn from (the tenant's eligible candidates, narrowed by `filters`). An impact
    ratio under 0.8 is flagged (the four-fifths rule). A candidate who is not the tenant's:
    404."""
    store = runtime.store
    for candidate_id in dict.fromkeys(body.candidate_ids):
        store.get(tenant, candidate_id)
    pool = store.eligible_ids(tenant, dt.date.today(), body.filters).tolist()
    groups = store.group_of(body.category, pool)
    return selection_report(body.category, pool, groups, body.candidate_ids)


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


def _startup_failure(request: Request) -> None:
    error = request.app.state.startup_error
    if error is not None:
        message = error.message if isinstance(error, TalentmatchError) else type(error).__name__
        raise NotReady(f"the talent pool failed to load ({message}); see the service log")


@probes.get(
    "/healthz", response_model=Health, tags=["operations"], responses={503: {"model": ErrorOut}}
)
def healthz(request: Request) -> Health:
    """The process is up; 503 when the pool failed to load (restart it)."""
    _startup_failure(request)
    return Health(status="ok", worker=os.getpid())


@probes.get(
    "/readyz", response_model=Health, tags=["operations"], responses={503: {"model": ErrorOut}}
)
def readyz(request: Request) -> Health:
    """The pool is loaded and the index answers; 503 while it loads, or if it failed to."""
    _startup_failure(request)
    runtime = runtime_of(request)
    manifest = runtime.matcher.pool.manifest()
    return Health(
        status="ready",
        candidates=runtime.matcher.pool.count(),
        index=manifest.model_dump(mode="json") if manifest else None,
        worker=os.getpid(),
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


@v1.get("/me", response_model=ApiKey, tags=["keys"])
def who_am_i(caller: CallerDep) -> ApiKey:
    """The caller's own key: its prefix, tenant and whether it is an admin key (the
    recruiter page signs in with it)."""
    return caller


@v1.get("/audit", response_model=AuditListOut, tags=["privacy"])
def read_audit_log(
    runtime: RuntimeDep,
    tenant: TenantDep,
    action: AuditAction | None = None,
    candidate_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    since: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> AuditListOut:
    """The caller's tenant's audit log, newest first: who (key prefix) read, matched,
    exported or erased which candidates (internal ids), and when."""
    entries = runtime.store.audit_log(
        tenant, action=action, candidate_id=candidate_id, since=since, limit=limit
    )
    return AuditListOut(entries=entries)


def _settings_of(runtime: Runtime, tenant: str) -> SettingsOut:
    store = runtime.store
    stale = store.ids_without_embedding(runtime.matcher.pool.model, tenant=tenant)
    return SettingsOut(tenant=tenant, blind=store.blind(tenant), to_embed=len(stale))


@v1.get("/settings", response_model=SettingsOut, tags=["settings"])
def read_settings(runtime: RuntimeDep, tenant: TenantDep) -> SettingsOut:
    """The caller's tenant's settings: whether it matches blind (the default)."""
    return _settings_of(runtime, tenant)


@v1.put("/settings", response_model=SettingsOut, tags=["settings"])
def change_settings(body: SettingsIn, runtime: RuntimeDep, admin: AdminDep) -> SettingsOut:
    """Turn blind matching on or off for a tenant (admin keys only; recorded in its audit
    log). The keyword channel follows at once, and so do candidates written from now on;
    the vectors already stored are embedded again by `talentmatch reindex` (`to_embed`
    counts them)."""
    store = runtime.store
    if store.set_blind(body.tenant, body.blind):
        runtime.matcher.pool.rebuild_lexical()
        store.audit(
            AuditEntry(
                tenant=body.tenant,
                actor=admin.prefix,
                action=AuditAction.SETTINGS_CHANGED,
                detail=f"blind={'on' if body.blind else 'off'}",
            )
        )
    return _settings_of(runtime, body.tenant)


@v1.post("/keys", status_code=201, response_model=KeyCreatedOut, tags=["keys"])
def create_key(body: KeyIn, runtime: RuntimeDep, admin: AdminDep) -> KeyCreatedOut:
    """Create an API key for a tenant (admin keys only). The key is in this answer once."""
    key = runtime.store.create_key(body.tenant, admin=body.admin)
    created = runtime.store.key(key)
    assert created is not None
    runtime.store.audit(
        AuditEntry(
            tenant=body.tenant, actor=admin.prefix, action=AuditAction.KEY_CREATED, detail=key[:10]
        )
    )
    return KeyCreatedOut(key=key, **created.model_dump())


@v1.get("/keys", response_model=KeysOut, tags=["keys"])
def list_keys(runtime: RuntimeDep, _: AdminDep, tenant: str | None = None) -> KeysOut:
    """Every key by prefix, revoked ones included (admin keys only)."""
    return KeysOut(keys=runtime.store.keys(tenant))


@v1.delete("/keys/{prefix}", status_code=204, tags=["keys"])
def revoke_key(
    prefix: Annotated[str, FastPath(min_length=10, max_length=10)],
    runtime: RuntimeDep,
    admin: AdminDep,
) -> Response:
    """Revoke a key by its 10-character prefix (admin keys only)."""
    if len(prefix) != 10:
        raise InvalidInput("give the key's first 10 characters, as `GET /v1/keys` lists them")
    revoked = runtime.store.revoke_key(prefix)
    if not revoked:
        raise NotFound(f"no active key {prefix}")
    runtime.store.audit(
        *(
            AuditEntry(
                tenant=k.tenant, actor=admin.prefix, action=AuditAction.KEY_REVOKED, detail=k.prefix
            )
            for k in revoked
        )
    )
    return Response(status_code=204)
