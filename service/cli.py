"""The ``talentmatch`` command line (see README "Command line")."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shlex
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from models import (
    AuditAction,
    AuditEntry,
    Filters,
    Job,
    Outcome,
    Resume,
    TalentmatchError,
)
from service.settings import Settings

if TYPE_CHECKING:
    from index import Store
    from matcher.reindex import EncoderOptions
    from service.runtime import Runtime

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Matching and talent rediscovery for recruiting CRMs.",
)
keys = typer.Typer(no_args_is_help=True, help="API keys: each belongs to one tenant.")
app.add_typer(keys, name="keys")
# Messages are not wrapped at the terminal's width: a path or an id cut in two cannot be
# copied (nor grepped).
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

HomeOpt = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Folder of the pool [default: $TALENTMATCH_HOME or ./talentmatch-data]",
        show_default=False,
    ),
]
TenantOpt = Annotated[str, typer.Option("--tenant", help="Tenant whose pool to use")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output")]


def _settings(home: Path | None) -> Settings:
    return Settings(home=home) if home else Settings()


@contextmanager
def _failing() -> Iterator[None]:
    """Domain errors become one line on stderr and exit code 1."""
    try:
        yield
    except TalentmatchError as exc:
        err.print(f"[red]error[/red] ({exc.code}): {exc.message}", highlight=False)
        raise typer.Exit(1) from None


def _runtime(home: Path | None, *, index_dir: Path | None = None) -> Runtime:
    """Open the pool (its vector index in ``index_dir``, by default the home's)."""
    from service.runtime import Runtime

    settings = _settings(home)
    with err.status("Loading the model, taxonomy and pool…"):
        return Runtime.open(settings, index_dir=index_dir)


def _encoder_options(runtime: Runtime) -> EncoderOptions:
    """What worker processes need to load the same encoder as ``runtime``'s."""
    from matcher.reindex import EncoderOptions

    settings = runtime.settings
    return EncoderOptions.of(
        runtime.matcher.encoder, settings.model_path, settings.cache_path / "models"
    )


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


def _emit(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (PDF, DOCX, TXT, MD, JSONL)")
    ],
    home: HomeOpt = None,
    tenant: TenantOpt = "default",
    as_json: JsonOpt = False,
    workers: Annotated[int | None, typer.Option(help="Parsing processes")] = None,
) -> None:
    """Add résumés to the pool; bad files are reported and skipped."""
    from matcher import IngestResult
    from matcher import ingest as run_ingest

    with _failing():
        runtime = _runtime(home)
        try:
            with _progress() as progress:
                task = progress.add_task("Ingesting", total=None)

                def done(result: IngestResult) -> None:
                    progress.advance(task)
                    if as_json:
                        _emit(result.as_json())
                    elif result.error is not None:
                        progress.console.print(
                            f"[yellow]skipped[/yellow] {result.file}: {result.error.message}",
                            highlight=False,
                        )

                results = run_ingest(
                    paths,
                    runtime.matcher,
                    tenant=tenant,
                    workers=workers,
                    max_bytes=runtime.settings.max_upload_bytes,
                    encoder_options=_encoder_options(runtime),
                    on_total=lambda n: progress.update(task, total=n),
                    on_done=done,
                )
        finally:
            runtime.close()
    ok = sum(1 for r in results if r.error is None)
    if not as_json:
        err.print(
            f"ingested {ok} of {len(results)}; pool of tenant {tenant!r} "
            f"now indexed in {runtime.settings.home}"
        )
    if ok == 0:
        raise typer.Exit(1)


