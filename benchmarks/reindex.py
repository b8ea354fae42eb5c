"""Re-index throughput: résumés a second from PDF to searchable, and a stored pool re-embedded
for a new model, with 1 and 2 workers, against the previous encoder in the same run.

Measured, each on the LiveCareer résumé PDFs (``../shared/data``):

- **PDF to searchable** (``talentmatch ingest``'s path), ``--repeats`` times each: in this
  process (text extraction, skill extraction and the encoder on both cores, then storing and
  indexing), and in 2 worker processes that each read, parse and embed with one encoder
  thread while this process stores and indexes; the first stored batch's moment (worker
  start-up included) and the steady rate after it. And each stage alone, so the table shows
  which one bounds the rate, with text extraction by pdfminer.six (the engine used before
  PDFium) beside it as the baseline.
- **re-index** (``talentmatch reindex``'s path) of a pool of ``--resumes`` stored résumés
  after a model change, so that every résumé is re-parsed and embedded again, then indexed:
  in this process (1 worker, the encoder on both cores), in 2 worker processes (one core
  each), and on a local Ray cluster with 2 Ray Data actors. Baseline: the encoder this project
  used before (PyTorch fp32, four 256-word-piece windows a résumé), in this process.
- **service answering throughout**: the re-index run by the CLI beside a running service on
  the same home, while a client asks for a match every 250 ms: match latency and failures.

Run: python benchmarks/reindex.py [--data DIR] [--resumes N] [--pdfs N] [--repeats N]
[--no-ray] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from benchmarks.ranking import pdf_texts  # noqa: E402
from benchmarks.served_pool import free_port, serve  # noqa: E402
from index import Store, TalentPool  # noqa: E402
from matcher import Encoder, Matcher, ingest, profile_text, reindex  # noqa: E402
from matcher.reindex import EncoderOptions  # noqa: E402
from models import NewCandidate  # noqa: E402
from parsing import Parser, extract_text  # noqa: E402

TENANT = "bench"
BATCH = 64  # ingest's batch_size: results are reported a stored batch at a time
CORES = os.cpu_count() or 1
JOB = (
    "Senior accountant: month-end close, reconciliations, IFRS reporting and audits; "
    "Excel and SAP; five years in a finance team."
)


def open_matcher(home: Path, parser: Parser, encoder: Encoder) -> Matcher:
    store = Store(f"sqlite:///{home / 'talentmatch.db'}")
    pool = TalentPool(store, home / "index", model=encoder.key, dim=encoder.dim)
    return Matcher(parser, encoder, pool)


def stage_rates(
    files: list[Path], parser: Parser, encoder: Encoder, one_thread: Encoder
) -> dict[str, float]:
    """Résumés a second of each stage alone, in this process (extraction and parsing on one
    core; the encoder on all, and on one thread as in an ingest worker)."""
    started = time.perf_counter()
    [extract_text(p.read_bytes(), p.name, pdf_engine="pdfminer") for p in files]
    pdfminer_s = time.perf_counter() - started
    started = time.perf_counter()
    texts = [extract_text(p.read_bytes(), p.name) for p in files]
    extract_s = time.perf_counter() - started
    started = time.perf_counter()
    resumes = [parser.parse_resume_text(t, fmt=f) for t, f in texts]
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    encoder.encode_documents([profile_text(r) for r in resumes])
    embed_s = time.perf_counter() - started
    started = time.perf_counter()
    one_thread.encode_documents([profile_text(r) for r in resumes])
    embed_one_s = time.perf_counter() - started
    return {
        "extract_pdf_one_core": round(len(files) / extract_s, 1),
        "extract_pdf_one_core_pdfminer": round(len(files) / pdfminer_s, 1),
        "parse_one_core": round(len(files) / parse_s, 1),
        "embed": round(len(files) / embed_s, 1),
        "embed_one_thread": round(len(files) / embed_one_s, 1),
    }


def pdf_to_searchable(
    files: list[Path], workers: int, parser: Parser, encoder: Encoder, tmp: Path, run: int
) -> dict[str, Any]:
    """``talentmatch ingest``'s path over the PDFs into a new pool, timed from the call
    (worker start-up included) to the last vector in the index."""
    folder = tmp / f"pdfs-{workers}-{run}"
    folder.mkdir()
    for path in files:
        os.symlink(path, folder / path.name)
    matcher = open_matcher(tmp / f"ingest-{workers}-{run}", parser, encoder)
    done: list[float] = []
    started = time.perf_counter()
    results = ingest(
        [folder],
        matcher,
        tenant=TENANT,
        workers=workers,
        encoder_options=EncoderOptions.of(encoder, None, None),
        on_done=lambda _: done.append(time.perf_counter()),
    )
    matcher.pool.flush()
    seconds = time.perf_counter() - started
    searchable = len(matcher.pool.vectors.ids())
    matcher.pool.close()
    matcher.pool.store.close()
    # Results are reported a stored batch at a time: the first batch's moment includes the
    # workers' start-up, and the rate after it is the pipeline's steady rate.
    first = done[BATCH - 1] - started if len(done) > BATCH else None
    steady = (
        round((len(done) - BATCH) / (done[-1] - done[BATCH - 1]), 1)
        if len(done) > 2 * BATCH
        else None
    )
    return {
        "workers": workers,
        "run": run,
        "files": len(files),
        "searchable": searchable,
        "failed": sum(r.error is not None for r in results),
        "seconds": round(seconds, 1),
        "first_batch_s": round(first, 1) if first is not None else None,
        "resumes_per_s": round(searchable / seconds, 1),
        "steady_resumes_per_s": steady,
    }


def pdf_summary(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By worker count, the median of the repeated runs (this machine's speed varies by
    tens of percent from one run to the next)."""
    out = []
    for workers in sorted({r["workers"] for r in runs}):
        mine = [r for r in runs if r["workers"] == workers]
        steady = [r["steady_resumes_per_s"] for r in mine if r["steady_resumes_per_s"]]
        out.append(
            {
                "workers": workers,
                "runs": len(mine),
                "searchable": mine[0]["searchable"],
                "seconds": statistics.median(r["seconds"] for r in mine),
                "resumes_per_s": statistics.median(r["resumes_per_s"] for r in mine),
                "resumes_per_s_range": [
                    min(r["resumes_per_s"] for r in mine),
                    max(r["resumes_per_s"] for r in mine),
                ],
                "first_batch_s": statistics.median(
                    r["first_batch_s"] for r in mine if r["first_batch_s"] is not None
                ),
                "steady_resumes_per_s": statistics.median(steady) if steady else None,
            }
        )
    return out


