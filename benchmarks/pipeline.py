"""Ingest throughput and match latency on the 300 LiveCareer résumé PDFs.

Measured in one run, each against a baseline:

- ingest: our pipeline (PDF extraction in worker processes ahead of batched embedding) against
  a naive one (one file at a time: extract, parse, embed alone, store) on a sample of the files;
- match: our match path (uncached job, and a repeated job answered from the cache) against
  keyword search with SQLite FTS5 ranked by BM25 over the same résumé texts;
- a relevance proxy for both: precision@10 when the job is the ESCO description (with its
  essential skills) of an occupation of one LiveCareer category and the relevant résumés are
  those filed under that category (a noisy proxy; see ../shared/data/README.md).

Reads ../shared/data (résumés and ESCO); says so and exits 2 when it is missing.

Run: python benchmarks/pipeline.py [--data DIR] [--baseline-sample N] [--repeats R] [--json PATH]
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import re
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.gold import esco_job_texts  # noqa: E402
from index import Store, TalentPool  # noqa: E402
from matcher import Encoder, Matcher, ingest  # noqa: E402
from matcher.ingest import IngestResult, Source, store_batch  # noqa: E402
from models import NewCandidate, TalentmatchError  # noqa: E402
from parsing import Parser, extract_text  # noqa: E402

TENANT = "bench"
THREADS = 2
# One ESCO occupation per LiveCareer category.
OCCUPATIONS = {
    "ACCOUNTANT": "accountant",
    "ADVOCATE": "lawyer",
    "AGRICULTURE": "agronomist",
    "APPAREL": "fashion designer",
    "ARTS": "art director",
    "AUTOMOBILE": "vehicle technician",
    "AVIATION": "aircraft pilot",
    "BANKING": "bank account manager",
    "BPO": "call centre agent",
    "BUSINESS-DEVELOPMENT": "business developer",
    "CHEF": "chef",
    "CONSTRUCTION": "construction manager",
    "CONSULTANT": "ICT consultant",
    "DESIGNER": "graphic designer",
    "DIGITAL-MEDIA": "digital media designer",
    "ENGINEERING": "mechanical engineer",
    "FINANCE": "financial analyst",
    "FITNESS": "fitness instructor",
    "HEALTHCARE": "healthcare assistant",
    "HR": "human resources manager",
    "INFORMATION-TECHNOLOGY": "ICT help desk agent",
    "PUBLIC-RELATIONS": "public relations officer",
    "SALES": "sales manager",
    "TEACHER": "primary school teacher",
}


def esco_queries(esco: Path) -> dict[str, str]:
    """Category → job text: its occupation's description and essential skills."""
    texts = esco_job_texts(esco, set(OCCUPATIONS.values()))
    return {cat: texts[label] for cat, label in OCCUPATIONS.items()}


def open_matcher(home: Path, parser: Parser, encoder: Encoder) -> Matcher:
    store = Store(f"sqlite:///{home / 'pool.db'}")
    pool = TalentPool(store, home / "index", model=encoder.key, dim=encoder.dim)
    return Matcher(parser, encoder, pool)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def naive_ingest(files: list[Path], matcher: Matcher) -> tuple[float, int]:
    """The baseline: one file at a time, embedded alone, stored alone."""
    started, ok = time.perf_counter(), 0
    for path in files:
        try:
            text, fmt = extract_text(path.read_bytes(), path.name)
            resume = matcher.parser.parse_resume_text(text, fmt=fmt)
        except TalentmatchError:
            continue
        new = NewCandidate(tenant=TENANT, external_id=path.stem, resume=resume)
        store_batch(matcher, [(Source(str(path), path.stem, path=path), new)])
        ok += 1
    return time.perf_counter() - started, ok