@app.command()
def match(
    job_file: Annotated[str, typer.Argument(help="Job description file, or - for stdin")],
    home: HomeOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, max=500, help="How many results")] = 10,
    title: Annotated[str | None, typer.Option(help="Job title, if not the first line")] = None,
    tenant: TenantOpt = "default",
    as_json: JsonOpt = False,
    rediscover: Annotated[
        bool,
        typer.Option(
            "--rediscover", help="Past applicants only, runners-up for a similar job first"
        ),
    ] = False,
    location: Annotated[
        list[str] | None, typer.Option(help="Within this location (repeat for any of several)")
    ] = None,
    remote: Annotated[
        bool | None, typer.Option("--remote/--no-remote", help="Open to remote work, or not")
    ] = None,
    min_years: Annotated[float | None, typer.Option(min=0, help="Years of experience")] = None,
    outcome: Annotated[
        list[Outcome] | None,
        typer.Option(help="With a past application of this outcome (repeatable)"),
    ] = None,
    source: Annotated[list[str] | None, typer.Option(help="From this source (repeatable)")] = None,
    tag: Annotated[
        list[str] | None, typer.Option(help="With this tag (repeat: all of them)")
    ] = None,
    updated_since: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Profile updated on or after (YYYY-MM-DD)"),
    ] = None,
) -> None:
    """Rank the pool for a job description."""
    from parsing import extract_text
    from service.schemas import ShortlistOut

    filters = Filters(
        locations=location or [],
        remote=remote,
        min_years=min_years,
        outcomes=outcome or [],
        sources=source or [],
        tags=tag or [],
        updated_since=updated_since.date() if updated_since else None,
    )

    with _failing():
        if job_file == "-":
            text = sys.stdin.read()
        else:
            path = Path(job_file)
            if not path.is_file():
                err.print(f"[red]error[/red]: {job_file}: no such file")
                raise typer.Exit(1)
            text, _ = extract_text(path.read_bytes(), path.name)
        runtime = _runtime(home)
        try:
            shortlist = ShortlistOut.of(
                runtime.matcher.match(
                    text,
                    title=title,
                    k=top,
                    tenant=tenant,
                    rediscover=rediscover,
                    filters=filters,
                )
            )
            runtime.store.audit(
                AuditEntry(
                    tenant=tenant,
                    actor="cli",
                    action=AuditAction.MATCH,
                    candidate_ids=[m.candidate_id for m in shortlist.results],
                    detail=f"mode={'rediscover' if rediscover else 'all'} top_k={top}",
                )
            )
        finally:
            runtime.close()
    if as_json:
        _emit(shortlist.model_dump(mode="json"))
        return
    table = Table(
        title=f"{shortlist.job_title or 'Job'} — top {len(shortlist.results)} "
        f"of {shortlist.pool_size} ({shortlist.took_ms:.0f} ms)"
    )
    for column in ("#", "score", "candidate", "matched", "missing", "why"):
        table.add_column(column, overflow="fold")
    for rank, m in enumerate(shortlist.results, 1):
        table.add_row(
            str(rank),
            f"{m.score:.1f}",
            f"{m.name or ''} ({m.external_id})" + (" [stale]" if m.stale else ""),
            ", ".join(m.matched_skills[:6]),
            ", ".join(m.missing_skills[:6]),
            "\n".join(m.reasons),
        )
    out.print(table)