def stored_pool(
    home: Path, texts: list[tuple[str, str]], n: int, parser: Parser, encoder: Encoder
) -> None:
    """``n`` candidates from the résumé texts (cycled, each copy its own candidate), stored
    with vectors of ``encoder``: a pool that a model change will make stale."""
    matcher = open_matcher(home, parser, encoder)
    batch: list[NewCandidate] = []
    for i in range(n):
        text, fmt = texts[i % len(texts)]
        batch.append(
            NewCandidate(
                tenant=TENANT,
                external_id=f"r{i}",
                resume=parser.parse_resume_text(f"{text}\nReference {i}.", fmt=fmt),
            )
        )
        if len(batch) == 64:
            matcher.upsert(batch)
            batch = []
    if batch:
        matcher.upsert(batch)
    matcher.pool.close()
    matcher.pool.store.close()


def reindex_run(
    pristine: Path,
    tmp: Path,
    label: str,
    parser: Parser,
    encoder: Encoder,
    *,
    workers: int = 1,
    ray: str | None = None,
) -> dict[str, Any]:
    """Re-index a copy of the pool for ``encoder`` (whose vectors it lacks)."""
    home = tmp / f"reindex-{label}"
    shutil.copytree(pristine, home)
    shutil.rmtree(home / "index", ignore_errors=True)
    matcher = open_matcher(home, parser, encoder)
    advanced: list[tuple[float, int]] = []
    started = time.perf_counter()
    report = reindex(
        matcher,
        workers=workers,
        ray_address=ray,
        encoder_options=EncoderOptions.of(encoder, None, None),
        on_advance=lambda n: advanced.append((time.perf_counter(), n)),
    )
    seconds = time.perf_counter() - started
    matcher.pool.close()
    matcher.pool.store.close()
    shutil.rmtree(home)
    # After the first part: the rate once every worker has loaded its models.
    steady = None
    if len(advanced) > 2:
        done = sum(n for _, n in advanced[1:])
        steady = round(done / (advanced[-1][0] - advanced[0][0]), 1)
    return {
        "run": label,
        "encoder": encoder.key,
        "workers": workers,
        "ray": ray is not None,
        "candidates": report.candidates,
        "embedded": report.embedded,
        "indexed": report.indexed,
        "seconds": round(seconds, 1),
        "resumes_per_s": round(report.embedded / seconds, 1),
        "steady_resumes_per_s": steady,
    }