class KeywordBaseline:
    """SQLite FTS5 over the same texts, ranked by BM25: what keyword search does."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(external_id UNINDEXED, body)")
        self.db.executemany("INSERT INTO docs VALUES (?, ?)", texts.items())

    def search(self, text: str, k: int) -> list[str]:
        terms = sorted(set(re.findall(r"[a-z0-9]{3,}", text.lower())))
        query = " OR ".join(f'"{t}"' for t in terms)
        rows = self.db.execute(
            "SELECT external_id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
            (query, k),
        ).fetchall()
        return [r[0] for r in rows]


def time_calls(fn: Any, queries: list[str], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        for q in queries:
            started = time.perf_counter()
            fn(q)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def precision_at_10(search: Any, queries: dict[str, str], category: dict[str, str]) -> float:
    hits = []
    for cat, text in queries.items():
        top = search(text)[:10]
        hits.append(sum(category.get(e) == cat for e in top) / 10)
    return statistics.fmean(hits)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument(
        "--baseline-sample",
        type=int,
        default=60,
        help="files the naive ingest baseline runs on (every n-th of the sorted list)",
    )
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()
    folder = args.data / "resumes" / "livecareer-dev"
    esco = args.data / "taxonomy" / "esco-1.1.1"
    if not folder.is_dir() or not esco.is_dir():
        print(
            f"benchmark data not found under {args.data} (needs resumes/livecareer-dev and "
            "taxonomy/esco-1.1.1)",
            file=sys.stderr,
        )
        raise SystemExit(2)

    import torch

    torch.set_num_threads(THREADS)
    started = time.perf_counter()
    parser = Parser()
    encoder = Encoder(threads=THREADS)
    gc.freeze()  # as the service does once loaded (service.runtime.Runtime.open)
    load_s = time.perf_counter() - started
    files = sorted(folder.rglob("*.pdf"))
    with open(folder / "manifest.csv", newline="") as fh:
        category = {row["id"]: row["category"] for row in csv.DictReader(fh)}
    queries = esco_queries(esco)

    with tempfile.TemporaryDirectory() as tmp:
        # --- ingest: ours on every file --------------------------------------------------
        ours = open_matcher(Path(tmp) / "ours", parser, encoder)
        started = time.perf_counter()
        results: list[IngestResult] = ingest([folder], ours, tenant=TENANT, workers=THREADS)
        ours_s = time.perf_counter() - started
        ok = [r for r in results if r.error is None]
        failed = [r.as_json() for r in results if r.error is not None]

        # --- ingest: naive baseline on a sample ------------------------------------------
        step = max(1, len(files) // max(1, args.baseline_sample))
        sample = files[::step][: args.baseline_sample]
        naive = open_matcher(Path(tmp) / "naive", parser, encoder)
        naive_s, naive_ok = naive_ingest(sample, naive)
        naive.pool.store.close()

        # --- match latency -----------------------------------------------------------------
        texts = list(queries.values())
        for q in texts[:3]:  # warm-up
            ours.match(q, k=10, tenant=TENANT)

        def uncached(q: str) -> None:
            ours.clear_cache()
            ours.match(q, k=10, tenant=TENANT)

        cold = time_calls(uncached, texts, args.repeats)
        warm = time_calls(lambda q: ours.match(q, k=10, tenant=TENANT), texts, args.repeats)
        stored = {c.external_id: c.resume.text for c in ours.pool.store.iter_candidates(TENANT)}
        keyword = KeywordBaseline(stored)
        time_calls(lambda q: keyword.search(q, 10), texts[:3], 1)  # warm-up
        kw = time_calls(lambda q: keyword.search(q, 10), texts, args.repeats)

        def ours_ids(q: str) -> list[str]:
            return [m.external_id for m in ours.match(q, k=10, tenant=TENANT).results]

        p10_ours = precision_at_10(ours_ids, queries, category)
        p10_kw = precision_at_10(lambda q: keyword.search(q, 10), queries, category)
        ours.pool.store.close()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "torch_threads": THREADS,
            "python": platform.python_version(),
        },
        "pool": {"files": len(files), "ingested": len(ok), "failed": failed},
        "load_seconds": round(load_s, 2),
        "ingest": {
            "ours": {
                "files": len(files),
                "seconds": round(ours_s, 1),
                "resumes_per_s": round(len(ok) / ours_s, 2),
            },
            "naive_baseline": {
                "files": len(sample),
                "seconds": round(naive_s, 1),
                "resumes_per_s": round(naive_ok / naive_s, 2),
            },
        },
        "match_ms": {
            name: {
                "p50": round(percentile(v, 50), 2),
                "p99": round(percentile(v, 99), 2),
                "mean": round(statistics.fmean(v), 2),
                "n": len(v),
            }
            for name, v in (
                ("ours_uncached_job", cold),
                ("ours_cached_job", warm),
                ("keyword_fts5_bm25", kw),
            )
        },
        "precision_at_10": {"ours": round(p10_ours, 3), "keyword_fts5_bm25": round(p10_kw, 3)},
        "peak_rss_mb": round(peak_mb),
    }
    m = report["match_ms"]
    print(f"## Pipeline on {len(files)} LiveCareer PDFs ({len(ok)} ingested)\n")
    print("| measure | talentmatch | baseline |")
    print("|---|---|---|")
    print(
        f"| ingest, résumés/s | {report['ingest']['ours']['resumes_per_s']} "
        f"({len(files)} files) | {report['ingest']['naive_baseline']['resumes_per_s']} "
        f"(naive, one at a time; {len(sample)} files) |"
    )
    print(
        f"| match p50 / p99, ms (new job) | {m['ours_uncached_job']['p50']} / "
        f"{m['ours_uncached_job']['p99']} | {m['keyword_fts5_bm25']['p50']} / "
        f"{m['keyword_fts5_bm25']['p99']} (SQLite FTS5 BM25) |"
    )
    print(
        f"| match p50 / p99, ms (repeated job) | {m['ours_cached_job']['p50']} / "
        f"{m['ours_cached_job']['p99']} | |"
    )
    print(f"| category precision@10 (24 ESCO jobs) | {p10_ours:.3f} | {p10_kw:.3f} |")
    print(f"| peak RSS, MB | {report['peak_rss_mb']} | |")
    print(
        f"\nmodel + taxonomy load: {load_s:.1f} s; {args.repeats} repeats × {len(texts)} jobs; "
        f"torch threads {THREADS}"
    )
    if failed:
        print("\nnot ingested:")
        for f in failed:
            print(f"- {f['file']}: {f['error']['message']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