@app.command()
def skills(
    files: Annotated[list[Path], typer.Argument(help="Résumés or job descriptions")],
    job: Annotated[
        bool, typer.Option("--job", help="Job descriptions: add must-have and years asked")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Skills found in documents, with character offsets into their text."""
    from parsing import Parser, extract_text

    with err.status("Loading the taxonomy…"):
        parser = Parser()
    failures = 0
    for path in files:
        try:
            text, _ = extract_text(path.read_bytes(), path.name)
            fields = {"id", "label", "text", "start", "end"}
            if job:
                found = [
                    s.model_dump(include=fields | {"required", "years"})
                    for s in parser.parse_job(text).skills
                ]
            else:
                found = [s.model_dump(include=fields) for s in parser.find_skills(text)]
        except (TalentmatchError, OSError) as exc:
            failures += 1
            error = (
                {"code": exc.code, "message": exc.message}
                if isinstance(exc, TalentmatchError)
                else {"code": "unreadable", "message": f"{path}: {exc.strerror}"}
            )
            if as_json:
                _emit({"file": str(path), "error": error})
            else:
                err.print(f"[red]error[/red] {path}: {error['message']}", highlight=False)
            continue
        if as_json:
            _emit(found if len(files) == 1 else {"file": str(path), "skills": found})
        else:
            out.print(f"[bold]{path}[/bold]: {len(found)} skill mentions")
            for s in found:
                asked = ""
                if job:
                    asked = " must-have" if s["required"] else " nice-to-have"
                    asked += f", {s['years']:g}+ years" if s["years"] else ""
                span = f"{s['start']:>6}-{s['end']:<6}"
                out.print(
                    f"  {span} {s['text']!r} → {s['label']} ({s['id']}){asked}", highlight=False
                )
    if failures == len(files):
        raise typer.Exit(1)


@app.command()
def link(
    phrases: Annotated[list[str], typer.Argument(help="Skill phrases or CRM tags")],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Link skill phrases to canonical skills: by label, else the nearest label by meaning,
    else a free skill. The first run embeds the taxonomy's labels (about a minute)."""
    from matcher import Encoder, SkillLinker
    from parsing import Parser

    settings = _settings(home)
    with err.status("Loading the model and taxonomy…"):
        parser = Parser(use_tagger=False)
        encoder = Encoder(
            settings.model_path,
            threads=settings.encoder_threads,
            precision=settings.encoder_precision,
            cache_dir=settings.cache_path / "models",
        )
    linker = SkillLinker(parser.taxonomy, encoder, parser.link_skill, settings.cache_path)
    with err.status("Linking (the first run embeds the taxonomy's labels)…"), _failing():
        links = linker.link(phrases)
    for found in links:
        if as_json:
            _emit(dataclasses.asdict(found))
        else:
            # A tool ESCO lists under a kind of product says which ("Excel" → Microsoft
            # Excel, in ESCO "use spreadsheets software").
            in_esco = (
                f", in ESCO {parser.taxonomy.label(found.esco)!r}"
                if found.esco and found.esco != found.id
                else ""
            )
            out.print(
                f"{found.phrase!r} → {found.label} ({found.id}; {found.method}, "
                f"{found.score:.2f}){in_esco}",
                highlight=False,
            )


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="A résumé (or, with --job, a job description)")],
    job: Annotated[bool, typer.Option("--job", help="Parse as a job description")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The parsed résumé or job."""
    from parsing import Parser, extract_text

    with _failing():
        try:
            data = file.read_bytes()
        except OSError as exc:
            err.print(f"[red]error[/red]: {file}: {exc.strerror}")
            raise typer.Exit(1) from None
        with err.status("Loading the taxonomy…"):
            parser = Parser()
        if job:
            text, _ = extract_text(data, file.name)
            record: Job | Resume = parser.parse_job(text)
        else:
            record = parser.parse_resume_bytes(data, file.name)
    dumped = record.model_dump(mode="json")
    if as_json:
        _emit(dumped)
    else:
        out.print_json(data={k: v for k, v in dumped.items() if k != "text"})


@app.command()
def reindex(
    home: HomeOpt = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes (or Ray actors) that re-parse and embed, each with its own model",
        ),
    ] = 1,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="ADDRESS",
            help="Run the parse and embed fan-out on this Ray cluster (Ray Data); 'auto' finds"
            " a running one, 'local' starts one here",
        ),
    ] = None,
    part_size: Annotated[
        int,
        typer.Option(
            min=1,
            help="Candidate ids per part: the unit of work handed to a worker, and of resuming",
        ),
    ] = 64,  # matcher.reindex.PART_SIZE; not imported, to keep the CLI light
) -> None:
    """Re-parse every candidate with the current taxonomy, embed what is missing, and
    rebuild the vector index."""
    from matcher import reindex as run_reindex

    settings = _settings(home)
    # The new index is built in a folder of its own beside the live one, and the home's
    # index link is switched to it only once it is complete; the vectors of the old model
    # stay in the store until then. Killed half-way, the service still opens on the old
    # index, and a second run starts at the first part the journal does not list.
    versions = settings.home / INDEX_VERSIONS
    for leftover in [settings.home / "index.next", *versions.glob("*.building")]:
        shutil.rmtree(leftover, ignore_errors=True)  # what a killed run left of its index
    name = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    staging = versions / f"{name}.building"
    with _failing():
        runtime = _runtime(home, index_dir=staging)
        try:
            options = _encoder_options(runtime)
            with _progress() as progress:
                task = progress.add_task("Re-indexing", total=None)
                report = run_reindex(
                    runtime.matcher,
                    workers=workers,
                    ray_address=ray,
                    journal=settings.home / "reindex.journal",
                    encoder_options=options,
                    part_size=part_size,
                    on_total=lambda n: progress.update(task, total=n),
                    on_advance=lambda n: progress.advance(task, n),
                )
            runtime.matcher.pool.close()  # saved whole before it takes the live one's place
            built = versions / name
            os.replace(staging, built)
            _switch_index(settings.index_dir, built)
            runtime.store.drop_embeddings_except(runtime.matcher.pool.model)
        finally:
            runtime.close()
    resumed = f" ({report.resumed} done by an earlier, interrupted run)" if report.resumed else ""
    err.print(
        f"{report.candidates} candidates{resumed}: {report.reparsed} re-parsed, "
        f"{report.embedded} embedded, {report.indexed} in the index"
    )


@app.command()
def purge(
    home: HomeOpt = None,
    today: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Treat this day as today [default: today]"),
    ] = None,
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's candidates")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List who would be erased; erase nothing")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Erase every candidate past their retention deadline or whose consent was withdrawn:
    the record, history, feedback and vectors. Run it daily (cron, a Kubernetes CronJob)."""
    day = today.date() if today else dt.date.today()
    with _failing():
        runtime = _runtime(home)
        try:
            victims = runtime.store.expired(day, tenant)
            if not dry_run and victims:
                runtime.matcher.pool.delete_many(victims)
                runtime.store.audit(
                    *(
                        AuditEntry(
                            tenant=t,
                            actor="cli",
                            action=AuditAction.PURGE,
                            candidate_ids=[i for tt, i in victims if tt == t],
                            detail=f"retention passed or consent withdrawn as of {day}",
                        )
                        for t in sorted({t for t, _ in victims})
                    )
                )
        finally:
            runtime.close()
    if as_json:
        _emit(
            {
                "today": str(day),
                "dry_run": dry_run,
                "erased": [{"tenant": t, "candidate_id": i} for t, i in victims],
            }
        )
    verb = "would erase" if dry_run else "erased"
    err.print(f"{verb} {len(victims)} candidate(s) past retention or without consent on {day}")


INDEX_VERSIONS = "index-versions"


def _switch_index(live: Path, built: Path) -> None:
    """Point the home's index link ``live`` at the folder ``built``, in one rename; a
    service following the link (``TALENTMATCH_INDEX_FOLLOW_SECONDS``) then serves it. Keep
    the folder it pointed at before (a service may still be on it) and remove older ones."""
    versions = built.parent
    before = live.resolve() if live.exists() else None
    if live.exists() and not live.is_symlink():
        # A home's first re-index: its index is a folder, kept as the version before.
        before = versions / f"{built.name}-before"
        os.replace(live, before)
    link = live.with_name(live.name + ".switch")
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(built, live.parent))
    os.replace(link, live)
    for old in versions.iterdir():
        if old.resolve() not in (built.resolve(), before) and not old.name.endswith(".building"):
            shutil.rmtree(old, ignore_errors=True)