def served_reindex(pristine: Path, tmp: Path, workers: int) -> dict[str, Any]:
    """The CLI re-index beside a running service on the same home, matches asked throughout."""
    home = tmp / "served"
    shutil.copytree(pristine, home)
    store = Store(f"sqlite:///{home / 'talentmatch.db'}")
    key = store.create_key(TENANT)
    store.close()
    port = free_port()
    bin_dir = Path(sys.executable).parent
    env = os.environ | {
        "TALENTMATCH_HOME": str(home),
        "TALENTMATCH_PORT": str(port),
        "TALENTMATCH_LOG_LEVEL": "WARNING",
        "TALENTMATCH_ENCODER_PRECISION": "fp32",  # what the pool was built with
    }
    latencies: list[float] = []
    failures: list[str] = []
    stop = threading.Event()
    server, client = serve(env, home, key, port)
    try:

        def ask() -> None:
            i = 0
            while not stop.is_set():
                begun = time.perf_counter()
                try:
                    response = client.post(
                        "/v1/match", json={"job": {"text": f"{JOB}\nRef {i}."}, "top_k": 10}
                    )
                    if response.status_code != 200 or not response.json()["results"]:
                        failures.append(f"{response.status_code}")
                    else:
                        latencies.append((time.perf_counter() - begun) * 1000)
                except httpx.HTTPError as exc:
                    failures.append(type(exc).__name__)
                i += 1
                stop.wait(0.25)

        asker = threading.Thread(target=ask)
        asker.start()
        new_env = env | {"TALENTMATCH_ENCODER_PRECISION": "int8"}
        started = time.perf_counter()
        done = subprocess.run(
            [str(bin_dir / "talentmatch"), "reindex", "--workers", str(workers)],
            env=new_env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        stop.set()
        asker.join()
        if done.returncode != 0:
            raise RuntimeError(f"talentmatch reindex failed: {done.stderr[-2000:]}")
    finally:
        stop.set()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    ordered = sorted(latencies)
    return {
        "workers": workers,
        "reindex_seconds_with_start": round(seconds, 1),
        "summary": done.stderr.strip().splitlines()[-1],
        "matches": len(latencies),
        "failed_matches": len(failures),
        "match_p50_ms": round(statistics.median(ordered), 1) if ordered else None,
        "match_p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1)
        if ordered
        else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--resumes", type=int, default=600, help="size of the re-indexed pool")
    ap.add_argument("--pdfs", type=int, default=300, help="PDFs taken to searchable")
    ap.add_argument("--repeats", type=int, default=3, help="runs of each PDF configuration")
    ap.add_argument("--no-ray", action="store_true", help="skip the local Ray cluster run")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()
    folder = args.data / "resumes" / "livecareer-dev"
    if not folder.is_dir():
        print(f"benchmark data not found under {args.data}", file=sys.stderr)
        raise SystemExit(2)
    files = sorted(folder.rglob("*.pdf"))[: args.pdfs]
    parser = Parser()
    ours = Encoder(threads=CORES)
    before = Encoder(threads=CORES, precision="fp32", windows=4)
    plain = Encoder(threads=CORES, precision="fp32", windows=1)
    texts = list(pdf_texts(files, Path.home() / ".cache" / "talentmatch" / "bench-text").values())
    report: dict[str, Any] = {
        "machine": {"cpus": CORES, "python": platform.python_version()},
        "encoder": ours.key,
        "baseline_encoder": before.key,
    }
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        report["stages"] = stage_rates(files[:60], parser, ours, Encoder(threads=1))
        report["pdf_to_searchable_runs"] = [
            pdf_to_searchable(files, w, parser, ours, tmp, run)
            for run in range(args.repeats)
            for w in (1, 2)
        ]
        report["pdf_to_searchable"] = pdf_summary(report["pdf_to_searchable_runs"])
        pristine = tmp / "pristine"
        stored_pool(pristine, texts, args.resumes, parser, plain)
        runs = [
            reindex_run(pristine, tmp, "baseline", parser, before),
            reindex_run(pristine, tmp, "1 worker", parser, ours),
            reindex_run(pristine, tmp, "2 workers", parser, ours, workers=2),
        ]
        if not args.no_ray:
            runs.append(
                reindex_run(pristine, tmp, "ray, 2 actors", parser, ours, workers=2, ray="local")
            )
        report["reindex"] = runs
        report["served"] = served_reindex(pristine, tmp, workers=1)

    stages = report["stages"]
    print(
        f"\n{CORES} cores. Stages alone, résumés/s: "
        + ", ".join(f"{k} {v}" for k, v in stages.items())
    )
    print(
        f"\n| PDF to searchable (median of {args.repeats}) | résumés | seconds | résumés/s "
        "| range | first batch stored at | steady |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in report["pdf_to_searchable"]:
        how = (
            "this process (2 encoder threads)"
            if row["workers"] == 1
            else f"{row['workers']} worker processes (1 encoder thread each)"
        )
        low, high = row["resumes_per_s_range"]
        print(
            f"| {how} | {row['searchable']} | {row['seconds']} | {row['resumes_per_s']} | "
            f"{low}–{high} | {row['first_batch_s']} s | {row['steady_resumes_per_s']} |"
        )
    print("\n| re-index (model change) | encoder | résumés | seconds | résumés/s | steady |")
    print("|---|---|---|---|---|---|")
    for row in runs:
        print(
            f"| {row['run']} | {row['encoder']} | {row['embedded']} | {row['seconds']} | "
            f"{row['resumes_per_s']} | {row['steady_resumes_per_s']} |"
        )
    served = report["served"]
    print(
        f"\nServed throughout (CLI re-index beside `talentmatch serve`): {served['summary']}; "
        f"{served['reindex_seconds_with_start']} s with start-up; {served['matches']} matches, "
        f"{served['failed_matches']} failed, p50 / p99 {served['match_p50_ms']} / "
        f"{served['match_p99_ms']} ms"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