@app.command("tune-weights")
def tune_weights(
    out_file: Annotated[Path, typer.Option("--out", help="Write the weights here (JSON)")],
    home: HomeOpt = None,
    tenant: TenantOpt = "default",
) -> None:
    """Learn the scoring weights from recruiters' feedback (POST /v1/feedback): candidates
    shortlisted or hired should rank above those rejected for the same job. Serve with
    TALENTMATCH_WEIGHTS_FILE set to the file to use them."""
    from index import Store
    from matcher import WEIGHTS
    from matcher.tuning import from_feedback, load_weights

    with _failing():
        settings = _settings(home)
        start = load_weights(settings.weights_file) if settings.weights_file else WEIGHTS
        store = Store(settings.store_url)
        try:
            items = store.feedback(tenant)
        finally:
            store.close()
        weights, report = from_feedback(items, start)
    out_file.write_text(json.dumps(weights, indent=2) + "\n")
    err.print(
        f"{report['verdicts']} verdicts on {report['jobs']} jobs: chosen ranked above "
        f"rejected in {report['pairwise_accuracy_before']:.0%} of pairs before, "
        f"{report['pairwise_accuracy_after']:.0%} after; weights written to {out_file}",
        highlight=False,
    )


@app.command()
def serve(
    home: HomeOpt = None,
    host: Annotated[str | None, typer.Option(help="[default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="[default: 8000]")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Service processes on the one port, each with the pool in memory, following"
            " each other's writes",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API."""
    import uvicorn

    from service.app import create_app
    from service.observability import MULTIPROCESS_DIR, configure_logging

    settings = _settings(home).model_copy(
        update={k: v for k, v in (("host", host), ("port", port)) if v}
    )
    configure_logging(settings.log_format, settings.log_level)
    if workers == 1:
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
        )
        return
    # Each worker process reads its settings from the environment, as this one did.
    os.environ["TALENTMATCH_HOME"] = str(settings.home)
    metrics = settings.cache_path / "metrics"  # the workers' counts, added up at a scrape
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(parents=True)
    os.environ[MULTIPROCESS_DIR] = str(metrics)
    if settings.encoder_threads is None:  # the cores shared out, not each taking them all
        cores = len(os.sched_getaffinity(0))
        os.environ["TALENTMATCH_ENCODER_THREADS"] = str(max(1, cores // workers))
    uvicorn.run(
        "service.app:app_from_environment",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )


DEMO_TENANT = "demo"


@app.command()
def demo(
    home: HomeOpt = None,
    host: Annotated[str | None, typer.Option(help="[default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="[default: 8000]")] = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Set up the pool only")] = False,
) -> None:
    """Load the demo talent pool (first run only), print an API key, the recruiter page's
    address and a curl, and serve."""
    from importlib import resources

    import uvicorn

    from matcher import ingest as run_ingest
    from service.app import create_app

    settings = _settings(home).model_copy(
        update={k: v for k, v in (("host", host), ("port", port)) if v}
    )
    with _failing():
        runtime = _runtime(home)
        try:
            if runtime.store.count(DEMO_TENANT) == 0:
                demo_files = resources.files("service") / "demo"
                with (
                    resources.as_file(demo_files / "pool.jsonl.gz") as pool_file,
                    _progress() as bar,
                ):
                    task = bar.add_task("Loading the demo pool", total=None)
                    run_ingest(
                        [pool_file],
                        runtime.matcher,
                        tenant=DEMO_TENANT,
                        encoder_options=_encoder_options(runtime),
                        on_total=lambda n: bar.update(task, total=n),
                        on_done=lambda _: bar.advance(task),
                    )
            key = _demo_key(runtime, settings)
        except BaseException:
            runtime.close()
            raise
    job = (resources.files("service") / "demo" / "job.txt").read_text(encoding="utf-8")
    body = json.dumps({"job": {"text": job}, "top_k": 5})
    url = f"http://{settings.host}:{settings.port}"
    err.print(
        f"\n[bold]Demo pool:[/bold] {runtime.store.count(DEMO_TENANT)} candidates in "
        f"{settings.home}\n[bold]API key[/bold] (tenant {DEMO_TENANT!r}): {key}\n"
        f"[bold]Recruiter page:[/bold] {url}/ui/ (sign in with the key)\n"
        f"[bold]Ask for a shortlist:[/bold]",
        highlight=False,
    )
    sys.stdout.write(
        f"curl -s {url}/v1/match -H 'Authorization: Bearer {key}' "
        f"-H 'Content-Type: application/json' -d {shlex.quote(body)}\n\n"
    )
    sys.stdout.flush()
    if no_serve:
        runtime.close()
        return
    try:
        from service.observability import configure_logging

        configure_logging("text", settings.log_level)  # a person reads the demo's log
        uvicorn.run(
            create_app(settings, runtime=runtime),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
        )
    finally:
        runtime.close()


def _demo_key(runtime: Runtime, settings: Settings) -> str:
    """The demo key kept in the home folder (0600), or a new one if it is gone or revoked."""
    path = settings.home / "demo-api-key.txt"
    if path.exists():
        key = path.read_text().strip()
        if runtime.store.tenant_for_key(key) == DEMO_TENANT:
            return key
    key = runtime.store.create_key(DEMO_TENANT)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


@contextmanager
def _store(home: Path | None) -> Iterator[Store]:
    """The store alone (no model): for commands that only read or write records."""
    from index import Store

    settings = _settings(home)
    settings.home.mkdir(parents=True, exist_ok=True)
    with _failing():
        store = Store(settings.store_url)
    try:
        yield store
    finally:
        store.close()


@keys.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant the key belongs to")],
    admin: Annotated[
        bool, typer.Option("--admin", help="The key also manages keys (of every tenant)")
    ] = False,
    home: HomeOpt = None,
) -> None:
    """Create an API key for a tenant and print it (only this once)."""
    with _store(home) as store, _failing():
        key = store.create_key(tenant, admin=admin)
        store.audit(
            AuditEntry(tenant=tenant, actor="cli", action=AuditAction.KEY_CREATED, detail=key[:10])
        )
    sys.stdout.write(key + "\n")


@keys.command("revoke")
def keys_revoke(
    key: Annotated[str, typer.Argument(help="The key, or its first 10 characters")],
    home: HomeOpt = None,
) -> None:
    """Revoke an API key."""
    with _store(home) as store:
        revoked = store.revoke_key(key)
        store.audit(
            *(
                AuditEntry(
                    tenant=k.tenant, actor="cli", action=AuditAction.KEY_REVOKED, detail=k.prefix
                )
                for k in revoked
            )
        )
    if not revoked:
        err.print("[red]error[/red]: no such active key")
        raise typer.Exit(1)
    err.print(f"revoked {len(revoked)} key(s)")


@keys.command("list")
def keys_list(
    tenant: Annotated[str | None, typer.Option("--tenant", help="Only this tenant's")] = None,
    json_out: JsonOpt = False,
    home: HomeOpt = None,
) -> None:
    """List API keys by prefix (the keys themselves are not stored)."""
    with _store(home) as store:
        found = store.keys(tenant)
    if json_out:
        for k in found:
            _emit(k.model_dump(mode="json"))
        return
    table = Table("prefix", "tenant", "admin", "created", "revoked")
    for k in found:
        table.add_row(
            k.prefix,
            k.tenant,
            "yes" if k.admin else "",
            f"{k.created_at:%Y-%m-%d %H:%M}" if k.created_at else "",
            f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "",
        )
    out.print(table)


@app.command()
def settings(
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant whose settings to show or set")],
    blind: Annotated[
        bool | None,
        typer.Option(
            "--blind/--no-blind",
            help="Turn blind matching on or off (README, Fairness); without it, show",
            show_default=False,
        ),
    ] = None,
    json_out: JsonOpt = False,
    home: HomeOpt = None,
) -> None:
    """Show or set a tenant's settings: blind matching (on by default)."""
    with _store(home) as store, _failing():
        changed = False
        if blind is not None:
            changed = store.set_blind(tenant, blind)
            if changed:
                store.audit(
                    AuditEntry(
                        tenant=tenant,
                        actor="cli",
                        action=AuditAction.SETTINGS_CHANGED,
                        detail=f"blind={'on' if blind else 'off'}",
                    )
                )
        now = store.blind(tenant)
    if json_out:
        _emit({"tenant": tenant, "blind": now, "changed": changed})
        return
    out.print(f"{tenant}: blind matching {'on' if now else 'off'}")
    if changed:
        err.print(
            "run `talentmatch reindex` to embed and index the tenant's candidates again "
            "in the new representation"
        )


def main() -> None:
    app()
